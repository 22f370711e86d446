import AWSConnectionsCore
import AWSConnectionsSQLite
import ArgumentParser

/// `--database` and the options that tune a store, shared by every subcommand.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "sqlite:PATH or postgres://USER:PASS@HOST:PORT/DB (env AWS_CONNECTIONS_DATABASE).",
            valueName: "url"))
    var database: String?

    @Option(
        name: .customLong("sqlite-synchronous"),
        help: ArgumentHelp(
            "full: every commit survives power loss; normal: survives a crash, may lose the last commits on power loss (env AWS_CONNECTIONS_SQLITE_SYNCHRONOUS).",
            valueName: "full|normal"))
    var sqliteSynchronous: String?

    static let defaultDatabase = "sqlite:aws-connections.sqlite"

    /// The database URL from the flag, else the environment, else the default file.
    var resolvedDatabase: String {
        database ?? Environment.value("AWS_CONNECTIONS_DATABASE") ?? Self.defaultDatabase
    }

    /// Opens the store the URL names, running migrations.
    func openStore() throws -> any ServiceStore {
        let url = resolvedDatabase
        let durabilityText = (sqliteSynchronous ?? Environment.value("AWS_CONNECTIONS_SQLITE_SYNCHRONOUS") ?? "full")
            .lowercased()
        guard let durability = SQLiteStore.Durability(rawValue: durabilityText) else {
            throw ValidationError("--sqlite-synchronous must be 'full' or 'normal', not '\(durabilityText)'.")
        }
        switch DatabaseURL(url) {
        case .sqlite(let path):
            do {
                return try SQLiteStore(path: path, durability: durability)
            } catch {
                throw CommandFailure("cannot open SQLite database '\(path)': \(error.detail)")
            }
        case .postgres:
            throw CommandFailure("PostgreSQL is not supported by this version yet; use sqlite:PATH.")
        case nil:
            throw ValidationError("--database must be sqlite:PATH or postgres://USER:PASS@HOST:PORT/DB, not '\(url)'.")
        }
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
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
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
    /// `openStore`, printing an operator-facing failure and exiting 1 instead of throwing it.
    func openStoreOrExit() throws -> any ServiceStore {
        do {
            return try openStore()
        } catch let failure as CommandFailure {
            StandardError.write("error: \(failure.description)\n")
            throw ExitCode.failure
        }
    }
}
