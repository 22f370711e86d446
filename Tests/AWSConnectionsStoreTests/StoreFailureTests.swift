import AWSConnectionsCore
@testable import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import GRDB
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
