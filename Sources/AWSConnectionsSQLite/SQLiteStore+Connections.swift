public import AWSConnectionsCore
import GRDB

extension SQLiteStore: ConnectionStore {
    static let connectionColumns =
        "id, account_id, name, description, aws_account_id, aws_region, enabled, created_at, updated_at, version"

    public func create(_ connection: Connection) async throws -> Connection {
        try await write { db in
            try db.cachedStatement(
                sql: """
                    INSERT INTO connections (\(Self.connectionColumns))
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                connection.id.rawValue, connection.accountID.rawValue, connection.name, connection.description,
                connection.awsAccountID, connection.awsRegion, connection.enabled,
                connection.createdDate.millisecondsSinceEpoch, connection.updatedDate.millisecondsSinceEpoch,
                connection.version,
            ])
            return connection
        }
    }

    public func list(account: AccountID) async throws -> [Connection] {
        try reader.query(
            "SELECT \(Self.connectionColumns) FROM connections WHERE account_id = ? ORDER BY created_at, id",
            [.integer(account.rawValue)], row: Self.connection(from:))
    }

    public func get(id: ConnectionID) async throws -> Connection? {
        try reader.queryOne(
            "SELECT \(Self.connectionColumns) FROM connections WHERE id = ?", [.text(id.rawValue)],
            row: Self.connection(from:))
    }

    public func update(id: ConnectionID, account: AccountID, changes: ConnectionChanges, at now: Timestamp)
        async throws -> UpdateOutcome
    {
        try await write { db in
            // The compare (account and version) and the write are one statement.
            let statement = try db.cachedStatement(
                sql: """
                    UPDATE connections
                    SET name = ?, description = COALESCE(?, description), enabled = COALESCE(?, enabled),
                        updated_at = ?, version = version + 1
                    WHERE id = ? AND account_id = ? AND version = ?
                    RETURNING \(Self.connectionColumns)
                    """)
            let arguments: StatementArguments = [
                changes.name, changes.description, changes.enabled, now.millisecondsSinceEpoch,
                id.rawValue, account.rawValue, changes.expectedVersion,
            ]
            if let row = try Row.fetchOne(statement, arguments: arguments) {
                return .updated(Self.connection(from: row))
            }
            // Nothing was written; read why, inside the same transaction, to pick the error.
            return try Self.explainMiss(db, id: id, account: account) { .versionConflict(currentVersion: $0) }
                ?? .notFound
        }
    }

    public func delete(id: ConnectionID, account: AccountID) async throws -> DeleteOutcome {
        try await write { db in
            let statement = try db.cachedStatement(
                sql: "DELETE FROM connections WHERE id = ? AND account_id = ? RETURNING id")
            if try String.fetchOne(statement, arguments: [id.rawValue, account.rawValue]) != nil {
                return .deleted
            }
            // An own row would have been deleted above, so a hit here is always another account's.
            return try Self.explainMiss(db, id: id, account: account) { _ in .notFound } ?? .notFound
        }
    }

    /// After a conditional write touched no row: nil when the connection does not exist,
    /// `.forbidden` when another account owns it, else `ownMiss(currentVersion)`.
    private static func explainMiss<Outcome: ForbiddenRepresentable>(
        _ db: Database, id: ConnectionID, account: AccountID, ownMiss: (Int64) -> Outcome
    ) throws -> Outcome? {
        let statement = try db.cachedStatement(sql: "SELECT account_id, version FROM connections WHERE id = ?")
        guard let row = try Row.fetchOne(statement, arguments: [id.rawValue]) else { return nil }
        let owner: Int64 = row[0]
        return owner == account.rawValue ? ownMiss(row[1]) : .forbidden
    }

    static func connection(from row: SQLiteRow) -> Connection {
        Connection(
            id: ConnectionID(uncheckedRawValue: row.text(0)),
            accountID: AccountID(row.int64(1)),
            name: row.text(2),
            description: row.text(3),
            awsAccountID: row.text(4),
            awsRegion: row.text(5),
            enabled: row.bool(6),
            createdDate: Timestamp(millisecondsSinceEpoch: row.int64(7)),
            updatedDate: Timestamp(millisecondsSinceEpoch: row.int64(8)),
            version: row.int64(9)
        )
    }

    static func connection(from row: Row) -> Connection {
        Connection(
            id: ConnectionID(uncheckedRawValue: row[0]),
            accountID: AccountID(row[1]),
            name: row[2],
            description: row[3],
            awsAccountID: row[4],
            awsRegion: row[5],
            enabled: row[6],
            createdDate: Timestamp(millisecondsSinceEpoch: row[7]),
            updatedDate: Timestamp(millisecondsSinceEpoch: row[8]),
            version: row[9]
        )
    }
}

/// Outcomes that have a "belongs to another account" case.
protocol ForbiddenRepresentable {
    static var forbidden: Self { get }
}

extension UpdateOutcome: ForbiddenRepresentable {}
extension DeleteOutcome: ForbiddenRepresentable {}
