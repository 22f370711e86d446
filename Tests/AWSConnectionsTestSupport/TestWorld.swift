public import AWSConnectionsCore
import AWSConnectionsPostgres
public import AWSConnectionsSQLite
public import Foundation
import GRDB
import Logging
import Testing

/// A fresh, real database of one kind (a SQLite file in a temporary folder, or a new
/// database on the test PostgreSQL server) with keys for two accounts.
public struct TestWorld: Sendable {
    public let kind: StoreKind
    public let store: any ServiceStore
    /// The `--database` URL a server process would use for the same data.
    public let databaseURL: String
    /// The SQLite store and its folder, for the SQLite-only tests; nil on PostgreSQL.
    public let sqlite: (store: SQLiteStore, path: String, directory: URL)?
    /// Account "alpha", both scopes.
    public let alpha: String
    /// Account "alpha", connections:read only.
    public let alphaReader: String
    /// Account "alpha", connections:write only.
    public let alphaWriter: String
    /// Account "beta", both scopes.
    public let beta: String
}

/// Runs `body` on a fresh database of `kind`, removed afterwards. `postgresTimeout` is the
/// PostgreSQL store's operation timeout and pool-wait timeout.
///
/// The deadlines here are far longer than the service's defaults: the whole suite runs at once
/// on a small machine, where a production deadline would turn a slow moment into a 503 in a
/// test whose subject is not deadlines. Tests of deadlines set their own.
public func withWorld<T>(
    _ kind: StoreKind, postgresTimeout: Duration = .seconds(30), _ body: (TestWorld) async throws -> T
) async throws -> T {
    switch kind {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aws-connections-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("test.sqlite").path
        let store = try SQLiteStore(path: path, writeQueue: .init(maxQueued: 1_024, maxWait: .seconds(30)))
        let world = try await TestWorld.issuingKeys(
            kind: kind, store: store, databaseURL: "sqlite:" + path, sqlite: (store, path, directory))
        return try await body(world)
    case .postgres:
        return try await TestPostgres.withDatabase { url in
            var settings = try PostgresSettings(url: url)
            // Many tests run at once against one server; each needs only a few connections.
            settings.maximumConnections = 4
            settings.operationTimeout = postgresTimeout
            settings.poolWaitTimeout = postgresTimeout
            return try await PostgresStore.withRunningStore(settings: settings, logger: testLogger) { store in
                let world = try await TestWorld.issuingKeys(kind: kind, store: store, databaseURL: url, sqlite: nil)
                return try await body(world)
            }
        }
    }
}

extension TestWorld {
    fileprivate static func issuingKeys(
        kind: StoreKind, store: any ServiceStore, databaseURL: String,
        sqlite: (store: SQLiteStore, path: String, directory: URL)?
    ) async throws -> TestWorld {
        let now = Timestamp.now()
        return TestWorld(
            kind: kind,
            store: store,
            databaseURL: databaseURL,
            sqlite: sqlite,
            alpha: try await store.issueKey(account: "alpha", scopes: [.read, .write], at: now).key.secret,
            alphaReader: try await store.issueKey(account: "alpha", scopes: [.read], at: now).key.secret,
            alphaWriter: try await store.issueKey(account: "alpha", scopes: [.write], at: now).key.secret,
            beta: try await store.issueKey(account: "beta", scopes: [.read, .write], at: now).key.secret
        )
    }
}

extension TestWorld {
    /// Runs SQL on the world's database over a connection of its own, beside the store: for
    /// tests that arrange a state or a fault the API cannot.
    public func executeSQL(_ statements: [String]) async throws {
        if let sqlite {
            // Waits for the store's own writes (a key's last-used time, say) instead of failing.
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            let queue = try DatabaseQueue(path: sqlite.path, configuration: configuration)
            try await queue.write { db in
                for sql in statements { try db.execute(sql: sql) }
            }
        } else {
            for sql in statements { try await TestPostgres.execute(sql, on: databaseURL) }
        }
    }

    /// The single integer a query answers, read over a connection of its own.
    public func queryInteger(_ sql: String) async throws -> Int {
        if let sqlite {
            let queue = try DatabaseQueue(path: sqlite.path)
            return try #require(try await queue.read { db in try Int.fetchOne(db, sql: sql) })
        }
        let text = try #require(try await TestPostgres.query("SELECT (\(sql))::text", on: databaseURL).first)
        return try #require(Int(text))
    }

    /// The public id of the key `secret`.
    public func keyID(of secret: String) async throws -> String {
        let key = try #require(APIKey(secret))
        return try #require(try await store.caller(forKeyHash: key.hash)).keyID.rawValue
    }
}
