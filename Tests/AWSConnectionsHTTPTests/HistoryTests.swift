import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("Change history")
struct HistoryTests {
    /// One page of the largest size, so that every entry these tests make is in it.
    private func history(_ client: any TestClientProtocol, key: String, id: String) async throws -> APIResponse {
        try await client.send(.get, "\(collectionPath)/\(id)/history?limit=1000", key: key)
    }

    private func entries(_ response: APIResponse) throws -> [[String: Any]] {
        try #require(try response.json()["Items"] as? [[String: Any]])
    }

    /// `changes` as field → [old, new], each value as JSON text (`null`, `true`, `"text"`).
    private func changes(_ entry: [String: Any]) throws -> [String: [String]] {
        let object = try #require(entry["changes"] as? [String: [String: Any]])
        return object.mapValues { [Self.jsonText($0["old"]), Self.jsonText($0["new"])] }
    }

    private static func jsonText(_ value: Any?) -> String {
        switch value {
        case let string as String: "\"\(string)\""
        case let bool as Bool: bool ? "true" : "false"
        default: "null"
        }
    }

    @Test("create, updates and delete each leave one entry: version, date, acting key id, kind and changed fields", arguments: StoreKind.all)
    func lifecycle(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let created = try await client.createConnection(
                key: world.alpha, name: "Prod", awsRegion: "eu-west-2", extra: #","description":"d""#)
            let id = try #require(created["connectionId"] as? String)
            let renamed = try await client.update(
                key: world.alphaWriter, id: id, body: #"{"name":"Renamed","version":1,"enabled":false}"#)
            #expect(renamed.status == .ok)
            let unchanged = try await client.update(key: world.alpha, id: id, body: #"{"name":"Renamed","version":2}"#)
            #expect(unchanged.status == .ok)
            #expect(try await client.delete(key: world.alpha, id: id).status == .noContent)

            let response = try await history(client, key: world.alphaReader, id: id)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(try response.json()["connectionId"] as? String == id)
            let items = try entries(response)
            #expect(items.map { $0["version"] as? Int } == [1, 2, 3, 4])
            #expect(items.map { $0["change"] as? String } == ["created", "updated", "updated", "deleted"])
            let alphaID = try await world.keyID(of: world.alpha)
            let writerID = try await world.keyID(of: world.alphaWriter)
            #expect(items.map { $0["keyId"] as? String } == [alphaID, writerID, alphaID, alphaID])
            #expect(items[0]["changedDate"] as? String == created["createdDate"] as? String)
            #expect(items[1]["changedDate"] as? String == (try renamed.json()["updatedDate"] as? String))
            #expect(items[2]["changedDate"] as? String == (try unchanged.json()["updatedDate"] as? String))

            #expect(try changes(items[0]) == [
                "name": ["null", #""Prod""#], "description": ["null", #""d""#],
                "awsAccountId": ["null", #""123456789012""#], "awsRegion": ["null", #""eu-west-2""#],
                "roleArn": ["null", #""arn:aws:iam::123456789012:role/aws-connections-media-access""#],
                "externalId": ["null", "\"\(try #require(created["externalId"] as? String))\""],
                "enabled": ["null", "true"],
            ])
            #expect(try changes(items[1]) == ["name": [#""Prod""#, #""Renamed""#], "enabled": ["true", "false"]])
            #expect(try changes(items[2]).isEmpty)
            #expect(try changes(items[3]).isEmpty)
            // Only key ids, never a key.
            for secret in [world.alpha, world.alphaWriter, world.alphaReader] {
                #expect(!response.bodyText.contains(secret))
            }
        }
    }

    @Test("history follows the call's check order: 401, scope, then existence, then ownership; only GET", arguments: StoreKind.all)
    func errors(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let path = "\(collectionPath)/\(id)/history"
            #expect(try await client.send(.get, path, key: nil).problemCode() == "missing_api_key")
            #expect(try await client.send(.get, path, key: world.alphaWriter).problemCode() == "insufficient_scope")
            let otherAccount = try await client.send(.get, path, key: world.beta)
            #expect(otherAccount.status == .forbidden)
            #expect(try otherAccount.problemCode() == "forbidden")
            for unknown in ["20250101000000000aaaaaaaaaaaaaaa", "not-an-id"] {
                let missing = try await client.send(.get, "\(collectionPath)/\(unknown)/history", key: world.alpha)
                #expect(missing.status == .notFound)
                #expect(try missing.problemCode() == "connection_not_found")
            }
            let post = try await client.send(.post, path, key: world.alpha, body: "{}")
            #expect(post.status == .methodNotAllowed)
            #expect(post.headers[.allow] == "GET")
        }
    }

    @Test("a deleted connection's history is readable within the retention and gone after it", arguments: StoreKind.all)
    func retention(store: StoreKind) async throws {
        try await withApp(store, policy: ServicePolicy(deletedHistoryRetention: .zero)) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            #expect(try await history(client, key: world.alpha, id: id).status == .ok)
            #expect(try await client.delete(key: world.alpha, id: id).status == .noContent)
            // Deleted at least a millisecond ago, so past a zero retention.
            try await Task.sleep(for: .milliseconds(5))
            let gone = try await history(client, key: world.alpha, id: id)
            #expect(gone.status == .notFound)
            #expect(try gone.problemCode() == "connection_not_found")
        }
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            #expect(try await client.delete(key: world.alpha, id: id).status == .noContent)
            let kept = try await history(client, key: world.alpha, id: id)
            #expect(try entries(kept).last?["change"] as? String == "deleted")
            // Still the owner's alone.
            #expect(try await history(client, key: world.beta, id: id).status == .forbidden)
        }
    }

