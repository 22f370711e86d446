import AWSConnectionsCore
import NIOCore
import PostgresNIO

// The statements on every request's path, as named prepared statements: each pooled
// connection parses and plans them once, and each request then sends only the bind and
// execute messages. This halved PostgreSQL's CPU per request compared with one-off
// statements, which the server parses and plans every time.

struct CallerByKeyHash: PostgresPreparedStatement {
    static let name = "aws_connections_caller_by_key_hash_2"
    static let sql = """
        SELECT id, account_id, scopes, last_used_at, expires_at FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL
        """
    typealias Row = (String, Int64, String, Int64?, Int64?)

    let hash: APIKeyHash

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ByteBuffer(bytes: hash.bytes))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

struct ConnectionByID: PostgresPreparedStatement {
    static let name = "aws_connections_connection_by_id_2"
    static let sql = "SELECT \(ConnectionColumns.list) FROM connections WHERE id = $1"
    typealias Row = Connection

    let id: ConnectionID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id.rawValue)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try Connection(row: row) }
}

/// Several connections by id, for reads that arrived together (`StatementBatcher`).
struct ConnectionsByIDs: PostgresPreparedStatement {
    static let name = "aws_connections_connections_by_ids_1"
    static let sql = "SELECT \(ConnectionColumns.list) FROM connections WHERE id = ANY($1)"
    static let bindingDataTypes: [PostgresDataType] = [.textArray]
    typealias Row = Connection

    let ids: [ConnectionID]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(ids.map(\.rawValue))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try Connection(row: row) }
}

struct ConnectionsOfAccount: PostgresPreparedStatement {
    static let name = "aws_connections_connections_of_account_2"
    static let sql = "SELECT \(ConnectionColumns.list) FROM connections WHERE account_id = $1 ORDER BY created_at, id"
    typealias Row = Connection

    let account: AccountID

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(account.rawValue)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try Connection(row: row) }
}

/// The conditions and parameters of a list page, shared by the statements that read it as
/// rows and as JSON (`PostgresConnectionJSON.swift`). NULL parameters switch a filter off,
/// so one prepared statement serves every combination; the order and the limit come from
/// the (account_id, created_at, id) index. A later page's position is its own statement,
/// not a NULL switch, so that it stays an index condition in the plan PostgreSQL caches for
/// the statement: behind a switch, the cached plan scanned every earlier row of the account
/// and filtered it out.
enum PageConditions {
    /// `$1` the account, `$2` enabled, `$3` name; the limit is `$4`.
    static let first = """
        account_id = $1
            AND ($2::boolean IS NULL OR enabled = $2)
            AND ($3::text IS NULL OR name = $3)
        """
    static let firstDataTypes: [PostgresDataType] = [.int8, .bool, .text, .int8]

    /// `$1` the account, `$2` and `$3` the position, `$4` enabled, `$5` name; the limit is `$6`.
    static let after = """
        account_id = $1
            AND (created_at, id) > ($2, $3)
            AND ($4::boolean IS NULL OR enabled = $4)
            AND ($5::text IS NULL OR name = $5)
        """
    static let afterDataTypes: [PostgresDataType] = [.int8, .int8, .text, .bool, .text, .int8]

    /// The parameters of `first` or, with a position, `after`, then `limit` (NULL: none).
    static func bindings(account: AccountID, after: ListPosition?, query: ConnectionListQuery, limit: Int?)
        -> PostgresBindings
    {
        var bindings = PostgresBindings(capacity: after == nil ? 4 : 6)
        bindings.append(account.rawValue)
        if let after {
            bindings.append(after.createdDate.millisecondsSinceEpoch)
            bindings.append(after.id.rawValue)
        }
        bindings.append(query.enabled)
        bindings.append(query.name)
        bindings.append(limit.map(Int64.init))
        return bindings
    }
}

