import AWSConnectionsCore
import PostgresNIO

extension PostgresRandomAccessRow {
    /// The cell of the column named `column`, decoded.
    ///
    /// postgres-nio stops the process when a named column is missing; here it is a store
    /// failure like any other decoding mismatch, answered with an error, not a crash.
    func decode<T: PostgresDecodable>(_: T.Type, column: String) throws -> T {
        guard contains(column) else { throw StoreError.failed("a row has no column \(column)") }
        return try self[column].decode(T.self)
    }
}
