import AWSConnectionsCore
@testable import AWSConnectionsPostgres
@testable import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import GRDB
import Testing

/// Which commands of the real executable may change a schema: an empty database is set up
/// by any of them, an existing one is upgraded only by `serve` and `migrate`, and one that a
/// newer version migrated is used by none.
@Suite("Migration policy")
struct MigrationPolicyTests {
    private let known = SQLiteStore.knownMigrations

    @Test("keys create works on an empty database, before any serve, and sets up the whole schema", arguments: StoreKind.all)
    func keysCreateSetsUpEmptyDatabase(store: StoreKind) async throws {
        #expect(PostgresStore.knownMigrations == known)
        try await withDatabaseURL(store) { database in
            let created = try await ServerProcess.run(["keys", "create", "--account", "acme", "--database", database])
            #expect(created.status == 0, "\(created.stderr)")
            #expect(created.stdout.hasPrefix("pictai_"))
            #expect(try await SchemaFixture.applied(store, url: database) == known.sorted())
            let listed = try await ServerProcess.run(["keys", "list", "--database", database])
            #expect(listed.status == 0 && listed.stdout.contains("acme"), "\(listed.stderr)")
        }
    }

    @Test("keys commands refuse an older schema with one line naming the applied and known migrations and leave it as it was; migrate upgrades it", arguments: StoreKind.all)
    func keysRefuseOlderSchemaUntilMigrate(store: StoreKind) async throws {
        try await withDatabaseURL(store) { database in
            try await SchemaFixture.create(store, url: database, through: known[1])
            let before = try await SchemaFixture.snapshot(store, url: database)

            for command in [["keys", "list"], ["keys", "create", "--account", "acme"], ["keys", "revoke", "key_doesnotexist0000"]] {
                let refused = try await ServerProcess.run(command + ["--database", database])
                #expect(refused.status != 0, "\(command)")
                #expect(refused.stdout.isEmpty, "\(command)")
                let lines = refused.stderr.split(separator: "\n")
                #expect(lines.count == 1, "\(command): \(refused.stderr)")
                let line = String(lines.first ?? "")
                #expect(line.hasPrefix("error: the database's schema is older"), "\(line)")
                #expect(line.contains("applied migrations \(known.prefix(2).joined(separator: ", "));"), "\(line)")
                #expect(line.contains("this version knows \(known.joined(separator: ", "))"), "\(line)")
                #expect(line.contains("'aws-connections migrate'"), "\(line)")
            }
            #expect(try await SchemaFixture.snapshot(store, url: database) == before)

            let migrated = try await ServerProcess.run(["migrate", "--database", database])
            #expect(migrated.status == 0, "\(migrated.stderr)")
            let expected = known.dropFirst(2).map { "applied \($0)\n" }.joined() + "schema is current: \(known.last ?? "")\n"
            #expect(migrated.stdout == expected)
            #expect(try await SchemaFixture.applied(store, url: database) == known.sorted())

            let listed = try await ServerProcess.run(["keys", "list", "--database", database])
            #expect(listed.status == 0, "\(listed.stderr)")
            #expect(listed.stdout.hasPrefix("KEY ID"))

            let again = try await ServerProcess.run(["migrate", "--database", database])
            #expect(again.status == 0)
            #expect(again.stdout == "schema is current, nothing to apply: \(known.last ?? "")\n")
        }
    }

    @Test("a database holding a migration this version does not know makes serve, migrate and keys refuse, and is left as it was", arguments: StoreKind.all)
    func newerSchemaRefusedByEveryCommand(store: StoreKind) async throws {
        try await withDatabaseURL(store) { database in
            #expect(try await ServerProcess.run(["migrate", "--database", database]).status == 0)
            try await SchemaFixture.recordUnknown(store, url: database, name: "9999-from-the-future")
            let before = try await SchemaFixture.snapshot(store, url: database)

            let commands = [["serve", "--port", "0"], ["migrate"], ["keys", "list"], ["keys", "create", "--account", "acme"]]
            for command in commands {
                let refused = try await ServerProcess.run(command + ["--database", database])
                #expect(refused.status != 0, "\(command)")
                let line = try #require(refused.stderr.split(separator: "\n").first { $0.hasPrefix("error:") }, "\(command)")
                #expect(line.contains("schema is newer than this version (it has 9999-from-the-future)"), "\(line)")
                #expect(line.contains("applied migrations \((known + ["9999-from-the-future"]).joined(separator: ", "));"))
                #expect(line.contains("this version knows \(known.joined(separator: ", "))"), "\(line)")
                #expect(line.contains("newer aws-connections"), "\(line)")
                #expect(!refused.stderr.contains("listening on"), "\(command)")
            }
            #expect(try await SchemaFixture.snapshot(store, url: database) == before)
        }
    }

