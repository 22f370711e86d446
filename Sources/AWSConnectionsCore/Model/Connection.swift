/// The internal, store-assigned identity of an account (a tenant). Never shown to clients.
public struct AccountID: Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int64

    public init(_ rawValue: Int64) {
        self.rawValue = rawValue
    }

    public var description: String { String(rawValue) }
}

/// What a client says about a connection: the fields it sets when creating one.
///
/// Declared once, and used by the connection itself, by a validated create request, by
/// history (the state each change left) and by idempotency (the request's fingerprint), so
/// a new field is added here and nowhere else in the domain but its validation rule.
public struct ConnectionFields: Sendable, Equatable {
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

    /// Each field with its JSON name, in the API's order: what history compares between two
    /// states, and what the fingerprint of a create request covers.
    public var named: [(name: String, value: FieldValue)] {
        [
            ("name", .string(name)),
            ("description", .string(description)),
            ("awsAccountId", .string(awsAccountID)),
            ("awsRegion", .string(awsRegion)),
            ("enabled", .bool(enabled)),
        ]
    }
}

/// A validated create request: the fields the client sent, defaults filled in.
public typealias NewConnection = ConnectionFields

/// A value a field can hold: connection fields are strings or booleans.
public enum FieldValue: Sendable, Equatable {
    case string(String)
    case bool(Bool)
}

/// An AWS private connection as stored and as returned by every call of the API.
///
/// Its client-set fields are one `ConnectionFields`, read and written through it as
/// `connection.name` (dynamic member lookup).
@dynamicMemberLookup
public struct Connection: Sendable, Equatable {
    public var id: ConnectionID
    /// The owning account; used for tenant isolation and never serialised.
    public var accountID: AccountID
    public var fields: ConnectionFields
    public var createdDate: Timestamp
    public var updatedDate: Timestamp
    public var version: Int64

    /// The only value the API defines for `type`.
    public static let type = "AWS"

    public init(
        id: ConnectionID, accountID: AccountID, fields: ConnectionFields, createdDate: Timestamp,
        updatedDate: Timestamp, version: Int64
    ) {
        self.id = id
        self.accountID = accountID
        self.fields = fields
        self.createdDate = createdDate
        self.updatedDate = updatedDate
        self.version = version
    }

    // Inlinable, so that a read through it compiles to the stored property rather than a key
    // path applied at run time in every other module.
    @inlinable
    public subscript<Value>(dynamicMember field: WritableKeyPath<ConnectionFields, Value>) -> Value {
        get { fields[keyPath: field] }
        set { fields[keyPath: field] = newValue }
    }

    /// A brand-new connection at version 1, created now by `account`.
    public init(creating new: NewConnection, account: AccountID, at now: Timestamp, id: ConnectionID) {
        self.init(id: id, accountID: account, fields: new, createdDate: now, updatedDate: now, version: 1)
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

extension Connection {
    /// A connection from each of its parts, fields spelled out.
    public init(
        id: ConnectionID, accountID: AccountID, name: String, description: String, awsAccountID: String,
        awsRegion: String, enabled: Bool, createdDate: Timestamp, updatedDate: Timestamp, version: Int64
    ) {
        self.init(
            id: id, accountID: accountID,
            fields: ConnectionFields(
                name: name, description: description, awsAccountID: awsAccountID, awsRegion: awsRegion, enabled: enabled),
            createdDate: createdDate, updatedDate: updatedDate, version: version)
    }
}
