import AWSConnectionsCore
import PostgresNIO

/// The columns that hold a connection's fields (`ConnectionFields`), one case per field,
/// named alike in `connections` and `connection_history`: a new field is a new case here.
enum FieldColumn: Int, CaseIterable {
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

    /// The type of the column's statement parameter.
    var dataType: PostgresDataType {
        switch self {
        case .name, .description, .awsAccountID, .awsRegion, .roleARN, .externalID: .text
        case .enabled: .bool
        }
    }

    /// Appends the field's value in `fields` as the next statement parameter.
    func bind(_ fields: ConnectionFields, to bindings: inout PostgresBindings) {
        switch self {
        case .name: bindings.append(fields.name)
        case .description: bindings.append(fields.description)
        case .awsAccountID: bindings.append(fields.awsAccountID)
        case .awsRegion: bindings.append(fields.awsRegion)
        case .roleARN: bindings.append(fields.roleARN)
        case .externalID: bindings.append(fields.externalID)
        case .enabled: bindings.append(fields.enabled)
        }
    }

    /// Appends the field's values in `fields`, in order, as the next statement parameter (an
    /// array, for statements that write several connections).
    func bindArray(_ fields: [ConnectionFields], to bindings: inout PostgresBindings) {
        switch self {
        case .name: bindings.append(fields.map(\.name))
        case .description: bindings.append(fields.map(\.description))
        case .awsAccountID: bindings.append(fields.map(\.awsAccountID))
        case .awsRegion: bindings.append(fields.map(\.awsRegion))
        case .roleARN: bindings.append(fields.map(\.roleARN))
        case .externalID: bindings.append(fields.map(\.externalID))
        case .enabled: bindings.append(fields.map(\.enabled))
        }
    }

    /// Every field column, in case order.
    static let list = allCases.map(\.name).joined(separator: ", ")
    /// How many there are (`allCases` builds an array on every use).
    static let count = allCases.count
}

/// Cells a row's fields are read from, in `FieldColumn` order: the next ones of a
/// connection row, or a history row's by name.
protocol FieldCells {
    mutating func text(_ column: FieldColumn) throws -> String
    mutating func bool(_ column: FieldColumn) throws -> Bool
}

extension ConnectionFields {
    /// The one mapper of a row's fields. Generic rather than taking closures, so that the
    /// connection rows of a list decode with no indirection per cell.
    init(cells: inout some FieldCells) throws {
        self.init(
            name: try cells.text(.name), description: try cells.text(.description),
            awsAccountID: try cells.text(.awsAccountID), awsRegion: try cells.text(.awsRegion),
            roleARN: try cells.text(.roleARN), externalID: try cells.text(.externalID), enabled: try cells.bool(.enabled))
    }
}

/// The columns of the `connections` table as every statement that selects, returns or
/// inserts a whole connection lists them: the id and owner, the fields, then the dates and
/// the version.
enum ConnectionColumns {
    static let list = "id, account_id, \(FieldColumn.list), created_at, updated_at, version"
    /// Where the fields start, and how many columns a row has.
    static let firstField = 2
    static let count = firstField + FieldColumn.count + 3

    /// The statement parameters `$first` … of a whole connection, in `list` order.
    static func parameters(from first: Int) -> String {
        (first..<(first + count)).map { "$\($0)" }.joined(separator: ", ")
    }

    static let dataTypes: [PostgresDataType] = [.text, .int8] + FieldColumn.allCases.map(\.dataType) + [.int8, .int8, .int8]

    /// Appends `connection`'s values in `list` order.
    static func bind(_ connection: Connection, to bindings: inout PostgresBindings) {
        bindings.append(connection.id.rawValue)
        bindings.append(connection.accountID.rawValue)
        for column in FieldColumn.allCases {
            column.bind(connection.fields, to: &bindings)
        }
        bindings.append(connection.createdDate.millisecondsSinceEpoch)
        bindings.append(connection.updatedDate.millisecondsSinceEpoch)
        bindings.append(connection.version)
    }
}

extension Connection {
    /// The connection in a row of `ConnectionColumns.list`.
    ///
    /// Decoded cell by cell with concrete types: postgres-nio's tuple decode is generic over a
    /// parameter pack and resolved at run time, and for a list of 1,000 rows it cost about a
    /// fifth of the server's CPU. Each cell's position is checked against the list, so a
    /// decode out of order fails instead of swapping two fields.
    init(row: PostgresRow) throws {
        var cells = PositionalCells(row: row)
        let id: String = try cells.next(at: 0)
        let accountID: Int64 = try cells.next(at: 1)
        let fields = try ConnectionFields(cells: &cells)
        let afterFields = ConnectionColumns.firstField + FieldColumn.count
        let createdAt: Int64 = try cells.next(at: afterFields)
        let updatedAt: Int64 = try cells.next(at: afterFields + 1)
        let version: Int64 = try cells.next(at: afterFields + 2)
        self.init(
            id: ConnectionID(uncheckedRawValue: id), accountID: AccountID(accountID), fields: fields,
            createdDate: Timestamp(millisecondsSinceEpoch: createdAt),
            updatedDate: Timestamp(millisecondsSinceEpoch: updatedAt), version: version)
    }
}

/// A connection row's cells, read in order.
///
/// Text, `int8` and `bool` cells in binary format (what prepared statements return) are read
/// straight from their bytes: `PostgresCell.decode` goes through postgres-nio's generic
/// decoding, which for a list of 1,000 rows was a tenth of the server's CPU. Any other type or
/// format falls back to it.
private struct PositionalCells: FieldCells {
    var iterator: PostgresRow.Iterator

    init(row: PostgresRow) {
        iterator = row.makeIterator()
    }

    private mutating func cell(at position: Int) throws -> PostgresCell {
        guard let cell = iterator.next(), cell.columnIndex == position else {
            throw StoreError.failed("a connection row has no column at position \(position)")
        }
        return cell
    }

    mutating func next(at position: Int) throws -> String {
        let cell = try cell(at: position)
        if cell.format == .binary, cell.dataType == .text || cell.dataType == .varchar, let bytes = cell.bytes {
            return String(buffer: bytes)
        }
        return try cell.decode(String.self)
    }

    mutating func next(at position: Int) throws -> Int64 {
        let cell = try cell(at: position)
        if cell.format == .binary, cell.dataType == .int8, let bytes = cell.bytes, bytes.readableBytes == 8,
            let value = bytes.getInteger(at: bytes.readerIndex, as: Int64.self)
        {
            return value
        }
        return try cell.decode(Int64.self)
    }

    mutating func next(at position: Int) throws -> Bool {
        let cell = try cell(at: position)
        if cell.format == .binary, cell.dataType == .bool, let bytes = cell.bytes, bytes.readableBytes == 1,
            let value = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self)
        {
            return value != 0
        }
        return try cell.decode(Bool.self)
    }

    mutating func text(_ column: FieldColumn) throws -> String {
        try next(at: ConnectionColumns.firstField + column.rawValue)
    }

    mutating func bool(_ column: FieldColumn) throws -> Bool {
        try next(at: ConnectionColumns.firstField + column.rawValue)
    }
}
