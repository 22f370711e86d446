public import AWSConnectionsCore
import Foundation
import GRDB
import GRDBSQLite

/// The embedded store: one SQLite file in WAL mode, reached through a GRDB `DatabasePool`
/// (one writer connection, several concurrent readers).
///
/// The hot reads go through `SQLiteReader` and run synchronously on the calling task: a
/// point read costs a few microseconds, less than hopping to another thread would. Writes
/// go through GRDB's serial writer queue, grouped into shared commits, and are durable when
/// they return (`synchronous = FULL` unless configured otherwise).
public final class SQLiteStore: Sendable {
    /// How hard SQLite works to make a commit survive a crash.
    public enum Durability: String, Sendable, CaseIterable {
        /// fsync on every commit: an acknowledged write survives power loss.
        case full
        /// fsync at checkpoints only: survives a process crash, may lose the last commits on power loss.
        case normal
    }

    let pool: DatabasePool
    let reader: SQLiteReader
    let writer: SQLiteWriteBatcher
    let migrator: DatabaseMigrator
    /// The migrations this open applied, oldest first; empty when the schema was current.
    public let appliedAtOpen: [String]

    /// The migrations this version knows, oldest first.
    public static var knownMigrations: [String] { SQLiteMigrations.names }

    /// Opens (creating if needed) the database at `path` and sets up or upgrades its schema
    /// as `migrations` allows. `defaultRoleName` names the role the connections that exist
    /// when the store first gains roles are given; `writeQueue` bounds the writes waiting for
    /// a commit; a write waits up to `busyTimeout` seconds for a lock another program holds.
    ///
    /// Throws `SchemaMismatch` when the policy refuses the schema (the database is then left
    /// as it was), and `StoreError` for anything else.
    public init(
        path: String, durability: Durability = .full, defaultRoleName: String = RoleARN.defaultRoleName,
        writeQueue: SQLiteWriteQueueLimits = .standard, migrations policy: MigrationPolicy = .upgrade,
        busyTimeout: Double = 5
    ) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        // GRDB's default, stated because a delete relies on it: a connection's verification
        // goes with it through `ON DELETE CASCADE`.
        configuration.foreignKeysEnabled = true
        // GRDB's readers serve only the admin reads; request reads go through `SQLiteReader`.
        configuration.maximumReaderCount = 2
        configuration.label = "aws-connections"
        let synchronous = durability == .full ? "FULL" : "NORMAL"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Set on the writer after the pool is open: GRDB's WAL setup sets NORMAL on it,
            // which would silently override anything `prepareDatabase` chose. Only the
            // writer commits, so its setting is the one that decides durability.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = \(synchronous)") }
            migrator = SQLiteMigrations.migrator(defaultRoleName: defaultRoleName)
            appliedAtOpen = try Self.prepareSchema(pool: pool, migrator: migrator, policy: policy)
            reader = SQLiteReader(path: path)
            writer = SQLiteWriteBatcher(pool: pool, limits: writeQueue)
        } catch let mismatch as SchemaMismatch {
            throw mismatch
        } catch {
            throw translate(error)
        }
    }

    /// Checks the schema against `policy`, applies what is pending, and returns what it applied.
    private static func prepareSchema(
        pool: DatabasePool, migrator: DatabaseMigrator, policy: MigrationPolicy
    ) throws -> [String] {
        let known = migrator.migrations
        let before = try pool.read(SQLiteMigrations.applied)
        try policy.check(applied: before, known: known)
        // A current schema is only read: a `keys list` takes no write lock.
        guard before != known else { return [] }
        try migrator.migrate(pool)
        // GRDB checks nothing between this process's check and its own steps, so a newer
        // version that upgraded the database in between is caught here instead.
        let after = try pool.read(SQLiteMigrations.applied)
        try MigrationPolicy.upgrade.check(applied: after, known: known)
        return after.filter { !before.contains($0) }
    }

    /// Runs a read through GRDB, for the rare reads off the request path (`keys list`).
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw translate(error)
        }
    }

    /// Runs a write atomically (in its own savepoint) and returns once it is committed;
    /// concurrent writes share one commit (see `SQLiteWriteBatcher`).
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        try await writer.perform(body)
    }

    /// The names of the applied migrations, oldest first.
    public func appliedMigrations() throws(StoreError) -> [String] {
        try read { db in try migrator.appliedMigrations(db) }
    }
}

/// Maps GRDB/SQLite failures to `StoreError` (see `storeError(code:message:)`).
func translate(_ error: any Error) -> StoreError {
    if let error = error as? StoreError { return error }
    guard let error = error as? DatabaseError else {
        return .failed(String(describing: error))
    }
    return storeError(code: error.extendedResultCode.rawValue, message: error.description)
}

/// The one classification of SQLite result codes, for GRDB's errors and the reader's alike:
/// a busy, locked, full, read-only or unreadable database is "unavailable" (retry later),
/// anything else is a failure.
func storeError(code: Int32, message: String) -> StoreError {
    switch code & 0xFF {
    case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_FULL, SQLITE_IOERR, SQLITE_CANTOPEN, SQLITE_READONLY, SQLITE_NOMEM,
        SQLITE_PROTOCOL:
        return .unavailable(message)
    default:
        return .failed(message)
    }
}
