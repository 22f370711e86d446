import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing

@Suite("List pages and filters")
struct ListPagingTests {
    /// Every page of the list for `query` (without `limit`/`nextToken`), following NextToken.
    private func allPages(
        _ client: some TestClientProtocol, key: String, limit: Int, query: String = ""
    ) async throws -> [[[String: Any]]] {
        var pages: [[[String: Any]]] = []
        var token: String?
        repeat {
            var path = "\(collectionPath)?limit=\(limit)\(query)"
            if let token { path += "&nextToken=\(token)" }
            let response = try await client.send(.get, path, key: key)
            guard response.status == .ok else { throw TestFailure("page failed: \(response.bodyText)") }
            let json = try response.json()
            pages.append(json["Items"] as? [[String: Any]] ?? [])
            token = json["NextToken"] as? String
        } while token != nil
        return pages
    }

    @Test("limit pages through the list in order; the last page has no NextToken; without limit all come back", arguments: StoreKind.all)
    func paging(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            var ids: [String] = []
            for index in 0..<5 {
                ids.append(try #require(try await client.createConnection(key: world.alpha, name: "c\(index)")["connectionId"] as? String))
            }
            let pages = try await allPages(client, key: world.alpha, limit: 2)
            #expect(pages.map(\.count) == [2, 2, 1])
            #expect(pages.flatMap { $0 }.compactMap { $0["connectionId"] as? String } == ids)
            let exact = try await client.send(.get, "\(collectionPath)?limit=5", key: world.alpha).json()
            #expect((exact["Items"] as? [Any])?.count == 5)
            #expect(exact["NextToken"] == nil)
            let all = try await client.list(key: world.alpha).json()
            #expect((all["Items"] as? [Any])?.count == 5)
            #expect(all["NextToken"] == nil)
        }
    }

    @Test("enabled and name filter exactly, alone or with paging", arguments: StoreKind.all)
    func filters(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            for index in 0..<6 {
                _ = try await client.createConnection(
                    key: world.alpha, name: index % 2 == 0 ? "Prod Videos" : "dev-\(index)",
                    extra: index % 3 == 0 ? #","enabled":false"# : "")
            }
            let disabled = try await client.send(.get, "\(collectionPath)?enabled=false", key: world.alpha).json()
            #expect((disabled["Items"] as? [[String: Any]])?.allSatisfy { $0["enabled"] as? Bool == false } == true)
            #expect((disabled["Items"] as? [Any])?.count == 2)
            let named = try await allPages(client, key: world.alpha, limit: 1, query: "&name=Prod%20Videos")
            #expect(named.flatMap { $0 }.count == 3)
            #expect(named.flatMap { $0 }.allSatisfy { $0["name"] as? String == "Prod Videos" })
            let both = try await client.send(.get, "\(collectionPath)?name=Prod%20Videos&enabled=true", key: world.alpha).json()
            #expect((both["Items"] as? [Any])?.count == 2)
            let none = try await client.send(.get, "\(collectionPath)?name=prod%20videos", key: world.alpha).json()
            #expect((none["Items"] as? [Any])?.count == 0)
            // Another account's connections never show, whatever the filter.
            let beta = try await client.send(.get, "\(collectionPath)?name=Prod%20Videos", key: world.beta).json()
            #expect((beta["Items"] as? [Any])?.count == 0)
        }
    }

