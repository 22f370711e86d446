import AWSConnectionsCore
import Synchronization

/// Keys this server resolved a moment ago, so that most requests skip the store's key lookup
/// (on PostgreSQL a round trip, half of a get's).
///
/// An entry is trusted for `maxAge` after it was read from the store, then read again, so a
/// key revoked through the CLI, or removed from the database by hand, is refused by every
/// replica within `maxAge`: half a second, inside the one second the API promises. Only keys
/// that exist are kept: an unknown key is looked up every time, so a key created a moment ago
/// works at once and made-up keys cannot fill memory. Past `capacity` entries the cache starts
/// again empty, which costs one lookup per key in use.
final class KeyLookupCache: Sendable {
    static let defaultMaxAge: Duration = .milliseconds(500)

    private struct Entry {
        var caller: Caller
        var readAt: ContinuousClock.Instant
    }

    private let maxAge: Duration
    private let capacity: Int
    private let entries = Mutex<[APIKeyHash: Entry]>([:])

    init(maxAge: Duration = KeyLookupCache.defaultMaxAge, capacity: Int = 10_000) {
        self.maxAge = maxAge
        self.capacity = capacity
    }

    /// The caller for `hash`: the cached one while fresh, else `lookUp`'s answer (kept if found).
    func caller(
        forKeyHash hash: APIKeyHash, lookUp: (APIKeyHash) async throws -> Caller?
    ) async throws -> Caller? {
        let now = ContinuousClock.now
        if let entry = entries.withLock({ $0[hash] }), now - entry.readAt < maxAge {
            return entry.caller
        }
        // The time is taken before the read, so an entry never outlives a revocation that
        // committed after the read began by more than `maxAge`.
        let caller = try await lookUp(hash)
        entries.withLock { entries in
            guard let caller else {
                entries[hash] = nil
                return
            }
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(caller: caller, readAt: now)
        }
        return caller
    }

    /// Notes a last-used time written for `key`, so cached callers do not ask for it again.
    func recordedUse(of key: KeyID, at time: Timestamp) {
        entries.withLock { entries in
            for (hash, entry) in entries where entry.caller.keyID == key {
                entries[hash]?.caller.lastUsedAt = time
            }
        }
    }
}