    @Test("the purge removes deleted connections' history past the cutoff and nothing else", arguments: StoreKind.all)
    func purge(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let live = try await client.createConnectionID(key: world.alpha)
            let deleted = try await client.createConnectionID(key: world.alpha)
            #expect(try await client.delete(key: world.alpha, id: deleted).status == .noContent)
            // One Idempotency-Key recorded two days ago, one now.
            let caller = try #require(try await world.store.caller(forKeyHash: APIKey(world.alpha)!.hash))
            let twoDaysAgo = Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch - 48 * 3600 * 1000)
            for (key, time) in [("old", twoDaysAgo), ("fresh", Timestamp.now())] {
                let new = NewConnection(
                    name: key, description: "", awsAccountID: "123456789012", awsRegion: "us-east-1",
                    roleARN: "arn:aws:iam::123456789012:role/r", externalID: ExternalID.generate(), enabled: true)
                let connection = Connection(creating: new, account: caller.accountID, at: time, id: .generate(at: time))
                _ = try await world.store.create(
                    connection, by: caller.keyID, quota: 100,
                    idempotency: IdempotentCreate(key: key, fingerprint: new.fingerprint, response: [1], now: time))
            }
            let keys = "SELECT count(*) FROM idempotency_keys"
            #expect(try await world.queryInteger(keys) == 2)
            let past = Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch - 60_000)
            try await world.store.purge(deletedBefore: past, idempotencyKeysBefore: past)
            #expect(try await world.queryInteger(keys) == 1)
            #expect(try await world.queryInteger("SELECT count(*) FROM idempotency_keys WHERE key = 'fresh'") == 1)
            let deletedID = ConnectionID(uncheckedRawValue: deleted)
            #expect(try await world.store.history(id: deletedID).count == 2)
            let future = Timestamp(millisecondsSinceEpoch: Timestamp.now().millisecondsSinceEpoch + 60_000)
            try await world.store.purge(deletedBefore: future, idempotencyKeysBefore: past)
            #expect(try await world.store.history(id: deletedID).isEmpty)
            #expect(try await world.store.history(id: ConnectionID(uncheckedRawValue: live)).map(\.kind) == [.created])
        }
    }

    @Test("the history cap trims a live connection to its newest versions, keeps what is younger than the retention, and leaves deleted connections to their own purge", arguments: StoreKind.all)
    func historyCap(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let long = try await client.createConnectionID(key: world.alpha)
            for version in 1...9 {
                let body = #"{"name":"v\#(version + 1)","version":\#(version)}"#
                #expect(try await client.update(key: world.alpha, id: long, body: body).status == .ok)
            }
            let short = try await client.createConnectionID(key: world.alpha)
            #expect(try await client.update(key: world.alpha, id: short, body: #"{"name":"s2","version":1}"#).status == .ok)
            let deleted = try await client.createConnectionID(key: world.alpha)
            for version in 1...4 {
                let body = #"{"name":"d\#(version + 1)","version":\#(version)}"#
                #expect(try await client.update(key: world.alpha, id: deleted, body: body).status == .ok)
            }
            #expect(try await client.delete(key: world.alpha, id: deleted).status == .noContent)
            let cap = HistoryCap(keepVersions: 3, keepFor: .seconds(3600))

            // Everything is younger than the retention: nothing goes.
            #expect(try await world.store.trimHistory(cap, keptSince: Timestamp.now().subtracting(.seconds(3600))) == 0)
            #expect(try await world.store.history(id: ConnectionID(uncheckedRawValue: long)).count == 10)

            // Past the retention: the long history keeps its newest three, in order.
            let later = Timestamp.now().adding(.seconds(1))
            #expect(try await world.store.trimHistory(cap, keptSince: later) == 7)
            #expect(try await world.store.history(id: ConnectionID(uncheckedRawValue: long)).map(\.version) == [8, 9, 10])
            #expect(try await world.store.history(id: ConnectionID(uncheckedRawValue: short)).map(\.version) == [1, 2])
            #expect(try await world.store.history(id: ConnectionID(uncheckedRawValue: deleted)).count == 6)
            #expect(try await world.store.trimHistory(cap, keptSince: later) == 0)

            // Through the API: the kept versions, the oldest listing its fields as they were.
            let page = try entries(try await history(client, key: world.alpha, id: long))
            #expect(page.compactMap { $0["version"] as? Int } == [8, 9, 10])
            #expect(try changes(page[1])["name"] == ["\"v8\"", "\"v9\""])
            #expect(try changes(page[0])["name"]?.last == "\"v8\"")
            // The connection itself is untouched, and updates go on from its version.
            #expect(try await client.get(key: world.alpha, id: long).json()["version"] as? Int == 10)
            #expect(try await client.update(key: world.alpha, id: long, body: #"{"name":"v11","version":10}"#).status == .ok)

            // More connections than one chunk of the trim holds (200): every chunk is trimmed.
            var many: [String] = []
            for _ in 0..<250 {
                let id = try await client.createConnectionID(key: world.beta)
                #expect(try await client.update(key: world.beta, id: id, body: #"{"name":"m2","version":1}"#).status == .ok)
                many.append(id)
            }
            let one = HistoryCap(keepVersions: 1, keepFor: .seconds(0))
            // Each of the 250 loses version 1, the long connection 8 to 10 (11 stays), the short one 1.
            #expect(try await world.store.trimHistory(one, keptSince: Timestamp.now().adding(.seconds(1))) == 250 + 3 + 1)
            for id in [many.first!, many[200], many.last!] {
                #expect(try await world.store.history(id: ConnectionID(uncheckedRawValue: id)).map(\.version) == [2])
            }
        }
    }

    @Test("16 concurrent read-modify-write clients: the history is exactly the successful updates, no gap, no duplicate", arguments: StoreKind.all)
    func concurrentWriters(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let id = try await client.createConnectionID(key: world.alpha)
            let results = try await withLiveClients(count: 16, port: port) { index, live in
                try await readModifyWrite(live, index: index, ids: [id], iterations: 15, key: world.alpha)
            }
            #expect(results.map(\.serverErrors).reduce(0, +) == 0)
            let successes = results.flatMap(\.successes).sorted { $0.answered < $1.answered }
            #expect(!successes.isEmpty)
            let items = try entries(try await history(client, key: world.alpha, id: id))
            #expect(items.map { $0["version"] as? Int } == Array(1...(1 + successes.count)))
            #expect(items.dropFirst().allSatisfy { $0["change"] as? String == "updated" })
            // Each update's entry names the value its writer was told it wrote.
            var previousName = "Prod"
            for (entry, success) in zip(items.dropFirst(), successes) {
                #expect(entry["version"] as? Int == success.answered)
                #expect(try changes(entry)["name"] == ["\"\(previousName)\"", "\"\(success.name)\""])
                previousName = success.name
            }
        }
    }

    @Test("a change and its history entry are one transaction: if either write fails, neither is kept", arguments: StoreKind.all)
    func atomicWithTheChange(store: StoreKind) async throws {
        try await withApp(store, policy: ServicePolicy(connectionQuota: 2)) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            // History refuses rows: the update must fail whole.
            try await world.executeSQL(failingTrigger(store, table: "connection_history", event: "INSERT"))
            let refused = try await client.update(key: world.alpha, id: id, body: #"{"name":"lost","version":1}"#)
            #expect(refused.status.code >= 500)
            #expect(try await client.get(key: world.alpha, id: id).json()["version"] as? Int == 1)
            #expect(try await client.delete(key: world.alpha, id: id).status.code >= 500)
            #expect(try await client.get(key: world.alpha, id: id).status == .ok)
            #expect(try await client.create(key: world.alpha, body: validBody).status.code >= 500)
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.count == 1)
            try await world.executeSQL(dropTrigger(store, table: "connection_history"))

            // The connection refuses the update: no history entry may appear.
            try await world.executeSQL(failingTrigger(store, table: "connections", event: "UPDATE"))
            #expect(try await client.update(key: world.alpha, id: id, body: #"{"name":"lost","version":1}"#).status.code >= 500)
            try await world.executeSQL(dropTrigger(store, table: "connections"))
            #expect(try entries(try await history(client, key: world.alpha, id: id)).count == 1)

            // And with nothing failing, both are written.
            #expect(try await client.update(key: world.alpha, id: id, body: #"{"name":"kept","version":1}"#).status == .ok)
            #expect(try entries(try await history(client, key: world.alpha, id: id)).map { $0["version"] as? Int } == [1, 2])
            // The failed create and delete left the quota count alone: one place is free, not 0 or 2.
            #expect(try await client.create(key: world.alpha, body: validBody).status == .created)
            #expect(try await client.create(key: world.alpha, body: validBody).status == .unprocessableContent)
        }
    }

    private let validBody = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#

    private func failingTrigger(_ store: StoreKind, table: String, event: String) -> [String] {
        switch store {
        case .sqlite:
            return ["CREATE TRIGGER fail_\(table) BEFORE \(event) ON \(table) BEGIN SELECT RAISE(ABORT, 'injected'); END"]
        case .postgres:
            return [
                "CREATE FUNCTION fail_\(table)() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected'; END $$",
                "CREATE TRIGGER fail_\(table) BEFORE \(event) ON \(table) FOR EACH ROW EXECUTE FUNCTION fail_\(table)()",
            ]
        }
    }

    private func dropTrigger(_ store: StoreKind, table: String) -> [String] {
        switch store {
        case .sqlite: ["DROP TRIGGER fail_\(table)"]
        case .postgres: ["DROP TRIGGER fail_\(table) ON \(table)", "DROP FUNCTION fail_\(table)()"]
        }
    }
}
