import Foundation
import AWSConnectionsCore
import ArgumentParser
import Logging

/// `aws-connections keys`: issue, list and revoke API keys.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage API keys (stored only as SHA-256 hashes).",
        subcommands: [Create.self, List.self, Revoke.self]
    )

    /// Key commands print their results; the log carries only the store's warnings and errors.
    /// A `let`: swift-log allows one bootstrap per process.
    static let logger: Logger = LogSetup.bootstrap(level: .warning)

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key (and its account if new); prints the key alone on stdout, once.")

        @Option(help: ArgumentHelp("Account the key belongs to; created if new.", valueName: "name"))
        var account: String

        @Option(
            name: .customLong("scope"),
            help: ArgumentHelp(
                "connections:read or connections:write; repeat for both (the default).", valueName: "scope"))
        var scopes: [String] = []

        @OptionGroup var databaseOptions: DatabaseOptions

        func validate() throws {
            let trimmed = account.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed == account, account.count <= 100 else {
                throw ValidationError("--account must be 1 to 100 characters without surrounding spaces.")
            }
            for scope in scopes where Scope(rawValue: scope) == nil {
                throw ValidationError("unknown scope '\(scope)'; use connections:read or connections:write.")
            }
        }

        func run() async throws {
            let chosen = scopes.isEmpty ? Set(Scope.allCases) : Set(scopes.compactMap(Scope.init(rawValue:)))
            let issued = try await databaseOptions.withStoreOrExit(logger: KeysCommand.logger) { store in
                try await store.issueKey(account: account, scopes: chosen, at: .now())
            }
            StandardOutput.write(issued.key.secret + "\n")
            StandardError.write(
                "Created key \(issued.record.id.rawValue) for account '\(account)' with scopes \(Scope.serialise(chosen)). It will not be shown again.\n"
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List keys: id, account, scopes, created, last used (to the minute), revoked.")

        @Option(help: ArgumentHelp("Only this account's keys.", valueName: "name"))
        var account: String?

        @OptionGroup var databaseOptions: DatabaseOptions

        func run() async throws {
            let records = try await databaseOptions.withStoreOrExit(logger: KeysCommand.logger) { store in
                try await store.listKeys(account: account)
            }
            StandardOutput.write(KeyTable.render(records))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key by id; requests with it are refused from then on.")

        @Argument(help: ArgumentHelp("The key's id, as 'keys list' shows it.", valueName: "key-id"))
        var keyID: String

        @OptionGroup var databaseOptions: DatabaseOptions

        func run() async throws {
            let revoked = try await databaseOptions.withStoreOrExit(logger: KeysCommand.logger) { store in
                try await store.revokeKey(KeyID(keyID), at: .now())
            }
            guard revoked else {
                StandardError.write("error: no key has the id '\(keyID)'.\n")
                throw ExitCode.failure
            }
            StandardOutput.write("revoked \(keyID)\n")
        }
    }
}

/// Plain-text table of keys for `keys list`.
enum KeyTable {
    static func render(_ records: [KeyRecord]) -> String {
        let header = ["KEY ID", "ACCOUNT", "SCOPES", "CREATED", "LAST USED", "REVOKED"]
        let rows = records.map { record in
            [
                record.id.rawValue, record.account, Scope.serialise(record.scopes), record.createdAt.rfc3339,
                record.lastUsedAt?.rfc3339 ?? "-", record.revokedAt?.rfc3339 ?? "-",
            ]
        }
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
