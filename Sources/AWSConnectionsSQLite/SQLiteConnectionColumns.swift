import AWSConnectionsCore
import GRDB

/// The columns that hold a connection's fields (`ConnectionFields`), one case per field,
/// named alike in `connections` and `connection_history`: a new field is a new case here.
enum FieldColumn: Int32, CaseIterable {
    case name, description, awsAccountID, awsRegion, roleARN, externalID, enabled

    /// The column's name in SQL.
    var name: String {
        switch self {
        case .name: "name"
        case .description: "description"
        case .awsAccountID: "aws_account_id"
        case .awsRegion: "aws_region"
        case .roleARN: "role_arn"
        case .externalID: "external_id"
        case .enabled: "enabled"
        }
    }

    /// The field's value in `fields`, for an insert.
    func value(in fields: ConnectionFields) -> (any DatabaseValueConvertible)? {
        switch self {
        case .name: fields.name
        case .description: fields.description
        case .awsAccountID: fields.awsAccountID
        case .awsRegion: fields.awsRegion
        case .roleARN: fields.roleARN
        case .externalID: fields.externalID
        case .enabled: fields.enabled
        }
    }

    /// Every field column, in case order.
    static let list = allCases.map(\.name).joined(separator: ", ")
}

extension ConnectionFields {
    /// The one mapper of a row's fields, whether the row is read by position or by name.
    init(text: (FieldColumn) -> String, bool: (FieldColumn) -> Bool) {
        self.init(
            name: text(.name), description: text(.description), awsAccountID: text(.awsAccountID),
            awsRegion: text(.awsRegion), roleARN: text(.roleARN), externalID: text(.externalID),
            enabled: bool(.enabled))
    }
}

/// The columns of the `connections` table as every statement that selects, returns or
/// inserts a whole connection lists them: the id and owner, the fields, then the dates and
/// the version.
///
/// The hot paths read these rows by position (a name lookup per cell would cost more than
/// the query), and the positions come from this one list, so they cannot disagree with the SQL.
enum ConnectionColumns {
    static let list = "id, account_id, \(FieldColumn.list), created_at, updated_at, version"

    /// Where the fields start, and where the columns after them are.
    static let firstField: Int32 = 2
    static let createdAt = firstField + Int32(FieldColumn.allCases.count)
    static let updatedAt = createdAt + 1
    static let version = createdAt + 2

    /// Inserts one connection; its arguments are `arguments(for:)`.
    static let insert =
        "INSERT INTO connections (\(list)) VALUES (\(Array(repeating: "?", count: Int(version) + 1).joined(separator: ", ")))"

    /// The values of `connection` for `insert`, in `list` order.
    static func arguments(for connection: Connection) -> StatementArguments {
        let fields = FieldColumn.allCases.map { $0.value(in: connection.fields) }
        let head: [(any DatabaseValueConvertible)?] = [connection.id.rawValue, connection.accountID.rawValue]
        let tail: [(any DatabaseValueConvertible)?] = [
            connection.createdDate.millisecondsSinceEpoch, connection.updatedDate.millisecondsSinceEpoch,
            connection.version,
        ]
        return StatementArguments(head + fields + tail)
    }
}

extension Connection {
    /// The connection in a row of `ConnectionColumns.list`, from the hot-path reader or from GRDB.
    init(row: some PositionalRow) {
        let firstField = ConnectionColumns.firstField
        self.init(
            id: ConnectionID(uncheckedRawValue: row.text(0)),
            accountID: AccountID(row.int64(1)),
            fields: ConnectionFields(
                text: { row.text(firstField + $0.rawValue) }, bool: { row.bool(firstField + $0.rawValue) }),
            createdDate: Timestamp(millisecondsSinceEpoch: row.int64(ConnectionColumns.createdAt)),
            updatedDate: Timestamp(millisecondsSinceEpoch: row.int64(ConnectionColumns.updatedAt)),
            version: row.int64(ConnectionColumns.version)
        )
    }
}
