import AWSConnectionsCore
import PostgresNIO

/// The columns of the `connection_history` table, named once for the statements that
/// write history and for the read.
///
/// History is read off the hot path, so its rows are read by name.
enum HistoryColumn: String, CaseIterable {
    case connectionID = "connection_id"
    case version
    case accountID = "account_id"
    case changedAt = "changed_at"
    case keyID = "key_id"
    case change
    case name
    case description
    case awsAccountID = "aws_account_id"
    case awsRegion = "aws_region"
    case enabled

    /// Every column, in the order the writing statements give their values.
    static let list = allCases.map(\.rawValue).joined(separator: ", ")
}

extension HistoryRecord {
    /// The record in a row that selects every `HistoryColumn`, in any order.
    init(row: PostgresRow) throws {
        let cells = row.makeRandomAccess()
        func value<T: PostgresDecodable>(_ column: HistoryColumn) throws -> T {
            try cells.decode(T.self, column: column.rawValue)
        }
        self.init(
            connectionID: ConnectionID(uncheckedRawValue: try value(.connectionID)),
            accountID: AccountID(try value(.accountID)),
            version: try value(.version),
            changedDate: Timestamp(millisecondsSinceEpoch: try value(.changedAt)),
            keyID: try (value(.keyID) as String?).map(KeyID.init),
            kind: try ChangeKind(stored: value(.change)),
            name: try value(.name),
            description: try value(.description),
            awsAccountID: try value(.awsAccountID),
            awsRegion: try value(.awsRegion),
            enabled: try value(.enabled))
    }
}