/// The first page of a list, with optional filters (`PageConditions.first`).
struct FirstPageOfAccount: PostgresPreparedStatement {
    static let name = "aws_connections_first_page_of_account_2"
    static let sql = """
        SELECT \(ConnectionColumns.list) FROM connections
        WHERE \(PageConditions.first)
        ORDER BY created_at, id
        LIMIT $4
        """
    static let bindingDataTypes = PageConditions.firstDataTypes
    typealias Row = Connection

    let account: AccountID
    let query: ConnectionListQuery

    func makeBindings() throws -> PostgresBindings {
        PageConditions.bindings(account: account, after: nil, query: query, limit: query.limit)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try Connection(row: row) }
}

/// A later page of a list (`PageConditions.after`).
struct PageOfAccountAfter: PostgresPreparedStatement {
    static let name = "aws_connections_page_of_account_after_2"
    static let sql = """
        SELECT \(ConnectionColumns.list) FROM connections
        WHERE \(PageConditions.after)
        ORDER BY created_at, id
        LIMIT $6
        """
    static let bindingDataTypes = PageConditions.afterDataTypes
    typealias Row = Connection

    let account: AccountID
    let after: ListPosition
    let query: ConnectionListQuery

    func makeBindings() throws -> PostgresBindings {
        PageConditions.bindings(account: account, after: after, query: query, limit: query.limit)
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try Connection(row: row) }
}

/// A create: takes one place of the account's quota, inserts the connection and records its
/// `created` history, in one statement. Answers one row when it created, none when the
/// account was full. The quota counter's row lock is what makes the quota exact: two
/// creates for one account at its last free place cannot both take it. The first
/// parameters are the connection's values in `ConnectionColumns` order, then the quota and
/// the acting key.
struct CreateConnection: PostgresPreparedStatement {
    static let name = "aws_connections_create_connection_3"
    static let sql: String = {
        let connection = ConnectionColumns.count
        let fields = (ConnectionColumns.firstField + 1...ConnectionColumns.firstField + FieldColumn.allCases.count)
            .map { "$\($0)" }.joined(separator: ", ")
        let (createdAt, version, quota, key) = (connection - 2, connection, connection + 1, connection + 2)
        return """
            WITH claimed AS (
                UPDATE accounts SET connection_count = connection_count + 1
                WHERE id = $2 AND connection_count < $\(quota)
                RETURNING id
            ), inserted AS (
                INSERT INTO connections (\(ConnectionColumns.list))
                SELECT \(ConnectionColumns.parameters(from: 1)) FROM claimed
                RETURNING id
            ), recorded AS (
                INSERT INTO connection_history (\(HistoryColumn.list))
                SELECT $1, $\(version), $2, $\(createdAt), $\(key), 'created', \(fields) FROM inserted
            )
            SELECT id FROM inserted
            """
    }()
    static let bindingDataTypes: [PostgresDataType] = ConnectionColumns.dataTypes + [.int8, .text]
    typealias Row = String

    let connection: Connection
    let key: KeyID
    let quota: Int

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: ConnectionColumns.count + 2)
        ConnectionColumns.bind(connection, to: &bindings)
        bindings.append(Int64(quota))
        bindings.append(key.rawValue)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
}

/// Several creates into one account (`StatementBatcher`, grouped by account): takes all their quota places
/// at once, inserts the connections and records their `created` history, in one statement.
/// Answers how many it created: all of them, or none when the account has fewer free
/// places than the batch (the caller then creates them one at a time, so that each is
/// refused or not exactly as alone). Each column's values are one array parameter.
struct CreateConnections: PostgresPreparedStatement {
    struct Create: Sendable {
        let connection: Connection
        let key: KeyID
        let quota: Int
    }

