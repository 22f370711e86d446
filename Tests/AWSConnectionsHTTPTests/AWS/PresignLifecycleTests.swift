import AWSConnectionsAWS
import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// `presign` as its connection changes (disabled and enabled again, deleted, here or through
/// another replica) and when STS never answers. Each test has a moto of its own, since the
/// tests count its requests.
@Suite("presign through a connection's changes")
struct PresignLifecycleTests {
    @Test("after a disable and a re-enable the next presign makes a new AssumeRole", arguments: StoreKind.all)
    func reenableAssumesAgain(store: StoreKind) async throws {
        try await PresignTests.withArrangedConnection(store) { arranged, world, client, media, id in
            let presign = { try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey) }
            let first = try await presign()
            #expect(first.status == .ok)
            // Warm: no call.
            #expect(try await presign().status == .ok)
            let assumed = try await arranged.moto.counts()["AssumeRole"] ?? 0

            #expect(try await client.update(key: world.alpha, id: id, body: #"{"name":"Prod","enabled":false,"version":1}"#).status == .ok)
            let refused = try await presign()
            #expect(refused.status == .conflict)
            #expect(try refused.problemCode() == "connection_disabled")
            #expect(try await arranged.moto.counts()["AssumeRole"] == assumed)

            #expect(try await client.update(key: world.alpha, id: id, body: #"{"name":"Prod","enabled":true,"version":2}"#).status == .ok)
            let again = try await presign()
            #expect(again.status == .ok, "\(again.bodyText)")
            #expect(try await arranged.moto.counts()["AssumeRole"] == assumed + 1)
            let url = try #require(try again.json()["url"] as? String)
            #expect(accessKey(in: url) != accessKey(in: try first.json()["url"] as? String))
            #expect(try await fetch(url).body == arranged.bytes)
        }
    }

    @Test("after a delete, presign answers 404 connection_not_found and AWS sees no request", arguments: StoreKind.all)
    func deletedConnection(store: StoreKind) async throws {
        try await PresignTests.withArrangedConnection(store) { arranged, world, client, media, id in
            // Warm credentials, which the delete must not leave usable.
            #expect(try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey).status == .ok)

            #expect(try await client.delete(key: world.alpha, id: id).status == .noContent)
            let total = try await arranged.moto.counts()["total"] ?? 0
            let gone = try await client.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey)
            #expect(gone.status == .notFound)
            #expect(try gone.problemCode() == "connection_not_found")
            #expect(try await arranged.moto.counts()["total"] == total)
        }
    }

    @Test("another replica's disable, re-enable and delete reach this replica's next presign (PostgreSQL, two servers on one database)")
    func replicasSeeLifecycle() async throws {
        guard StoreKind.all.contains(.postgres) else { return }
        let arranged = try await PresignTests.arrange()
        defer { arranged.moto.stop() }
        try await PresignTests.withTwoReplicas(arranged) { world, media, clientA, clientB in
            let id = try await PresignTests.connection(arranged, client: clientA, key: world.alpha)
            let presignOnB = { try await clientB.presign(key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey) }
            #expect(try await presignOnB().status == .ok)
            let assumed = try await arranged.moto.counts()["AssumeRole"] ?? 0

            // Disabled and enabled again through A while B holds warm credentials: B assumes the role anew.
            #expect(try await clientA.update(key: world.alpha, id: id, body: #"{"name":"Prod","enabled":false,"version":1}"#).status == .ok)
            #expect(try await clientA.update(key: world.alpha, id: id, body: #"{"name":"Prod","enabled":true,"version":2}"#).status == .ok)
            #expect(try await presignOnB().status == .ok)
            #expect(try await arranged.moto.counts()["AssumeRole"] == assumed + 1)

            // Deleted through A while B holds warm credentials: B answers 404 and calls nothing.
            #expect(try await clientA.delete(key: world.alpha, id: id).status == .noContent)
            let total = try await arranged.moto.counts()["total"] ?? 0
            let gone = try await presignOnB()
            #expect(gone.status == .notFound)
            #expect(try gone.problemCode() == "connection_not_found")
            #expect(try await arranged.moto.counts()["total"] == total)
        }
    }

    // The limit only turns a presign that never ends into a failure instead of a hung run.
    @Test(
        "STS that never answers: presign is 503 aws_unavailable with Retry-After, and the server keeps answering",
        .timeLimit(.minutes(2)))
    func stsSilent() async throws {
        let (moto, principal) = try await SharedMoto.authenticated()
        let silent = try MisbehavingEndpoint.silentListener()
        defer { close(silent.descriptor) }
        let roleAccess = motoRoleAccess(
            principal: principal, endpoint: moto.endpoint, stsEndpoint: "http://127.0.0.1:\(silent.port)",
            timeout: .seconds(1))
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let media = try await mediaKey(world)
            let id = try #require(try await client.createMotoConnection(key: world.alpha, roleName: "any")["connectionId"] as? String)
            async let presign = client.presign(key: media, id: id, bucket: "media", objectKey: "a.mp4")
            // Meanwhile other requests are answered.
            #expect(try await client.get(key: world.alpha, id: id).status == .ok)
            let response = try await presign
            #expect(response.status == .serviceUnavailable, "\(response.bodyText)")
            #expect(try response.problemCode() == "aws_unavailable")
            #expect(response.headers[.retryAfter] != nil)
        }
    }
}
