import AWSConnectionsCore
import PostgresNIO

/// The columns of the `connections` table, named once for every statement that selects,
/// returns or inserts a whole connection.
///
/// A case's raw value is its position in those statements' rows: connection rows are on
/// every request's path, so `Connection.init(row:)` decodes them cell by cell in this order
/// rather than looking each column up by name.
enum ConnectionColumn: Int, CaseIterable {
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

    /// Every column, in position order, for `SELECT`, `RETURNING` and `INSERT`.
    static let list = allCases.map(\.name).joined(separator: ", ")
}

extension Connection {
    /// The connection in a row of `ConnectionColumn.list`.
    ///
    /// Decoded cell by cell with concrete types: postgres-nio's tuple decode is generic over a
    /// parameter pack and resolved at run time, and for a list of 1,000 rows it cost about a
    /// fifth of the server's CPU. Each cell's position is checked against its column, so a
    /// decode out of `ConnectionColumn`'s order fails instead of swapping two fields.
    init(row: PostgresRow) throws {
        var cells = row.makeIterator()
        func next<T: PostgresDecodable>(_ column: ConnectionColumn) throws -> T {
            guard let cell = cells.next(), cell.columnIndex == column.rawValue else {
                throw StoreError.failed("a connection row has no \(column.name) at position \(column.rawValue)")
            }
            return try cell.decode(T.self)
        }
        let id: String = try next(.id)
        let accountID: Int64 = try next(.accountID)
        let name: String = try next(.name)
        let description: String = try next(.description)
        let awsAccountID: String = try next(.awsAccountID)
        let awsRegion: String = try next(.awsRegion)
        let enabled: Bool = try next(.enabled)
        let createdAt: Int64 = try next(.createdAt)
        let updatedAt: Int64 = try next(.updatedAt)
        let version: Int64 = try next(.version)
        self.init(
            id: ConnectionID(uncheckedRawValue: id),
            accountID: AccountID(accountID),
            name: name,
            description: description,
            awsAccountID: awsAccountID,
            awsRegion: awsRegion,
            enabled: enabled,
            createdDate: Timestamp(millisecondsSinceEpoch: createdAt),
            updatedDate: Timestamp(millisecondsSinceEpoch: updatedAt),
            version: version
        )
    }
}
