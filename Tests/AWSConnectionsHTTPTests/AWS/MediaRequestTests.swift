import AWSConnectionsAWS
import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The bodies and queries of `presign`, `verify` and `setup`, and who may presign: a refused
/// request is a 400 (or 403) before any AWS call.
@Suite("media requests: bodies, queries and the media:read scope")
struct MediaRequestTests {
    @Test("presign without bucket, or with expiresIn 0 or 3601, is 400 naming the field, and AWS sees no request")
    func presignBodiesRefused() async throws {
        try await PresignTests.withArrangedConnection(.sqlite) { arranged, world, client, media, id in
            let total = try await arranged.moto.counts()["total"] ?? 0
            let cases = [
                (#"{"key":"\#(arranged.objectKey)"}"#, "bucket", "required"),
                (#"{"bucket":"\#(arranged.bucket)","key":"a.mp4","expiresIn":0}"#, "expiresIn", "out_of_range"),
                (#"{"bucket":"\#(arranged.bucket)","key":"a.mp4","expiresIn":3601}"#, "expiresIn", "out_of_range"),
            ]
            for (body, field, code) in cases {
                let response = try await client.send(.post, "\(collectionPath)/\(id)/presign", key: media, body: body)
                #expect(response.status == .badRequest, "\(body)")
                #expect(try response.problemCode() == "validation_failed", "\(body)")
                #expect(try response.fieldErrorCodes() == [field: code], "\(body)")
            }
            #expect(try await arranged.moto.counts()["total"] == total)
        }
    }

    @Test("presign's expiresIn of 1 and of 3600 are accepted, and 1 is the URL's X-Amz-Expires")
    func presignBoundsAccepted() async throws {
        try await PresignTests.withArrangedConnection(.sqlite) { arranged, world, client, media, id in
            let shortest = try await client.presign(
                key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey, expiresIn: 1)
            #expect(shortest.status == .ok, "\(shortest.bodyText)")
            #expect(try expires(of: shortest) == 1)
            let longest = try await client.presign(
                key: media, id: id, bucket: arranged.bucket, objectKey: arranged.objectKey, expiresIn: 3600)
            #expect(longest.status == .ok, "\(longest.bodyText)")
            // Never longer than asked; shorter only as far as the credentials' own expiry requires.
            #expect((1...3600).contains(try expires(of: longest)))
        }
    }

    @Test("verify with key but no bucket is 400 requires_bucket, and AWS sees no request")
    func verifyKeyNeedsBucket() async throws {
        let arranged = try await PresignTests.arrange()
        defer { arranged.moto.stop() }
        let roleAccess = motoRoleAccess(principal: arranged.principal, endpoint: arranged.moto.endpoint)
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let id = try await PresignTests.connection(arranged, client: client, key: world.alpha)
            let total = try await arranged.moto.counts()["total"] ?? 0
            let response = try await client.verify(key: world.alpha, id: id, body: #"{"key":"a.mp4"}"#)
            #expect(response.status == .badRequest)
            #expect(try response.fieldErrorCodes() == ["key": "requires_bucket"])
            #expect(try await arranged.moto.counts()["total"] == total)
        }
    }

    @Test("setup with a bucket that is not an S3 bucket name is 400 naming bucket; a valid one is 200")
    func setupBucketNames() async throws {
        let (moto, principal) = try await SharedMoto.authenticated()
        let roleAccess = motoRoleAccess(principal: principal, endpoint: moto.endpoint)
        try await withRoleApp(.sqlite, roleAccess: roleAccess) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            for bucket in ["Upper-Case", "ab", "-starts-with-dash", "under_score"] {
                let response = try await client.send(.get, "\(collectionPath)/\(id)/setup?bucket=\(bucket)", key: world.alpha)
                #expect(response.status == .badRequest, "\(bucket)")
                #expect(try response.fieldErrorCodes() == ["bucket": "invalid_format"], "\(bucket)")
            }
            let valid = try await client.send(.get, "\(collectionPath)/\(id)/setup?bucket=media.example-1", key: world.alpha)
            #expect(valid.status == .ok, "\(valid.bodyText)")
        }
    }

    @Test("a key from `keys create` without --scope media:read cannot presign (403); one created with it can", arguments: StoreKind.all)
    func keysCreateGivesMediaReadOnlyWhenAsked(store: StoreKind) async throws {
        try await withRoleApp(store, roleAccess: UnconfiguredRoleAccess()) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let plainKey = try await Self.createKey(database: world.databaseURL)
            // The key works for what it has.
            #expect(try await client.get(key: plainKey, id: id).status == .ok)
            let refused = try await client.presign(key: plainKey, id: id, bucket: "media", objectKey: "a.mp4")
            #expect(refused.status == .forbidden)
            #expect(try refused.problemCode() == "insufficient_scope")

            let mediaKey = try await Self.createKey(database: world.databaseURL, scopes: ["media:read"])
            let allowed = try await client.presign(key: mediaKey, id: id, bucket: "media", objectKey: "a.mp4")
            // Past the scope check: this server has no principal ARN, and says so.
            #expect(try allowed.problemCode() == "aws_not_configured")
        }
    }

    /// Runs `keys create` for account alpha and returns the key it printed.
    private static func createKey(database: String, scopes: [String] = []) async throws -> String {
        let arguments = ["keys", "create", "--account", "alpha", "--database", database] + scopes.flatMap { ["--scope", $0] }
        let created = try await ServerProcess.run(arguments)
        #expect(created.status == 0, "\(created.stderr)")
        return created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The X-Amz-Expires of the URL a presign answered.
    private func expires(of response: APIResponse) throws -> Int {
        let url = try #require(try response.json()["url"] as? String)
        let value = URLComponents(string: url)?.queryItems?.first { $0.name == "X-Amz-Expires" }?.value
        return try #require(value.flatMap { Int($0) })
    }
}

extension APIResponse {
    /// A 400's per-field codes by field name.
    func fieldErrorCodes() throws -> [String: String] {
        let errors = try json()["errors"] as? [[String: Any]] ?? []
        var codes: [String: String] = [:]
        for error in errors {
            if let field = error["field"] as? String { codes[field] = error["code"] as? String }
        }
        return codes
    }
}
