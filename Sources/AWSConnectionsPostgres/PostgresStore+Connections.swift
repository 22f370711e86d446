public import AWSConnectionsCore
import NIOCore
import PostgresNIO

extension PostgresStore: ConnectionStore, ConnectionJSONPages {
    public func appliedSchemaSteps() async throws -> [String] {
        let logger = self.logger
        return try await perform { connection in try await PostgresMigrations.applied(on: connection, logger: logger) }
    }

    public var knownSchemaSteps: [String] { Self.knownMigrations }

    public func create(_ connection: Connection, by key: KeyID, quota: Int, idempotency: IdempotentCreate?)
        async throws -> CreateOutcome
    {
        guard let idempotency else {
            let create = CreateConnections.Create(connection: connection, key: key, quota: quota)
            return try await accountCreates.submit(create, group: connection.accountID) { creates in
                try await self.createTogether(creates)
            }
        }
        let logger = self.logger
        let create = CreateConnection(connection: connection, key: key, quota: quota)
        let account = connection.accountID.rawValue
        return try await transaction { database in
            // A concurrent request with the same key waits here on the primary key until the
            // first commits, then claims nothing and reads the first one's record below. A
            // record past its retention that the purge has not removed yet is taken over.
            let claimed = try await database.query(
                """
                INSERT INTO idempotency_keys (account_id, key, fingerprint, connection_id, response, created_at)
                VALUES (\(account), \(idempotency.key), \(ByteBuffer(bytes: idempotency.fingerprint)),
                    \(connection.id.rawValue), \(ByteBuffer(bytes: idempotency.response)),
                    \(idempotency.now.millisecondsSinceEpoch))
                ON CONFLICT (account_id, key) DO UPDATE
                    SET fingerprint = EXCLUDED.fingerprint, connection_id = EXCLUDED.connection_id,
                        response = EXCLUDED.response, created_at = EXCLUDED.created_at
                    WHERE idempotency_keys.created_at < \(idempotency.expiryCutoff.millisecondsSinceEpoch)
                RETURNING 1
                """, logger: logger)
            var inserted = false
            for try await _ in claimed { inserted = true }
            if inserted {
                for try await _ in try await database.execute(create, logger: logger) { return .created(connection) }
                // Full: the key must not stay recorded for a connection that was never made.
                for try await _ in try await database.query(
                    "DELETE FROM idempotency_keys WHERE account_id = \(account) AND key = \(idempotency.key)",
                    logger: logger) {}
                return .quotaExceeded(limit: quota)
            }
            let rows = try await database.query(
                """
                SELECT fingerprint, connection_id, response FROM idempotency_keys
                WHERE account_id = \(account) AND key = \(idempotency.key)
                """, logger: logger)
            for try await (fingerprint, id, response) in rows.decode((ByteBuffer, String, ByteBuffer).self) {
                guard Array(buffer: fingerprint) == idempotency.fingerprint else { return .keyReused }
                return .replayed(connectionID: ConnectionID(uncheckedRawValue: id), response: Array(buffer: response))
            }
            throw StoreError.unavailable("idempotency record vanished; retry")
        }
    }

    public func list(account: AccountID, query: ConnectionListQuery) async throws -> [Connection] {
        if query == .all {
            return try await connections(ConnectionsOfAccount(account: account))
        }
        if let after = query.after {
            return try await connections(PageOfAccountAfter(account: account, after: after, query: query))
        }
        return try await connections(FirstPageOfAccount(account: account, query: query))
    }

    public func jsonPage(account: AccountID, query: ConnectionListQuery, limit: Int) async throws -> ConnectionJSONPage {
        try await perform { database in
            let rows =
                if let after = query.after {
                    try await database.execute(
                        JSONPageOfAccountAfter(account: account, after: after, query: query, limit: limit), logger: self.logger)
                } else {
                    try await database.execute(
                        FirstJSONPageOfAccount(account: account, query: query, limit: limit), logger: self.logger)
                }
            for try await row in rows {
                return ConnectionJSONPage(row: row, limit: limit)
            }
            throw StoreError.failed("the list's page answered no row")
        }
    }

    /// Creates of one account that arrived together (`accountCreates`): one statement
    /// when they all fit in the quota, else one at a time, each answered as if alone.
    private func createTogether(_ creates: [CreateConnections.Create]) async throws
        -> [Result<CreateOutcome, any Error>]
    {
        let logger = self.logger
        if creates.count > 1 {
            let created = try await perform { database in
                var created: Int64 = 0
                for try await count in try await database.execute(CreateConnections(creates: creates), logger: logger) {
                    created = count
                }
                return created
            }
            if created == creates.count {
                return creates.map { .success(.created($0.connection)) }
            }
        }
        var outcomes: [Result<CreateOutcome, any Error>] = []
        for create in creates {
            let statement = CreateConnection(connection: create.connection, key: create.key, quota: create.quota)
            do {
                outcomes.append(
                    .success(
                        try await perform { database in
                            for try await _ in try await database.execute(statement, logger: logger) {
                                return .created(create.connection)
                            }
                            return .quotaExceeded(limit: create.quota)
                        }))
            } catch {
                outcomes.append(.failure(error))
            }
        }
        return outcomes
    }

