import AWSConnectionsCore

/// Each connection's role credentials, fetched once and shared until 5 minutes before they
/// expire.
///
/// An entry belongs to one state of its connection (its version and role): a presign reads
/// the connection's row on every request, as every request reads its key, so a change made
/// through any replica (a new `roleArn`, a disable, a delete) makes the entry useless there on
/// the next request, and the local server also drops it at once (`forget`). Concurrent
/// requests for a cold connection wait for one `AssumeRole` (single flight).
actor RoleCredentialCache {
    /// How long before expiry cached credentials stop being handed out.
    static let refreshMargin: Int64 = 5 * 60 * 1000

    private struct Owner: Equatable {
        var version: Int64
        var roleARN: String
    }

    private enum Entry {
        case ready(AWSCredentials, Owner)
        case fetching(Task<AWSCredentials, any Error>, Owner, id: Int)
    }

    private var entries: [ConnectionID: Entry] = [:]
    private var nextFetchID = 0
    private var lastSweep = Timestamp(millisecondsSinceEpoch: 0)

    /// Credentials for `connection` that stay valid at least until `validUntil` (or the freshest
    /// `fetch` can give); `fetch` runs at most once at a time per connection state.
    func credentials(
        for connection: Connection, validUntil: Timestamp, now: Timestamp,
        fetch: @escaping @Sendable () async throws -> AWSCredentials
    ) async throws -> AWSCredentials {
        let owner = Owner(version: connection.version, roleARN: connection.fields.roleARN)
        if now.millisecondsSinceEpoch - lastSweep.millisecondsSinceEpoch > 60_000 {
            sweep(now: now)
        }
        switch entries[connection.id] {
        case .ready(let credentials, owner) where Self.isUsable(credentials, until: validUntil, now: now):
            return credentials
        case .fetching(let task, owner, _):
            return try await task.value
        default:
            break
        }
        nextFetchID += 1
        let id = nextFetchID
        let task = Task { try await fetch() }
        entries[connection.id] = .fetching(task, owner, id: id)
        do {
            let credentials = try await task.value
            if case .fetching(_, _, id)? = entries[connection.id] {
                entries[connection.id] = .ready(credentials, owner)
            }
            return credentials
        } catch {
            if case .fetching(_, _, id)? = entries[connection.id] {
                entries[connection.id] = nil
            }
            throw error
        }
    }

    /// Whether cached credentials may sign a URL valid until `validUntil`.
    ///
    /// Not within the refresh margin of their expiry; and lasting until `validUntil`, unless
    /// they are too young for a fetch to give later-expiring ones (an `expiresIn` as long as
    /// the role's session would otherwise make every presign call STS).
    private static func isUsable(_ credentials: AWSCredentials, until validUntil: Timestamp, now: Timestamp) -> Bool {
        guard let expiration = credentials.expiration?.millisecondsSinceEpoch else { return true }
        guard expiration - refreshMargin > now.millisecondsSinceEpoch else { return false }
        let freshExpiration = now.millisecondsSinceEpoch + Int64(AWSRoleAccess.sessionDuration) * 1000
        return expiration >= validUntil.millisecondsSinceEpoch || freshExpiration - expiration < 60_000
    }

    /// Drops the connection's credentials, so that the next use assumes its role anew.
    func forget(_ id: ConnectionID) {
        entries[id] = nil
    }

    /// Drops every entry whose credentials have expired, once a minute at most, so that the
    /// cache holds only live secrets.
    private func sweep(now: Timestamp) {
        lastSweep = now
        entries = entries.filter { _, entry in
            guard case .ready(let credentials, _) = entry, let expiration = credentials.expiration else { return true }
            return expiration > now
        }
    }

    var count: Int { entries.count }
}
