public import AWSConnectionsCore
import Foundation
import GRDB

extension SQLiteStore: ConnectionStore {
    public func appliedSchemaSteps() async throws -> [String] {
        try appliedMigrations()
    }

    public var knownSchemaSteps: [String] { Self.knownMigrations }

    public func create(_ connection: Connection, by key: KeyID, quota: Int, idempotency: IdempotentCreate?)
        async throws -> CreateOutcome
    {
        try await write { db in
            // Inside the writer's transaction: the key check, the quota, the insert and the
            // records are atomic.
            if let idempotency, let recorded = try Self.recordedRequest(db, account: connection.accountID, idempotency) {
                return recorded
            }
            let claimed = try db.cachedStatement(
                sql: "UPDATE accounts SET connection_count = connection_count + 1 WHERE id = ? AND connection_count < ?")
            try claimed.execute(arguments: [connection.accountID.rawValue, quota])
            guard db.changesCount == 1 else { return .quotaExceeded(limit: quota) }
            try Self.insert(connection, into: db)
            try Self.insert(HistoryRecord(.created, of: connection, by: key, at: connection.createdDate), into: db)
            if let idempotency {
                // REPLACE: a record of the same key past its retention may not be purged yet.
                try db.cachedStatement(
                    sql: """
                        INSERT OR REPLACE INTO idempotency_keys
                            (account_id, key, fingerprint, connection_id, response, created_at)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """
                ).execute(arguments: [
                    connection.accountID.rawValue, idempotency.key, Data(idempotency.fingerprint),
                    connection.id.rawValue, Data(idempotency.response), idempotency.now.millisecondsSinceEpoch,
                ])
            }
            return .created(connection)
        }
    }

    /// The outcome for a key already recorded within its retention, or nil.
    private static func recordedRequest(_ db: Database, account: AccountID, _ idempotency: IdempotentCreate)
        throws -> CreateOutcome?
    {
        let statement = try db.cachedStatement(
            sql: """
                SELECT fingerprint, connection_id, response FROM idempotency_keys
                WHERE account_id = ? AND key = ? AND created_at >= ?
                """)
        let arguments: StatementArguments = [
            account.rawValue, idempotency.key, idempotency.expiryCutoff.millisecondsSinceEpoch,
        ]
        guard let row = try Row.fetchOne(statement, arguments: arguments) else { return nil }
        let fingerprint: Data = row[0]
        let response: Data = row[2]
        guard Array(fingerprint) == idempotency.fingerprint else { return .keyReused }
        return .replayed(connectionID: ConnectionID(uncheckedRawValue: row[1]), response: Array(response))
    }

    public func list(account: AccountID, query: ConnectionListQuery) async throws -> [Connection] {
        // Only the conditions asked for, so each shape is its own cached statement and the
        // (account_id, created_at, id) index serves the order and the position.
        var sql = "SELECT \(ConnectionColumns.list) FROM connections WHERE account_id = ?"
        var arguments: [SQLiteValue] = [.integer(account.rawValue)]
        if let after = query.after {
            sql += " AND (created_at, id) > (?, ?)"
            arguments += [.integer(after.createdDate.millisecondsSinceEpoch), .text(after.id.rawValue)]
        }
        if let enabled = query.enabled {
            sql += " AND enabled = ?"
            arguments.append(.integer(enabled ? 1 : 0))
        }
        if let name = query.name {
            sql += " AND name = ?"
            arguments.append(.text(name))
        }
        sql += " ORDER BY created_at, id"
        if let limit = query.limit {
            sql += " LIMIT ?"
            arguments.append(.integer(Int64(limit)))
        }
        return try await reader.queryOffLoop(sql, arguments) { Connection(row: $0) }
    }

    public func get(id: ConnectionID) async throws -> Connection? {
        try reader.queryOne("SELECT \(ConnectionColumns.list) FROM connections WHERE id = ?", [.text(id.rawValue)]) {
            Connection(row: $0)
        }
    }

