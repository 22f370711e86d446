import AWSConnectionsCore
@testable import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("SQLite persistence")
struct PersistenceTests {
    @Test("a restart on the same file finds every connection, key and version")
    func restartKeepsEverything() async throws {
        try await withWorld(.sqlite) { world in
        let sqlite = try #require(world.sqlite)
        let before: String = try await world.makeApplication().test(.router) { client in
            for index in 0..<20 {
                let id = try #require(try await client.createConnection(key: world.alpha, name: "c\(index)")["connectionId"] as? String)
                if index % 3 == 0 {
                    _ = try await client.update(key: world.alpha, id: id, body: #"{"name":"u\#(index)","version":1,"enabled":false}"#)
                }
                if index % 5 == 4 {
                    _ = try await client.delete(key: world.alpha, id: id)
                }
            }
            return try await client.list(key: world.alpha).bodyText
        }

        let reopened = try SQLiteStore(path: sqlite.path)
        let app = buildTestApplication(store: reopened)
        try await app.test(.router) { client in
            let after = try await client.list(key: world.alpha)
            #expect(after.status == .ok)
            #expect(after.bodyText == before)
            #expect((try after.json()["Items"] as? [Any])?.count == 16)
        }
        #expect(try reopened.appliedMigrations() == ["0001-accounts-keys-connections", "0002-idempotency-keys", "0003-history-and-quota", "0004-roles-and-verifications", "0005-connection-documents", "0006-key-lifecycle"])
        }
    }

    @Test("the raw database files contain no API key")
    func noKeyInDatabaseFiles() async throws {
        try await withWorld(.sqlite) { world in
        let directory = try #require(world.sqlite).directory
        try await world.makeApplication().test(.router) { client in
            _ = try await client.createConnection(key: world.alpha)
            _ = try await client.list(key: world.beta)
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.contains("test.sqlite"))
        for file in files {
            let bytes = try Data(contentsOf: directory.appendingPathComponent(file))
            for key in [world.alpha, world.alphaReader, world.alphaWriter, world.beta] {
                #expect(bytes.range(of: Data(key.utf8)) == nil, "\(file) holds a key")
                // The random part alone would be enough to rebuild the key.
                #expect(bytes.range(of: Data(key.dropFirst(7).utf8)) == nil, "\(file) holds a key's secret part")
            }
        }
        }
    }
}
