import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// PostgreSQL writes list pages as JSON itself (`ConnectionJSONPages`) while a single
/// connection is written by the server's `ConnectionJSON`: the two must agree byte for byte,
/// on text that needs escaping above all. On SQLite both come from `ConnectionJSON`, which
/// keeps the test honest about its own expectations.
@Suite("List JSON written by the store")
struct ListJSONTests {
    /// Names and descriptions that exercise every escaping rule: quotes, backslashes, the
    /// control characters with a short escape and without one, DEL (not escaped), a solidus
    /// (not escaped), and multi-byte UTF-8.
    static let texts: [(name: String, description: String)] = [
        (#"quote " and backslash \ in a name"#, "line one\nline two\r\n\ttabbed \u{8}\u{c} \u{1}\u{1f} \u{7f}"),
        ("Vidéos privées / 東京 動画 🎬", #"a "quoted" \\ path / with <html> & 'single'"#),
        ("plain", ""),
        ("emoji 👩‍👩‍👧 and combining e\u{301}", "\u{2028}\u{2029} separators stay as they are"),
    ]

    @Test("a list's bytes are the single connections' bytes joined, on every page", arguments: StoreKind.all)
    func listBytesMatchSingleConnections(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            var ids: [String] = []
            for text in Self.texts {
                var fields: [String: Any] = [
                    "name": text.name, "description": text.description, "awsAccountId": "123456789012",
                    "awsRegion": "eu-west-1", "enabled": ids.count % 2 == 0,
                ]
                if ids.isEmpty {
                    // IAM lets a role's path hold any printable ASCII, quote and backslash included.
                    fields["roleArn"] = #"arn:aws:iam::123456789012:role/a"b\c/media"#
                }
                let body = try JSONSerialization.data(withJSONObject: fields)
                let created = try await client.send(
                    .post, collectionPath, key: world.alpha, body: String(decoding: body, as: UTF8.self))
                try #require(created.status == .created, "\(created.bodyText)")
                ids.append(try #require(try created.json()["connectionId"] as? String))
            }
            // One update, so that a version and an updatedDate differ from the first ones.
            let updated = try await client.send(
                .put, "\(collectionPath)/\(ids[0])", key: world.alpha,
                body: #"{"name":"renamed \"again\"","version":1}"#)
            try #require(updated.status == .ok, "\(updated.bodyText)")

            var single: [String] = []
            for id in ids {
                let response = try await client.get(key: world.alpha, id: id)
                try #require(response.status == .ok)
                single.append(response.bodyText)
            }

            let whole = try await client.list(key: world.alpha)
            #expect(whole.bodyText == #"{"Items":["# + single.joined(separator: ",") + "]}")

            let first = try await client.send(.get, "\(collectionPath)?limit=3", key: world.alpha)
            let token = try #require(try first.json()["NextToken"] as? String)
            #expect(
                first.bodyText
                    == #"{"Items":["# + single[0..<3].joined(separator: ",") + #"],"NextToken":""# + token + #""}"#)
            let last = try await client.send(.get, "\(collectionPath)?limit=3&nextToken=\(token)", key: world.alpha)
            #expect(last.bodyText == #"{"Items":["# + single[3] + "]}")

            let enabled = try await client.send(.get, "\(collectionPath)?enabled=true&limit=10", key: world.alpha)
            #expect(enabled.bodyText == #"{"Items":["# + [single[0], single[2]].joined(separator: ",") + "]}")

            let none = try await client.send(.get, "\(collectionPath)?name=nobody&limit=10", key: world.alpha)
            #expect(none.bodyText == #"{"Items":[]}"#)
        }
    }

    @Test("connections created and updated by many clients at once are listed exactly as each reads alone", arguments: StoreKind.all)
    func concurrentWritesListAsRead(store: StoreKind) async throws {
        // On PostgreSQL, creates and updates that arrive together share statements
        // (StatementBatcher) and each row's JSON is written by the database: every write path
        // must leave a row's listed JSON equal to what a get of it writes.
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let ids = try await withLiveClients(count: 24, port: port) { index, live in
                let text = Self.texts[index % Self.texts.count]
                let body = try JSONSerialization.data(withJSONObject: [
                    "name": "\(text.name) \(index)", "description": text.description,
                    "awsAccountId": "123456789012", "awsRegion": "eu-west-1",
                ])
                let created = try await live.call(.post, collectionPath, key: world.alpha, body: String(decoding: body, as: UTF8.self))
                guard created.status == .created, let id = try created.json()["connectionId"] as? String else {
                    throw TestFailure("create \(index): \(created.status) \(created.bodyText)")
                }
                for version in 1...2 {
                    let update = try JSONSerialization.data(withJSONObject: [
                        "name": #"renamed "\#(version)" \ \#(index)"#, "enabled": version % 2 == 0, "version": version,
                    ])
                    let updated = try await live.call(
                        .put, "\(collectionPath)/\(id)", key: world.alpha, body: String(decoding: update, as: UTF8.self))
                    guard updated.status == .ok else {
                        throw TestFailure("update \(index) to \(version + 1): \(updated.status) \(updated.bodyText)")
                    }
                }
                return id
            }
            var single: [String: String] = [:]
            for id in ids {
                let response = try await client.get(key: world.alpha, id: id)
                try #require(response.status == .ok)
                #expect(try response.json()["version"] as? Int == 3)
                single[id] = response.bodyText
            }
            let whole = try await client.list(key: world.alpha)
            let listed = try #require(try whole.json()["Items"] as? [[String: Any]])
            let order = listed.compactMap { $0["connectionId"] as? String }
            #expect(Set(order) == Set(ids) && order.count == ids.count)
            #expect(whole.bodyText == #"{"Items":["# + order.compactMap { single[$0] }.joined(separator: ",") + "]}")
        }
    }
}
