/// The internal, store-assigned identity of an account (a tenant). Never shown to clients.
public struct AccountID: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public var description: String { String(rawValue) }
}

/// An AWS private connection as stored and as returned by every call of the API.
public struct Connection: Sendable, Equatable {
    public var id: ConnectionID
    /// The owning account; used for tenant isolation and never serialised.
    public var accountID: AccountID
    public var name: String
    public var description: String
    public var awsAccountID: String
    public var awsRegion: String
    public var enabled: Bool
    public var createdDate: Timestamp
    public var updatedDate: Timestamp
    public var version: Int64

    /// The only value the API defines for `type`.
    public static let type = "AWS"

    public init(
        id: ConnectionID,
        accountID: AccountID,
        name: String,
        description: String,
        awsAccountID: String,
        awsRegion: String,
        enabled: Bool,
        createdDate: Timestamp,
        updatedDate: Timestamp,
        version: Int64
    ) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.description = description
        self.awsAccountID = awsAccountID
        self.awsRegion = awsRegion
        self.enabled = enabled
        self.createdDate = createdDate
        self.updatedDate = updatedDate
        self.version = version
    }

    /// A brand-new connection at version 1, created now by `account`.
    public init(creating new: NewConnection, account: AccountID, at now: Timestamp, id: ConnectionID) {
        self.init(
            id: id,
            accountID: account,
            name: new.name,
            description: new.description,
            awsAccountID: new.awsAccountID,
            awsRegion: new.awsRegion,
            enabled: new.enabled,
            createdDate: now,
            updatedDate: now,
            version: 1
        )
    }
}

/// A validated create request.
public struct NewConnection: Sendable, Equatable {
    public var name: String
    public var description: String
    public var awsAccountID: String
    public var awsRegion: String
    public var enabled: Bool

    public init(name: String, description: String, awsAccountID: String, awsRegion: String, enabled: Bool) {
        self.name = name
        self.description = description
        self.awsAccountID = awsAccountID
        self.awsRegion = awsRegion
        self.enabled = enabled
    }
}

/// A validated update request: `nil` means "keep the stored value".
public struct ConnectionChanges: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var enabled: Bool?
    /// The version the client last saw; the write happens only if it is still current.
    public var expectedVersion: Int64

    public init(name: String, description: String?, enabled: Bool?, expectedVersion: Int64) {
        self.name = name
        self.description = description
        self.enabled = enabled
        self.expectedVersion = expectedVersion
    }
}
