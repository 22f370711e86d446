import AWSConnectionsAWS
import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsPostgres
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

/// `presign` end to end. Each test has a moto server of its own, without authentication:
/// moto answers 500 to query-signed requests when authentication is on, so the URLs are
/// fetched here for their bytes, and their signatures are proved against botocore in
/// `SigV4BotocoreTests`. Counting tests read the server's request counts, so none is shared.
@Suite("presign against moto")
struct PresignTests {
    /// A fresh moto with the platform's user, a bucket with one object, and a role for it.
    struct Arranged {
        let moto: AWSPeer
        let principal: PlatformPrincipal
        let bucket: String
        let objectKey: String
        let bytes: Data
    }

    static func arrange(objectKey: String = "videos/first take (1) + ünïcode.mp4") async throws -> Arranged {
        let moto = try await AWSPeer.moto()
        let principal = try await PlatformPrincipal(on: moto)
        let bucket = uniqueName("media")
        let bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        _ = try await moto.fixture("bucket", ["name": bucket, "credentials": principal.fixtureCredentials])
        _ = try await moto.fixture(
            "put",
            ["bucket": bucket, "key": objectKey, "body_b64": bytes.base64EncodedString(),
             "credentials": principal.fixtureCredentials])
        return Arranged(moto: moto, principal: principal, bucket: bucket, objectKey: objectKey, bytes: bytes)
    }

    /// Makes the role `name` trusting the platform with `externalID`, able to read the bucket.
    static func makeRole(_ arranged: Arranged, name: String, externalID: String) async throws {
        _ = try await arranged.moto.fixture(
            "role",
            ["name": name, "trust": trustPolicy(principal: arranged.principal.arn, externalID: externalID),
             "permissions": readPolicy(bucket: arranged.bucket), "credentials": arranged.principal.fixtureCredentials])
    }

    /// Creates a connection and its role; returns the connection's id.
    static func connection(_ arranged: Arranged, client: any TestClientProtocol, key: String) async throws -> String {
        let name = uniqueName("role")
        let created = try await client.createMotoConnection(key: key, roleName: name)
        try await makeRole(arranged, name: name, externalID: try #require(created["externalId"] as? String))
        return try #require(created["connectionId"] as? String)
    }

    /// The setup most presign tests share: a fresh moto as `arrange` makes it, the router on
    /// `store` using it, a key with `media:read`, and one connection whose role exists.
    static func withArrangedConnection(
        _ store: StoreKind = .sqlite,
        _ body: @Sendable (Arranged, TestWorld, any TestClientProtocol, _ mediaKey: String, _ id: String) async throws -> Void
    ) async throws {
        let arranged = try await arrange()
        defer { arranged.moto.stop() }
        let roleAccess = motoRoleAccess(principal: arranged.principal, endpoint: arranged.moto.endpoint)
        try await withRoleApp(store, roleAccess: roleAccess) { world, client in
            let media = try await mediaKey(world)
            let id = try await connection(arranged, client: client, key: world.alpha)
            try await body(arranged, world, client, media, id)
        }
    }

    @Test("the URL's bytes are the object's, expiresDate is as asked, and the URL carries the session token")
    func bytesThroughTheURL() async throws {
        try await PresignTests.withArrangedConnection(.sqlite) { arranged, world, client, media, id in
            let before = Date()
            let response = try await client.presign(
                key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey, expiresIn: 600)
            #expect(response.status == .ok, "\(response.bodyText)")
            let body = try response.json()
            #expect(body["method"] as? String == "GET")
            let url = try #require(body["url"] as? String)
            #expect(url.contains("X-Amz-Security-Token="))
            #expect(url.contains("X-Amz-Expires=600"))
            let expiresText = try #require(body["expiresDate"] as? String)
            let expires = try #require(ISO8601DateFormatter.withFractions.date(from: expiresText))
            #expect(abs(expires.timeIntervalSince(before) - 600) < 5)
            let fetched = try await fetch(url)
            #expect(fetched.status == 200)
            #expect(fetched.body == arranged.bytes)
        }
    }

    @Test("presign needs the media:read scope, and a key with both connection scopes lacks it")
    func needsMediaScope() async throws {
        try await withRoleApp(.sqlite, roleAccess: UnconfiguredRoleAccess()) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let response = try await client.presign(key: world.alpha, id: id, bucket: "media", objectKey: "a")
            #expect(response.status == .forbidden)
            #expect(try response.problemCode() == "insufficient_scope")
        }
    }

    @Test("a disabled connection gets 409 connection_disabled and AWS sees no request")
    func disabledConnection() async throws {
        try await PresignTests.withArrangedConnection(.sqlite) { arranged, world, client, media, id in
            #expect(try await client.update(key: world.alpha, id: id, body: #"{"name":"Prod","enabled":false,"version":1}"#).status == .ok)
            let before = try await arranged.moto.counts()["total"] ?? 0
            let response = try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
            #expect(response.status == .conflict)
            #expect(try response.problemCode() == "connection_disabled")
            #expect(try await arranged.moto.counts()["total"] == before)
        }
    }

