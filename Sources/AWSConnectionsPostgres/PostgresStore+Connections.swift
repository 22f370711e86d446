public import AWSConnectionsCore
import PostgresNIO

extension PostgresStore: ConnectionStore {
    /// The columns every connection read returns, in `ConnectionRow`'s order.
    static let connectionColumns =
        "id, account_id, name, description, aws_account_id, aws_region, enabled, created_at, updated_at, version"

    typealias ConnectionRow = (String, Int64, String, String, String, String, Bool, Int64, Int64, Int64)

    public func create(_ connection: Connection) async throws -> Connection {
        try await perform { client in
            try await client.query(
                """
                INSERT INTO connections (
                    id, account_id, name, description, aws_account_id, aws_region, enabled, created_at, updated_at, version)
                VALUES (\(connection.id.rawValue), \(connection.accountID.rawValue), \(connection.name),
                    \(connection.description), \(connection.awsAccountID), \(connection.awsRegion), \(connection.enabled),
                    \(connection.createdDate.millisecondsSinceEpoch), \(connection.updatedDate.millisecondsSinceEpoch),
                    \(connection.version))
                """)
            return connection
        }
    }

    public func list(account: AccountID) async throws -> [Connection] {
        try await perform { client in
            let rows = try await client.query(
                """
                SELECT \(unescaped: Self.connectionColumns) FROM connections
                WHERE account_id = \(account.rawValue) ORDER BY created_at, id
                """)
            var connections: [Connection] = []
            for try await row in rows.decode(ConnectionRow.self) { connections.append(Self.connection(from: row)) }
            return connections
        }
    }

    public func get(id: ConnectionID) async throws -> Connection? {
        try await perform { client in
            let rows = try await client.query(
                "SELECT \(unescaped: Self.connectionColumns) FROM connections WHERE id = \(id.rawValue)")
            for try await row in rows.decode(ConnectionRow.self) { return Self.connection(from: row) }
            return nil
        }
    }

    public func update(id: ConnectionID, account: AccountID, changes: ConnectionChanges, at now: Timestamp)
        async throws -> UpdateOutcome
    {
        try await perform { client in
            try await client.withConnection { connection in
                // The compare (account and version) and the write are one statement.
                let rows = try await connection.query(
                    """
                    UPDATE connections
                    SET name = \(changes.name), description = COALESCE(\(changes.description), description),
                        enabled = COALESCE(\(changes.enabled), enabled),
                        updated_at = GREATEST(\(now.millisecondsSinceEpoch), updated_at), version = version + 1
                    WHERE id = \(id.rawValue) AND account_id = \(account.rawValue)
                        AND version = \(changes.expectedVersion)
                    RETURNING \(unescaped: Self.connectionColumns)
                    """, logger: self.logger)
                for try await row in rows.decode(ConnectionRow.self) { return .updated(Self.connection(from: row)) }
                // Nothing was written. A fresh statement sees at least the state that made the
                // write miss (versions only grow, owners never change), so it explains the miss.
                guard let stored = try await Self.ownerAndVersion(connection, id: id, logger: self.logger) else {
                    return .notFound
                }
                return stored.owner == account.rawValue
                    ? .versionConflict(currentVersion: stored.version) : .forbidden
            }
        }
    }

    public func delete(id: ConnectionID, account: AccountID) async throws -> DeleteOutcome {
        try await perform { client in
            try await client.withConnection { connection in
                let rows = try await connection.query(
                    "DELETE FROM connections WHERE id = \(id.rawValue) AND account_id = \(account.rawValue) RETURNING id",
                    logger: self.logger)
                for try await _ in rows { return .deleted }
                // An own row would have been deleted above, so a row still here is another account's.
                return try await Self.ownerAndVersion(connection, id: id, logger: self.logger) == nil
                    ? .notFound : .forbidden
            }
        }
    }

    private static func ownerAndVersion(_ connection: PostgresConnection, id: ConnectionID, logger: Logger)
        async throws -> (owner: Int64, version: Int64)?
    {
        let rows = try await connection.query(
            "SELECT account_id, version FROM connections WHERE id = \(id.rawValue)", logger: logger)
        for try await (owner, version) in rows.decode((Int64, Int64).self) { return (owner, version) }
        return nil
    }

    static func connection(from row: ConnectionRow) -> Connection {
        Connection(
            id: ConnectionID(uncheckedRawValue: row.0),
            accountID: AccountID(row.1),
            name: row.2,
            description: row.3,
            awsAccountID: row.4,
            awsRegion: row.5,
            enabled: row.6,
            createdDate: Timestamp(millisecondsSinceEpoch: row.7),
            updatedDate: Timestamp(millisecondsSinceEpoch: row.8),
            version: row.9
        )
    }
}
