import AWSConnectionsClient
import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The Swift SDK (`AWSConnectionsClient`) against the real server over loopback, on both stores.
@Suite("Swift SDK")
struct SDKTests {
    /// A client of the live server on `port`; no retries unless a test asks for them.
    static func sdk(port: Int, key: String, retry: RetryPolicy = RetryPolicy(maxAttempts: 1)) -> ConnectionsClient {
        ConnectionsClient(
            endpoint: URL(string: "http://127.0.0.1:\(port)")!, apiKey: key,
            configuration: .init(retry: retry, timeout: .seconds(60)))
    }

    /// The problem `body` threw; fails the test if it threw something else or nothing.
    static func problem(_ body: () async throws -> some Any) async -> APIProblem? {
        do {
            _ = try await body()
            Issue.record("expected a problem, got an answer")
        } catch let problem as APIProblem {
            return problem
        } catch {
            Issue.record("expected a problem, got \(error)")
        }
        return nil
    }

    @Test("every connection call answers the server's own values, and update and delete keep their rules", arguments: StoreKind.all)
    func connectionCalls(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let sdk = Self.sdk(port: try #require(client.port), key: world.alpha)
            let created = try await sdk.createConnection(
                NewConnection(name: #"media "one" \ ü"#, awsAccountId: "123456789012", awsRegion: "eu-west-1", description: "first"))
            #expect(created.version == 1 && created.enabled && created.type == "AWS")
            #expect(created.name == #"media "one" \ ü"# && created.description == "first")
            #expect(created.roleArn == "arn:aws:iam::123456789012:role/\(RoleARN.defaultRoleName)")

            // The same values as the raw JSON, dates to the millisecond.
            let raw = try await client.get(key: world.alpha, id: created.connectionId).json()
            let read = try await sdk.getConnection(id: created.connectionId)
            #expect(read == created)
            #expect(raw["externalId"] as? String == read.externalId)
            let rawCreatedText = try #require(raw["createdDate"] as? String)
            let rawCreated = try #require(ISO8601DateFormatter.withFractions.date(from: rawCreatedText))
            #expect(abs(rawCreated.timeIntervalSince(read.createdDate)) < 0.0005)

            let renamed = try await sdk.updateConnection(id: created.connectionId, ConnectionChanges(name: "renamed"), version: 1)
            #expect(renamed.version == 2 && renamed.name == "renamed" && renamed.description == "first")
            // No version and no name: the SDK reads both.
            let disabled = try await sdk.updateConnection(id: created.connectionId, ConnectionChanges(enabled: false))
            #expect(disabled.version == 3 && disabled.name == "renamed" && !disabled.enabled)

            let page = try await sdk.listConnections(limit: 10)
            #expect(page.items == [disabled] && page.nextToken == nil)
            #expect(try await sdk.listConnections(enabled: true).items.isEmpty)
            #expect(try await sdk.listConnections(name: "renamed").items.map(\.connectionId) == [created.connectionId])

            let history = try await sdk.history(id: created.connectionId)
            #expect(history.items.map(\.version) == [1, 2, 3])
            #expect(history.items.map(\.change) == [.created, .updated, .updated])
            #expect(history.items[1].changes.name == FieldChange(old: #"media "one" \ ü"#, new: "renamed"))
            #expect(history.items[2].changes.enabled == FieldChange(old: true, new: false))
            var entries: [AWSConnectionsClient.HistoryEntry] = []
            for try await entry in sdk.historyEntries(id: created.connectionId, pageSize: 1) { entries.append(entry) }
            #expect(entries == history.items)

            let stale = await Self.problem { try await sdk.deleteConnection(id: created.connectionId, version: 2) }
            #expect(stale?.status == 412 && stale?.code == "precondition_failed" && stale?.currentVersion == 3)
            try await sdk.deleteConnection(id: created.connectionId, version: 3)
            let gone = await Self.problem { try await sdk.getConnection(id: created.connectionId) }
            #expect(gone?.status == 404 && gone?.code == "connection_not_found")
        }
    }

    @Test("each error status is one typed problem with its code, detail, request id and members", arguments: StoreKind.all)
    func problems(store: StoreKind) async throws {
        try await withApp(store, .live, policy: ServicePolicy(connectionQuota: 1)) { world, client in
            let port = try #require(client.port)
            let sdk = Self.sdk(port: port, key: world.alpha)
            let created = try await sdk.createConnection(NewConnection(name: "one", awsAccountId: "123456789012", awsRegion: "us-east-1"))

            let invalid = await Self.problem {
                try await sdk.createConnection(NewConnection(name: "", awsAccountId: "12", awsRegion: "us-east-1"))
            }
            #expect(invalid?.status == 400 && invalid?.code == "validation_failed")
            #expect(invalid?.errors.map(\.field).sorted() == ["awsAccountId", "name"])
            #expect(invalid?.requestId.isEmpty == false && invalid?.detail.isEmpty == false)

            // A region the document does not list never leaves the client, and looks the same.
            let region = await Self.problem {
                try await sdk.createConnection(NewConnection(name: "x", awsAccountId: "123456789012", awsRegion: "moon-1"))
            }
            #expect(region?.status == 400 && region?.errors.map(\.code) == ["invalid_region"])

            let unknownKey = Self.sdk(port: port, key: "pictai_" + String(repeating: "A", count: 40))
            let unauthorized = await Self.problem { try await unknownKey.listConnections() }
            #expect(unauthorized?.status == 401 && unauthorized?.code == "invalid_api_key")

            let reader = Self.sdk(port: port, key: world.alphaReader)
            let scope = await Self.problem {
                try await reader.createConnection(NewConnection(name: "x", awsAccountId: "123456789012", awsRegion: "us-east-1"))
            }
            #expect(scope?.status == 403 && scope?.code == "insufficient_scope")
            let other = Self.sdk(port: port, key: world.beta)
            let forbidden = await Self.problem { try await other.getConnection(id: created.connectionId) }
            #expect(forbidden?.status == 403 && forbidden?.code == "forbidden")

            let missing = await Self.problem { try await sdk.getConnection(id: "20260101000000000aaaaaaaaaaaaaaa") }
            #expect(missing?.status == 404 && missing?.code == "connection_not_found")

            // A stale version is the conflict, with the version to retry from.
            let conflict = await Self.problem {
                try await sdk.updateConnection(id: created.connectionId, ConnectionChanges(name: "two"), version: 7)
            }
            #expect(conflict?.status == 409 && conflict?.code == "version_conflict" && conflict?.currentVersion == 1)
            #expect(try await sdk.getConnection(id: created.connectionId).name == "one")

            let quota = await Self.problem {
                try await sdk.createConnection(NewConnection(name: "second", awsAccountId: "123456789012", awsRegion: "us-east-1"))
            }
            #expect(quota?.status == 422 && quota?.code == "quota_exceeded" && quota?.limit == 1)
        }
    }

    @Test("paging over 2,500 connections yields each exactly once", arguments: StoreKind.all)
    func pagingYieldsEachOnce(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let sdk = Self.sdk(port: try #require(client.port), key: world.alpha)
            // Made through the store, not the API: 2,500 HTTP creates per store were a large
            // share of the whole suite's time, and creating is not what this test is about.
            let alphaKey = try #require(APIKey(world.alpha))
            let caller = try #require(try await world.store.caller(forKeyHash: alphaKey.hash))
            let created = try await withThrowingTaskGroup(of: [String].self) { group in
                for worker in 0..<10 {
                    group.addTask {
                        var ids: [String] = []
                        for index in 0..<250 {
                            let now = Timestamp.now()
                            let connection = AWSConnectionsCore.Connection(
                                id: .generate(at: now), accountID: caller.accountID, name: "c\(worker)-\(index)",
                                description: "", awsAccountID: "123456789012", awsRegion: "us-east-1",
                                roleARN: "arn:aws:iam::123456789012:role/\(RoleARN.defaultRoleName)",
                                externalID: ExternalID.generate(), enabled: index % 5 != 0, createdDate: now,
                                updatedDate: now, version: 1)
                            guard case .created = try await world.store.create(connection, by: caller.keyID, quota: 10_000, idempotency: nil)
                            else { throw TestFailure("create \(worker)-\(index) refused") }
                            ids.append(connection.id.rawValue)
                        }
                        return ids
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(created.count == 2500)
            var seen: [String] = []
            for try await connection in sdk.connections(pageSize: 97) { seen.append(connection.connectionId) }
            #expect(seen.count == 2500 && Set(seen) == Set(created))
            var enabled = 0
            for try await connection in sdk.connections(enabled: true, pageSize: 1000) {
                #expect(connection.enabled)
                enabled += 1
            }
            #expect(enabled == 2000)
        }
    }

    @Test("a create whose answer was lost is sent again with its key and creates one connection", arguments: StoreKind.all)
    func createRetriedAfterLostAnswer(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let proxy = try await AWSPeer.faultProxy(upstreamPort: try #require(client.port))
            defer { proxy.stop() }
            try await proxy.plan(drop: ["POST": 1])
            let sdk = Self.sdk(
                port: proxy.port, key: world.alpha,
                retry: RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(20), maxBackoff: .milliseconds(50)))
            let created = try await sdk.createConnection(NewConnection(name: "once", awsAccountId: "123456789012", awsRegion: "us-east-1"))
            #expect(try await proxy.counts()["POST"] == 2)
            let direct = Self.sdk(port: try #require(client.port), key: world.alpha)
            let listed = try await direct.listConnections().items
            #expect(listed.map(\.connectionId) == [created.connectionId])

            // Without retries the lost answer is the caller's error, and the create happened.
            try await proxy.plan(drop: ["POST": 1])
            let once = Self.sdk(port: proxy.port, key: world.alpha)
            await #expect(throws: (any Error).self) {
                try await once.createConnection(NewConnection(name: "lost", awsAccountId: "123456789012", awsRegion: "us-east-1"))
            }
            #expect(try await direct.listConnections(name: "lost").items.count == 1)
        }
    }

    @Test("503 is retried, as often as the policy allows, and a 4xx never", arguments: [StoreKind.sqlite])
    func retriesOnlyUnavailable(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let direct = Self.sdk(port: try #require(client.port), key: world.alpha)
            let id = try await direct.createConnection(NewConnection(name: "r", awsAccountId: "123456789012", awsRegion: "us-east-1")).connectionId
            let proxy = try await AWSPeer.faultProxy(upstreamPort: try #require(client.port))
            defer { proxy.stop() }
            // Retry-After: 1 is honoured up to maxBackoff, kept short here.
            let retry = RetryPolicy(maxAttempts: 3, initialBackoff: .milliseconds(10), maxBackoff: .milliseconds(30))
            let sdk = Self.sdk(port: proxy.port, key: world.alpha, retry: retry)

            try await proxy.plan(unavailable: 2)
            #expect(try await sdk.getConnection(id: id).connectionId == id)
            #expect(try await proxy.counts()["GET"] == 3)

            try await proxy.plan(unavailable: 3)
            let unavailable = await Self.problem { try await sdk.getConnection(id: id) }
            #expect(unavailable?.status == 503 && unavailable?.code == "store_unavailable" && unavailable?.retryAfter == 1)
            #expect(try await proxy.counts()["GET"] == 6)

            try await proxy.plan()
            let missing = await Self.problem { try await sdk.getConnection(id: "20260101000000000aaaaaaaaaaaaaaa") }
            #expect(missing?.status == 404)
            let conflict = await Self.problem { try await sdk.updateConnection(id: id, ConnectionChanges(name: "x"), version: 9) }
            #expect(conflict?.status == 409)
            let counts = try await proxy.counts()
            #expect(counts["GET"] == 7 && counts["PUT"] == 1)
        }
    }

    @Test("setup's template deploys on moto and verifies, and verification and presign answer, through the SDK", arguments: StoreKind.all)
    func awsCalls(store: StoreKind) async throws {
        let (moto, principal) = try await SharedMoto.authenticated()
        let roleAccess = motoRoleAccess(principal: principal, endpoint: moto.endpoint)
        try await withLiveRoleApp(store, roleAccess: roleAccess) { world, port in
            let bucket = uniqueName("media")
            _ = try await moto.fixture("bucket", ["name": bucket, "credentials": principal.fixtureCredentials])
            _ = try await moto.fixture(
                "put",
                ["bucket": bucket, "key": "videos/intro.mp4", "body_b64": Data("video".utf8).base64EncodedString(),
                 "credentials": principal.fixtureCredentials])
            let sdk = Self.sdk(port: port, key: world.alpha)
            let created = try await sdk.createConnection(
                NewConnection(
                    name: "aws", awsAccountId: motoAccount, awsRegion: "us-east-1",
                    roleArn: "arn:aws:iam::\(motoAccount):role/\(uniqueName("reader"))"))

            let setup = try await sdk.setup(id: created.connectionId, buckets: [bucket])
            #expect(setup.roleArn == created.roleArn && setup.externalId == created.externalId)
            #expect(setup.principalArn == principal.arn)
            let trust = try #require(try JSONSerialization.jsonObject(with: setup.trustPolicy) as? [String: Any])
            let statement = try #require((trust["Statement"] as? [[String: Any]])?.first)
            let condition = statement["Condition"] as? [String: [String: String]]
            #expect(condition?["StringEquals"]?["sts:ExternalId"] == created.externalId)
            #expect(try await sdk.verification(id: created.connectionId).status == .unverified)

            // The template as the SDK gives it is the one that deploys.
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(uniqueName("template")).json")
            try setup.cloudFormationTemplate.write(to: path)
            defer { try? FileManager.default.removeItem(at: path) }
            _ = try await runProcess(["/usr/bin/env", "cfn-lint", "--", path.path])
            let stack = try await moto.fixture(
                "deploy",
                ["stack": uniqueName("stack"), "template_path": path.path, "credentials": principal.fixtureCredentials])
            #expect((stack["outputs"] as? [String: String])?["RoleArn"] == created.roleArn)

            let verified = try await sdk.verify(id: created.connectionId, bucket: bucket, key: "videos/intro.mp4")
            #expect(verified.status == .verified, "\(verified.steps)")
            #expect(verified.steps.map(\.step) == ["assume_role", "external_id_enforced", "list_bucket", "read_object"])
            #expect(verified.steps.allSatisfy { $0.status == .ok })
            #expect(try await sdk.verification(id: created.connectionId) == verified)

            let noScope = await Self.problem {
                try await sdk.presign(id: created.connectionId, bucket: bucket, key: "videos/intro.mp4")
            }
            #expect(noScope?.status == 403 && noScope?.code == "insufficient_scope")
            let media = Self.sdk(port: port, key: try await mediaKey(world))
            let presigned = try await media.presign(id: created.connectionId, bucket: bucket, key: "videos/intro.mp4", expiresIn: 600)
            #expect(presigned.method == "GET" && presigned.url.contains("X-Amz-Expires=600"))
            #expect(presigned.url.contains("X-Amz-Security-Token=") && presigned.url.contains("videos/intro.mp4"))
            #expect(abs(presigned.expiresDate.timeIntervalSinceNow - 600) < 30)
        }
    }
}
