public import AWSConnectionsCore
import NIOCore
import PostgresNIO

extension PostgresStore: ConnectionStore {
    public func create(_ connection: Connection) async throws -> Connection {
        try await perform { database in
            for try await _ in try await database.execute(InsertConnection(connection: connection), logger: self.logger) {}
            return connection
        }
    }

    public func create(_ connection: Connection, idempotency: IdempotentCreate) async throws -> CreateOutcome {
        let logger = self.logger
        let account = connection.accountID.rawValue
        return try await transaction { database in
            _ = try await database.query(
                """
                DELETE FROM idempotency_keys
                WHERE account_id = \(account) AND created_at < \(idempotency.expiryCutoff.millisecondsSinceEpoch)
                """, logger: logger)
            // A concurrent request with the same key waits here on the primary key until the
            // first commits, then inserts nothing and reads the first one's record below.
            let claimed = try await database.query(
                """
                INSERT INTO idempotency_keys (account_id, key, fingerprint, connection_id, response, created_at)
                VALUES (\(account), \(idempotency.key), \(ByteBuffer(bytes: idempotency.fingerprint)),
                    \(connection.id.rawValue), \(ByteBuffer(bytes: idempotency.response)),
                    \(idempotency.now.millisecondsSinceEpoch))
                ON CONFLICT (account_id, key) DO NOTHING RETURNING 1
                """, logger: logger)
            var inserted = false
            for try await _ in claimed { inserted = true }
            if inserted {
                for try await _ in try await database.execute(InsertConnection(connection: connection), logger: logger) {}
                return .created(connection)
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
        try await perform { database in
            var connections: [Connection] = []
            if query == .all {
                for try await row in try await database.execute(ConnectionsOfAccount(account: account), logger: self.logger) {
                    connections.append(Connection(row))
                }
                return connections
            }
            for try await row in try await database.execute(FilteredConnectionsOfAccount(account: account, query: query), logger: self.logger) {
                connections.append(Connection(row))
            }
            return connections
        }
    }

    public func get(id: ConnectionID) async throws -> Connection? {
        try await perform { database in
            for try await row in try await database.execute(ConnectionByID(id: id), logger: self.logger) {
                return Connection(row)
            }
            return nil
        }
    }

    public func update(id: ConnectionID, account: AccountID, changes: ConnectionChanges, at now: Timestamp)
        async throws -> UpdateOutcome
    {
        try await perform { database in
            // The compare (account and version) and the write are one statement.
            let statement = UpdateConnection(id: id, account: account, changes: changes, now: now)
            for try await row in try await database.execute(statement, logger: self.logger) {
                return .updated(Connection(row))
            }
            // Nothing was written. A fresh statement sees at least the state that made the
            // write miss (versions only grow, owners never change), so it explains the miss.
            guard let stored = try await Self.ownerAndVersion(database, id: id, logger: self.logger) else {
                return .notFound
            }
            return stored.owner == account.rawValue ? .versionConflict(currentVersion: stored.version) : .forbidden
        }
    }

    public func delete(id: ConnectionID, account: AccountID, expectedVersion: Int64?) async throws -> DeleteOutcome {
        try await perform { database in
            // The compare (account and, if asked, version) and the delete are one statement.
            let rows = try await database.query(
                """
                DELETE FROM connections WHERE id = \(id.rawValue) AND account_id = \(account.rawValue)
                    AND (\(expectedVersion)::bigint IS NULL OR version = \(expectedVersion))
                RETURNING id
                """, logger: self.logger)
            for try await _ in rows { return .deleted }
            guard let stored = try await Self.ownerAndVersion(database, id: id, logger: self.logger) else {
                return .notFound
            }
            return stored.owner == account.rawValue ? .versionConflict(currentVersion: stored.version) : .forbidden
        }
    }

    private static func ownerAndVersion(_ database: PostgresConnection, id: ConnectionID, logger: Logger)
        async throws -> (owner: Int64, version: Int64)?
    {
        let rows = try await database.query(
            "SELECT account_id, version FROM connections WHERE id = \(id.rawValue)", logger: logger)
        for try await (owner, version) in rows.decode((Int64, Int64).self) { return (owner, version) }
        return nil
    }
}
