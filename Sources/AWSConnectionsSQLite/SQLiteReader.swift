import AWSConnectionsCore
import Dispatch
import GRDBSQLite
import Synchronization

/// The hot-path reads (key lookup, get by id, list), straight on SQLite's C API.
///
/// Hand-written because profiling the get-by-id call showed GRDB's read machinery
/// (reader-pool lock and semaphore, dispatch-queue hop, schema-version check, per-read
/// transaction) taking about 40% of the server's CPU, several times the query itself. Each
/// read here is one prepared SELECT on a read-only WAL connection: SQLite runs a lone
/// statement on one consistent snapshot, so no explicit transaction is needed. GRDB still
/// owns the schema, the migrations and every write.
final class SQLiteReader: Sendable {
    private let path: String
    private let idle = Mutex<[SQLiteReadConnection]>([])

    init(path: String) {
        self.path = path
    }

    /// Runs `sql` with `arguments` and maps each row; borrows an idle connection or opens one.
    func query<T>(_ sql: String, _ arguments: [SQLiteValue], row map: (SQLiteRow) -> T) throws(StoreError) -> [T] {
        let connection: SQLiteReadConnection
        if let borrowed = idle.withLock({ $0.popLast() }) {
            connection = borrowed
        } else {
            connection = try SQLiteReadConnection(path: path)
        }
        defer { idle.withLock { $0.append(connection) } }
        return try connection.query(sql, arguments, row: map)
    }

    /// `query` on a thread of its own rather than the caller's: for reads whose size the
    /// client chooses (a list of up to 10,000 rows), which would otherwise hold a network
    /// thread, and every connection served by it, for their whole length. Point reads stay on
    /// the caller's thread: one indexed row costs microseconds, less than the hop.
    func queryOffLoop<T: Sendable>(
        _ sql: String, _ arguments: [SQLiteValue], row map: @escaping @Sendable (SQLiteRow) -> T
    ) async throws(StoreError) -> [T] {
        let result: Result<[T], StoreError> = await withCheckedContinuation { continuation in
            Self.queue.async {
                do throws(StoreError) {
                    continuation.resume(returning: .success(try self.query(sql, arguments, row: map)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        return try result.get()
    }

    /// Where `queryOffLoop` runs: Dispatch's shared pool, which grows with blocked work.
    private static let queue = DispatchQueue.global(qos: .userInitiated)

    /// The first row's mapping, or nil when there is none.
    func queryOne<T>(_ sql: String, _ arguments: [SQLiteValue], row map: (SQLiteRow) -> T) throws(StoreError) -> T? {
        try query(sql, arguments, row: map).first
    }
}

/// A value bound to a statement parameter.
enum SQLiteValue: Sendable {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
}

/// The current row of a stepping statement; valid only inside the row closure.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(statement, column)
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, column)
    }

    func bool(_ column: Int32) -> Bool {
        sqlite3_column_int64(statement, column) != 0
    }

    func optionalText(_ column: Int32) -> String? {
        sqlite3_column_type(statement, column) == SQLITE_NULL ? nil : text(column)
    }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }
}

/// One read-only connection and its prepared statements.
///
/// Not thread-safe by itself; `SQLiteReader` hands it to one caller at a time under its lock,
/// which is what makes the unchecked `Sendable` sound.
final class SQLiteReadConnection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]

    /// How long a read waits on a lock before failing with 503; reads run on event-loop
    /// threads, so they must never wait long. WAL readers only meet locks during recovery.
    static let busyTimeoutMilliseconds: Int32 = 100

    init(path: String) throws(StoreError) {
        // Open into a local: SQLite hands back a handle even when opening fails, and it must
        // be closed exactly once here, never again by `deinit`.
        var opened: OpaquePointer?
        let status = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
        guard status == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw storeError(code: status, message: "SQLite \(status): \(message)")
        }
        sqlite3_busy_timeout(opened, Self.busyTimeoutMilliseconds)
        handle = opened
    }

    func query<T>(_ sql: String, _ arguments: [SQLiteValue], row map: (SQLiteRow) -> T) throws(StoreError) -> [T] {
        let statement = try prepared(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch argument {
            case .integer(let value):
                status = sqlite3_bind_int64(statement, index, value)
            case .text(let value):
                status = value.utf8.withContiguousStorageIfAvailable { bytes in
                    sqlite3_bind_text(statement, index, bytes.baseAddress, Int32(bytes.count), transient)
                } ?? sqlite3_bind_text(statement, index, value, -1, transient)
            case .blob(let value):
                status = value.withUnsafeBytes { bytes in
                    sqlite3_bind_blob(statement, index, bytes.baseAddress, Int32(bytes.count), transient)
                }
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
        var rows: [T] = []
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_ROW {
                rows.append(map(SQLiteRow(statement: statement)))
            } else if status == SQLITE_DONE {
                return rows
            } else {
                throw error(status)
            }
        }
    }

    private func prepared(_ sql: String) throws(StoreError) -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error(status) }
        statements[sql] = statement
        return statement
    }

    private func error(_ status: Int32) -> StoreError {
        storeError(code: status, message: "SQLite \(status): \(String(cString: sqlite3_errmsg(handle)))")
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }
}

/// SQLite's SQLITE_TRANSIENT: copy bound bytes, since Swift's buffers do not outlive the call.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
