import AWSConnectionsCore
import Synchronization

/// How many requests a key may make: a token bucket per key, per server.
public struct RateLimit: Sendable {
    /// Tokens added per second: the sustained rate.
    public var requestsPerSecond: Double
    /// The bucket's size: how many requests may come at once after a quiet spell.
    public var burst: Int
    /// The time buckets fill by; tests set a clock of their own.
    var now: @Sendable () -> ContinuousClock.Instant = { .now }

    public init(requestsPerSecond: Double, burst: Int) {
        self.requestsPerSecond = requestsPerSecond
        self.burst = max(1, burst)
    }

    public static let defaultRequestsPerSecond = 100.0
    public static let defaultBurst = 200

    /// The window of the advertised policy: the time the sustained rate takes to refill a
    /// whole burst, at least one second.
    var windowSeconds: Int {
        max(1, Int((Double(burst) / requestsPerSecond).rounded(.up)))
    }
}

/// Token buckets, one per key, in this process's memory.
///
/// Per replica on purpose: a shared counter would put a database write (or another
/// service) on every request, and behind a load balancer that spreads keys evenly the
/// per-replica limit times the replicas is the key's limit.
final class RateLimiter: Sendable {
    struct Decision: Equatable, Sendable {
        var allowed: Bool
        /// Whole requests left in the bucket after this one.
        var remaining: Int
        /// Seconds until the bucket is full again.
        var resetSeconds: Int
        /// Seconds until one request fits, when refused.
        var retryAfterSeconds: Int
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let limit: RateLimit
    private let capacity: Int
    private let buckets = Mutex<[KeyID: Bucket]>([:])

    init(limit: RateLimit, capacity: Int = 100_000) {
        self.limit = limit
        self.capacity = capacity
    }

    /// Takes one token from `key`'s bucket if it has one.
    func take(_ key: KeyID) -> Decision {
        take(key, now: limit.now())
    }

    func take(_ key: KeyID, now: ContinuousClock.Instant) -> Decision {
        let rate = limit.requestsPerSecond
        let burst = Double(limit.burst)
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: burst, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            bucket.tokens = min(burst, bucket.tokens + max(0, seconds) * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            if buckets[key] == nil && buckets.count >= capacity {
                // Full buckets hold nothing a fresh one would not: drop them first.
                buckets = buckets.filter { $0.value.tokens < burst }
                if buckets.count >= capacity { buckets.removeAll(keepingCapacity: true) }
            }
            buckets[key] = bucket
            return Decision(
                allowed: allowed, remaining: Int(bucket.tokens.rounded(.down)),
                resetSeconds: Int(((burst - bucket.tokens) / rate).rounded(.up)),
                retryAfterSeconds: allowed ? 0 : max(1, Int(((1 - bucket.tokens) / rate).rounded(.up))))
        }
    }
}