    @Test("64 concurrent presigns on a cold connection make exactly one AssumeRole; warm ones make none")
    func singleFlight() async throws {
        try await PresignTests.withArrangedConnection(.sqlite) { arranged, world, client, media, id in
            let before = try await arranged.moto.counts()["AssumeRole"] ?? 0
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0 == .ok })
            #expect(try await arranged.moto.counts()["AssumeRole"] == before + 1)
            _ = try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
            #expect(try await arranged.moto.counts()["AssumeRole"] == before + 1)
        }
    }

    @Test("after a roleArn change the next presign assumes the new role", arguments: StoreKind.all)
    func roleChangeDropsCredentials(store: StoreKind) async throws {
        let arranged = try await Self.arrange()
        defer { arranged.moto.stop() }
        let roleAccess = motoRoleAccess(principal: arranged.principal, endpoint: arranged.moto.endpoint)
        try await withRoleApp(store, roleAccess: roleAccess) { world, client in
            let media = try await mediaKey(world)
            let created = try await client.createMotoConnection(key: world.alpha, roleName: uniqueName("old"))
            let id = try #require(created["connectionId"] as? String)
            let externalID = try #require(created["externalId"] as? String)
            try await Self.makeRole(arranged, name: try #require((created["roleArn"] as? String)?.split(separator: "/").last.map(String.init)), externalID: externalID)
            let first = try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
            let assumed = try await arranged.moto.counts()["AssumeRole"] ?? 0

            let newName = uniqueName("new")
            try await Self.makeRole(arranged, name: newName, externalID: externalID)
            let update = try await client.update(
                key: world.alpha, id: id,
                body: #"{"name":"Prod","roleArn":"arn:aws:iam::\#(motoAccount):role/\#(newName)","version":1}"#)
            #expect(update.status == .ok)
            let second = try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
            #expect(try await arranged.moto.counts()["AssumeRole"] == assumed + 1)
            #expect(accessKey(in: try first.json()["url"] as? String) != accessKey(in: try second.json()["url"] as? String))
            #expect(try await fetch(try #require(try second.json()["url"] as? String)).body == arranged.bytes)
        }
    }

    @Test("another replica's change reaches this replica's next presign (PostgreSQL, two servers on one database)")
    func replicasSeeChanges() async throws {
        guard StoreKind.all.contains(.postgres) else { return }
        let arranged = try await Self.arrange()
        defer { arranged.moto.stop() }
        try await Self.withTwoReplicas(arranged) { world, media, clientA, clientB in
            let id = try await Self.connection(arranged, client: clientA, key: world.alpha)
            #expect(try await clientB.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey).status == .ok)
            let warm = try await arranged.moto.counts()["AssumeRole"] ?? 0
            // Warm on B: no call.
            #expect(try await clientB.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey).status == .ok)
            #expect(try await arranged.moto.counts()["AssumeRole"] == warm)

            let newName = uniqueName("new")
            let externalID = try #require(try await clientA.get(key: world.alpha, id: id).json()["externalId"] as? String)
            try await Self.makeRole(arranged, name: newName, externalID: externalID)
            #expect(try await clientA.update(
                key: world.alpha, id: id,
                body: #"{"name":"Prod","roleArn":"arn:aws:iam::\#(motoAccount):role/\#(newName)","version":1}"#).status == .ok)
            #expect(try await clientB.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey).status == .ok)
            #expect(try await arranged.moto.counts()["AssumeRole"] == warm + 1)

            // A disable through A: B answers 409 and calls nothing.
            #expect(try await clientA.update(key: world.alpha, id: id, body: #"{"name":"Prod","enabled":false,"version":2}"#).status == .ok)
            let total = try await arranged.moto.counts()["total"] ?? 0
            let refused = try await clientB.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
            #expect(refused.status == .conflict)
            #expect(try await arranged.moto.counts()["total"] == total)
        }
    }

    /// Two servers on one PostgreSQL database, as replicas behind a load balancer: each with its
    /// own store (pool) and its own credential cache, both using `arranged`'s moto; `media` is a
    /// key of account alpha with `media:read`.
    static func withTwoReplicas(
        _ arranged: Arranged,
        _ body: @Sendable (_ world: TestWorld, _ media: String, _ clientA: any TestClientProtocol,
            _ clientB: any TestClientProtocol) async throws -> Void
    ) async throws {
        try await withWorld(.postgres) { world in
            let replicaA = buildApplication(
                connections: world.store, keys: world.store,
                roleAccess: motoRoleAccess(principal: arranged.principal, endpoint: arranged.moto.endpoint),
                host: "127.0.0.1", port: 0, logger: testLogger)
            let media = try await mediaKey(world)
            var settings = try PostgresSettings(url: world.databaseURL)
            settings.maximumConnections = 2
            try await PostgresStore.withRunningStore(settings: settings, logger: testLogger) { storeB in
                let replicaB = buildApplication(
                    connections: storeB, keys: storeB,
                    roleAccess: motoRoleAccess(principal: arranged.principal, endpoint: arranged.moto.endpoint),
                    host: "127.0.0.1", port: 0, logger: testLogger)
                try await replicaA.test(.router) { clientA in
                    try await replicaB.test(.router) { clientB in
                        try await body(world, media, clientA, clientB)
                    }
                }
            }
        }
    }

    @Test("AWS refusing the role is 422 assume_role_failed with awsCode")
    func refusedRole() async throws {
        let arranged = try await Self.arrange()
        defer { arranged.moto.stop() }
        let roleAccess = motoRoleAccess(principal: arranged.principal, endpoint: arranged.moto.endpoint)
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let media = try await mediaKey(world)
            // No role was made for it: AWS answers AccessDenied.
            let id = try #require(try await client.createMotoConnection(key: world.alpha, roleName: uniqueName("none"))["connectionId"] as? String)
            let response = try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
            #expect(response.status == .unprocessableContent)
            #expect(try response.problemCode() == "assume_role_failed")
            #expect(try response.json()["awsCode"] as? String == "AccessDenied")
        }
    }

    @Test("STS unreachable is 503 aws_unavailable with Retry-After")
    func unreachable() async throws {
        let arranged = try await Self.arrange()
        defer { arranged.moto.stop() }
        let roleAccess = motoRoleAccess(
            principal: arranged.principal, endpoint: arranged.moto.endpoint,
            stsEndpoint: "http://127.0.0.1:\(try MisbehavingEndpoint.closedPort())")
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let media = try await mediaKey(world)
            let id = try await client.createConnectionID(key: world.alpha)
            let response = try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
            #expect(response.status == .serviceUnavailable)
            #expect(try response.problemCode() == "aws_unavailable")
            #expect(response.headers[.retryAfter] != nil)
        }
    }

    @Test(
        "no secret in the logs or the database: the platform's secret key, and the secret key and session token of every role credential verify and presign got",
        arguments: StoreKind.all)
    func noSecrets(store: StoreKind) async throws {
        let arranged = try await Self.arrange()
        defer { arranged.moto.stop() }
        let roleAccess = motoRoleAccess(principal: arranged.principal, endpoint: arranged.moto.endpoint)
        let capture = RecordedLogEvents()
        var logger = Logger(label: "secrets-test") { _ in RecordingLogHandler(capture) }
        logger.logLevel = .trace
        try await withRoleApp(store, roleAccess: roleAccess, logger: logger) { world, client in
            let media = try await mediaKey(world)
            let id = try await Self.connection(arranged, client: client, key: world.alpha)
            let roleARN = try #require(try await client.get(key: world.alpha, id: id).json()["roleArn"] as? String)
            let verified = try await client.verify(key: world.alpha, id: id, body: #"{"bucket":"\#(arranged.bucket)"}"#)
            #expect(steps(of: try verified.json())["assume_role"]?.status == "ok")
            // The role credentials the server got are in no answer but a URL's token: moto's record of what it issued tells them.
            let issuedToVerify = try await arranged.moto.issuedRoleCredentials(roleARN: roleARN)
            #expect(!issuedToVerify.isEmpty, "verify's credentials are known to the check")
            let url = try #require(try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey).json()["url"] as? String)
            let token = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "X-Amz-Security-Token" }?.value)
            let issued = try await arranged.moto.issuedRoleCredentials(roleARN: roleARN)
            let signing = try #require(issued.first { $0.accessKeyID == accessKey(in: url) }, "the URL's credentials are known to the check")
            #expect(signing.sessionToken == token)
            let secrets = [arranged.principal.secretAccessKey] + issued.flatMap { [$0.secretAccessKey, $0.sessionToken] }
            let logText = capture.text
            #expect(!logText.isEmpty)
            let database: String
            if let sqlite = world.sqlite {
                // The file and its write-ahead log, as raw bytes.
                let files = [sqlite.path, sqlite.path + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }
                database = files.map { String(decoding: $0, as: UTF8.self) }.joined()
            } else {
                database = try await TestPostgres.dump(world.databaseURL)
            }
            #expect(database.contains(id), "the check reads the data it means to")
            for secret in secrets {
                for spelling in spellings(of: secret) {
                    #expect(!logText.contains(spelling))
                    #expect(!database.contains(spelling))
                }
            }
        }
    }
}

/// `secret` as it is written raw, in JSON (which may escape `/`) and percent-encoded in a URL.
func spellings(of secret: String) -> Set<String> {
    var unreserved = CharacterSet.alphanumerics
    unreserved.insert(charactersIn: "-._~")
    return [
        secret, secret.replacingOccurrences(of: "/", with: #"\/"#),
        secret.addingPercentEncoding(withAllowedCharacters: unreserved) ?? secret,
    ]
}

/// The access key id a presigned URL was signed with.
func accessKey(in url: String?) -> String? {
    guard let url, let credential = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "X-Amz-Credential" })?.value
    else { return nil }
    return credential.split(separator: "/").first.map(String.init)
}

extension ISO8601DateFormatter {
    nonisolated(unsafe) static let withFractions: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}
