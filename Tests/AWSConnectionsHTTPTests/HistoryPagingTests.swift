import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite("History pages")
struct HistoryPagingTests {
    private func historyPath(_ id: String, _ query: String = "") -> String {
        "\(collectionPath)/\(id)/history\(query.isEmpty ? "" : "?\(query)")"
    }

    /// A connection whose history has `entries` entries: its create, renames, and a delete as
    /// the last, each through the API. Every rename changes the name, so each entry's
    /// `changes` depends on the entry before it.
    private func connectionWithHistory(
        _ client: any TestClientProtocol, key: String, entries: Int
    ) async throws -> String {
        let id = try await client.createConnectionID(key: key)
        for version in 1..<(entries - 1) {
            let renamed = try await client.update(key: key, id: id, body: #"{"name":"n\#(version)","version":\#(version)}"#)
            guard renamed.status == .ok else { throw TestFailure("update failed: \(renamed.bodyText)") }
        }
        guard try await client.delete(key: key, id: id).status == .noContent else { throw TestFailure("delete failed") }
        return id
    }

    /// Each page's entries, asked with `query` and following NextToken from `start`.
    private func allPages(
        _ client: any TestClientProtocol, key: String, id: String, query: String, start: String? = nil
    ) async throws -> (pages: [[[String: Any]]], tokens: [String?]) {
        var pages: [[[String: Any]]] = []
        var tokens: [String?] = []
        var token = start
        repeat {
            let parameters = [query, token.map { "nextToken=\($0)" }].compactMap { $0 }.filter { !$0.isEmpty }
            let response = try await client.send(.get, historyPath(id, parameters.joined(separator: "&")), key: key)
            guard response.status == .ok else { throw TestFailure("page failed: \(response.bodyText)") }
            let json = try response.json()
            #expect(json["connectionId"] as? String == id)
            pages.append(json["Items"] as? [[String: Any]] ?? [])
            token = json["NextToken"] as? String
            tokens.append(token)
            guard pages.count <= 20 else { throw TestFailure("paging does not end") }
        } while token != nil
        return (pages, tokens)
    }

    /// An entry as canonical JSON text, to compare entries read on different pages.
    private static func canonical(_ entry: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test("250 entries in pages of 100 come back as 100, 100, 50, in order, each once, and equal to one long page", arguments: StoreKind.all)
    func paging(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await connectionWithHistory(client, key: world.alpha, entries: 250)

            let (pages, tokens) = try await allPages(client, key: world.alpha, id: id, query: "limit=100")
            #expect(pages.map(\.count) == [100, 100, 50])
            #expect(tokens.map { $0 != nil } == [true, true, false])
            let versions = pages.flatMap { $0 }.map { $0["version"] as? Int }
            #expect(versions == Array(1...250))
            #expect(pages.last?.last?["change"] as? String == "deleted")

            // The longest page holds all 250, so a page boundary cannot hide a wrong `changes`:
            // the first entry of a later page is compared with the last of the page before.
            let whole = try await client.send(.get, historyPath(id, "limit=1000"), key: world.alpha).json()
            #expect(whole["NextToken"] == nil)
            let wholeItems = try #require(whole["Items"] as? [[String: Any]])
            #expect(wholeItems.count == 250)
            #expect(try pages.flatMap { $0 }.map(Self.canonical) == wholeItems.map(Self.canonical))
            let secondPageFirst = try #require(pages[1].first?["changes"] as? [String: [String: String]])
            #expect(secondPageFirst == ["name": ["old": "n99", "new": "n100"]])

            // A page that ends exactly at the last entry has no NextToken and no empty page follows.
            let even = try await allPages(client, key: world.alpha, id: id, query: "limit=125")
            #expect(even.pages.map(\.count) == [125, 125])
            let one = try await allPages(client, key: world.alpha, id: id, query: "limit=249")
            #expect(one.pages.map(\.count) == [249, 1])
            #expect(one.pages[1].first?["version"] as? Int == 250)
        }
    }

    @Test("without limit the answer is the first 100 entries, with a NextToken that continues after them", arguments: StoreKind.all)
    func defaultPage(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await connectionWithHistory(client, key: world.alpha, entries: 250)
            let first = try await client.send(.get, historyPath(id), key: world.alpha).json()
            let items = try #require(first["Items"] as? [[String: Any]])
            #expect(items.map { $0["version"] as? Int } == Array(1...100))
            let token = try #require(first["NextToken"] as? String)
            let second = try await client.send(.get, historyPath(id, "nextToken=\(token)"), key: world.alpha).json()
            #expect((second["Items"] as? [[String: Any]])?.map { $0["version"] as? Int } == Array(101...200))
            #expect(second["NextToken"] != nil)

            // A short history is one page, without NextToken.
            let short = try await connectionWithHistory(client, key: world.alpha, entries: 3)
            let whole = try await client.send(.get, historyPath(short), key: world.alpha).json()
            #expect((whole["Items"] as? [Any])?.count == 3)
            #expect(whole["NextToken"] == nil)
        }
    }

