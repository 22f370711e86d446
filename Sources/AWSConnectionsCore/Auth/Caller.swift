/// Who is calling: the identity an accepted API key resolves to.
public struct Caller: Sendable, Equatable {
    public var keyID: KeyID
    public var accountID: AccountID
    public var scopes: Set<Scope>
    /// When the key was last recorded as used; lets the HTTP layer update it at most once a minute.
    public var lastUsedAt: Timestamp?
    /// From this instant on the key is refused (`expired_api_key`): its own expiry, or the end
    /// of the overlap after a rotation. Compared on every request, so a cached caller expires
    /// on time.
    public var expiresAt: Timestamp?

    public init(
        keyID: KeyID, accountID: AccountID, scopes: Set<Scope>, lastUsedAt: Timestamp?, expiresAt: Timestamp? = nil
    ) {
        self.keyID = keyID
        self.accountID = accountID
        self.scopes = scopes
        self.lastUsedAt = lastUsedAt
        self.expiresAt = expiresAt
    }

    /// Whether the key is past its expiry at `now`.
    public func isExpired(at now: Timestamp) -> Bool {
        guard let expiresAt else { return false }
        return now.millisecondsSinceEpoch >= expiresAt.millisecondsSinceEpoch
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
    public var expiresAt: Timestamp?
    /// The key this one replaced (`keys rotate`), and the key that replaced this one.
    public var rotatedFrom: KeyID?
    public var replacedBy: KeyID?

    public init(
        id: KeyID, account: String, scopes: Set<Scope>, createdAt: Timestamp, lastUsedAt: Timestamp?,
        revokedAt: Timestamp?, expiresAt: Timestamp? = nil, rotatedFrom: KeyID? = nil, replacedBy: KeyID? = nil
    ) {
        self.id = id
        self.account = account
        self.scopes = scopes
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
        self.expiresAt = expiresAt
        self.rotatedFrom = rotatedFrom
        self.replacedBy = replacedBy
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

/// The rules of a key's life that both stores apply.
public enum KeyLifecycle {
    /// The overlap `keys rotate` gives the old key unless told otherwise: a day, time to roll
    /// the new key out everywhere the old one is used.
    public static let defaultOverlap: Duration = .seconds(24 * 60 * 60)

    /// When a rotated key stops working: `overlap` from now, or its own expiry if that comes first.
    public static func expiryAfterRotation(current: Timestamp?, overlap: Duration, now: Timestamp) -> Timestamp {
        let end = now.adding(overlap)
        guard let current, current < end else { return end }
        return current
    }
}
