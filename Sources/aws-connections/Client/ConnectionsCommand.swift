import AWSConnectionsClient
import ArgumentParser
import Foundation

/// `aws-connections connections`: every API call from a terminal, through the Swift SDK.
struct ConnectionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connections",
        abstract: "Call the API: list, get, create, update, delete connections, and their AWS side.",
        discussion: """
            The server and key come from --endpoint and --api-key, else AWS_CONNECTIONS_ENDPOINT and \
            AWS_CONNECTIONS_API_KEY, else a profile of \(ConfigFile.displayPath) (--profile, else \
            AWS_CONNECTIONS_PROFILE, else [default]); that file must not be readable by others (chmod 600).

            Output is a table on a terminal and JSON otherwise; --output json|table chooses.
            Exit codes: 0 ok, 1 API error, 2 usage or configuration, 3 not found, 4 conflict \
            (version mismatch, connection disabled), 5 server unreachable or unavailable, 6 not verified.
            """,
        subcommands: [
            List.self, Get.self, Create.self, Update.self, Delete.self, Enable.self, Disable.self, History.self,
            Setup.self, Verify.self, Presign.self,
        ]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List connections, oldest first.",
            discussion: """
                Without --limit every connection is listed (fetched a page at a time); with it, one page, \
                and the token of the next (JSON: NextToken; table: on stderr).

                Example:
                  aws-connections connections list --enabled true --output table
                """)

        @Option(help: "Only enabled (true) or disabled (false) connections.") var enabled: Bool?
        @Option(help: "Only connections with exactly this name.") var name: String?
        @Option(help: "One page of at most this many (1 to 1000).") var limit: Int?
        @Option(name: .customLong("next-token"), help: "Where the page starts: a previous page's NextToken.")
        var nextToken: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand(client) { context in
                let page: ConnectionPage
                if limit != nil || nextToken != nil {
                    page = try await context.client.listConnections(limit: limit, nextToken: nextToken, enabled: enabled, name: name)
                } else {
                    var items: [Connection] = []
                    for try await connection in context.client.connections(enabled: enabled, name: name, pageSize: 1000) {
                        items.append(connection)
                    }
                    page = ConnectionPage(items: items, nextToken: nil)
                }
                switch context.output {
                case .json: try JSONOutput.write(page)
                case .table:
                    Table(header: Connection.listHeader, rows: page.items.map(\.listRow)).write()
                    if let token = page.nextToken { StandardError.write("next token: \(token)\n") }
                }
                return CLIExit.ok
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one connection.",
            discussion: "Example:\n  aws-connections connections get 20261204074512345abcdefghijklmno")

        @Argument(help: "The connection's id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand(client) { context in
                try printConnection(try await context.client.getConnection(id: id), context)
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a connection.",
            discussion: """
                Retried sends reuse one Idempotency-Key, so a create is done once; pass \
                --idempotency-key to make your own retries of this command just as safe.

                Example:
                  aws-connections connections create --name media --aws-account-id 123456789012 --aws-region us-east-1
                """)

        @Option(help: "A name of 1 to 100 characters.") var name: String
        @Option(name: .customLong("aws-account-id"), help: "The customer's 12-digit AWS account id.") var awsAccountId: String
        @Option(name: .customLong("aws-region"), help: "The AWS region code, such as us-east-1.") var awsRegion: String
        @Option(help: "Up to 1,000 characters.") var description: String?
        @Flag(help: "Create it disabled.") var disabled = false
        @Option(name: .customLong("role-arn"), help: "The IAM role to assume (else the account's default role).")
        var roleArn: String?
        @Option(name: .customLong("idempotency-key"), help: "1 to 255 visible ASCII characters (else a new UUID).")
        var idempotencyKey: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand(client) { context in
                let new = NewConnection(
                    name: name, awsAccountId: awsAccountId, awsRegion: awsRegion, description: description,
                    enabled: disabled ? false : nil, roleArn: roleArn)
                let created = try await context.client.createConnection(
                    new, idempotencyKey: idempotencyKey ?? ConnectionsClient.newIdempotencyKey())
                return try printConnection(created, context)
            }
        }
    }

    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a connection's name, description, enabled state or role.",
            discussion: """
                With --version the update applies only to that version (else exit 4 and the current \
                version on stderr); without it, the current version is read first.

                Example:
                  aws-connections connections update 20261204074512345abcdefghijklmno --name renamed --version 3
                """)

        @Argument(help: "The connection's id.") var id: String
        @Option(help: "A new name.") var name: String?
        @Option(help: "A new description.") var description: String?
        @Flag(help: "Enable or disable it.") var state: EnabledState?
        @Option(name: .customLong("role-arn"), help: "A new IAM role.") var roleArn: String?
        @Option(help: "The version to update (as get shows it).") var version: Int?
        @OptionGroup var client: ClientOptions

        func validate() throws {
            if name == nil && description == nil && state == nil && roleArn == nil {
                throw ValidationError("nothing to change: give --name, --description, --enabled, --disabled or --role-arn.")
            }
        }

        func run() async throws {
            try await runClientCommand(client) { context in
                let changes = ConnectionChanges(
                    name: name, description: description, enabled: state.map { $0 == .enabled }, roleArn: roleArn)
                return try printConnection(try await context.client.updateConnection(id: id, changes, version: version), context)
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a connection; prints nothing.",
            discussion: "Example:\n  aws-connections connections delete 20261204074512345abcdefghijklmno --version 3")

        @Argument(help: "The connection's id.") var id: String
        @Option(help: "Delete only this version (else exit 4 and the current version on stderr).") var version: Int?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand(client) { context in
                try await context.client.deleteConnection(id: id, version: version)
                return CLIExit.ok
            }
        }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a connection (update --enabled).",
            discussion: "Example:\n  aws-connections connections enable 20261204074512345abcdefghijklmno")

        @Argument(help: "The connection's id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await setEnabled(true, id: id, client)
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a connection (update --disabled): no AWS call is made for it until enabled.",
            discussion: "Example:\n  aws-connections connections disable 20261204074512345abcdefghijklmno")

        @Argument(help: "The connection's id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await setEnabled(false, id: id, client)
        }
    }

    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a connection's history, oldest first.",
            discussion: "Example:\n  aws-connections connections history 20261204074512345abcdefghijklmno --output json")

        @Argument(help: "The connection's id.") var id: String
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand(client) { context in
                var entries: [HistoryEntry] = []
                for try await entry in context.client.historyEntries(id: id, pageSize: 1000) { entries.append(entry) }
                switch context.output {
                case .json: try JSONOutput.write(HistoryPage(connectionId: id, items: entries, nextToken: nil))
                case .table:
                    Table(
                        header: ["VERSION", "CHANGED", "KEY", "CHANGE", "FIELDS"],
                        rows: entries.map {
                            [String($0.version), TextCell.date($0.changedDate), $0.keyId ?? "-", $0.change.rawValue, $0.changes.summary]
                        }
                    ).write()
                }
                return CLIExit.ok
            }
        }
    }

    struct Setup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what the customer deploys for a connection; --template-file writes its CloudFormation template.",
            discussion: """
                Example:
                  aws-connections connections setup 20261204074512345abcdefghijklmno --bucket media --template-file role.json
                  aws cloudformation deploy --template-file role.json --stack-name media-role --capabilities CAPABILITY_NAMED_IAM
                """)

        @Argument(help: "The connection's id.") var id: String
        @Option(name: .customLong("bucket"), help: "A bucket the role may read; repeat for several (else every bucket).")
        var buckets: [String] = []
        @Option(name: .customLong("template-file"), help: "Write the CloudFormation template (JSON) to this file.")
        var templateFile: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand(client) { context in
                let setup = try await context.client.setup(id: id, buckets: buckets)
                if let templateFile {
                    do {
                        try setup.cloudFormationTemplate.write(to: URL(fileURLWithPath: templateFile))
                    } catch {
                        throw CLIFailure.usage("cannot write \(templateFile): \(error.localizedDescription)")
                    }
                }
                switch context.output {
                case .json:
                    func object(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data) }
                    try JSONOutput.write(object: [
                        "connectionId": setup.connectionId, "roleArn": setup.roleArn, "externalId": setup.externalId,
                        "principalArn": setup.principalArn, "trustPolicy": try object(setup.trustPolicy),
                        "permissionsPolicy": try object(setup.permissionsPolicy),
                        "cloudFormationTemplate": try object(setup.cloudFormationTemplate),
                    ])
                case .table:
                    Table.record([
                        "connectionId": setup.connectionId, "roleArn": setup.roleArn, "externalId": setup.externalId,
                        "principalArn": setup.principalArn,
                        "template": templateFile.map { "written to \($0)" } ?? "not written (use --template-file FILE)",
                    ]).write()
                }
                return CLIExit.ok
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a connection's role step by step; exits 6 unless verified.",
            discussion: "Example:\n  aws-connections connections verify 20261204074512345abcdefghijklmno --bucket media --key videos/intro.mp4")

        @Argument(help: "The connection's id.") var id: String
        @Option(help: "A bucket the role should be able to list.") var bucket: String?
        @Option(help: "An object in --bucket the role should be able to read.") var key: String?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand(client) { context in
                let verification = try await context.client.verify(id: id, bucket: bucket, key: key)
                switch context.output {
                case .json: try JSONOutput.write(verification)
                case .table:
                    Table(
                        header: ["STEP", "STATUS", "CODE", "MS", "MESSAGE"],
                        rows: verification.steps.map {
                            [$0.step, $0.status.rawValue, $0.code ?? "-", String($0.durationMs), $0.message ?? ""]
                        }
                    ).write()
                    StandardOutput.write("status: \(verification.status.rawValue)\n")
                }
                return verification.status == .verified ? CLIExit.ok : CLIExit.notVerified
            }
        }
    }

    struct Presign: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Get a presigned S3 URL for an object (needs a key with media:read).",
            discussion: """
                The URL carries a session token: treat it as a secret until it expires.

                Example:
                  aws-connections connections presign 20261204074512345abcdefghijklmno --bucket media --key videos/intro.mp4 --expires-in 600
                """)

        @Argument(help: "The connection's id.") var id: String
        @Option(help: "The object's bucket.") var bucket: String
        @Option(help: "The object's key.") var key: String
        @Option(name: .customLong("expires-in"), help: "Seconds the URL stays valid, 1 to 3600 (else 900).")
        var expiresIn: Int?
        @OptionGroup var client: ClientOptions

        func run() async throws {
            try await runClientCommand(client) { context in
                let presigned = try await context.client.presign(id: id, bucket: bucket, key: key, expiresIn: expiresIn)
                switch context.output {
                case .json: try JSONOutput.write(presigned)
                case .table:
                    Table.record(["url": presigned.url, "method": presigned.method, "expiresDate": TextCell.date(presigned.expiresDate)])
                        .write()
                }
                return CLIExit.ok
            }
        }
    }
}

