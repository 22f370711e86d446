import AWSConnectionsCore
import GRDB

/// The columns of the `connections` table, named once for every statement that selects,
/// returns or inserts a whole connection.
///
/// A case's raw value is its position in those statements' rows, so the hot paths read by
/// position (a name lookup per cell would cost more than the query) and still cannot
/// disagree with the SQL about the order.
enum ConnectionColumn: Int32, CaseIterable {
    case id, accountID, name, description, awsAccountID, awsRegion, enabled, createdAt, updatedAt, version

    /// The column's name in SQL.
    var name: String {
        switch self {
        case .id: "id"
        case .accountID: "account_id"
        case .name: "name"
        case .description: "description"
        case .awsAccountID: "aws_account_id"
        case .awsRegion: "aws_region"
        case .enabled: "enabled"
        case .createdAt: "created_at"
        case .updatedAt: "updated_at"
        case .version: "version"
        }
    }

    /// Every column, in position order, for `SELECT` and `RETURNING`.
    static let list = allCases.map(\.name).joined(separator: ", ")

    /// Inserts one connection; its arguments are `arguments(for:)`.
    static let insert =
        "INSERT INTO connections (\(list)) VALUES (\(allCases.map { _ in "?" }.joined(separator: ", ")))"

    /// The values of `connection` for `insert`, in position order.
    static func arguments(for connection: Connection) -> StatementArguments {
        StatementArguments(allCases.map { $0.value(in: connection) })
    }

    private func value(in connection: Connection) -> (any DatabaseValueConvertible)? {
        switch self {
        case .id: return connection.id.rawValue
        case .accountID: return connection.accountID.rawValue
        case .name: return connection.name
        case .description: return connection.description
        case .awsAccountID: return connection.awsAccountID
        case .awsRegion: return connection.awsRegion
        case .enabled: return connection.enabled
        case .createdAt: return connection.createdDate.millisecondsSinceEpoch
        case .updatedAt: return connection.updatedDate.millisecondsSinceEpoch
        case .version: return connection.version
        }
    }
}

extension PositionalRow {
    func int64(_ column: ConnectionColumn) -> Int64 { int64(column.rawValue) }
    func bool(_ column: ConnectionColumn) -> Bool { bool(column.rawValue) }
    func text(_ column: ConnectionColumn) -> String { text(column.rawValue) }
}

extension Connection {
    /// The connection in a row of `ConnectionColumn.list`, from the hot-path reader or from GRDB.
    init(row: some PositionalRow) {
        self.init(
            id: ConnectionID(uncheckedRawValue: row.text(.id)),
            accountID: AccountID(row.int64(.accountID)),
            name: row.text(.name),
            description: row.text(.description),
            awsAccountID: row.text(.awsAccountID),
            awsRegion: row.text(.awsRegion),
            enabled: row.bool(.enabled),
            createdDate: Timestamp(millisecondsSinceEpoch: row.int64(.createdAt)),
            updatedDate: Timestamp(millisecondsSinceEpoch: row.int64(.updatedAt)),
            version: row.int64(.version)
        )
    }
}
