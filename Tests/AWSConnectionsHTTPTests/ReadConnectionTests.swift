import AWSConnectionsCore
import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("GET /awsconnections and /awsconnections/{id}")
struct ReadConnectionTests {
    @Test("an account with no connections lists {\"Items\": []}", arguments: StoreKind.all)
    func emptyList(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let response = try await client.list(key: world.alpha)
            #expect(response.status == .ok)
            #expect(response.bodyText == #"{"Items":[]}"#)
        }
    }

    @Test("the list holds only the caller's account, oldest first", arguments: StoreKind.all)
    func listIsPerAccountAndOrdered(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            var created: [String] = []
            for index in 0..<5 {
                let json = try await client.createConnection(key: world.alpha, name: "a\(index)")
                created.append(try #require(json["connectionId"] as? String))
            }
            _ = try await client.createConnection(key: world.beta, name: "b")
            let items = try #require(try await client.list(key: world.alpha).json()["Items"] as? [[String: Any]])
            #expect(items.compactMap { $0["connectionId"] as? String } == created)
            let betaItems = try #require(try await client.list(key: world.beta).json()["Items"] as? [[String: Any]])
            #expect(betaItems.map { $0["name"] as? String } == ["b"])
        }
    }

    @Test("get returns the same connection create returned", arguments: StoreKind.all)
    func getMatchesCreate(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let created = try await client.createConnection(key: world.alpha)
            let id = try #require(created["connectionId"] as? String)
            let response = try await client.get(key: world.alpha, id: id)
            #expect(response.status == .ok)
            #expect(NSDictionary(dictionary: try response.json()) == NSDictionary(dictionary: created))
        }
    }

    @Test("an unknown or malformed id is 404 connection_not_found", arguments: StoreKind.all, [
        "20251217080657842fux3au9kh1p0j5s", "not-an-id", "20251217080657842FUX3AU9KH1P0J5S", "%27%20OR%201=1",
        String(repeating: "9", count: 300),
    ])
    func unknownIDs(store: StoreKind, id: String) async throws {
        try await withApp(store) { world, client in
            let response = try await client.get(key: world.alpha, id: id)
            #expect(response.status == .notFound)
            #expect(try response.problemCode() == "connection_not_found")
        }
    }

    @Test("another account's connection is 403 forbidden, and it does not appear in the list", arguments: StoreKind.all)
    func otherAccountIsForbidden(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let created = try await client.createConnection(key: world.beta)
            let id = try #require(created["connectionId"] as? String)
            let response = try await client.get(key: world.alpha, id: id)
            #expect(response.status == .forbidden)
            #expect(try response.problemCode() == "forbidden")
            #expect(try await client.list(key: world.alpha).bodyText == #"{"Items":[]}"#)
        }
    }
}

@Suite("DELETE /awsconnections/{id}")
struct DeleteConnectionTests {
    @Test("delete answers 204 with no body; the connection is then 404 everywhere", arguments: StoreKind.all)
    func deleteRemoves(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let response = try await client.delete(key: world.alpha, id: id)
            #expect(response.status == .noContent)
            #expect(response.bodyText.isEmpty)
            #expect(try await client.get(key: world.alpha, id: id).status == .notFound)
            #expect(try await client.delete(key: world.alpha, id: id).status == .notFound)
            let update = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":1}"#)
            #expect(update.status == .notFound)
            #expect(try await client.list(key: world.alpha).bodyText == #"{"Items":[]}"#)
        }
    }

    @Test("deleting another account's connection is 403 and leaves it in place", arguments: StoreKind.all)
    func deleteOtherAccount(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.beta)
            let response = try await client.delete(key: world.alpha, id: id)
            #expect(response.status == .forbidden)
            #expect(try response.problemCode() == "forbidden")
            #expect(try await client.get(key: world.beta, id: id).status == .ok)
        }
    }

    @Test("deleting an unknown or malformed id is 404", arguments: StoreKind.all)
    func deleteUnknown(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let unknown = try await client.delete(key: world.alpha, id: "20251217080657842fux3au9kh1p0j5s")
            let malformed = try await client.delete(key: world.alpha, id: "nope")
            #expect(unknown.status == .notFound)
            #expect(malformed.status == .notFound)
        }
    }
}
