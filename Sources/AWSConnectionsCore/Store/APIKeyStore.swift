/// Persistence of accounts and API keys (hashes only).
public protocol APIKeyStore: Sendable {
    /// Creates the account if it is new and a key for it; returns the secret once.
    func issueKey(account: String, scopes: Set<Scope>, at now: Timestamp) async throws -> IssuedKey

    /// Issues a full-access key for account `default` only if no key exists at all,
    /// atomically, so that two servers starting together cannot both do it.
    func issueBootstrapKeyIfNoKeys(at now: Timestamp) async throws -> IssuedKey?

    /// The caller a key hash belongs to, or nil when unknown or revoked.
    func caller(forKeyHash hash: APIKeyHash) async throws -> Caller?

    /// Records that the key was used (a hint for operators; precision is up to the caller).
    func recordUse(of key: KeyID, at now: Timestamp) async throws

    /// Keys, optionally of one account, oldest first.
    func listKeys(account: String?) async throws -> [KeyRecord]

    /// Revokes a key; false when no such key exists. Revoking twice is not an error.
    func revokeKey(_ id: KeyID, at now: Timestamp) async throws -> Bool
}

/// Everything the server needs from one database.
public typealias ServiceStore = APIKeyStore & ConnectionStore
