import AWSConnectionsCore
import AWSConnectionsPostgres
import AWSConnectionsSQLite
import ArgumentParser
import Logging

/// `--database` and the options that tune a store, shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "sqlite:PATH or postgres://USER:PASS@HOST:PORT/DB[?sslmode=disable|prefer|require] (env AWS_CONNECTIONS_DATABASE).",
            valueName: "url"))
    var database: String?

    @Option(
        name: .customLong("sqlite-synchronous"),
        help: ArgumentHelp(
            "full: every commit survives power loss; normal: survives a crash, may lose the last commits on power loss (env AWS_CONNECTIONS_SQLITE_SYNCHRONOUS).",
            valueName: "full|normal"))
    var sqliteSynchronous: String?

    @Option(
        name: .customLong("postgres-pool-size"),
        help: ArgumentHelp(
            "Most PostgreSQL connections this process opens; default 10 (env AWS_CONNECTIONS_POSTGRES_POOL_SIZE).",
            valueName: "count"))
    var postgresPoolSize: Int?

    @Option(
        name: .customLong("postgres-timeout"),
        help: ArgumentHelp(
            "Seconds a request waits for PostgreSQL before it is answered 503; default 5 (env AWS_CONNECTIONS_POSTGRES_TIMEOUT).",
            valueName: "seconds"))
    var postgresTimeout: Double?

    @Option(
        name: .customLong("postgres-connect-timeout"),
        help: ArgumentHelp(
            "Seconds the start-up connection may take before the command gives up; default 10 (env AWS_CONNECTIONS_POSTGRES_CONNECT_TIMEOUT).",
            valueName: "seconds"))
    var postgresConnectTimeout: Double?

    static let defaultDatabase = "sqlite:aws-connections.sqlite"

    /// The database URL from the flag, else the environment, else the default file.
    var resolvedDatabase: String {
        database ?? Environment.value("AWS_CONNECTIONS_DATABASE") ?? Self.defaultDatabase
    }

    /// Opens the store the URL names (running migrations), runs `body` with it, and closes it.
    /// A database that cannot be opened is an operator-facing `CommandFailure`.
    func withStore<T>(logger: Logger, _ body: (any ServiceStore) async throws -> T) async throws -> T {
        let url = resolvedDatabase
        switch DatabaseURL(url) {
        case .sqlite(let path):
            let store: SQLiteStore
            do {
                store = try SQLiteStore(path: path, durability: try sqliteDurability())
            } catch let error as StoreError {
                throw CommandFailure("cannot open SQLite database '\(path)': \(error.detail)")
            }
            return try await body(store)
        case .postgres(let text):
            let settings = try postgresSettings(text)
            do {
                return try await PostgresStore.withRunningStore(settings: settings, logger: logger) { store in
                    try await body(store)
                }
            } catch let error as StoreError {
                throw CommandFailure("cannot use PostgreSQL: \(error.detail)")
            }
        case nil:
            // Not echoed: a mistyped postgres URL would print its password.
            throw ValidationError("--database must be sqlite:PATH or postgres://USER:PASS@HOST:PORT/DB.")
        }
    }

    private func sqliteDurability() throws -> SQLiteStore.Durability {
        let text = (sqliteSynchronous ?? Environment.value("AWS_CONNECTIONS_SQLITE_SYNCHRONOUS") ?? "full")
            .lowercased()
        guard let durability = SQLiteStore.Durability(rawValue: text) else {
            throw ValidationError("--sqlite-synchronous must be 'full' or 'normal', not '\(text)'.")
        }
        return durability
    }

    private func postgresSettings(_ url: String) throws -> PostgresSettings {
        var settings: PostgresSettings
        do {
            settings = try PostgresSettings(url: url)
        } catch {
            // The URL may hold a password: name the problem, not the URL.
            throw ValidationError("--database: \(error.description).")
        }
        let poolSize = try postgresPoolSize ?? Environment.integer("AWS_CONNECTIONS_POSTGRES_POOL_SIZE") ?? 10
        let timeout = try postgresTimeout ?? Environment.number("AWS_CONNECTIONS_POSTGRES_TIMEOUT") ?? 5
        let connectTimeout =
            try postgresConnectTimeout ?? Environment.number("AWS_CONNECTIONS_POSTGRES_CONNECT_TIMEOUT") ?? 10
        guard (1...1000).contains(poolSize) else {
            throw ValidationError("--postgres-pool-size must be between 1 and 1000.")
        }
        guard (0.1...3600).contains(timeout), (0.1...3600).contains(connectTimeout) else {
            throw ValidationError("--postgres-timeout and --postgres-connect-timeout must be 0.1 to 3600 seconds.")
        }
        settings.maximumConnections = poolSize
        settings.operationTimeout = .milliseconds(Int64(timeout * 1000))
        settings.connectTimeout = .milliseconds(Int64(connectTimeout * 1000))
        return settings
    }
}

/// The kinds of database URL the server understands.
enum DatabaseURL: Equatable {
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
}

/// A command failed for a reason the operator can fix; printed without a stack, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

extension DatabaseOptions {
    /// `withStore`, printing an operator-facing failure and exiting 1 instead of throwing it.
    func withStoreOrExit<T>(logger: Logger, _ body: (any ServiceStore) async throws -> T) async throws -> T {
        do {
            return try await withStore(logger: logger, body)
        } catch let failure as CommandFailure {
            StandardError.write("error: \(failure.description)\n")
            throw ExitCode.failure
        }
    }
}
