@testable import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import GRDB
import Testing

/// The SQLite store's own durability settings; what survives a restart is checked over HTTP
/// in AWSConnectionsHTTPTests.
@Suite("SQLite persistence")
struct PersistenceTests {
    @Test("the file is in WAL mode and fsyncs every commit by default; normal is the documented relaxation")
    func durabilitySettings() async throws {
        try await withWorld(.sqlite) { world in
        let sqlite = try #require(world.sqlite)
        let (mode, synchronous) = try await sqlite.store.pool.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(synchronous == 2)  // FULL

        let relaxed = try SQLiteStore(path: sqlite.directory.appendingPathComponent("relaxed.sqlite").path, durability: .normal)
        let relaxedSynchronous = try await relaxed.pool.write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
        #expect(relaxedSynchronous == 1)  // NORMAL
        }
    }
}
