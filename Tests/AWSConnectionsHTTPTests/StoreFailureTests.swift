import AWSConnectionsCore
@testable import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// What a client sees; the stores' own failures are checked in AWSConnectionsStoreTests.
@Suite("When the database cannot be used")
struct StoreFailureTests {
    @Test("a write lock held by another connection past the busy timeout is 503 store_unavailable; reads go on; writes recover by themselves")
    func lockedDatabaseIs503ThenRecovers() async throws {
        try await withApp(.sqlite) { world, client in
            let sqlite = try #require(world.sqlite)
            let id = try await client.createConnectionID(key: world.alpha)
            // Another connection holds the write lock, as a long admin transaction might.
            var configuration = Configuration()
            configuration.allowsUnsafeTransactions = true
            let intruder = try DatabaseQueue(path: sqlite.path, configuration: configuration)
            try await intruder.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }

            let blocked = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":1}"#)
            #expect(blocked.status == .serviceUnavailable)
            #expect(try blocked.problemCode() == "store_unavailable")
            #expect(blocked.headers[.retryAfter] == "1")
            // WAL readers never wait for the writer.
            #expect(try await client.get(key: world.alpha, id: id).status == .ok)

            try await intruder.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
            try intruder.close()
            let recovered = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":1}"#)
            #expect(recovered.status == .ok)
            #expect(try recovered.json()["version"] as? Int == 2)
        }
    }
}