    @Test("entries appended between pages appear on a later page; none is skipped or repeated", arguments: StoreKind.all)
    func appendedWhilePaging(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            for version in 1...4 {
                _ = try await client.update(key: world.alpha, id: id, body: #"{"name":"a\#(version)","version":\#(version)}"#)
            }
            let first = try await client.send(.get, historyPath(id, "limit=3"), key: world.alpha).json()
            for version in 5...7 {
                _ = try await client.update(key: world.alpha, id: id, body: #"{"name":"b\#(version)","version":\#(version)}"#)
            }
            let token = try #require(first["NextToken"] as? String)
            let rest = try await allPages(client, key: world.alpha, id: id, query: "limit=3", start: token)
            let versions = ((first["Items"] as? [[String: Any]] ?? []) + rest.pages.flatMap { $0 }).map { $0["version"] as? Int }
            #expect(versions == Array(1...8))
        }
    }

    @Test("limit 1 to 1000 is taken; 0, 1001, abc and other malformed limit or nextToken values are 400 naming them", arguments: StoreKind.all)
    func badParameters(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            for query in ["limit=1", "limit=1000", "limit=1000&colour=red", "nextToken=1", "limit=1&nextToken=0"] {
                #expect(try await client.send(.get, historyPath(id, query), key: world.alpha).status == .ok, "\(query)")
            }
            for (query, fields) in [
                ("limit=0", ["limit"]), ("limit=1001", ["limit"]), ("limit=abc", ["limit"]), ("limit=-1", ["limit"]),
                ("limit=5.0", ["limit"]), ("limit=%2B5", ["limit"]), ("limit=", ["limit"]),
                ("nextToken=garbage", ["nextToken"]), ("nextToken=", ["nextToken"]), ("nextToken=-1", ["nextToken"]),
                ("nextToken=1.5", ["nextToken"]), ("nextToken=1234567890123456789", ["nextToken"]),
                // A list's token is not a history's.
                ("nextToken=1764403200123.20261129080000123abcdefghijklmno", ["nextToken"]),
                ("limit=0&nextToken=x", ["limit", "nextToken"]),
            ] {
                let response = try await client.send(.get, historyPath(id, query), key: world.alpha)
                #expect(response.status == .badRequest, "\(query)")
                #expect(try response.problemCode() == "validation_failed", "\(query)")
                #expect(try response.errorFields() == fields, "\(query)")
            }
            // Parameters are checked before the id, as bodies are.
            let unknown = try await client.send(
                .get, historyPath("20250101000000000aaaaaaaaaaaaaaa", "limit=0"), key: world.alpha)
            #expect(unknown.status == .badRequest)
        }
    }

    @Test("any page of another account's connection is 403, of an unknown one 404, past the end an empty last page", arguments: StoreKind.all)
    func ownershipAndExistence(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            _ = try await client.update(key: world.alpha, id: id, body: #"{"name":"renamed","version":1}"#)
            for query in ["", "limit=1", "limit=1&nextToken=1", "nextToken=2", "nextToken=99"] {
                let other = try await client.send(.get, historyPath(id, query), key: world.beta)
                #expect(other.status == .forbidden, "\(query)")
                #expect(try other.problemCode() == "forbidden", "\(query)")
                #expect(!other.bodyText.contains("renamed"), "\(query)")
                let missing = try await client.send(
                    .get, historyPath("20250101000000000aaaaaaaaaaaaaaa", query), key: world.alpha)
                #expect(missing.status == .notFound, "\(query)")
                #expect(try missing.problemCode() == "connection_not_found", "\(query)")
            }
            let past = try await client.send(.get, historyPath(id, "nextToken=99"), key: world.alpha)
            #expect(past.status == .ok)
            #expect((try past.json()["Items"] as? [Any])?.isEmpty == true)
            #expect(try past.json()["NextToken"] == nil)
        }
    }

    @Test("every page of a connection deleted past the retention is 404, not only the page holding the delete", arguments: StoreKind.all)
    func retentionOnEveryPage(store: StoreKind) async throws {
        try await withApp(store, policy: ServicePolicy(deletedHistoryRetention: .zero)) { world, client in
            let id = try await connectionWithHistory(client, key: world.alpha, entries: 5)
            // Deleted at least a millisecond ago, so past a zero retention.
            try await Task.sleep(for: .milliseconds(5))
            for query in ["", "limit=1", "limit=1&nextToken=1", "limit=2&nextToken=2"] {
                let gone = try await client.send(.get, historyPath(id, query), key: world.alpha)
                #expect(gone.status == .notFound, "\(query)")
                #expect(try gone.problemCode() == "connection_not_found", "\(query)")
            }
            let live = try await client.createConnectionID(key: world.alpha)
            #expect(try await client.send(.get, historyPath(live, "limit=1"), key: world.alpha).status == .ok)
        }
    }
}