/// `--enabled` or `--disabled`.
enum EnabledState: String, EnumerableFlag {
    case enabled, disabled
}

/// `enable` and `disable`: an update of `enabled` alone, at the current version.
private func setEnabled(_ enabled: Bool, id: String, _ options: ClientOptions) async throws {
    try await runClientCommand(options) { context in
        try printConnection(try await context.client.updateConnection(id: id, ConnectionChanges(enabled: enabled)), context)
    }
}

/// Prints one connection as the output format asks.
private func printConnection(_ connection: Connection, _ context: ClientContext) throws -> Int32 {
    switch context.output {
    case .json: try JSONOutput.write(connection)
    case .table: connection.record.write()
    }
    return CLIExit.ok
}

extension HistoryEntry.Changes {
    /// `name: "a" -> "b", enabled: true -> false`, in the API's member order.
    var summary: String {
        func text(_ value: String?) -> String { value.map { "\"\($0)\"" } ?? "null" }
        var parts: [String] = []
        let strings: [(String, FieldChange<String>?)] = [
            ("name", name), ("description", description), ("awsAccountId", awsAccountId), ("awsRegion", awsRegion),
            ("roleArn", roleArn), ("externalId", externalId),
        ]
        for (field, change) in strings {
            if let change { parts.append("\(field): \(text(change.old)) -> \(text(change.new))") }
        }
        if let enabled {
            parts.append("enabled: \(enabled.old.map(String.init) ?? "null") -> \(enabled.new.map(String.init) ?? "null")")
        }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }
}
