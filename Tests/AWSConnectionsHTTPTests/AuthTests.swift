import AWSConnectionsCore
import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("API keys")
struct AuthTests {
    @Test("no Authorization header is 401 missing_api_key with WWW-Authenticate", arguments: StoreKind.all)
    func missingKey(store: StoreKind) async throws {
        try await withApp(store) { _, client in
            let response = try await client.list(key: nil)
            #expect(response.status == .unauthorized)
            #expect(try response.problemCode() == "missing_api_key")
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }

    @Test("an empty header or a bare Bearer scheme is 401 missing_api_key", arguments: StoreKind.all, ["", "Bearer", "bearer   ", "   "])
    func emptyCredential(store: StoreKind, header: String) async throws {
        try await withApp(store) { _, client in
            let response = try await client.list(key: header)
            #expect(response.status == .unauthorized)
            #expect(try response.problemCode() == "missing_api_key")
        }
    }

    @Test("malformed and unknown keys are 401 invalid_api_key", arguments: StoreKind.all, [
        "pictai_", "Bearerpictai_0123456789abcdefghijklmnopqrstuvwx", "pictai_short", "sk_live_0123456789abcdef0123456789abcdef",
        "pictai_0123456789abcdefghijklmnopqrstuv!", "pictai_0123456789abcdefghijklmnopqrstuvwx",
        "Basic cGljdGFpXzAxMjM0NTY3ODlhYmNkZWZnaGlqa2xtbm9wcXJzdHV2",
        "pictai_" + String(repeating: "a", count: 5000),
    ])
    func invalidKeys(store: StoreKind, header: String) async throws {
        try await withApp(store) { _, client in
            let response = try await client.list(key: header)
            #expect(response.status == .unauthorized)
            #expect(try response.problemCode() == "invalid_api_key")
            #expect(response.headers[.wwwAuthenticate] != nil)
        }
    }

    @Test("the key is accepted bare and after Bearer, in any case", arguments: StoreKind.all)
    func bearerForms(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            for header in [world.alpha, "Bearer \(world.alpha)", "bearer \(world.alpha)", "BEARER  \(world.alpha) "] {
                let response = try await client.list(key: header)
                #expect(response.status == .ok)
            }
        }
    }

    @Test("a revoked key is refused within one second, though the server had it cached", arguments: StoreKind.all)
    func revokedKeyRefused(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let issued = try await world.store.issueKey(account: "alpha", scopes: [.read], at: .now())
            #expect(try await client.list(key: issued.key.secret).status == .ok)
            #expect(try await world.store.revokeKey(issued.record.id, at: .now()))
            try await expectRefusedWithinOneSecond(after: .now) { try await client.list(key: issued.key.secret).status }
            let response = try await client.list(key: issued.key.secret)
            #expect(response.status == .unauthorized)
            #expect(try response.problemCode() == "invalid_api_key")
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(try await client.list(key: world.alpha).status == .ok)
        }
    }

    @Test("a key removed from the database while cached is refused within one second; a new key works at once", arguments: StoreKind.all)
    func removedKeyRefused(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let issued = try await world.store.issueKey(account: "alpha", scopes: [.read], at: .now())
            #expect(try await client.list(key: issued.key.secret).status == .ok)
            try await world.executeSQL(["DELETE FROM api_keys WHERE id = '\(issued.record.id.rawValue)'"])
            try await expectRefusedWithinOneSecond(after: .now) { try await client.list(key: issued.key.secret).status }
            // Unknown keys are never cached: one issued after a refusal is accepted on its first request.
            let fresh = try await world.store.issueKey(account: "alpha", scopes: [.read], at: .now())
            #expect(try await client.list(key: fresh.key.secret).status == .ok)
        }
    }

    @Test("a read-only key may read but every write call is 403 insufficient_scope", arguments: StoreKind.all)
    func readOnlyKey(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            #expect(try await client.list(key: world.alphaReader).status == .ok)
            #expect(try await client.get(key: world.alphaReader, id: id).status == .ok)
            let writes = [
                try await client.create(key: world.alphaReader, body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#),
                try await client.update(key: world.alphaReader, id: id, body: #"{"name":"n","version":1}"#),
                try await client.delete(key: world.alphaReader, id: id),
            ]
            for response in writes {
                #expect(response.status == .forbidden)
                #expect(try response.problemCode() == "insufficient_scope")
            }
            #expect(try await client.get(key: world.alpha, id: id).json()["version"] as? Int == 1)
        }
    }

    @Test("a write-only key may write but reads are 403 insufficient_scope", arguments: StoreKind.all)
    func writeOnlyKey(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alphaWriter)
            #expect(try await client.list(key: world.alphaWriter).status == .forbidden)
            let get = try await client.get(key: world.alphaWriter, id: id)
            #expect(get.status == .forbidden)
            #expect(try get.problemCode() == "insufficient_scope")
            #expect(try await client.update(key: world.alphaWriter, id: id, body: #"{"name":"n","version":1}"#).status == .ok)
        }
    }

    @Test("keys of one account see that account's connections, whichever key created them", arguments: StoreKind.all)
    func keysShareTheirAccount(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alphaWriter)
            #expect(try await client.get(key: world.alphaReader, id: id).status == .ok)
            #expect(try await client.get(key: world.beta, id: id).status == .forbidden)
        }
    }

    @Test("a request records its key's last-used time, which keys list shows", arguments: StoreKind.all)
    func lastUsedIsRecorded(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let before = try await world.store.listKeys(account: "beta")
            #expect(before.map(\.lastUsedAt) == [nil])
            let start = Timestamp.now()
            #expect(try await client.list(key: world.beta).status == .ok)
            // The write happens off the request path; give it a moment.
            var recorded: Timestamp?
            for _ in 0..<200 where recorded == nil {
                recorded = try await world.store.listKeys(account: "beta").first?.lastUsedAt
                if recorded == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let lastUsed = try #require(recorded)
            #expect(lastUsed >= start)
        }
    }
}
