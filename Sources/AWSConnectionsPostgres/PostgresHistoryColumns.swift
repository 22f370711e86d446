import AWSConnectionsCore
import PostgresNIO

/// The columns of the `connection_history` table besides the fields (`FieldColumn`), named
/// once for the statements that write history and for the read.
///
/// History is read off the hot path, so its rows are read by name.
enum HistoryColumn: String, CaseIterable {
    case connectionID = "connection_id"
    case version
    case accountID = "account_id"
    case changedAt = "changed_at"
    case keyID = "key_id"
    case change

    /// Every column, the fields last, in the order the writing statements give their values.
    static let list = allCases.map(\.rawValue).joined(separator: ", ") + ", " + FieldColumn.list
}

extension HistoryRecord {
    /// The record in a row that selects `HistoryColumn.list`, in any order.
    init(row: PostgresRow) throws {
        var cells = NamedCells(cells: row.makeRandomAccess())
        func value<T: PostgresDecodable>(_ column: String) throws -> T {
            try cells.cells.decode(T.self, column: column)
        }
        self.init(
            connectionID: ConnectionID(uncheckedRawValue: try value(HistoryColumn.connectionID.rawValue)),
            accountID: AccountID(try value(HistoryColumn.accountID.rawValue)),
            version: try value(HistoryColumn.version.rawValue),
            changedDate: Timestamp(millisecondsSinceEpoch: try value(HistoryColumn.changedAt.rawValue)),
            keyID: try (value(HistoryColumn.keyID.rawValue) as String?).map(KeyID.init),
            kind: try ChangeKind(stored: value(HistoryColumn.change.rawValue)),
            fields: try ConnectionFields(cells: &cells))
    }
}

/// A history row's field cells, read by name.
private struct NamedCells: FieldCells {
    let cells: PostgresRandomAccessRow

    func text(_ column: FieldColumn) throws -> String {
        try cells.decode(String.self, column: column.name)
    }

    func bool(_ column: FieldColumn) throws -> Bool {
        try cells.decode(Bool.self, column: column.name)
    }
}
