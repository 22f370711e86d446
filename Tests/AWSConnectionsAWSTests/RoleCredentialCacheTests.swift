import AWSConnectionsCore
import Synchronization
import Testing

@testable import AWSConnectionsAWS

/// The per-connection cache of role credentials, driven by its own clock argument: when it
/// reuses, when it fetches anew, and which failures of `AssumeRole` are the customer's.
@Suite("Role credential cache")
struct RoleCredentialCacheTests {
    /// A fetch that counts its calls and hands out credentials expiring `lifetime` after `issuedAt`.
    final class CountingFetch: Sendable {
        let calls = Mutex(0)
        let issuedAt: Timestamp
        let lifetime: Int64

        init(issuedAt: Timestamp, lifetimeSeconds: Int64 = 3600) {
            self.issuedAt = issuedAt
            self.lifetime = lifetimeSeconds * 1000
        }

        var count: Int { calls.withLock { $0 } }

        var expiration: Timestamp { issuedAt.adding(lifetime) }

        func callAsFunction() async throws -> AWSCredentials {
            let number = calls.withLock { calls in
                calls += 1
                return calls
            }
            return AWSCredentials(
                accessKeyID: "ASIAFETCH\(number)", secretAccessKey: "secret-\(number)", sessionToken: "token-\(number)",
                expiration: expiration)
        }
    }

    static let start = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)

    func connection(version: Int64 = 1, roleARN: String = "arn:aws:iam::123456789012:role/media") -> Connection {
        Connection(
            id: ConnectionID(uncheckedRawValue: "20261204000000000aaaaaaaaaaaaaaa"), accountID: AccountID(1),
            fields: ConnectionFields(
                name: "media", description: "", awsAccountID: "123456789012", awsRegion: "us-east-1", roleARN: roleARN,
                externalID: "external", enabled: true),
            createdDate: Self.start, updatedDate: Self.start, version: version)
    }

    /// Credentials for a URL of `seconds` asked at `now`.
    func credentials(
        _ cache: RoleCredentialCache, _ fetch: CountingFetch, at now: Timestamp, urlSeconds: Int64 = 60,
        connection: Connection? = nil
    ) async throws -> AWSCredentials {
        try await cache.credentials(
            for: connection ?? self.connection(), validUntil: now.adding(urlSeconds * 1000), now: now, fetch: { try await fetch() })
    }

    @Test("credentials are reused until 5 minutes before they expire, then fetched anew")
    func refreshMargin() async throws {
        let cache = RoleCredentialCache()
        let fetch = CountingFetch(issuedAt: Self.start)
        let first = try await credentials(cache, fetch, at: Self.start)
        let refreshAt = fetch.expiration.adding(-RoleCredentialCache.refreshMargin)

        let justBefore = try await credentials(cache, fetch, at: refreshAt.adding(-1))
        #expect(justBefore == first)
        #expect(fetch.count == 1)

        let atMargin = try await credentials(cache, fetch, at: refreshAt)
        #expect(fetch.count == 2)
        #expect(atMargin.accessKeyID == "ASIAFETCH2")
    }

    @Test("credentials that would expire before the URL are not used: fresh ones are fetched first")
    func urlOutlivingCredentials() async throws {
        let cache = RoleCredentialCache()
        let fetch = CountingFetch(issuedAt: Self.start)
        _ = try await credentials(cache, fetch, at: Self.start)
        // 40 minutes in, a 30-minute URL would outlive the cached hour-long credentials.
        let later = Self.start.adding(40 * 60 * 1000)
        _ = try await credentials(cache, fetch, at: later, urlSeconds: 30 * 60)
        #expect(fetch.count == 2)
        // A 5-minute URL fits in what is left, so it reuses them.
        _ = try await credentials(cache, fetch, at: later.adding(1000), urlSeconds: 5 * 60)
        #expect(fetch.count == 2)
    }

    @Test("a new version or role of the connection, or forget, fetches anew")
    func ownerChanges() async throws {
        let cache = RoleCredentialCache()
        let fetch = CountingFetch(issuedAt: Self.start)
        _ = try await credentials(cache, fetch, at: Self.start)
        _ = try await credentials(cache, fetch, at: Self.start, connection: connection(version: 2))
        #expect(fetch.count == 2)
        _ = try await credentials(
            cache, fetch, at: Self.start, connection: connection(version: 2, roleARN: "arn:aws:iam::123456789012:role/other"))
        #expect(fetch.count == 3)
        cache.forget(connection().id)
        _ = try await credentials(
            cache, fetch, at: Self.start, connection: connection(version: 2, roleARN: "arn:aws:iam::123456789012:role/other"))
        #expect(fetch.count == 4)
    }

    @Test("a failed fetch is not cached: the next use tries again")
    func failureNotCached() async throws {
        struct Refused: Error {}
        let cache = RoleCredentialCache()
        await #expect(throws: Refused.self) {
            try await cache.credentials(
                for: connection(), validUntil: Self.start.adding(60_000), now: Self.start, fetch: { throw Refused() })
        }
        let fetch = CountingFetch(issuedAt: Self.start)
        _ = try await credentials(cache, fetch, at: Self.start)
        #expect(fetch.count == 1)
    }

    @Test(
        "AssumeRole refusals are the role's (422); throttling, AWS's trouble and the platform's own credentials are 503",
        arguments: [
            (AWSCallError.service(code: "AccessDenied", message: "not authorized", status: 403), true),
            (.service(code: "NoSuchEntity", message: "", status: 404), true),
            (.service(code: "ValidationError", message: "bad arn", status: 400), true),
            (.service(code: "Throttling", message: "Rate exceeded", status: 400), false),
            (.service(code: "RequestLimitExceeded", message: "", status: 400), false),
            (.service(code: "Anything", message: "", status: 429), false),
            (.service(code: "InvalidClientTokenId", message: "", status: 403), false),
            (.service(code: "SignatureDoesNotMatch", message: "", status: 403), false),
            (.service(code: "ExpiredToken", message: "", status: 400), false),
            (.service(code: "InternalFailure", message: "", status: 500), false),
            (.timeout, false),
            (.unreachable("connection refused to 127.0.0.1:9"), false),
        ])
    func presignErrors(error: AWSCallError, isRolesFault: Bool) {
        switch AWSRoleAccess.presignError(error) {
        case .assumeRoleFailed(let awsCode, _):
            #expect(isRolesFault)
            #expect(awsCode == error.code)
        case .unavailable:
            #expect(!isRolesFault)
        case .notConfigured:
            Issue.record("an AWS answer is never 'not configured'")
        }
    }
}

extension Timestamp {
    fileprivate func adding(_ milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + milliseconds)
    }
}
