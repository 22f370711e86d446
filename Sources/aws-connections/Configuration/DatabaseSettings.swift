import AWSConnectionsCore
import AWSConnectionsPostgres
import AWSConnectionsSQLite
import ArgumentParser
import Logging

/// The database and the options that tune each store, shared by every command.
struct DatabaseSettings: SettingGroup {
    let database = Setting<DatabaseURL>(
        key: "database", valueName: "url",
        help: "sqlite:PATH, or postgres://USER:PASS@HOST:PORT/DB with optional ?sslmode=disable|prefer|require|verify-ca|verify-full (default verify-full, prefer on loopback) and &sslrootcert=CA.pem.",
        defaultValue: .sqlite(path: "aws-connections.sqlite"), isSecret: true,
        // Not echoed: a mistyped postgres URL would print its password.
        rule: "sqlite:PATH or postgres://USER:PASS@HOST:PORT/DB", parse: DatabaseURL.init)
    let sqliteSynchronous = Setting<String>.text(
        "sqlite.synchronous", default: "full", valueName: "full|normal",
        help: "full: every commit survives power loss; normal: survives a crash of the process, may lose the last commits on power loss.",
        choices: ["full", "normal"])
    let postgresPoolSize = Setting<Int>.integer(
        "postgres.poolSize", default: 10, in: 1...1000, valueName: "count",
        help: "Most PostgreSQL connections this process opens.")
    let postgresTimeout = Setting<Duration>.seconds(
        "postgres.timeout", default: 5, in: 0.1...3600,
        help: "Seconds a request's statements may take once it has a pooled connection before it is answered 503; 80% of it is each session's statement_timeout and lock_timeout.")
    let postgresPoolTimeout = Setting<Duration>.seconds(
        "postgres.poolTimeout", default: 5, in: 0.01...3600,
        help: "Seconds a request waits for a pooled PostgreSQL connection before it is answered 503 without sending anything.")
    let postgresConnectTimeout = Setting<Duration>.seconds(
        "postgres.connectTimeout", default: 10, in: 0.1...3600,
        help: "Seconds the start-up connection (migrations) may take before the command exits 1.")

    /// Here rather than with the AWS options because `serve` and `migrate` may both run the
    /// migration that gives existing connections a role named this.
    let defaultRoleName = Setting<String>.text(
        "defaultRoleName", default: RoleARN.defaultRoleName, valueName: "name",
        help: "Role name of a connection created without roleArn, and of the connections that exist when the store first gains roles.",
        rule: "an IAM role name: 1-64 of A-Z a-z 0-9 + = , . @ _ -",
        parse: { RoleARN.isValidName($0) ? $0 : nil })

    init() {}
}

extension Settings {
    /// Opens the store the settings name, runs `body` with it, and closes it. An empty
    /// database is set up whatever `migrations` says; an existing schema is upgraded only
    /// under `.upgrade`. A database that cannot be opened, or whose schema the policy
    /// refuses, is printed as an operator-facing error, exit 1.
    func withStore<T>(
        migrations: MigrationPolicy, logger: Logger, _ body: (any ServiceStore) async throws -> T
    ) async throws -> T {
        try await withOpenedStore(migrations: migrations, logger: logger) { store, _ in try await body(store) }
    }

    /// `withStore`, telling `body` also what the opening did to the schema.
    func withOpenedStore<T>(
        migrations: MigrationPolicy, logger: Logger, _ body: (any ServiceStore, SchemaOpening) async throws -> T
    ) async throws -> T {
        do {
            return try await openStore(migrations: migrations, logger: logger, body)
        } catch let failure as CommandFailure {
            StandardError.write("error: \(failure.description)\n")
            throw ExitCode.failure
        } catch let mismatch as SchemaMismatch {
            StandardError.write("error: \(SchemaOpening.refusal(mismatch))\n")
            throw ExitCode.failure
        }
    }

    private func openStore<T>(
        migrations: MigrationPolicy, logger: Logger, _ body: (any ServiceStore, SchemaOpening) async throws -> T
    ) async throws -> T {
        switch self[\DatabaseSettings.database] {
        case .sqlite(let path):
            let durability = SQLiteStore.Durability(rawValue: self[\DatabaseSettings.sqliteSynchronous]) ?? .full
            let store: SQLiteStore
            do {
                store = try SQLiteStore(
                    path: path, durability: durability, defaultRoleName: self[\DatabaseSettings.defaultRoleName],
                    migrations: migrations)
            } catch let error as StoreError {
                throw CommandFailure("cannot open SQLite database '\(path)': \(error.detail)")
            }
            return try await body(store, SchemaOpening(applied: store.appliedAtOpen, known: SQLiteStore.knownMigrations))
        case .postgres(let url):
            let settings = try postgresSettings(url)
            do {
                return try await PostgresStore.withRunningStore(
                    settings: settings, logger: logger, migrations: migrations
                ) { store in
                    try await body(
                        store, SchemaOpening(applied: store.appliedAtOpen, known: PostgresStore.knownMigrations))
                }
            } catch let error as StoreError {
                throw CommandFailure("cannot use PostgreSQL: \(error.detail)")
            }
        }
    }

    private func postgresSettings(_ url: String) throws -> PostgresSettings {
        var settings: PostgresSettings
        do {
            settings = try PostgresSettings(url: url)
        } catch {
            // The URL may hold a password: name the problem, not the URL.
            throw CommandFailure("--database: \(error.description).")
        }
        settings.maximumConnections = self[\DatabaseSettings.postgresPoolSize]
        settings.operationTimeout = self[\DatabaseSettings.postgresTimeout]
        settings.poolWaitTimeout = self[\DatabaseSettings.postgresPoolTimeout]
        settings.connectTimeout = self[\DatabaseSettings.postgresConnectTimeout]
        settings.defaultRoleName = self[\DatabaseSettings.defaultRoleName]
        return settings
    }
}

/// The kinds of database URL the server understands.
enum DatabaseURL: Equatable, Sendable, CustomStringConvertible {
    case sqlite(path: String)
    case postgres(String)

    init?(_ text: String) {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            // Accept sqlite:///abs/path and sqlite://rel as well as sqlite:path.
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            guard !path.isEmpty else { return nil }
            self = .sqlite(path: path)
        } else if text.lowercased().hasPrefix("postgres://") || text.lowercased().hasPrefix("postgresql://") {
            self = .postgres(text)
        } else {
            return nil
        }
    }

    /// As written in a URL; the default's text, which is all the help ever shows.
    var description: String {
        switch self {
        case .sqlite(let path): "sqlite:\(path)"
        case .postgres: "postgres://…"
        }
    }
}

/// What opening the store did to the schema.
struct SchemaOpening {
    /// The migrations this opening applied, oldest first; empty when the schema was current.
    let applied: [String]
    /// The migrations this version knows, oldest first.
    let known: [String]

    /// The one-line reason a command refuses the database's schema, with what to do about it.
    static func refusal(_ mismatch: SchemaMismatch) -> String {
        let remedy =
            mismatch.isNewer
            ? "Use a newer aws-connections, one that knows every applied migration."
            : "Upgrade it first with 'aws-connections migrate' from this version (see the README on upgrading replicas)."
        return "\(mismatch.description). \(remedy)"
    }
}

/// A command failed for a reason the operator can fix; printed without a stack, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