    static let name = "aws_connections_create_connections_1"
    static let sql: String = {
        // $1 ids, $2 the account, then one array per field, the dates, the versions, the keys;
        // then the number of creates and the quota.
        let fields = FieldColumn.allCases
        let fieldArrays = fields.enumerated().map { index, column in
            "$\(index + 3)::\(column.dataType == .bool ? "boolean" : "text")[]"
        }
        let next = fields.count + 3
        let (createdAt, updatedAt, version, keys, count, quota) = (next, next + 1, next + 2, next + 3, next + 4, next + 5)
        return """
            WITH claimed AS (
                UPDATE accounts SET connection_count = connection_count + $\(count)
                WHERE id = $2 AND connection_count + $\(count) <= $\(quota)
                RETURNING id
            ), new AS (
                SELECT * FROM unnest(
                    $1::text[], \(fieldArrays.joined(separator: ", ")),
                    $\(createdAt)::bigint[], $\(updatedAt)::bigint[], $\(version)::bigint[], $\(keys)::text[]
                ) AS new (id, \(FieldColumn.list), created_at, updated_at, version, key_id)
                WHERE EXISTS (SELECT 1 FROM claimed)
            ), inserted AS (
                INSERT INTO connections (\(ConnectionColumns.list))
                SELECT id, $2, \(FieldColumn.list), created_at, updated_at, version FROM new
                RETURNING id
            ), recorded AS (
                INSERT INTO connection_history (\(HistoryColumn.list))
                SELECT id, version, $2, created_at, key_id, 'created', \(FieldColumn.list) FROM new
            )
            SELECT count(*) FROM inserted
            """
    }()
    typealias Row = Int64

    let creates: [Create]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: FieldColumn.count + 9)
        let connections = creates.map(\.connection)
        bindings.append(connections.map(\.id.rawValue))
        bindings.append(connections[0].accountID.rawValue)
        let fields = connections.map(\.fields)
        for column in FieldColumn.allCases {
            column.bindArray(fields, to: &bindings)
        }
        bindings.append(connections.map(\.createdDate.millisecondsSinceEpoch))
        bindings.append(connections.map(\.updatedDate.millisecondsSinceEpoch))
        bindings.append(connections.map(\.version))
        bindings.append(creates.map(\.key.rawValue))
        bindings.append(Int64(creates.count))
        bindings.append(Int64(creates.map(\.quota).min() ?? 0))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
}

/// Updates of several connections without a role change, each a compare-and-write as in
/// `UpdateConnection`, with their history, in one statement (`StatementBatcher`). Answers
/// each written connection with its update's position `n` in the batch; an update that
/// answers no row missed (gone, another account's, or another version). When two updates of
/// one batch name the same connection and version, one of them is written and the other
/// misses, as when they run one after the other.
struct UpdateConnections: PostgresPreparedStatement {
    struct Update: Sendable {
        let id: ConnectionID
        let account: AccountID
        let changes: ConnectionChanges
        let key: KeyID
        let now: Timestamp
    }

    static let name = "aws_connections_update_connections_1"
    static let sql: String = {
        let returned = ConnectionColumns.list.split(separator: ", ").map { "connections.\($0) AS \($0)" }
        return """
            WITH input AS (
                SELECT * FROM unnest(
                    $1::bigint[], $2::text[], $3::boolean[], $4::text[], $5::boolean[], $6::boolean[],
                    $7::bigint[], $8::text[], $9::bigint[], $10::bigint[], $11::text[]
                ) AS input (n, name, set_description, description, set_enabled, enabled,
                    changed_at, id, account_id, version, key_id)
            ), updated AS (
                UPDATE connections
                SET name = input.name,
                    description = CASE WHEN input.set_description THEN input.description ELSE connections.description END,
                    enabled = CASE WHEN input.set_enabled THEN input.enabled ELSE connections.enabled END,
                    updated_at = GREATEST(input.changed_at, connections.updated_at), version = connections.version + 1
                FROM input
                WHERE connections.id = input.id AND connections.account_id = input.account_id
                    AND connections.version = input.version
                RETURNING \(returned.joined(separator: ", ")), input.n AS n, input.key_id AS key_id
            ), recorded AS (
                INSERT INTO connection_history (\(HistoryColumn.list))
                SELECT id, version, account_id, updated_at, key_id, 'updated', \(FieldColumn.list)
                FROM updated
            )
            SELECT \(ConnectionColumns.list), n FROM updated
            """
    }()
    typealias Row = (Connection, Int)