    public func update(
        id: ConnectionID, account: AccountID, changes: ConnectionChanges, by key: KeyID, at now: Timestamp
    ) async throws -> UpdateOutcome
    {
        try await write { db in
            // The compare (account and version) and the write are one statement.
            let statement = try db.cachedStatement(
                sql: """
                    UPDATE connections
                    SET name = ?, description = COALESCE(?, description), role_arn = COALESCE(?, role_arn),
                        enabled = COALESCE(?, enabled), updated_at = max(?, updated_at), version = version + 1
                    WHERE id = ? AND account_id = ? AND version = ?
                    RETURNING \(ConnectionColumns.list)
                    """)
            let arguments: StatementArguments = [
                changes.name, changes.description, changes.roleARN?.description, changes.enabled,
                now.millisecondsSinceEpoch, id.rawValue, account.rawValue, changes.expectedVersion,
            ]
            if let row = try Row.fetchOne(statement, arguments: arguments) {
                let updated = Connection(row: row)
                try Self.insert(HistoryRecord(.updated, of: updated, by: key, at: updated.updatedDate), into: db)
                if changes.roleARN != nil {
                    // A kept verification is always of the role the connection named when it
                    // was kept, so one of another role means this update changed the role.
                    try db.cachedStatement(
                        sql: "DELETE FROM connection_verifications WHERE connection_id = ? AND role_arn <> ?"
                    ).execute(arguments: [updated.id.rawValue, updated.roleARN])
                }
                return .updated(updated)
            }
            // Nothing was written; read why, inside the same transaction, to pick the error.
            return UpdateOutcome(WriteMiss(stored: try Self.ownerAndVersion(db, id: id), account: account))
        }
    }

    public func delete(
        id: ConnectionID, account: AccountID, expectedVersion: Int64?, by key: KeyID, at now: Timestamp
    ) async throws -> DeleteOutcome {
        try await write { db in
            // The compare (account and, if asked, version) and the delete are one statement;
            // the connection's verification goes with it (ON DELETE CASCADE).
            let statement = try db.cachedStatement(
                sql: """
                    DELETE FROM connections WHERE id = ?1 AND account_id = ?2 AND (?3 IS NULL OR version = ?3)
                    RETURNING \(ConnectionColumns.list)
                    """)
            if let row = try Row.fetchOne(statement, arguments: [id.rawValue, account.rawValue, expectedVersion]) {
                let deleted = Connection(row: row)
                try db.cachedStatement(sql: "UPDATE accounts SET connection_count = connection_count - 1 WHERE id = ?")
                    .execute(arguments: [account.rawValue])
                // Never dated before the change it follows, even if this clock is behind another's.
                let date = max(now, deleted.updatedDate)
                try Self.insert(HistoryRecord(.deleted, of: deleted, by: key, at: date), into: db)
                return .deleted
            }
            return DeleteOutcome(WriteMiss(stored: try Self.ownerAndVersion(db, id: id), account: account))
        }
    }

    public func history(id: ConnectionID, after: Int64?, limit: Int) async throws -> HistoryPage {
        // Through GRDB's reader pool, off the event loop, where rows are read by name.
        do {
            return try await pool.read { db in
                let statement = try db.cachedStatement(sql: Self.historyPage)
                var page = HistoryPage()
                for row in try Row.fetchAll(statement, arguments: [id.rawValue, after ?? 0, Int64(limit)]) {
                    let record = try HistoryRecord(row: row)
                    switch row["part"] as Int64 {
                    case 0: page.previous = record
                    case 1: page.records.append(record)
                    default: page.latest = record
                    }
                }
                return page
            }
        } catch {
            throw translate(error)
        }
    }

    /// The record a page follows (part 0), the page (1) and the newest record (2), each a
    /// seek on the primary key (connection_id, version). Versions start at 1, so after 0 is
    /// the first page.
    private static let historyPage = """
        SELECT 0 AS part, \(HistoryColumn.list) FROM connection_history WHERE connection_id = ?1 AND version = ?2
        UNION ALL
        SELECT * FROM (
            SELECT 1 AS part, \(HistoryColumn.list) FROM connection_history
            WHERE connection_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3)
        UNION ALL
        SELECT * FROM (
            SELECT 2 AS part, \(HistoryColumn.list) FROM connection_history
            WHERE connection_id = ?1 ORDER BY version DESC LIMIT 1)
        ORDER BY part, version
        """

