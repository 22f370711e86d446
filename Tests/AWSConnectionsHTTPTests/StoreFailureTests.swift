import AWSConnectionsCore
@testable import AWSConnectionsSQLite
import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("When the database cannot be used")
struct StoreFailureTests {
    @Test("a reader that cannot open its file fails cleanly every time, with a retryable error")
    func readerOpenFailure() throws {
        let reader = SQLiteReader(path: "/nonexistent-directory/db.sqlite")
        for _ in 0..<3 {
            do {
                _ = try reader.query("SELECT 1", [], row: { $0.int64(0) })
                Issue.record("expected a failure")
            } catch {
                #expect(error.isUnavailable)
            }
        }
    }

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

    @Test("writes that share a commit stay independent: a failing one rolls back only itself")
    func batchedWritesAreIndependent() async throws {
        try await withWorld(.sqlite) { world in
        let sqlite = try #require(world.sqlite)
        struct Refused: Error {}
        let outcomes = await withTaskGroup(of: (Int, Bool).self) { group in
            for index in 0..<40 {
                group.addTask {
                    do {
                        try await sqlite.store.write { db in
                            try db.execute(
                                sql: "INSERT INTO accounts (name, created_at) VALUES (?, 0)", arguments: ["batch-\(index)"])
                            if index % 2 == 1 { throw Refused() }
                        }
                        return (index, true)
                    } catch {
                        return (index, false)
                    }
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(outcomes.count == 40)
        #expect(outcomes.allSatisfy { $0.value == ($0.key % 2 == 0) })
        let stored = try await sqlite.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM accounts WHERE name LIKE 'batch-%'")
        }
        #expect(Set(stored) == Set((0..<40).filter { $0 % 2 == 0 }.map { "batch-\($0)" }))
        }
    }
}
