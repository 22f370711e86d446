import Foundation
import AWSConnectionsCore
import ArgumentParser
import Logging

/// `aws-connections keys`: issue, list and revoke API keys.
///
/// They set up an empty database but never upgrade an existing schema: an admin command run
/// with a newer binary must not change the schema under older servers still using it.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys",
        abstract: "Manage API keys (stored only as SHA-256 hashes).",
        subcommands: [Create.self, List.self, Revoke.self, Rotate.self]
    )

    /// Key commands print their results; the log carries only the store's warnings and errors.
    /// A `let`: swift-log allows one bootstrap per process.
    static let logger: Logger = LogSetup.bootstrap(level: .warning)

    /// The help of every subcommand: the database options it reads.
    static let databaseHelp = Settings.help(for: [DatabaseSettings.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a key (and its account if new); prints the key alone on stdout, once.",
            discussion: KeysCommand.databaseHelp)

        @Option(help: ArgumentHelp("Account the key belongs to; created if new.", valueName: "name"))
        var account: String

        @Option(
            name: .customLong("scope"),
            help: ArgumentHelp(
                "connections:read, connections:write or media:read; repeat for several. Default: connections:read and connections:write (media:read only when asked for).",
                valueName: "scope"))
        var scopes: [String] = []

        @Option(
            name: .customLong("expires-in"),
            help: ArgumentHelp(
                "Refuse the key (401 expired_api_key) this long after now: 90d, 12h, 1h30m, 45s. Default: never.",
                valueName: "duration"))
        var expiresIn: DurationText?

        /// The database options (`DatabaseSettings`), read by `Settings`.
        @Argument(parsing: .allUnrecognized, help: .hidden)
        var options: [String] = []

        func validate() throws {
            let trimmed = account.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, trimmed == account, account.count <= 100 else {
                throw ValidationError("--account must be 1 to 100 characters without surrounding spaces.")
            }
            for scope in scopes where Scope(rawValue: scope) == nil {
                throw ValidationError("unknown scope '\(scope)'; use connections:read, connections:write or media:read.")
            }
        }

        func run() async throws {
            let chosen: Set<Scope> = scopes.isEmpty ? [.read, .write] : Set(scopes.compactMap(Scope.init(rawValue:)))
            let now = Timestamp.now()
            let expiresAt = expiresIn.map { now.adding($0.duration) }
            let issued = try await Settings.read(options, groups: [DatabaseSettings.self]).withStore(
                migrations: .requireCurrent, logger: KeysCommand.logger
            ) { store in
                try await store.issueKey(account: account, scopes: chosen, expiresAt: expiresAt, at: now)
            }
            StandardOutput.write(issued.key.secret + "\n")
            let expiry = expiresAt.map { ", expiring \($0.rfc3339)" } ?? ""
            StandardError.write(
                "Created key \(issued.record.id.rawValue) for account '\(account)' with scopes \(Scope.serialise(chosen))\(expiry). It will not be shown again.\n"
            )
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List keys: id, account, scopes, created, last used (to the minute), expiry, revoked, and rotation links.",
            discussion: KeysCommand.databaseHelp)

        @Option(help: ArgumentHelp("Only this account's keys.", valueName: "name"))
        var account: String?

        /// The database options (`DatabaseSettings`), read by `Settings`.
        @Argument(parsing: .allUnrecognized, help: .hidden)
        var options: [String] = []

        func run() async throws {
            let records = try await Settings.read(options, groups: [DatabaseSettings.self]).withStore(
                migrations: .requireCurrent, logger: KeysCommand.logger
            ) { store in
                try await store.listKeys(account: account)
            }
            StandardOutput.write(KeyTable.render(records))
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a key by id; requests with it are refused from then on.",
            discussion: KeysCommand.databaseHelp)

        /// The key id and the database options (`DatabaseSettings`), in any order. One
        /// capture for both: ArgumentParser refuses an undeclared option before a declared
        /// positional argument, and `keys revoke --database URL KEY_ID` must work.
        @Argument(
            parsing: .allUnrecognized,
            help: ArgumentHelp("The key's id, as 'keys list' shows it.", valueName: "key-id"))
        var arguments: [String] = []

        var keyIDAndOptions: (keyID: String?, options: [String]) { KeysCommand.keyIDAndOptions(arguments) }

        func validate() throws {
            guard keyIDAndOptions.keyID != nil else { throw ValidationError("Missing expected argument '<key-id>'") }
        }

        func run() async throws {
            let (foundKeyID, options) = keyIDAndOptions
            let keyID = foundKeyID ?? ""
            let revoked = try await Settings.read(options, groups: [DatabaseSettings.self]).withStore(
                migrations: .requireCurrent, logger: KeysCommand.logger
            ) { store in
                try await store.revokeKey(KeyID(keyID), at: .now())
            }
            guard revoked else {
                StandardError.write("error: no key has the id '\(keyID)'.\n")
                throw ExitCode.failure
            }
            StandardOutput.write("revoked \(keyID)\n")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a key: prints a new key (same account and scopes) on stdout, once; the old one keeps working for the overlap, then is refused.",
            discussion: """
                Example: aws-connections keys rotate key_0123456789abcdef --overlap 2h

                A key is rotated once; rotate its successor next. A revoked key cannot be rotated: \
                create a new one. On PostgreSQL every replica refuses the old key within a second \
                of the overlap's end.

                """ + KeysCommand.databaseHelp)

        @Option(
            help: ArgumentHelp(
                "How long the old key keeps working: 24h by default. To stop it at once, use 'keys revoke'.",
                valueName: "duration"))
        var overlap: DurationText?

        @Option(
            name: .customLong("expires-in"),
            help: ArgumentHelp(
                "When the new key expires, from now: 90d, 12h, or never. Default: after as long a life as the old key was given (never if it had no expiry).",
                valueName: "duration|never"))
        var expiresIn: String?

        /// `--expires-in` as the store takes it.
        var successorExpiry: (Timestamp) -> SuccessorExpiry? {
            { now in
                guard let expiresIn else { return .sameLifetime }
                if expiresIn == "never" { return .never }
                return DurationText(argument: expiresIn).map { .at(now.adding($0.duration)) }
            }
        }

        /// The key id and the database options, in any order (see `Revoke`).
        @Argument(
            parsing: .allUnrecognized,
            help: ArgumentHelp("The key's id, as 'keys list' shows it.", valueName: "key-id"))
        var arguments: [String] = []

        func validate() throws {
            guard KeysCommand.keyIDAndOptions(arguments).keyID != nil else {
                throw ValidationError("Missing expected argument '<key-id>'")
            }
            guard successorExpiry(.now()) != nil else {
                throw ValidationError("--expires-in must be a duration such as 90d, 12h or 1h30m, or never.")
            }
        }

        func run() async throws {
            let (foundKeyID, options) = KeysCommand.keyIDAndOptions(arguments)
            let keyID = KeyID(foundKeyID ?? "")
            let now = Timestamp.now()
            let rotation = try await Settings.read(options, groups: [DatabaseSettings.self]).withStore(
                migrations: .requireCurrent, logger: KeysCommand.logger
            ) { store in
                try await store.rotateKey(
                    keyID, overlap: overlap?.duration ?? KeyLifecycle.defaultOverlap,
                    successorExpiry: successorExpiry(now) ?? .never, at: now)
            }
            switch rotation {
            case .rotated(let issued, let oldKeyExpiresAt):
                StandardOutput.write(issued.key.secret + "\n")
                let expiry = issued.record.expiresAt.map { ", expiring \($0.rfc3339)" } ?? ""
                StandardError.write(
                    "Rotated \(keyID.rawValue) to \(issued.record.id.rawValue) (account '\(issued.record.account)', scopes \(Scope.serialise(issued.record.scopes))\(expiry)). \(keyID.rawValue) keeps working until \(oldKeyExpiresAt.rfc3339). The new key will not be shown again.\n"
                )
            case .notFound:
                StandardError.write("error: no key has the id '\(keyID.rawValue)'.\n")
                throw ExitCode.failure
            case .revoked:
                StandardError.write("error: \(keyID.rawValue) is revoked; create a new key with 'keys create'.\n")
                throw ExitCode.failure
            case .expired(let at):
                StandardError.write(
                    "error: \(keyID.rawValue) expired at \(at.rfc3339); create a new key with 'keys create'.\n")
                throw ExitCode.failure
            case .alreadyRotated(let replacedBy):
                StandardError.write(
                    "error: \(keyID.rawValue) was already rotated to \(replacedBy.rawValue); rotate that key instead. If the rotation's new key was never shown, revoke \(replacedBy.rawValue) and create a key with 'keys create'.\n")
                throw ExitCode.failure
            }
        }
    }

    /// The one argument that is neither an option nor an option's value; every database
    /// option takes one value, as `--name value` or `--name=value`.
    static func keyIDAndOptions(_ arguments: [String]) -> (keyID: String?, options: [String]) {
        var keyID: String?
        var options: [String] = []
        var expectsValue = false
        for argument in arguments {
            if expectsValue {
                options.append(argument)
                expectsValue = false
            } else if argument.hasPrefix("--") {
                options.append(argument)
                expectsValue = !argument.contains("=")
            } else if keyID == nil {
                keyID = argument
            } else {
                options.append(argument)
            }
        }
        return (keyID, options)
    }
}

/// Plain-text table of keys for `keys list`.
enum KeyTable {
    static func render(_ records: [KeyRecord]) -> String {
        let header = ["KEY ID", "ACCOUNT", "SCOPES", "CREATED", "LAST USED", "EXPIRES", "REVOKED", "ROTATED FROM", "REPLACED BY"]
        let rows = records.map { record in
            [
                record.id.rawValue, record.account, Scope.serialise(record.scopes), record.createdAt.rfc3339,
                record.lastUsedAt?.rfc3339 ?? "-", record.expiresAt?.rfc3339 ?? "-", record.revokedAt?.rfc3339 ?? "-",
                record.rotatedFrom?.rawValue ?? "-", record.replacedBy?.rawValue ?? "-",
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