    public func purge(deletedBefore: Timestamp, idempotencyKeysBefore: Timestamp) async throws {
        // In chunks, each its own write, so a large backlog never holds the writer long.
        let chunks = [
            (
                """
                DELETE FROM connection_history WHERE connection_id IN (
                    SELECT connection_id FROM connection_history
                    WHERE change = 'deleted' AND changed_at < ? LIMIT \(Self.purgeChunk))
                """, deletedBefore
            ),
            (
                """
                DELETE FROM idempotency_keys WHERE (account_id, key) IN (
                    SELECT account_id, key FROM idempotency_keys WHERE created_at < ? LIMIT \(Self.purgeChunk))
                """, idempotencyKeysBefore
            ),
        ]
        for (sql, cutoff) in chunks {
            while try await write({ db in
                try db.execute(sql: sql, arguments: [cutoff.millisecondsSinceEpoch])
                return db.changesCount
            }) > 0 {}
        }
    }

    public func trimHistory(_ cap: HistoryCap, keptSince: Timestamp) async throws -> Int {
        // Connections in id order, a chunk of them per write: each write reads only its
        // connections' old history (through the history's primary key), so none holds the
        // writer long and none re-reads what an earlier one trimmed.
        var total = 0
        var after = ""
        while true {
            // Between chunks, so that a shutdown does not wait for a large backlog. Not
            // `try Task.checkCancellation()`: in this loop it crashed Swift 6.3's optimizer
            // (signal 11 splitting the async function) in release builds.
            if Task.isCancelled { throw CancellationError() }
            let start = after
            let chunk = try await write { db in try Self.trimChunk(db, cap: cap, keptSince: keptSince, after: start) }
            total += chunk.removed
            guard let last = chunk.last else { return total }
            after = last
        }
    }

    /// One write of `trimHistory`: the connections after `after` in id order, up to
    /// `trimChunk` of them, trimmed; and the last of them, nil when none was left.
    ///
    /// A function of its own rather than inline in the loop: the Swift 6.3 optimizer crashed
    /// (signal 11, splitting the async function) on the loop with this closure inside it.
    private static func trimChunk(_ db: Database, cap: HistoryCap, keptSince: Timestamp, after: String) throws
        -> (removed: Int, last: String?)
    {
        let last = try String.fetchOne(
            db, sql: "SELECT max(id) FROM (SELECT id FROM connections WHERE id > ? ORDER BY id LIMIT \(trimChunkSize))",
            arguments: [after])
        guard let last else { return (0, nil) }
        try db.execute(
            sql: """
                DELETE FROM connection_history WHERE (connection_id, version) IN (
                    SELECT h.connection_id, h.version FROM connections c
                    JOIN connection_history h ON h.connection_id = c.id AND h.version <= c.version - ?
                    WHERE c.id > ? AND c.id <= ? AND h.changed_at < ?)
                """,
            arguments: [Int64(cap.keepVersions), after, last, keptSince.millisecondsSinceEpoch])
        return (db.changesCount, last)
    }

    /// Connections whose history one write of the trim goes through.
    static let trimChunkSize = 200

    /// Rows the purge removes per write.
    static let purgeChunk = 1000

    private static func insert(_ connection: Connection, into db: Database) throws {
        try db.cachedStatement(sql: ConnectionColumns.insert)
            .execute(arguments: ConnectionColumns.arguments(for: connection))
    }

    private static func insert(_ record: HistoryRecord, into db: Database) throws {
        try db.cachedStatement(sql: HistoryColumn.insert).execute(arguments: HistoryColumn.arguments(for: record))
    }

    /// The owner and version of a connection, read after a conditional write touched no row.
    private static func ownerAndVersion(_ db: Database, id: ConnectionID) throws
        -> (owner: AccountID, version: Int64)?
    {
        let statement = try db.cachedStatement(sql: "SELECT account_id, version FROM connections WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id.rawValue]).map { (AccountID($0[0]), $0[1]) }
    }
}