    let updates: [Update]

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 11)
        bindings.append(updates.indices.map(Int64.init))
        bindings.append(updates.map(\.changes.name))
        bindings.append(updates.map { $0.changes.description != nil })
        bindings.append(updates.map { $0.changes.description ?? "" })
        bindings.append(updates.map { $0.changes.enabled != nil })
        bindings.append(updates.map { $0.changes.enabled ?? false })
        bindings.append(updates.map(\.now.millisecondsSinceEpoch))
        bindings.append(updates.map(\.id.rawValue))
        bindings.append(updates.map(\.account.rawValue))
        bindings.append(updates.map(\.changes.expectedVersion))
        bindings.append(updates.map(\.key.rawValue))
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row {
        let n = try row.makeRandomAccess()[ConnectionColumns.count].decode(Int64.self, context: .default)
        return (try Connection(row: row), Int(n))
    }
}

/// The compare-and-delete: deletes the connection if it is the account's (and at the
/// expected version, when one is given), frees its quota place and records the delete, in
/// one statement; its verification goes with it (ON DELETE CASCADE). Answers one row when
/// it deleted.
struct DeleteConnection: PostgresPreparedStatement {
    static let name = "aws_connections_delete_connection_3"
    static let sql = """
        WITH deleted AS (
            DELETE FROM connections
            WHERE id = $1 AND account_id = $2 AND ($3::bigint IS NULL OR version = $3)
            RETURNING \(ConnectionColumns.list)
        ), freed AS (
            UPDATE accounts SET connection_count = connection_count - 1
            WHERE id IN (SELECT account_id FROM deleted)
        ), recorded AS (
            INSERT INTO connection_history (\(HistoryColumn.list))
            SELECT id, version + 1, account_id, GREATEST($4, updated_at), $5, 'deleted', \(FieldColumn.list)
            FROM deleted
        )
        SELECT id FROM deleted
        """
    static let bindingDataTypes: [PostgresDataType] = [.text, .int8, .int8, .int8, .text]
    typealias Row = String

    let id: ConnectionID
    let account: AccountID
    let expectedVersion: Int64?
    let key: KeyID
    let now: Timestamp

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(id.rawValue)
        bindings.append(account.rawValue)
        bindings.append(expectedVersion)
        bindings.append(now.millisecondsSinceEpoch)
        bindings.append(key.rawValue)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(String.self) }
}

/// The version compare-and-write: one statement that checks id, owner and version, writes,
/// and records the change in the connection's history. Forgetting the verification of a
/// replaced role is a statement of its own (see `PostgresStore.update`).
struct UpdateConnection: PostgresPreparedStatement {
    static let name = "aws_connections_update_connection_4"
    static let sql = """
        WITH updated AS (
            UPDATE connections
            SET name = $1, description = COALESCE($2, description), role_arn = COALESCE($3, role_arn),
                enabled = COALESCE($4, enabled), updated_at = GREATEST($5, updated_at), version = version + 1
            WHERE id = $6 AND account_id = $7 AND version = $8
            RETURNING \(ConnectionColumns.list)
        ), recorded AS (
            INSERT INTO connection_history (\(HistoryColumn.list))
            SELECT id, version, account_id, updated_at, $9, 'updated', \(FieldColumn.list)
            FROM updated
        )
        SELECT \(ConnectionColumns.list) FROM updated
        """
    // Declared, so that an omitted (NULL) description, role or enabled is never of an unknown type.
    static let bindingDataTypes: [PostgresDataType] = [.text, .text, .text, .bool, .int8, .text, .int8, .int8, .text]
    typealias Row = Connection

    let id: ConnectionID
    let account: AccountID
    let changes: ConnectionChanges
    let key: KeyID
    let now: Timestamp

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 9)
        bindings.append(changes.name)
        bindings.append(changes.description)
        bindings.append(changes.roleARN?.description)
        bindings.append(changes.enabled)
        bindings.append(now.millisecondsSinceEpoch)
        bindings.append(id.rawValue)
        bindings.append(account.rawValue)
        bindings.append(changes.expectedVersion)
        bindings.append(key.rawValue)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try Connection(row: row) }
}
