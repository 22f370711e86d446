import AWSConnectionsCore
@testable import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import Synchronization
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Rate limits")
struct RateLimitTests {
    @Test("a key's bucket: a burst at once, then the sustained rate; remaining, reset and retry-after follow the tokens")
    func bucketArithmetic() {
        let limiter = RateLimiter(limit: RateLimit(requestsPerSecond: 2, burst: 4))
        let key = KeyID("key_ratelimit0000000")
        let start = ContinuousClock.now
        let burst = (0..<4).map { _ in limiter.take(key, now: start) }
        #expect(burst.map(\.allowed) == [true, true, true, true])
        #expect(burst.map(\.remaining) == [3, 2, 1, 0])
        #expect(burst.last?.resetSeconds == 2)
        let refused = limiter.take(key, now: start)
        #expect(!refused.allowed && refused.remaining == 0 && refused.retryAfterSeconds == 1)
        // Half a second adds one token at 2 a second.
        let later = limiter.take(key, now: start + .milliseconds(500))
        #expect(later.allowed && later.remaining == 0)
        // Another key has its own bucket.
        #expect(limiter.take(KeyID("key_ratelimit0000001"), now: start).remaining == 3)
        // A long pause fills the bucket, never beyond the burst.
        #expect(limiter.take(key, now: start + .seconds(60)).remaining == 3)
    }

    @Test("over the limit: 429 rate_limited with Retry-After; every keyed answer carries RateLimit-Policy and RateLimit; it recovers after Retry-After", arguments: StoreKind.all)
    func limitOverHTTP(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let time = StoppedClock()
            let limit = time.limit(requestsPerSecond: 0.5, burst: 3)
            let app = buildApplication(
                connections: world.store, keys: world.store, rateLimit: limit, host: "127.0.0.1", port: 0,
                logger: testLogger)
            try await app.test(.router) { client in
                var remaining: [String?] = []
                for _ in 0..<3 {
                    let response = try await client.list(key: world.alpha)
                    #expect(response.status == .ok)
                    #expect(response.headers[.rateLimitPolicy] == #""per-key";q=3;w=6"#)
                    remaining.append(response.headers[.rateLimit])
                }
                #expect(remaining.map { $0?.split(separator: ";").dropFirst().first } == ["r=2", "r=1", "r=0"])

                let refused = try await client.list(key: world.alpha)
                #expect(refused.status == .tooManyRequests)
                #expect(try refused.problemCode() == "rate_limited")
                #expect(refused.headers[.retryAfter] == "2")
                #expect(refused.headers[.rateLimit]?.hasPrefix(#""per-key";r=0;t="#) == true)

                // Other keys have their own buckets; errors carry the fields too; no key, no fields.
                let other = try await client.get(key: world.beta, id: "20260101000000000aaaaaaaaaaaaaaa")
                #expect(other.status == .notFound && other.headers[.rateLimit] != nil)
                let unauthorized = try await client.list(key: "pictai_" + String(repeating: "B", count: 40))
                #expect(unauthorized.status == .unauthorized && unauthorized.headers[.rateLimit] == nil)
                // Public routes are not limited and carry no fields.
                #expect(try await client.send(.get, "/healthz", key: "").headers[.rateLimit] == nil)

                time.advance(by: .seconds(2))
                let recovered = try await client.list(key: world.alpha)
                #expect(recovered.status == .ok && recovered.headers[.rateLimit]?.hasPrefix(#""per-key";r=0;"#) == true)
                #expect(try await client.list(key: world.alpha).status == .tooManyRequests)
            }
        }
    }

    @Test("serve applies --rate-limit and --rate-burst; 0 turns limiting off")
    func serveOptions() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (server, port) = try await ServerProcess.serve(
                database: database, extra: ["--rate-limit", "1", "--rate-burst", "2"],
                environment: ["AWS_CONNECTIONS_RATE_LIMIT": "5"])
            let key = try #require(bootstrapKey(in: server.standardError))
            // Fifty at once on eight connections: a slow machine cannot spread them over the
            // fifty seconds that would let every one find a token.
            let statuses = try await withLiveClients(count: 8, port: port) { index, client in
                var statuses: [HTTPResponse.Status] = []
                for _ in 0..<(index < 2 ? 7 : 6) { statuses.append(try await client.call(.get, collectionPath, key: key).status) }
                return statuses
            }.flatMap { $0 }
            #expect(statuses.count == 50 && Set(statuses) == [.ok, .tooManyRequests])
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 25)
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)

            let (unlimited, unlimitedPort) = try await ServerProcess.serve(database: database, extra: ["--rate-limit", "0"])
            try await TestClient.withClient(host: "127.0.0.1", port: unlimitedPort) { client in
                for _ in 0..<20 {
                    let response = try await client.call(.get, collectionPath, key: key)
                    #expect(response.status == .ok && response.headers[.rateLimit] == nil)
                }
            }
            unlimited.signal(SIGTERM)
            #expect(try await unlimited.waitForExit() == 0)
        }
    }
}

/// The buckets' time for tests: it stands still unless the test moves it, since on a loaded
/// machine requests can be seconds apart, which would refill the buckets.
final class StoppedClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)

    func advance(by duration: Duration) {
        instant.withLock { $0 += duration }
    }

    /// A limit whose buckets read this clock.
    func limit(requestsPerSecond: Double, burst: Int) -> RateLimit {
        var limit = RateLimit(requestsPerSecond: requestsPerSecond, burst: burst)
        limit.now = { [self] in instant.withLock { $0 } }
        return limit
    }
}
