import AWSConnectionsCore
import ArgumentParser
import Logging

/// `aws-connections migrate`: upgrades the schema on purpose, without serving.
///
/// Besides `serve`, the one command that upgrades an existing schema, so that an operator
/// can upgrade a database that several replicas share at a moment of their choosing.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending schema migrations; prints each one applied, then the schema's last migration.",
        discussion: """
            Creates the schema on an empty database. Refuses (exit 1) a database that a newer \
            version has migrated. Other admin commands never upgrade an existing schema.

            """ + Settings.help(for: [DatabaseSettings.self]))

    /// The database options (`DatabaseSettings`), read by `Settings`.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var options: [String] = []

    func run() async throws {
        // Results go to stdout; the log carries only the store's warnings and errors.
        let logger = LogSetup.bootstrap(level: .warning)
        let opening = try await Settings.read(options, groups: [DatabaseSettings.self]).withOpenedStore(
            migrations: .upgrade, logger: logger
        ) { _, opening in opening }
        let lines = opening.applied.map { "applied \($0)\n" }.joined()
        let state = opening.applied.isEmpty ? "schema is current, nothing to apply" : "schema is current"
        StandardOutput.write(lines + "\(state): \(opening.known.last ?? "no migrations")\n")
    }
}
