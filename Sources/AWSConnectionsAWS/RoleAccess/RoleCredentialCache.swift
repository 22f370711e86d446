import AWSConnectionsCore
import CoreMetrics
import Synchronization

/// Each connection's role credentials, fetched once and shared until 5 minutes before they
/// expire.
///
/// An entry belongs to one state of its connection (its version and role): a presign reads
/// the connection's row on every request, as every request reads its key, so a change made
/// through any replica (a new `roleArn`, a disable, a delete) makes the entry useless there on
/// the next request, and the local server also drops it at once (`forget`). Concurrent
/// requests for a cold connection wait for one `AssumeRole` (single flight).
///
/// A lock rather than an actor: a warm presign only looks an entry up, and an actor would move
/// every presign off its event loop and back (measured: a third of presign's throughput).
final class RoleCredentialCache: Sendable {
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

    private struct State: ~Copyable {
        var entries: [ConnectionID: Entry] = [:]
        var nextFetchID = 0
        var lastSweep = Timestamp(millisecondsSinceEpoch: 0)
    }

    private let state = Mutex(State())
    private let metrics: AWSCallMetrics

    init(metrics: AWSCallMetrics = .off) {
        self.metrics = metrics
    }

    /// Credentials for `connection` that stay valid at least until `validUntil` (or the freshest
    /// `fetch` can give); `fetch` runs at most once at a time per connection state.
    func credentials(
        for connection: Connection, validUntil: Timestamp, now: Timestamp,
        fetch: @escaping @Sendable () async throws -> AWSCredentials
    ) async throws -> AWSCredentials {
        enum Next {
            case ready(AWSCredentials)
            case wait(Task<AWSCredentials, any Error>, started: Int?)
        }
        let owner = Owner(version: connection.version, roleARN: connection.fields.roleARN)
        let next: Next = state.withLock { state in
            if now.millisecondsSinceEpoch - state.lastSweep.millisecondsSinceEpoch > 60_000 {
                Self.sweep(&state, now: now)
            }
            switch state.entries[connection.id] {
            case .ready(let credentials, owner) where Self.isUsable(credentials, until: validUntil, now: now):
                return .ready(credentials)
            case .fetching(let task, owner, _):
                return .wait(task, started: nil)
            default:
                state.nextFetchID += 1
                let id = state.nextFetchID
                // Unstructured, so that the caller that started it being cancelled does not
                // fail the others waiting for it.
                let task = Task { try await fetch() }
                state.entries[connection.id] = .fetching(task, owner, id: id)
                return .wait(task, started: id)
            }
        }
        switch next {
        case .ready(let credentials):
            metrics.roleCredentials["cache"].increment()
            return credentials
        case .wait(let task, nil):
            metrics.roleCredentials["shared"].increment()
            return try await task.value
        case .wait(let task, let id?):
            metrics.roleCredentials["sts"].increment()
            // The caller that started the fetch records its outcome, unless the entry was
            // forgotten or replaced meanwhile.
            do {
                let credentials = try await task.value
                state.withLock { state in
                    if case .fetching(_, _, id)? = state.entries[connection.id] {
                        state.entries[connection.id] = .ready(credentials, owner)
                    }
                }
                return credentials
            } catch {
                state.withLock { state in
                    if case .fetching(_, _, id)? = state.entries[connection.id] {
                        state.entries[connection.id] = nil
                    }
                }
                throw error
            }
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
        state.withLock { state in state.entries[id] = nil }
    }

    /// Drops every entry whose credentials have expired, once a minute at most, so that the
    /// cache holds only live secrets.
    private static func sweep(_ state: inout State, now: Timestamp) {
        state.lastSweep = now
        state.entries = state.entries.filter { _, entry in
            guard case .ready(let credentials, _) = entry, let expiration = credentials.expiration else { return true }
            return expiration > now
        }
    }
}
