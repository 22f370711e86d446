import AWSConnectionsCore
import NIOCore
import PostgresNIO

// Pages of the list written as the API's JSON by PostgreSQL itself, in one cell.
//
// Why: a page read as rows costs the server, per connection, postgres-nio's row message,
// iterator step and cell decoding, then the JSON writer; for a list of 1,000 that was most
// of the server's time (profiled: row decoding 20%, task switches 16%, the row iterator 9%,
// protocol decoding 10%). Here PostgreSQL concatenates the page into one text value and the
// server copies it into the answer.
//
// The text must be byte for byte what the HTTP layer's `ConnectionJSON` writes: the same
// members in the same order, strings escaped as RFC 8259 asks (`to_json(text)` escapes `"`,
// `\` and control characters exactly as `JSONWriter` does and copies the rest), dates as
// RFC 3339 UTC with milliseconds. `ListJSONTests` compares the two writers on both stores
// with names and descriptions full of quotes, backslashes, control characters and non-ASCII
// text; a member added to the document fails there until it is added here.
enum ConnectionJSONColumns {
    /// A date column of milliseconds since the epoch as `"2026-12-04T05:40:00.123Z"`.
    private static func date(_ column: String) -> String {
        """
        '"' || to_char(to_timestamp(\(column) / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.') \
        || lpad((\(column) % 1000)::text, 3, '0') || 'Z"'
        """
    }

    /// A text column as a JSON string. The columns that only ever hold what the server
    /// generated or validated to a plain character set (id, account id, region, role ARN,
    /// external id) could skip the escaping, but the cost is small and the proof is not.
    private static func string(_ column: String) -> String {
        "to_json(\(column))::text"
    }

    /// The expression of one `connections` row as the API's JSON object.
    static let object = [
        #"'{"connectionId":' || "# + string("id"),
        #"',"name":' || "# + string("name"),
        #"',"description":' || "# + string("description"),
        #"',"awsAccountId":' || "# + string("aws_account_id"),
        #"',"awsRegion":' || "# + string("aws_region"),
        #"',"roleArn":' || "# + string("role_arn"),
        #"',"externalId":' || "# + string("external_id"),
        #"',"type":"\#(Connection.type)","enabled":' || CASE WHEN enabled THEN 'true' ELSE 'false' END"#,
        #"',"createdDate":' || "# + date("created_at"),
        #"',"updatedDate":' || "# + date("updated_at"),
        #"',"version":' || version::text || '}'"#,
    ].joined(separator: " || ")

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
        SELECT created_at, id, \(object) AS item, row_number() OVER (ORDER BY created_at, id) AS n
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
        let count = Int(rows)
        self.init(
            items: items.readBytes(length: items.readableBytes) ?? [],
            count: min(count, limit),
            hasMore: count > limit,
            last: lastCreatedAt.flatMap { createdAt in
                lastID.map {
                    ListPosition(createdDate: Timestamp(millisecondsSinceEpoch: createdAt), id: ConnectionID(uncheckedRawValue: $0))
                }
            })
    }
}

/// The first page of a list as JSON, with optional filters (as `FirstPageOfAccount`).
struct FirstJSONPageOfAccount: PostgresPreparedStatement {
    static let name = "aws_connections_first_json_page_of_account_1"
    static let sql = ConnectionJSONColumns.aggregate(
        page: ConnectionJSONColumns.page(
            where: """
                account_id = $1
                    AND ($2::boolean IS NULL OR enabled = $2)
                    AND ($3::text IS NULL OR name = $3)
                """,
            limit: "$4"),
        limit: "$4")
    static let bindingDataTypes: [PostgresDataType] = [.int8, .bool, .text, .int8]
    typealias Row = ConnectionJSONPageRow

    let account: AccountID
    let query: ConnectionListQuery
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 4)
        bindings.append(account.rawValue)
        bindings.append(query.enabled)
        bindings.append(query.name)
        bindings.append(Int64(limit))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// A later page of a list as JSON (as `PageOfAccountAfter`: the position is its own
/// statement so that it stays an index condition in the cached plan).
struct JSONPageOfAccountAfter: PostgresPreparedStatement {
    static let name = "aws_connections_json_page_of_account_after_1"
    static let sql = ConnectionJSONColumns.aggregate(
        page: ConnectionJSONColumns.page(
            where: """
                account_id = $1
                    AND (created_at, id) > ($2, $3)
                    AND ($4::boolean IS NULL OR enabled = $4)
                    AND ($5::text IS NULL OR name = $5)
                """,
            limit: "$6"),
        limit: "$6")
    static let bindingDataTypes: [PostgresDataType] = [.int8, .int8, .text, .bool, .text, .int8]
    typealias Row = ConnectionJSONPageRow

    let account: AccountID
    let after: ListPosition
    let query: ConnectionListQuery
    let limit: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 6)
        bindings.append(account.rawValue)
        bindings.append(after.createdDate.millisecondsSinceEpoch)
        bindings.append(after.id.rawValue)
        bindings.append(query.enabled)
        bindings.append(query.name)
        bindings.append(Int64(limit))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
