import AWSConnectionsAWS
import AWSConnectionsCore
@testable import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /metrics`: the page is parsed as a scraper would and checked to move by exactly the
/// requests the test made.
@Suite("Metrics")
struct MetricsTests {
    /// Samples of a Prometheus text page: `name{labels}` to value. Every non-comment line must
    /// be `series value`, so a malformed page fails here.
    static func samples(_ page: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        for line in page.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw TestFailure("not a sample line: \(line)")
            }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    static func scrape(_ client: any TestClientProtocol, token: String? = nil) async throws -> [String: Double] {
        let response = try await client.send(.get, "/metrics", key: token.map { "Bearer \($0)" })
        #expect(response.status == .ok, "\(response.bodyText)")
        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
        return try samples(response.bodyText)
    }

    static let item = #"route="/pictoryapis/v1/awsconnections/{connectionid}""#
    static let collection = #"route="/pictoryapis/v1/awsconnections""#

    @Test("requests by route template, method and status; latency per route; store calls; keys; rate limiting", arguments: StoreKind.all)
    func pageMoves(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let limit = StoppedClock().limit(requestsPerSecond: 0.5, burst: 5)
            let app = buildApplication(
                connections: world.store, keys: world.store, rateLimit: limit, metrics: .prometheus(), host: "127.0.0.1",
                port: 0, logger: testLogger)
            try await app.test(.router) { client in
                let before = try await Self.scrape(client)
                let id = try await client.createConnectionID(key: world.alpha)
                for _ in 0..<2 { #expect(try await client.get(key: world.alpha, id: id).status == .ok) }
                // Two unknown ids: one series for the route, whatever the id.
                #expect(try await client.get(key: world.alpha, id: "20260101000000000aaaaaaaaaaaaaaa").status == .notFound)
                #expect(try await client.get(key: world.alpha, id: "20260101000000000bbbbbbbbbbbbbbb").status == .notFound)
                #expect(try await client.list(key: nil).status == .unauthorized)
                #expect(try await client.list(key: "pictai_" + String(repeating: "B", count: 40)).status == .unauthorized)
                #expect(try await client.list(key: world.alpha).status == .tooManyRequests)
                #expect(try await client.send(.get, "/no/such/path/12345", key: nil).status == .notFound)
                let after = try await Self.scrape(client)

                func moved(_ series: String) -> Double { (after[series] ?? 0) - (before[series] ?? 0) }
                #expect(moved(#"http_requests_total{\#(Self.item),method="GET",status="200"}"#) == 2)
                #expect(moved(#"http_requests_total{\#(Self.item),method="GET",status="404"}"#) == 2)
                #expect(moved(#"http_requests_total{\#(Self.collection),method="POST",status="201"}"#) == 1)
                #expect(moved(#"http_requests_total{\#(Self.collection),method="GET",status="401"}"#) == 2)
                #expect(moved(#"http_requests_total{\#(Self.collection),method="GET",status="429"}"#) == 1)
                #expect(moved(#"http_requests_total{route="unmatched",method="GET",status="404"}"#) == 1)
                #expect(!after.keys.contains { $0.contains("aaaaaaaa") || $0.contains("/no/such") }, "a raw path became a label")
                #expect(moved(#"http_request_duration_seconds_count{\#(Self.item),method="GET"}"#) == 4)
                #expect(moved(#"http_request_duration_seconds_bucket{\#(Self.item),method="GET",le="+Inf"}"#) == 4)
                #expect(moved(#"http_request_duration_seconds_sum{\#(Self.item),method="GET"}"#) > 0)
                #expect(moved(#"api_key_checks_total{outcome="authenticated"}"#) == 6)
                #expect(moved(#"api_key_checks_total{outcome="missing"}"#) == 1)
                #expect(moved(#"api_key_checks_total{outcome="invalid"}"#) == 1)
                #expect(moved("rate_limited_requests_total") == 1)
                #expect(moved(#"store_call_duration_seconds_count{operation="get"}"#) == 4)
                #expect(moved(#"store_call_duration_seconds_count{operation="create"}"#) == 1)
                #expect(!after.keys.contains { $0.hasPrefix("store_call_errors_total") })

                // The scrape before this one is counted too.
                let again = try await Self.scrape(client)
                #expect(again[#"http_requests_total{route="/metrics",method="GET",status="200"}"#] == 2)
            }
        }
    }

    @Test("a store call that fails is counted by operation and kind (SQLite's write lock held past its timeout)")
    func storeErrors() async throws {
        try await withWorld(.sqlite) { world in
            let sqlite = try #require(world.sqlite)
            let app = buildApplication(
                connections: world.store, keys: world.store, metrics: .prometheus(), host: "127.0.0.1", port: 0,
                logger: testLogger)
            try await app.test(.router) { client in
                let id = try await client.createConnectionID(key: world.alpha)
                var configuration = Configuration()
                configuration.allowsUnsafeTransactions = true
                // The create's last-used write may still hold the lock: wait for it rather than fail.
                configuration.busyMode = .timeout(30)
                let intruder = try DatabaseQueue(path: sqlite.path, configuration: configuration)
                try await intruder.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
                let blocked = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":1}"#)
                #expect(blocked.status == .serviceUnavailable)
                try await intruder.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
                try intruder.close()

                let page = try await Self.scrape(client)
                #expect(page[#"store_call_errors_total{operation="update",error="unavailable"}"#] == 1)
                #expect(page[#"http_requests_total{\#(Self.item),method="PUT",status="503"}"#] == 1)
            }
        }
    }

    @Test("AWS calls by service, action and outcome, and where role credentials came from (moto)")
    func awsCalls() async throws {
        let arranged = try await PresignTests.arrange()
        defer { arranged.moto.stop() }
        let metrics = ServerMetrics.prometheus()
        let roleAccess = motoRoleAccess(
            principal: arranged.principal, endpoint: arranged.moto.endpoint,
            metrics: AWSCallMetrics(factory: metrics.factory))
        try await withWorld(.sqlite) { world in
            let app = buildApplication(
                connections: world.store, keys: world.store, roleAccess: roleAccess, metrics: metrics,
                host: "127.0.0.1", port: 0, logger: testLogger)
            try await app.test(.router) { client in
                let media = try await mediaKey(world)
                let id = try await PresignTests.connection(arranged, client: client, key: world.alpha)
                for _ in 0..<3 {
                    let response = try await client.presign(
                        key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
                    #expect(response.status == .ok, "\(response.bodyText)")
                }
                let verified = try await client.send(
                    .post, "\(collectionPath)/\(id)/verify", key: world.alpha,
                    body: #"{"bucket":"\#(arranged.bucket)","key":"no-such-object"}"#)
                #expect(verified.status == .ok, "\(verified.bodyText)")

                let page = try await Self.scrape(client)
                let assumed = try await arranged.moto.counts()["AssumeRole"] ?? 0
                let counted = page.filter { $0.key.hasPrefix(#"aws_calls_total{service="sts",action="AssumeRole""#) }
                    .values.reduce(0, +)
                #expect(counted == Double(assumed) && assumed > 0)
                #expect(page[#"aws_role_credentials_total{source="sts"}"#] == 1)
                #expect(page[#"aws_role_credentials_total{source="cache"}"#] == 2)
                #expect(page[#"aws_calls_total{service="s3",action="ListObjectsV2",outcome="ok"}"#] == 1)
                #expect(page[#"aws_calls_total{service="s3",action="GetObject",outcome="error"}"#] == 1)
                #expect(page[#"aws_call_duration_seconds_count{service="s3",action="GetObject"}"#] == 1)
            }
        }
    }

    @Test("serve: /metrics with --metrics-token answers only that bearer token; --metrics off serves none")
    func serveOptions() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let token = "scrape-" + UUID().uuidString
            let (server, port) = try await ServerProcess.serve(database: database, extra: ["--metrics-token", token])
            let key = try #require(bootstrapKey(in: server.standardError))
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                #expect(try await client.call(.get, collectionPath, key: key).status == .ok)
                for refusedKey in ["", "Bearer wrong", key, "Bearer \(key)"] {
                    let refused = try await client.call(.get, "/metrics", key: refusedKey)
                    #expect(refused.status == .unauthorized)
                    #expect(refused.headers[.contentType] == "application/problem+json")
                    #expect(try refused.problemCode() == "invalid_metrics_token")
                }
                let page = try await client.call(.get, "/metrics", key: "Bearer \(token)")
                #expect(page.status == .ok)
                let samples = try Self.samples(page.bodyText)
                #expect(samples[#"http_requests_total{\#(Self.collection),method="GET",status="200"}"#] == 1)
                #expect(samples[#"http_requests_total{route="/metrics",method="GET",status="401"}"#] == 4)
            }
            #expect(!server.standardError.contains(token), "the token was logged")
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)

            let (quiet, quietPort) = try await ServerProcess.serve(database: database, extra: ["--metrics", "off"])
            try await TestClient.withClient(host: "127.0.0.1", port: quietPort) { client in
                let absent = try await client.call(.get, "/metrics", key: "")
                #expect(absent.status == .notFound)
            }
            quiet.signal(SIGTERM)
            #expect(try await quiet.waitForExit() == 0)
        }
    }
}