    @Test("the name filter decodes the query as forms send it: + and %20 are spaces, %2B a plus, UTF-8 escapes letters", arguments: StoreKind.all)
    func nameFilterDecoding(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            for name in ["a b", "a+b", "ab", "Vidéos privées", "東京 動画", "100%zz"] {
                _ = try await client.createConnection(key: world.alpha, name: name, extra: "")
            }
            for (query, expected) in [
                ("name=a+b", "a b"), ("name=a%20b", "a b"), ("name=a%2Bb", "a+b"), ("name=a%2bb", "a+b"),
                ("name=ab", "ab"), ("na%6De=ab", "ab"),
                ("name=Vid%C3%A9os+priv%C3%A9es", "Vidéos privées"), ("name=%E6%9D%B1%E4%BA%AC+%E5%8B%95%E7%94%BB", "東京 動画"),
                // A % without two hex digits stays as it is, as the URL standard says.
                ("name=100%zz", "100%zz"),
            ] {
                let response = try await client.send(.get, "\(collectionPath)?\(query)&limit=10", key: world.alpha)
                let names = (try response.json()["Items"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
                #expect(names == [expected], "\(query)")
            }
        }
    }

    @Test("bad limit, nextToken or enabled is 400 naming each parameter", arguments: StoreKind.all)
    func badParameters(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            for (query, fields) in [
                ("limit=0", ["limit"]), ("limit=1001", ["limit"]), ("limit=abc", ["limit"]), ("limit=-1", ["limit"]),
                ("limit=%2B5", ["limit"]), ("limit=5.0", ["limit"]),
                ("nextToken=garbage", ["nextToken"]), ("nextToken=1.x", ["nextToken"]), ("enabled=yes", ["enabled"]),
                ("limit=0&enabled=1&nextToken=", ["enabled", "limit", "nextToken"]),
            ] {
                let response = try await client.send(.get, "\(collectionPath)?\(query)", key: world.alpha)
                #expect(response.status == .badRequest, "\(query)")
                #expect(try response.errorFields() == fields, "\(query)")
            }
            #expect(try await client.send(.get, "\(collectionPath)?limit=1000&colour=red", key: world.alpha).status == .ok)
        }
    }

    @Test("paging through 2,500 connections while another client creates and deletes yields each survivor exactly once", arguments: StoreKind.all)
    func pagingUnderChange(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let seeded = try await withLiveClients(count: 16, port: port) { index, live in
                var ids: [String] = []
                for item in stride(from: index, to: 2500, by: 16) {
                    let created = try await live.call(
                        .post, collectionPath, key: world.alpha,
                        body: #"{"name":"s\#(item)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                    ids.append(try created.json()["connectionId"] as? String ?? "")
                }
                return ids
            }.flatMap { $0 }
            #expect(Set(seeded).count == 2500)

            let deleted = Mutex<Set<String>>([])
            let reading = Mutex(true)
            async let churn: Void = TestClient.withClient(host: "127.0.0.1", port: port) { live in
                var round = 0
                while reading.withLock({ $0 }) {
                    // Delete a seeded connection from anywhere in the order, create a new one.
                    let victim = seeded[(round * 97) % seeded.count]
                    if try await live.call(.delete, "\(collectionPath)/\(victim)", key: world.alpha).status == .noContent {
                        deleted.withLock { _ = $0.insert(victim) }
                    }
                    _ = try await live.call(
                        .post, collectionPath, key: world.alpha,
                        body: #"{"name":"new\#(round)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                    round += 1
                }
            }
            // The test's own client, a connection apart from the churning one, with a long
            // timeout: under the whole suite a page can take longer than the default 20 s.
            let seen = try await TestClient.withClient(
                host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))
            ) { reader in
                var ids: [String] = []
                var token: String?
                repeat {
                    let page = try await reader.call(
                        .get, "\(collectionPath)?limit=100" + (token.map { "&nextToken=\($0)" } ?? ""), key: world.alpha)
                    guard page.status == .ok else { throw TestFailure("page failed: \(page.bodyText)") }
                    let json = try page.json()
                    ids += (json["Items"] as? [[String: Any]] ?? []).compactMap { $0["connectionId"] as? String }
                    token = json["NextToken"] as? String
                } while token != nil
                return ids
            }
            reading.withLock { $0 = false }
            try await churn

            #expect(seen.count == Set(seen).count, "an item was repeated")
            let survivors = Set(seeded).subtracting(deleted.withLock { $0 })
            #expect(survivors.isSubset(of: Set(seen)), "a surviving item was skipped")
            #expect(deleted.withLock { !$0.isEmpty })
        }
    }
}
