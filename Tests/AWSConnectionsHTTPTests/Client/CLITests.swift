import AWSConnectionsClient
import AWSConnectionsTestSupport
import Foundation
import HummingbirdTesting
import Testing

/// The `connections` commands of the built executable against a live server.
@Suite("Command-line client")
struct CLITests {
    typealias Run = (status: Int32, stdout: String, stderr: String)

    /// Runs `aws-connections connections ARGUMENTS` with nothing from the test's own
    /// environment: no endpoint, key or profile unless `environment` gives them, and a config
    /// file only where `configFile` says.
    static func cli(_ arguments: [String], environment: [String: String] = [:], configFile: String? = nil) async throws -> Run {
        var merged = [
            "AWS_CONNECTIONS_ENDPOINT": "", "AWS_CONNECTIONS_API_KEY": "", "AWS_CONNECTIONS_PROFILE": "",
            "AWS_CONNECTIONS_CONFIG_FILE": configFile ?? "/nonexistent/aws-connections/config",
        ]
        merged.merge(environment) { $1 }
        return try await ServerProcess.run(["connections"] + arguments, environment: merged)
    }

    static func json(_ run: Run) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(run.stdout) \(run.stderr)")
        }
        return object
    }

    /// A table's rows, each split on runs of two or more spaces; the header first.
    static func table(_ run: Run) -> [[String]] {
        run.stdout.split(separator: "\n").map { line in
            line.split(separator: "  ", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
    }

    @Test("each command prints its table and its JSON and exits with its documented code", arguments: StoreKind.all)
    func commands(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let environment = [
                "AWS_CONNECTIONS_ENDPOINT": "http://127.0.0.1:\(try #require(client.port))",
                "AWS_CONNECTIONS_API_KEY": world.alpha,
            ]
            func run(_ arguments: String...) async throws -> Run { try await Self.cli(arguments, environment: environment) }

            // JSON by default: stdout is a pipe here.
            let created = try await run(
                "create", "--name", "media one", "--aws-account-id", "123456789012", "--aws-region", "eu-west-1",
                "--description", "first")
            #expect(created.status == 0, "\(created.stderr)")
            let first = try Self.json(created)
            let id = try #require(first["connectionId"] as? String)
            #expect(first["version"] as? Int == 1 && first["description"] as? String == "first")
            #expect((first["createdDate"] as? String)?.hasSuffix("Z") == true)

            let second = try await run(
                "create", "--name", "second", "--aws-account-id", "123456789012", "--aws-region", "us-east-1", "--disabled",
                "--output", "table")
            #expect(second.status == 0)
            let secondRows = Self.table(second)
            #expect(secondRows.first == ["FIELD", "VALUE"])
            #expect(secondRows.contains(["enabled", "false"]) && secondRows.contains(["name", "second"]))

            let got = try await run("get", id, "--output", "table")
            #expect(Self.table(got).contains(["connectionId", id]) && Self.table(got).contains(["version", "1"]))
            #expect(try Self.json(try await run("get", id))["name"] as? String == "media one")

            let listed = try await run("list", "--output", "table")
            let rows = Self.table(listed)
            #expect(rows.first == ["CONNECTION ID", "NAME", "ACCOUNT", "REGION", "ENABLED", "VERSION", "UPDATED"])
            #expect(rows.count == 3 && rows[1].first == id && rows[1][1] == "media one")
            #expect((try Self.json(try await run("list"))["Items"] as? [Any])?.count == 2)
            let page = try await run("list", "--limit", "1")
            #expect((try Self.json(page)["NextToken"] as? String)?.isEmpty == false)
            #expect(try await run("list", "--limit", "1", "--output", "table").stderr.hasPrefix("next token: "))
            #expect((try Self.json(try await run("list", "--enabled", "false"))["Items"] as? [[String: Any]])?.count == 1)

            let renamed = try await run("update", id, "--name", "renamed", "--version", "1")
            #expect(renamed.status == 0)
            #expect(try Self.json(renamed)["version"] as? Int == 2)
            let stale = try await run("update", id, "--name", "again", "--version", "1")
            #expect(stale.status == 4)
            #expect(stale.stderr.contains("code: version_conflict") && stale.stderr.contains("current version: 2"))
            #expect(stale.stderr.contains("request id: ") && stale.stdout.isEmpty)

            #expect(try Self.json(try await run("disable", id))["enabled"] as? Bool == false)
            #expect(try Self.json(try await run("enable", id))["enabled"] as? Bool == true)

            let history = try await run("history", id, "--output", "table")
            let historyRows = Self.table(history)
            #expect(historyRows.first == ["VERSION", "CHANGED", "KEY", "CHANGE", "FIELDS"])
            #expect(historyRows.dropFirst().map { $0.first } == ["1", "2", "3", "4"])
            #expect(historyRows.count > 2 && historyRows[2].last == #"name: "media one" -> "renamed""#)
            let historyJSON = try Self.json(try await run("history", id))
            #expect((historyJSON["Items"] as? [[String: Any]])?.map { $0["change"] as? String } == ["created", "updated", "updated", "updated"])

            let missing = try await run("get", "20260101000000000aaaaaaaaaaaaaaa")
            #expect(missing.status == 3 && missing.stderr.contains("code: connection_not_found"))
            let invalid = try await run("create", "--name", "x", "--aws-account-id", "12", "--aws-region", "us-east-1")
            #expect(invalid.status == 1 && invalid.stderr.contains("awsAccountId:") && invalid.stderr.contains("status: 400"))
            // This server has no AWS configuration: 503 aws_not_configured, after the SDK's retries.
            let verify = try await run("verify", id)
            #expect(verify.status == 5 && verify.stderr.contains("aws_not_configured"))

            let wrongVersion = try await run("delete", id, "--version", "1")
            #expect(wrongVersion.status == 4 && wrongVersion.stderr.contains("precondition_failed"))
            let deleted = try await run("delete", id)
            #expect(deleted.status == 0 && deleted.stdout.isEmpty)
            #expect(try await run("get", id).status == 3)

            let nothing = try await run("update", id)
            #expect(nothing.status == 2 && nothing.stderr.contains("nothing to change"))
            let noEndpoint = try await Self.cli(["list"], environment: ["AWS_CONNECTIONS_API_KEY": world.alpha])
            #expect(noEndpoint.status == 2 && noEndpoint.stderr.contains("no endpoint"))
            let unreachable = try await Self.cli(
                ["list", "--endpoint", "http://127.0.0.1:1"], environment: ["AWS_CONNECTIONS_API_KEY": world.alpha])
            #expect(unreachable.status == 5 && unreachable.stderr.contains("cannot reach the server"))
        }
    }

    @Test("the endpoint and key come from the flag, else the environment, else the profile; a config file others may read is refused")
    func configurationPrecedence() async throws {
        try await withApp(.sqlite, .live) { world, client in
            let port = try #require(client.port)
            let endpoint = "http://127.0.0.1:\(port)"
            let sdk = ConnectionsClient(endpoint: URL(string: endpoint)!, apiKey: world.alpha)
            _ = try await sdk.createConnection(NewConnection(name: "alpha's", awsAccountId: "123456789012", awsRegion: "us-east-1"))
            let betaSDK = ConnectionsClient(endpoint: URL(string: endpoint)!, apiKey: world.beta)
            _ = try await betaSDK.createConnection(NewConnection(name: "beta's", awsAccountId: "123456789012", awsRegion: "us-east-1"))

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let config = directory.appendingPathComponent("config").path
            let unreachable = "http://127.0.0.1:1"
            try """
                # profiles for the test
                [default]
                endpoint = \(unreachable)
                api_key = \(world.beta)

                [profile alpha]
                endpoint = \(endpoint)
                api_key = \(world.alpha)
                """.write(toFile: config, atomically: true, encoding: .utf8)
            chmod(config, 0o600)

            func names(_ arguments: [String], _ environment: [String: String] = [:]) async throws -> [String] {
                let run = try await Self.cli(["list"] + arguments, environment: environment, configFile: config)
                guard run.status == 0 else { throw TestFailure("exit \(run.status): \(run.stderr)") }
                return (try Self.json(run)["Items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            // A profile by flag, or by the environment.
            #expect(try await names(["--profile", "alpha"]) == ["alpha's"])
            #expect(try await names([], ["AWS_CONNECTIONS_PROFILE": "alpha"]) == ["alpha's"])
            // The environment's endpoint over the default profile's; the profile's key kept.
            #expect(try await names([], ["AWS_CONNECTIONS_ENDPOINT": endpoint]) == ["beta's"])
            // The flag over the environment, for the key and for the endpoint.
            #expect(try await names(["--api-key", world.alpha], ["AWS_CONNECTIONS_ENDPOINT": endpoint]) == ["alpha's"])
            #expect(
                try await names(
                    ["--endpoint", endpoint], ["AWS_CONNECTIONS_ENDPOINT": unreachable, "AWS_CONNECTIONS_API_KEY": world.alpha])
                    == ["alpha's"])
            // The flag over the profile named with it.
            #expect(try await names(["--profile", "alpha", "--api-key", world.beta]) == ["beta's"])

            let unknown = try await Self.cli(["list", "--profile", "nope"], configFile: config)
            #expect(unknown.status == 2 && unknown.stderr.contains("profile 'nope'"))

            chmod(config, 0o644)
            let exposed = try await Self.cli(["list", "--profile", "alpha"], configFile: config)
            #expect(exposed.status == 2)
            #expect(exposed.stderr.contains("chmod 600 \(config)") && exposed.stderr.contains("mode 644"))
            #expect(!exposed.stderr.contains(world.alpha))
        }
    }

    @Test("setup writes a template that deploys; verify prints one row per step and exits 6 until verified; presign prints the URL")
    func awsCommands() async throws {
        let (moto, principal) = try await SharedMoto.authenticated()
        let roleAccess = motoRoleAccess(principal: principal, endpoint: moto.endpoint)
        try await withLiveRoleApp(.sqlite, roleAccess: roleAccess) { world, port in
            let bucket = uniqueName("media")
            _ = try await moto.fixture("bucket", ["name": bucket, "credentials": principal.fixtureCredentials])
            _ = try await moto.fixture(
                "put",
                ["bucket": bucket, "key": "videos/intro.mp4", "body_b64": Data("video".utf8).base64EncodedString(),
                 "credentials": principal.fixtureCredentials])
            let environment = ["AWS_CONNECTIONS_ENDPOINT": "http://127.0.0.1:\(port)", "AWS_CONNECTIONS_API_KEY": world.alpha]
            func run(_ arguments: String...) async throws -> Run { try await Self.cli(arguments, environment: environment) }
            let role = "arn:aws:iam::\(motoAccount):role/\(uniqueName("reader"))"
            let created = try Self.json(
                try await run("create", "--name", "aws", "--aws-account-id", motoAccount, "--aws-region", "us-east-1", "--role-arn", role))
            let id = try #require(created["connectionId"] as? String)

            // Before the role exists: a row per step, and exit 6.
            let early = try await run("verify", id, "--bucket", bucket, "--output", "table")
            #expect(early.status == 6, "\(early.stderr)")
            let earlyRows = Self.table(early)
            #expect(earlyRows.first == ["STEP", "STATUS", "CODE", "MS", "MESSAGE"])
            #expect(earlyRows.dropFirst().prefix(4).map { $0.first } == ["assume_role", "external_id_enforced", "list_bucket", "read_object"])
            #expect(early.stdout.hasSuffix("status: failed\n"))

            let path = FileManager.default.temporaryDirectory.appendingPathComponent("\(uniqueName("template")).json").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let setup = try await run("setup", id, "--bucket", bucket, "--template-file", path, "--output", "table")
            #expect(setup.status == 0 && Self.table(setup).contains(["template", "written to \(path)"]))
            #expect(Self.table(setup).contains(["externalId", try #require(created["externalId"] as? String)]))
            _ = try await runProcess(["/usr/bin/env", "cfn-lint", "--", path])
            _ = try await moto.fixture(
                "deploy", ["stack": uniqueName("stack"), "template_path": path, "credentials": principal.fixtureCredentials])
            let setupJSON = try Self.json(try await run("setup", id))
            #expect((setupJSON["cloudFormationTemplate"] as? [String: Any])?["Resources"] != nil)

            let verified = try await run("verify", id, "--bucket", bucket, "--key", "videos/intro.mp4")
            #expect(verified.status == 0, "\(verified.stdout) \(verified.stderr)")
            let steps = try Self.json(verified)["steps"] as? [[String: Any]]
            #expect(steps?.compactMap { $0["status"] as? String } == ["ok", "ok", "ok", "ok"])

            let withoutScope = try await run("presign", id, "--bucket", bucket, "--key", "videos/intro.mp4")
            #expect(withoutScope.status == 1 && withoutScope.stderr.contains("insufficient_scope"))
            let media = try await mediaKey(world)
            let presigned = try await Self.cli(
                ["presign", id, "--bucket", bucket, "--key", "videos/intro.mp4", "--expires-in", "60"],
                environment: ["AWS_CONNECTIONS_ENDPOINT": "http://127.0.0.1:\(port)", "AWS_CONNECTIONS_API_KEY": media])
            #expect(presigned.status == 0)
            let url = try Self.json(presigned)["url"] as? String
            #expect(url?.contains("X-Amz-Expires=60") == true && url?.contains("X-Amz-Signature=") == true)
        }
    }

    @Test("every command's help ends with an example, and output is a table on a terminal and JSON through a pipe")
    func helpAndTerminal() async throws {
        for command in ["list", "get", "create", "update", "delete", "enable", "disable", "history", "setup", "verify", "presign"] {
            let help = try await Self.cli([command, "--help"])
            #expect(help.status == 0 && help.stdout.contains("Example:\n  aws-connections connections \(command)"), "\(command)")
        }
        try await withApp(.sqlite, .live) { world, client in
            let sdk = ConnectionsClient(endpoint: URL(string: "http://127.0.0.1:\(try #require(client.port))")!, apiKey: world.alpha)
            _ = try await sdk.createConnection(NewConnection(name: "on a tty", awsAccountId: "123456789012", awsRegion: "us-east-1"))
            let environment = [
                "AWS_CONNECTIONS_ENDPOINT": "http://127.0.0.1:\(try #require(client.port))", "AWS_CONNECTIONS_API_KEY": world.alpha,
                "AWS_CONNECTIONS_CONFIG_FILE": "/nonexistent/aws-connections/config",
            ]
            // util-linux's script(1) runs the command on a pseudo-terminal.
            let executable = try ServerProcess.executableURL.path
            let onTerminal = try await runProcess(
                ["/usr/bin/script", "-qec", "'\(executable)' connections list", "/dev/null"], environment: environment)
            #expect(onTerminal.contains("CONNECTION ID") && onTerminal.contains("on a tty"))
            let piped = try await Self.cli(["list"], environment: environment)
            #expect((try Self.json(piped)["Items"] as? [Any])?.count == 1)
        }
    }
}
