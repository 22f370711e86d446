import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Idempotency-Key on create")
struct IdempotencyTests {
    private let body = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#

    @Test("a retry with the same key and body returns the first answer and creates nothing", arguments: StoreKind.all)
    func retryReplays(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let first = try await client.send(.post, collectionPath, key: world.alpha, body: body, headers: [IdempotencyHeader.key: "k-1"])
            #expect(first.status == .created)
            // The same request spelled differently (order, spacing, a default written out) is the same request.
            let respelled = #"{ "awsRegion":"us-east-1", "enabled":true, "awsAccountId":"123456789012", "name":"n" }"#
            let retry = try await client.send(.post, collectionPath, key: world.alpha, body: respelled, headers: [IdempotencyHeader.key: "k-1"])
            #expect(retry.status == .created)
            #expect(retry.bodyText == first.bodyText)
            #expect(retry.headers[.location] == first.headers[.location])
            #expect(retry.headers[IdempotencyHeader.replayed] == "true")
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.count == 1)

            // Without the header every POST creates, as the contract says.
            _ = try await client.create(key: world.alpha, body: body)
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.count == 2)
        }
    }

    @Test("the same key with a different body is 422 idempotency_key_reused; keys are per account", arguments: StoreKind.all)
    func reuseAndScope(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            _ = try await client.send(.post, collectionPath, key: world.alpha, body: body, headers: [IdempotencyHeader.key: "k-2"])
            let other = #"{"name":"other","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
            let reused = try await client.send(.post, collectionPath, key: world.alpha, body: other, headers: [IdempotencyHeader.key: "k-2"])
            #expect(reused.status == .unprocessableContent)
            #expect(try reused.problemCode() == "idempotency_key_reused")
            let beta = try await client.send(.post, collectionPath, key: world.beta, body: body, headers: [IdempotencyHeader.key: "k-2"])
            #expect(beta.status == .created)
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.count == 1)
            #expect((try await client.list(key: world.beta).json()["Items"] as? [Any])?.count == 1)
        }
    }

    @Test("a malformed key is 400 invalid_idempotency_key", arguments: StoreKind.all)
    func malformedKeys(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            for key in ["", String(repeating: "a", count: 256), "with space", "clé"] {
                let response = try await client.send(
                    .post, collectionPath, key: world.alpha, body: body, headers: [IdempotencyHeader.key: key])
                #expect(response.status == .badRequest, "\(key)")
                #expect(try response.problemCode() == "invalid_idempotency_key")
            }
            let longest = try await client.send(
                .post, collectionPath, key: world.alpha, body: body,
                headers: [IdempotencyHeader.key: String(repeating: "a", count: 255)])
            #expect(longest.status == .created)
        }
    }

    @Test("8 clients retrying one key at once create exactly one connection and all get its id", arguments: StoreKind.all)
    func concurrentRetries(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let answers = try await withLiveClients(count: 8, port: port) { _, live in
                let response = try await live.execute(
                    .init(
                        collectionPath, method: .post,
                        headers: [.authorization: world.alpha, .contentType: "application/json", IdempotencyHeader.key: "race"],
                        body: ByteBuffer(string: body)))
                let text = response.body.map { String(buffer: $0) } ?? ""
                let id = (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["connectionId"] as? String
                return (response.status, id)
            }
            #expect(answers.allSatisfy { $0.0 == .created })
            #expect(answers.allSatisfy { $0.1 != nil }, "every answer, replayed or not, carries the connection")
            #expect(Set(answers.compactMap(\.1)).count == 1)
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.count == 1)
        }
    }

    @Test("a key older than 24 hours is forgotten: the same key creates again", arguments: StoreKind.all)
    func expiry(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let caller = try #require(try await world.store.caller(forKeyHash: APIKey(world.alpha)!.hash))
            let new = NewConnection(name: "n", description: "", awsAccountID: "123456789012", awsRegion: "us-east-1",
                roleARN: "arn:aws:iam::123456789012:role/r", externalID: ExternalID.generate(), enabled: true)
            let dayAgo = Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch - 24 * 3600 * 1000 - 1)
            func attempt(at time: Timestamp) async throws -> CreateOutcome {
                // Each attempt is a new request, so the server gives it a new external id.
                var fields = new
                fields.externalID = ExternalID.generate()
                let connection = Connection(creating: fields, account: caller.accountID, at: time, id: .generate(at: time))
                return try await world.store.create(
                    connection, by: caller.keyID, quota: 10_000, idempotency: IdempotentCreate(key: "old", fingerprint: new.fingerprint, response: [1], now: time))
            }
            guard case .created(let first) = try await attempt(at: dayAgo) else { Issue.record("first create"); return }
            guard case .created(let second) = try await attempt(at: .now()) else { Issue.record("expired key replayed"); return }
            #expect(first.id != second.id)
            guard case .replayed(let replayedID, let response) = try await attempt(at: .now()) else {
                Issue.record("fresh key not replayed"); return
            }
            #expect(replayedID == second.id)
            #expect(response == [1])
        }
    }
}