    @Test("serve still upgrades an older schema at start, and migrate reads the database from the environment", arguments: StoreKind.all)
    func serveUpgradesOlderSchema(store: StoreKind) async throws {
        try await withDatabaseURL(store) { database in
            try await SchemaFixture.create(store, url: database, through: known[2])
            let (server, _) = try await ServerProcess.serve(database: database)
            #expect(try await SchemaFixture.applied(store, url: database) == known.sorted())
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)

            let fromEnvironment = try ServerProcess(["migrate"], environment: ["AWS_CONNECTIONS_DATABASE": database])
            #expect(try await fromEnvironment.waitForExit() == 0)
            let deadline = ContinuousClock.now + .seconds(10)
            while !fromEnvironment.standardOutput.hasSuffix("\n"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(fromEnvironment.standardOutput == "schema is current, nothing to apply: \(known.last ?? "")\n")
        }
    }
}

/// Databases at a chosen schema, made without the executable.
enum SchemaFixture {
    /// The schema of the steps through `step` only, as an older version left it.
    static func create(_ store: StoreKind, url: String, through step: String) async throws {
        switch store {
        case .sqlite:
            let pool = try DatabasePool(path: path(url))
            try SQLiteMigrations.migrator(defaultRoleName: RoleARN.defaultRoleName).migrate(pool, upTo: step)
            try pool.close()
        case .postgres:
            try await TestPostgres.execute(
                #"CREATE TABLE schema_migrations (name TEXT COLLATE "C" PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"#,
                on: url)
            let count = try #require(PostgresMigrations.steps.firstIndex { $0.name == step }) + 1
            for step in PostgresMigrations.steps.prefix(count) {
                let isSQLAlone = step.fill == nil && step.statementsAfterFill.isEmpty
                try #require(isSQLAlone, "a test database is made only by steps without a fill")
                for statement in step.statements { try await TestPostgres.execute(statement, on: url) }
                try await TestPostgres.execute("INSERT INTO schema_migrations (name) VALUES ('\(step.name)')", on: url)
            }
        }
    }

    /// Records `name` as applied, as a newer version's migration would be.
    static func recordUnknown(_ store: StoreKind, url: String, name: String) async throws {
        switch store {
        case .sqlite:
            let queue = try DatabaseQueue(path: path(url))
            try await queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [name]) }
        case .postgres:
            try await TestPostgres.execute("INSERT INTO schema_migrations (name) VALUES ('\(name)')", on: url)
        }
    }

    /// The migrations the database records, sorted.
    static func applied(_ store: StoreKind, url: String) async throws -> [String] {
        switch store {
        case .sqlite:
            let queue = try DatabaseQueue(path: path(url))
            return try await queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY 1") }
        case .postgres:
            return try await TestPostgres.query("SELECT name FROM schema_migrations ORDER BY 1", on: url)
        }
    }

    /// Every table, index and column and every recorded migration: what a refused command
    /// must not change.
    static func snapshot(_ store: StoreKind, url: String) async throws -> [String] {
        switch store {
        case .sqlite:
            let queue = try DatabaseQueue(path: path(url))
            return try await queue.read { db in
                try String.fetchAll(db, sql: "SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM sqlite_master ORDER BY name")
                    + String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY 1")
            }
        case .postgres:
            let columns = try await TestPostgres.query(
                """
                SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1
                """, on: url)
            let indexes = try await TestPostgres.query(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1", on: url)
            return try await columns + indexes + TestPostgres.query("SELECT name FROM schema_migrations ORDER BY 1", on: url)
        }
    }

    private static func path(_ url: String) -> String {
        String(url.dropFirst("sqlite:".count))
    }
}
