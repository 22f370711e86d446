import GRDB

/// A result row read by column position, the one shape a row mapper needs.
///
/// Connections come back both from the hand-written hot-path reader (`SQLiteRow`) and from
/// GRDB (`UPDATE … RETURNING`, `DELETE … RETURNING`); with both conforming, one mapper
/// serves both and the two paths cannot drift apart.
protocol PositionalRow {
    func int64(_ column: Int32) -> Int64
    func bool(_ column: Int32) -> Bool
    func text(_ column: Int32) -> String
}

extension SQLiteRow: PositionalRow {}

extension Row: PositionalRow {
    func int64(_ column: Int32) -> Int64 { self[Int(column)] }
    func bool(_ column: Int32) -> Bool { self[Int(column)] }
    func text(_ column: Int32) -> String { self[Int(column)] }
}
