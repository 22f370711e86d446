import AWSConnectionsCore
import AWSConnectionsTestSupport
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Per-account connection quota")
struct QuotaTests {
    private let body = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#

    @Test("creating past the quota is 422 quota_exceeded with the limit; a delete frees a place; other accounts are unaffected", arguments: StoreKind.all)
    func quota(store: StoreKind) async throws {
        try await withApp(store, policy: ServicePolicy(connectionQuota: 3)) { world, client in
            var ids: [String] = []
            for _ in 0..<3 {
                ids.append(try await client.createConnectionID(key: world.alpha))
            }
            let refused = try await client.create(key: world.alpha, body: body)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.headers[.contentType] == "application/problem+json")
            #expect(try refused.problemCode() == "quota_exceeded")
            #expect(try refused.json()["limit"] as? Int == 3)
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.count == 3)

            #expect(try await client.create(key: world.beta, body: body).status == .created)
            #expect(try await client.delete(key: world.alpha, id: ids[0]).status == .noContent)
            #expect(try await client.create(key: world.alpha, body: body).status == .created)
            #expect(try await client.create(key: world.alpha, body: body).status == .unprocessableContent)
            // A refused delete (another account's) frees nothing.
            #expect(try await client.delete(key: world.beta, id: ids[1]).status == .forbidden)
            #expect(try await client.create(key: world.alpha, body: body).status == .unprocessableContent)
        }
    }

    @Test("a full account still gets its Idempotency-Key replays; a refused keyed create records nothing", arguments: StoreKind.all)
    func idempotencyAndQuota(store: StoreKind) async throws {
        try await withApp(store, policy: ServicePolicy(connectionQuota: 1)) { world, client in
            let first = try await client.send(
                .post, collectionPath, key: world.alpha, body: body, headers: [IdempotencyHeader.key: "first"])
            #expect(first.status == .created)
            let replay = try await client.send(
                .post, collectionPath, key: world.alpha, body: body, headers: [IdempotencyHeader.key: "first"])
            #expect(replay.status == .created)
            #expect(replay.bodyText == first.bodyText)

            let refused = try await client.send(
                .post, collectionPath, key: world.alpha, body: body, headers: [IdempotencyHeader.key: "second"])
            #expect(try refused.problemCode() == "quota_exceeded")
            let id = try #require(try first.json()["connectionId"] as? String)
            #expect(try await client.delete(key: world.alpha, id: id).status == .noContent)
            // Had the refusal recorded "second", this would replay a connection never made.
            let retried = try await client.send(
                .post, collectionPath, key: world.alpha, body: body, headers: [IdempotencyHeader.key: "second"])
            #expect(retried.status == .created)
            #expect(retried.headers[IdempotencyHeader.replayed] == nil)
        }
    }

    @Test("24 clients creating at once into 5 free places: exactly 5 succeed, the rest are refused, none is a 5xx", arguments: StoreKind.all)
    func concurrentCreatesAtTheLimit(store: StoreKind) async throws {
        try await withApp(store, .live, policy: ServicePolicy(connectionQuota: 5)) { world, client in
            let port = try #require(client.port)
            let statuses = try await withLiveClients(count: 24, port: port) { index, live in
                try await live.call(
                    .post, collectionPath, key: world.alpha,
                    body: #"{"name":"c\#(index)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
                ).status
            }
            #expect(statuses.filter { $0 == .created }.count == 5)
            #expect(statuses.filter { $0 == .unprocessableContent }.count == 19)
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.count == 5)
        }
    }

    @Test("after concurrent creates, keyed retries, refusals and deletes, the account's count equals its connections", arguments: StoreKind.all)
    func counterMatchesRows(store: StoreKind) async throws {
        try await withApp(store, .live, policy: ServicePolicy(connectionQuota: 14)) { world, client in
            let port = try #require(client.port)
            let statuses = try await withLiveClients(count: 8, port: port) { index, live in
                var statuses: [Int] = []
                for iteration in 0..<6 {
                    let body = #"{"name":"c\#(index)-\#(iteration)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
                    // Every client retries the same few keys, as a client resending after a timeout would.
                    let headers: HTTPFields = iteration % 2 == 0 ? [IdempotencyHeader.key: "retry-\(iteration)"] : [:]
                    let created = try await live.call(.post, collectionPath, key: world.alpha, body: body, headers: headers)
                    statuses.append(created.status.code)
                    if iteration % 3 == 0, let id = try? created.json()["connectionId"] as? String {
                        statuses.append(try await live.call(.delete, "\(collectionPath)/\(id)", key: world.alpha).status.code)
                    }
                }
                return statuses
            }
            #expect(statuses.flatMap { $0 }.allSatisfy { $0 < 500 })
            #expect(statuses.flatMap { $0 }.contains(422))
            let counted = try await world.queryInteger("SELECT connection_count FROM accounts WHERE name = 'alpha'")
            let held = try await world.queryInteger(
                "SELECT count(*) FROM connections WHERE account_id = (SELECT id FROM accounts WHERE name = 'alpha')")
            #expect(counted == held)
            #expect(held <= 14)
        }
    }
}
