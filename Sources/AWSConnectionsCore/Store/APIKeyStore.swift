/// Persistence of accounts and API keys (hashes only).
public protocol APIKeyStore: Sendable {
    /// Creates the account if it is new and a key for it, refused from `expiresAt` on when
    /// given; returns the secret once.
    func issueKey(account: String, scopes: Set<Scope>, expiresAt: Timestamp?, at now: Timestamp) async throws
        -> IssuedKey

    /// Issues a full-access key for account `default` only if no key exists at all,
    /// atomically, so that two servers starting together cannot both do it.
    func issueBootstrapKeyIfNoKeys(at now: Timestamp) async throws -> IssuedKey?

    /// The caller a key hash belongs to, or nil when unknown or revoked. An expired key is
    /// returned with its `expiresAt`: refusing it is the caller's, so that it is told apart.
    func caller(forKeyHash hash: APIKeyHash) async throws -> Caller?

    /// Records that the key was used (a hint for operators; precision is up to the caller).
    func recordUse(of key: KeyID, at now: Timestamp) async throws

    /// Keys, optionally of one account, oldest first.
    func listKeys(account: String?) async throws -> [KeyRecord]

    /// Revokes a key; false when no such key exists. Revoking twice is not an error.
    func revokeKey(_ id: KeyID, at now: Timestamp) async throws -> Bool

    /// In one transaction: a new key with `id`'s account and scopes (expiring as
    /// `successorExpiry` says), linked to `id`, and `id` made to expire at `now + overlap` (or
    /// at its own expiry if that comes first). A key is rotated once: its successor is rotated
    /// next. Revoked and expired keys are not rotated.
    func rotateKey(_ id: KeyID, overlap: Duration, successorExpiry: SuccessorExpiry, at now: Timestamp) async throws
        -> KeyRotation
}

extension APIKeyStore {
    /// A key that never expires.
    public func issueKey(account: String, scopes: Set<Scope>, at now: Timestamp) async throws -> IssuedKey {
        try await issueKey(account: account, scopes: scopes, expiresAt: nil, at: now)
    }
}

/// When the key a rotation makes expires.
public enum SuccessorExpiry: Sendable, Equatable {
    /// After as long a life as the old key was given (its expiry minus its creation), from
    /// now; never if the old key never expired. A policy of 90-day keys stays one.
    case sameLifetime
    case never
    case at(Timestamp)

    /// The successor's expiry, given the old key's creation and expiry.
    public func expiry(oldCreatedAt: Timestamp, oldExpiresAt: Timestamp?, now: Timestamp) -> Timestamp? {
        switch self {
        case .never: return nil
        case .at(let instant): return instant
        case .sameLifetime:
            guard let oldExpiresAt else { return nil }
            return Timestamp(
                millisecondsSinceEpoch: now.millisecondsSinceEpoch + oldExpiresAt.millisecondsSinceEpoch
                    - oldCreatedAt.millisecondsSinceEpoch)
        }
    }
}

/// What a rotation did.
public enum KeyRotation: Sendable {
    /// The new key, shown once, and when the old one stops working.
    case rotated(IssuedKey, oldKeyExpiresAt: Timestamp)
    case notFound
    /// A revoked key is not rotated: issue a new one.
    case revoked
    /// An expired key is not rotated (its overlap would be over already): issue a new one.
    case expired(at: Timestamp)
    /// The key was rotated before; `replacedBy` is the key that replaced it.
    case alreadyRotated(replacedBy: KeyID)
}

/// Everything the server needs from one database.
public typealias ServiceStore = APIKeyStore & ConnectionStore
