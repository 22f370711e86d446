import AWSConnectionsCore
import GRDB

/// The columns of the `connection_history` table besides the fields (`FieldColumn`), named
/// once for the insert and the read.
///
/// History is read off the hot path, so rows are read by name: the statements may list the
/// columns in any order.
enum HistoryColumn: String, CaseIterable, ColumnExpression {
    case connectionID = "connection_id"
    case version
    case accountID = "account_id"
    case changedAt = "changed_at"
    case keyID = "key_id"
    case change

    /// Every column, the fields last, for `SELECT` and `INSERT`.
    static let list = allCases.map(\.rawValue).joined(separator: ", ") + ", " + FieldColumn.list

    /// Inserts one record; its arguments are `arguments(for:)`.
    static let insert =
        "INSERT INTO connection_history (\(list)) VALUES (\(Array(repeating: "?", count: allCases.count + FieldColumn.allCases.count).joined(separator: ", ")))"

    /// The values of `record` for `insert`, in `list` order.
    static func arguments(for record: HistoryRecord) -> StatementArguments {
        StatementArguments(allCases.map { $0.value(in: record) } + FieldColumn.allCases.map { $0.value(in: record.fields) })
    }

    private func value(in record: HistoryRecord) -> (any DatabaseValueConvertible)? {
        switch self {
        case .connectionID: return record.connectionID.rawValue
        case .version: return record.version
        case .accountID: return record.accountID.rawValue
        case .changedAt: return record.changedDate.millisecondsSinceEpoch
        case .keyID: return record.keyID?.rawValue
        case .change: return record.kind.rawValue
        }
    }
}

extension HistoryRecord {
    /// The record in a row that selects `HistoryColumn.list`, in any order.
    init(row: Row) throws {
        self.init(
            connectionID: ConnectionID(uncheckedRawValue: row[HistoryColumn.connectionID]),
            accountID: AccountID(row[HistoryColumn.accountID]),
            version: row[HistoryColumn.version],
            changedDate: Timestamp(millisecondsSinceEpoch: row[HistoryColumn.changedAt]),
            keyID: (row[HistoryColumn.keyID] as String?).map(KeyID.init),
            kind: try ChangeKind(stored: row[HistoryColumn.change]),
            fields: ConnectionFields(text: { row[$0.name] }, bool: { row[$0.name] }))
    }
}
