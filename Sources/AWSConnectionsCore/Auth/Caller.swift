/// Who is calling: the identity an accepted API key resolves to.
public struct Caller: Sendable, Equatable {
    public var keyID: KeyID
    public var accountID: AccountID
    public var scopes: Set<Scope>
    /// When the key was last recorded as used; lets the HTTP layer update it at most once a minute.
    public var lastUsedAt: Timestamp?

    public init(keyID: KeyID, accountID: AccountID, scopes: Set<Scope>, lastUsedAt: Timestamp?) {
        self.keyID = keyID
        self.accountID = accountID
        self.scopes = scopes
        self.lastUsedAt = lastUsedAt
    }
}

/// A key as the `keys list` command shows it: everything but the secret.
public struct KeyRecord: Sendable, Equatable {
    public var id: KeyID
    public var account: String
    public var scopes: Set<Scope>
    public var createdAt: Timestamp
    public var lastUsedAt: Timestamp?
    public var revokedAt: Timestamp?

    public init(
        id: KeyID, account: String, scopes: Set<Scope>, createdAt: Timestamp, lastUsedAt: Timestamp?,
        revokedAt: Timestamp?
    ) {
        self.id = id
        self.account = account
        self.scopes = scopes
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

/// A key just issued: the one moment the secret exists outside its owner's hands.
public struct IssuedKey: Sendable {
    public var key: APIKey
    public var record: KeyRecord

    public init(key: APIKey, record: KeyRecord) {
        self.key = key
        self.record = record
    }
}
