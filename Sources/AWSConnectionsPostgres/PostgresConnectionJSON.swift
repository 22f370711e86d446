import AWSConnectionsCore
import NIOCore
import PostgresNIO

// Pages of the list written as the API's JSON by PostgreSQL, in one cell.
//
// Why: a page read as rows costs the server, per connection, postgres-nio's row message,
// iterator step and cell decoding, then the JSON writer; for a list of 1,000 that was most
// of the server's time (profiled: row decoding 20%, task switches 16%, the row iterator 9%,
// protocol decoding 10%). Each row keeps its connection's JSON in `document` (written by a
// trigger, see the migration `0005-connection-documents`), so PostgreSQL only joins a page's
// documents into one text value and the server copies it into the answer.
enum ConnectionJSONColumns {
    /// Wraps a page query (selecting `created_at`, `id` and `item`, at most `limit + 1` rows in
    /// list order, numbered `n`) into the one row that answers it: how many rows there were (one
    /// more than the limit when another page follows), the first `limit` items joined by commas,
    /// and the position of the `limit`th.
    static func aggregate(page: String, limit: String) -> String {
        """
        SELECT count(*), string_agg(item, ',' ORDER BY n) FILTER (WHERE n <= \(limit)),
            max(created_at) FILTER (WHERE n = \(limit)), max(id) FILTER (WHERE n = \(limit))
        FROM (\(page)) AS page
        """
    }

    /// The numbered rows of a page: `where` selects and `limit` bounds (one more is read).
    static func page(where condition: String, limit: String) -> String {
        """
        SELECT created_at, id, document AS item, row_number() OVER (ORDER BY created_at, id) AS n
        FROM connections
        WHERE \(condition)
        ORDER BY created_at, id
        LIMIT \(limit) + 1
        """
    }
}

/// The one row of a JSON page.
/// (rows read, at most `limit + 1`; the items; the last item's `created_at` and `id`)
typealias ConnectionJSONPageRow = (Int64, ByteBuffer?, Int64?, String?)

extension ConnectionJSONPage {
    init(row: ConnectionJSONPageRow, limit: Int) {
        let (rows, itemsCell, lastCreatedAt, lastID) = row
        var items = itemsCell ?? ByteBuffer()
        self.init(
            items: items.readBytes(length: items.readableBytes) ?? [],
            hasMore: rows > limit,
            last: lastCreatedAt.flatMap { createdAt in
                lastID.map {
                    ListPosition(createdDate: Timestamp(millisecondsSinceEpoch: createdAt), id: ConnectionID(uncheckedRawValue: $0))
                }
            })
    }
}

/// The first page of a list as JSON (`PageConditions.first`).
struct FirstJSONPageOfAccount: PostgresPreparedStatement {
    static let name = "aws_connections_first_json_page_of_account_3"
    static let sql = ConnectionJSONColumns.aggregate(
        page: ConnectionJSONColumns.page(where: PageConditions.first, limit: "$4"), limit: "$4")
    static let bindingDataTypes = PageConditions.firstDataTypes
    typealias Row = ConnectionJSONPageRow

    let account: AccountID
    let query: ConnectionListQuery
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        PageConditions.bindings(account: account, after: nil, query: query, limit: limit)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// A later page of a list as JSON (`PageConditions.after`).
struct JSONPageOfAccountAfter: PostgresPreparedStatement {
    static let name = "aws_connections_json_page_of_account_after_3"
    static let sql = ConnectionJSONColumns.aggregate(
        page: ConnectionJSONColumns.page(where: PageConditions.after, limit: "$6"), limit: "$6")
    static let bindingDataTypes = PageConditions.afterDataTypes
    typealias Row = ConnectionJSONPageRow

    let account: AccountID
    let after: ListPosition
    let query: ConnectionListQuery
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        PageConditions.bindings(account: account, after: after, query: query, limit: limit)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