    /// Runs one of the list statements and collects its rows.
    private func connections<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Connection]
    where Statement.Row == Connection {
        try await perform { database in
            var connections: [Connection] = []
            for try await connection in try await database.execute(statement, logger: self.logger) {
                connections.append(connection)
            }
            return connections
        }
    }

    public func get(id: ConnectionID) async throws -> Connection? {
        try await connectionReads.submit(id, group: .all) { ids in
            var byID: [ConnectionID: Connection] = [:]
            for connection in try await self.connections(ids: Array(Set(ids))) {
                byID[connection.id] = connection
            }
            return ids.map { .success(byID[$0]) }
        }
    }

    /// The connections with these ids (each at most once), in any order.
    private func connections(ids: [ConnectionID]) async throws -> [Connection] {
        guard ids.count == 1 else { return try await connections(ConnectionsByIDs(ids: ids)) }
        return try await connections(ConnectionByID(id: ids[0]))
    }

    public func update(
        id: ConnectionID, account: AccountID, changes: ConnectionChanges, by key: KeyID, at now: Timestamp
    ) async throws -> UpdateOutcome {
        let update = UpdateConnections.Update(id: id, account: account, changes: changes, key: key, now: now)
        guard changes.roleARN == nil else {
            return try await transaction { database in try await self.apply(update, on: database) }
        }
        // Without a role there is nothing to forget: one statement, no transaction's round
        // trips, shared with the updates that arrive meanwhile. The batch's runner serves other
        // callers' updates too, so it reads only its argument.
        return try await connectionUpdates.submit(update, group: .all) { updates in
            guard updates.count > 1 else {
                return [.success(try await self.perform(writing: true) { database in try await self.apply(updates[0], on: database) })]
            }
            return try await self.updateTogether(updates)
        }
    }

    /// One update as a compare-and-write with its history, in one statement.
    private func apply(_ update: UpdateConnections.Update, on database: PostgresConnection) async throws -> UpdateOutcome {
        let statement = UpdateConnection(
            id: update.id, account: update.account, changes: update.changes, key: update.key, now: update.now)
        var updated: Connection?
        for try await connection in try await database.execute(statement, logger: logger) { updated = connection }
        if let updated {
            if update.changes.roleARN != nil {
                // A statement after the write rather than a part of it: a save that took
                // the connection's row lock first commits before the write goes on, and
                // only a snapshot newer than the write's sees that save's row. A kept
                // verification is always of the role the connection named when it was
                // kept (the save holds the row), so one of another role means this
                // update changed the role.
                try await database.query(
                    """
                    DELETE FROM connection_verifications
                    WHERE connection_id = \(updated.id.rawValue) AND role_arn <> \(updated.roleARN)
                    """, logger: logger)
            }
            return .updated(updated)
        }
        // Nothing was written. A fresh statement sees at least the state that made the
        // write miss (versions only grow, owners never change), so it explains the miss.
        let stored = try await Self.ownerAndVersion(database, id: update.id, logger: logger)
        return UpdateOutcome(WriteMiss(stored: stored, account: update.account))
    }

    /// Updates without a role change that arrived together, in one statement; each that
    /// missed is explained as alone (a fresh read of its owner and version).
    private func updateTogether(_ updates: [UpdateConnections.Update]) async throws -> [Result<UpdateOutcome, any Error>] {
        let logger = self.logger
        return try await perform(writing: true) { database in
            var outcomes = [UpdateOutcome?](repeating: nil, count: updates.count)
            for try await (connection, n) in try await database.execute(UpdateConnections(updates: updates), logger: logger)
            where outcomes.indices.contains(n) {
                outcomes[n] = .updated(connection)
            }
            var results: [Result<UpdateOutcome, any Error>] = []
            for (update, outcome) in zip(updates, outcomes) {
                if let outcome {
                    results.append(.success(outcome))
                } else {
                    let stored = try await Self.ownerAndVersion(database, id: update.id, logger: logger)
                    results.append(.success(UpdateOutcome(WriteMiss(stored: stored, account: update.account))))
                }
            }
            return results
        }
    }

    public func delete(
        id: ConnectionID, account: AccountID, expectedVersion: Int64?, by key: KeyID, at now: Timestamp
    ) async throws -> DeleteOutcome {
        try await perform(writing: true) { database in
            // The compare (account and, if asked, version), the delete and its history are
            // one statement.
            let statement = DeleteConnection(
                id: id, account: account, expectedVersion: expectedVersion, key: key, now: now)
            for try await _ in try await database.execute(statement, logger: self.logger) { return .deleted }
            let stored = try await Self.ownerAndVersion(database, id: id, logger: self.logger)
            return DeleteOutcome(WriteMiss(stored: stored, account: account))
        }
    }

    public func history(id: ConnectionID, after: Int64?, limit: Int) async throws -> HistoryPage {
        // The record a page follows (part 0), the page (1) and the newest record (2), each an
        // index scan on the primary key (connection_id, version). Versions start at 1, so
        // after 0 is the first page.
        let id = id.rawValue
        let after = after ?? 0
        let query: PostgresQuery = """
            SELECT 0::int8 AS part, \(unescaped: HistoryColumn.list) FROM connection_history
            WHERE connection_id = \(id) AND version = \(after)
            UNION ALL
            SELECT * FROM (
                SELECT 1::int8 AS part, \(unescaped: HistoryColumn.list) FROM connection_history
                WHERE connection_id = \(id) AND version > \(after) ORDER BY version LIMIT \(Int64(limit))) AS page
            UNION ALL
            SELECT * FROM (
                SELECT 2::int8 AS part, \(unescaped: HistoryColumn.list) FROM connection_history
                WHERE connection_id = \(id) ORDER BY version DESC LIMIT 1) AS latest
            ORDER BY part, version
            """
        return try await perform { database in
            var page = HistoryPage()
            for try await row in try await database.query(query, logger: self.logger) {
                let record = try HistoryRecord(row: row)
                switch try row.makeRandomAccess().decode(Int64.self, column: "part") {
                case 0: page.previous = record
                case 1: page.records.append(record)
                default: page.latest = record
                }
            }
            return page
        }
    }

    public func trimHistory(_ cap: HistoryCap, keptSince: Timestamp) async throws -> Int {
        // Connections in id order, a chunk of them per statement: each statement reads only
        // its connections' old history (through the history's primary key), so none runs into
        // the statement timeout and none re-reads what an earlier one trimmed.
        var total = 0
        var after = ""
        while true {
            // Between chunks, so that a shutdown does not wait for a large backlog. Not
            // `try Task.checkCancellation()`: in this loop it crashed Swift 6.3's optimizer
            // (signal 11 splitting the async function) in release builds.
            if Task.isCancelled { throw CancellationError() }
            let query: PostgresQuery = """
                WITH chunk AS (
                    SELECT id, version FROM connections WHERE id > \(after) ORDER BY id LIMIT \(Int64(Self.trimChunk))),
                trimmed AS (
                    DELETE FROM connection_history h USING chunk c
                    WHERE h.connection_id = c.id AND h.version <= c.version - \(Int64(cap.keepVersions))
                        AND h.changed_at < \(keptSince.millisecondsSinceEpoch)
                    RETURNING 1)
                SELECT (SELECT count(*) FROM trimmed), (SELECT max(id) FROM chunk)
                """
            let (removed, last) = try await perform(writing: true) { database in
                var result: (Int64, String?) = (0, nil)
                for try await row in try await database.query(query, logger: self.logger).decode((Int64, String?).self) {
                    result = row
                }
                return result
            }
            total += Int(removed)
            guard let last else { return total }
            after = last
        }
    }

    /// Connections whose history one statement of the trim goes through.
    static let trimChunk = 200

    public func purge(deletedBefore: Timestamp, idempotencyKeysBefore: Timestamp) async throws {
        // In chunks, each its own statement, so a large backlog never runs into the
        // statement timeout and each pass makes progress.
        let deletedHistory: PostgresQuery = """
            WITH purged AS (
                DELETE FROM connection_history WHERE connection_id IN (
                    SELECT connection_id FROM connection_history
                    WHERE change = 'deleted' AND changed_at < \(deletedBefore.millisecondsSinceEpoch)
                    LIMIT \(Int64(Self.purgeChunk)))
                RETURNING 1)
            SELECT count(*) FROM purged
            """
        let oldKeys: PostgresQuery = """
            WITH purged AS (
                DELETE FROM idempotency_keys WHERE (account_id, key) IN (
                    SELECT account_id, key FROM idempotency_keys
                    WHERE created_at < \(idempotencyKeysBefore.millisecondsSinceEpoch)
                    LIMIT \(Int64(Self.purgeChunk)))
                RETURNING 1)
            SELECT count(*) FROM purged
            """
        for query in [deletedHistory, oldKeys] {
            while try await perform(writing: true, { database in
                var removed: Int64 = 0
                for try await count in try await database.query(query, logger: self.logger).decode(Int64.self) {
                    removed = count
                }
                return removed
            }) > 0 {}
        }
    }

    /// Rows the purge removes per statement.
    static let purgeChunk = 1000

    /// The owner and version of a connection, read after a conditional write touched no row.
    private static func ownerAndVersion(_ database: PostgresConnection, id: ConnectionID, logger: Logger)
        async throws -> (owner: AccountID, version: Int64)?
    {
        let rows = try await database.query(
            "SELECT account_id, version FROM connections WHERE id = \(id.rawValue)", logger: logger)
        for try await (owner, version) in rows.decode((Int64, Int64).self) { return (AccountID(owner), version) }
        return nil
    }
}
