import AWSConnectionsTestSupport
import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// End-to-end tests of the real executable: durability across kill -9, graceful shutdown,
/// the admin commands, and what reaches the logs.
@Suite("The aws-connections executable", .serialized)
struct ProcessTests {
    @Test("a first serve prints one full-access bootstrap key to stderr; a second serve does not", arguments: StoreKind.all)
    func bootstrapKeyOnce(store: StoreKind) async throws {
        try await withDatabaseURL(store) { database in
            let (first, port) = try await ServerProcess.serve(database: database)
            let key = try #require(bootstrapKey(in: first.standardError))
            #expect(first.standardError.contains("will not be shown again"))
            #expect(!first.standardOutput.contains(key))
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let created = try await client.call(
                    .post, collectionPath, key: key, body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                #expect(created.status == .created)
            }
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0)

            let (second, _) = try await ServerProcess.serve(database: database)
            #expect(!second.standardError.contains("pictai_"))
            second.signal(SIGINT)
            #expect(try await second.waitForExit() == 0)
        }
    }

    @Test("every acknowledged write survives kill -9 of the server")
    func killNineKeepsAcknowledgedWrites() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (server, port) = try await ServerProcess.serve(database: database)
            let key = try #require(bootstrapKey(in: server.standardError))

            // Acknowledged writes from 4 clients, then SIGKILL with no warning.
            let acknowledged = try await withLiveClients(count: 4, port: port) { index, client in
                var versions: [String: Int] = [:]
                for iteration in 0..<15 {
                    let created = try await client.call(
                        .post, collectionPath, key: key,
                        body: #"{"name":"k\#(index)-\#(iteration)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                    let id = try created.json()["connectionId"] as? String ?? ""
                    versions[id] = 1
                    if iteration % 2 == 0 {
                        let updated = try await client.call(
                            .put, "\(collectionPath)/\(id)", key: key, body: #"{"name":"u","version":1,"enabled":false}"#)
                        if updated.status == .ok { versions[id] = 2 }
                    }
                }
                return versions
            }.reduce(into: [String: Int]()) { $0.merge($1) { a, _ in a } }
            server.signal(SIGKILL)
            #expect(try await server.waitForExit() != 0)

            let (restarted, newPort) = try await ServerProcess.serve(database: database)
            try await TestClient.withClient(host: "127.0.0.1", port: newPort) { client in
                let items = try await client.call(.get, collectionPath, key: key).json()["Items"] as? [[String: Any]] ?? []
                var found: [String: Int] = [:]
                for item in items { found[item["connectionId"] as? String ?? ""] = item["version"] as? Int }
                #expect(acknowledged.count == 60)
                #expect(found == acknowledged)
            }
            restarted.signal(SIGTERM)
            #expect(try await restarted.waitForExit() == 0)
        }
    }

    @Test("SIGTERM lets an in-flight request finish, then exits 0")
    func gracefulShutdownFinishesInFlight() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (server, port) = try await ServerProcess.serve(database: database)
            let key = try #require(bootstrapKey(in: server.standardError))

            // Send the head and half the body, signal, then the rest: the request is in flight across the signal.
            let inFlight = try InFlightCreate(port: port, key: key)
            try await Task.sleep(for: .milliseconds(200))
            server.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.process.isRunning)
            let response = try await inFlight.finish()
            #expect(response.hasPrefix("HTTP/1.1 201"))
            #expect(try await server.waitForExit() == 0)

            // What it acknowledged is there after the restart.
            let (restarted, newPort) = try await ServerProcess.serve(database: database)
            try await TestClient.withClient(host: "127.0.0.1", port: newPort) { client in
                let list = try await client.call(.get, collectionPath, key: key)
                #expect(list.bodyText.contains("in flight"))
            }
            restarted.signal(SIGTERM)
            _ = try await restarted.waitForExit()
        }
    }

    @Test("a client that stalls mid-body cannot hold the server: the idle timeout closes it and SIGTERM still exits 0")
    func stalledClientCannotBlockShutdown() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (server, port) = try await ServerProcess.serve(database: database, extra: ["--idle-timeout", "1"])
            let key = try #require(bootstrapKey(in: server.standardError))
            let socket = try RawHTTPConnection(port: port)
            try socket.send(
                "POST \(collectionPath) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(key)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
            try await Task.sleep(for: .milliseconds(200))
            server.signal(SIGTERM)
            #expect(try await server.waitForExit(timeout: .seconds(15)) == 0)
        }
    }

    @Test("keys create/list/revoke: the key is printed once, listed by id only, and revoking it locks out a running server within one second", arguments: StoreKind.all)
    func keysCommands(store: StoreKind) async throws {
        try await withDatabaseURL(store) { database in
            let (server, port) = try await ServerProcess.serve(database: database)

            let created = try await ServerProcess.run(
                ["keys", "create", "--account", "acme", "--scope", "connections:read", "--database", database])
            #expect(created.status == 0)
            let lines = created.stdout.split(separator: "\n")
            #expect(lines.count == 1)
            let key = try #require(lines.first.map(String.init))
            #expect(key.hasPrefix("pictai_") && key.count >= 39)

            let listed = try await ServerProcess.run(["keys", "list", "--account", "acme", "--database", database])
            #expect(listed.status == 0)
            #expect(!listed.stdout.contains(key))
            #expect(listed.stdout.contains("acme"))
            #expect(listed.stdout.contains("connections:read"))
            let keyID = try #require(listed.stdout.firstMatch(of: /key_[a-z0-9]{16}/).map { String($0.output) })

            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                #expect(try await client.call(.get, collectionPath, key: key).status == .ok)
                let write = try await client.call(
                    .post, collectionPath, key: key, body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                #expect(write.status == .forbidden)

                let revoked = try await ServerProcess.run(["keys", "revoke", keyID, "--database", database])
                #expect(revoked.status == 0)
                try await expectRefusedWithinOneSecond(after: .now) {
                    try await client.call(.get, collectionPath, key: key).status
                }
            }

            // Without --scope a key gets both scopes.
            let full = try await ServerProcess.run(["keys", "create", "--account", "acme", "--database", database])
            let fullKey = full.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let created = try await client.call(
                    .post, collectionPath, key: fullKey,
                    body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                #expect(created.status == .created)
                #expect(try await client.call(.get, collectionPath, key: fullKey).status == .ok)
            }

            let missing = try await ServerProcess.run(["keys", "revoke", "key_doesnotexist0000", "--database", database])
            #expect(missing.status != 0)
            let relisted = try await ServerProcess.run(["keys", "list", "--database", database])
            #expect(relisted.stdout.contains("default"))
            #expect(relisted.stdout.contains("acme"))

            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
            // Neither the server's log nor any command's output other than `create` ever held the key.
            #expect(!server.standardError.contains(key))
            #expect(!listed.stderr.contains(key) && !relisted.stdout.contains(key))
        }
    }

    @Test("the log has one line per request with method, path, status, duration, request id and key id, never the key")
    func requestLogLines() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (server, port) = try await ServerProcess.serve(database: database)
            let key = try #require(bootstrapKey(in: server.standardError))
            let bootstrapText = server.standardError
            let wrongKey = "pictai_" + String(repeating: "Z", count: 40)
            let requestID = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                _ = try await client.call(.get, collectionPath, key: wrongKey)
                let response = try await client.call(.get, "\(collectionPath)/20251217080657842fux3au9kh1p0j5s?x=1", key: key)
                return response.headers[HTTPField.Name("X-Request-Id")!] ?? ""
            }
            server.signal(SIGTERM)
            _ = try await server.waitForExit()
            let log = String(server.standardError.dropFirst(bootstrapText.count))
            let lines = log.split(separator: "\n").filter { $0.contains("path=") }
            #expect(lines.count == 2)
            let line = try #require(lines.first { $0.contains(requestID) })
            for field in ["method=GET", "status=404", "duration_ms=", "key_id=key_", "path=\(collectionPath)/20251217080657842fux3au9kh1p0j5s"] {
                #expect(line.contains(field), "missing \(field) in \(line)")
            }
            #expect(!line.contains("x=1"))
            #expect(!log.contains(key))
            #expect(!log.contains(wrongKey))
        }
    }

    @Test("configuration comes from the environment, and a malformed value is an error, not ignored")
    func environmentConfiguration() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let bad = try ServerProcess(["serve"], environment: ["AWS_CONNECTIONS_PORT": "abc", "AWS_CONNECTIONS_DATABASE": database])
            #expect(try await bad.waitForExit() != 0)
            let good = try ServerProcess(
                ["serve"],
                environment: [
                    "AWS_CONNECTIONS_PORT": "0", "AWS_CONNECTIONS_DATABASE": database, "AWS_CONNECTIONS_HOST": "localhost",
                ])
            try await good.waitForStandardError(containing: "listening on http://localhost:")
            #expect(FileManager.default.fileExists(atPath: String(database.dropFirst("sqlite:".count))))
            good.signal(SIGTERM)
            #expect(try await good.waitForExit() == 0)
        }
    }

    @Test("serve applies --connection-quota and its environment variable, and refuses out-of-range quota and retention")
    func quotaAndRetentionOptions() async throws {
        try await withDatabaseURL(.sqlite) { database in
            for arguments in [["--connection-quota", "0"], ["--history-retention-days=-1"], ["--history-retention-days", "36501"]] {
                let refused = try await ServerProcess.run(["serve", "--port", "0", "--database", database] + arguments)
                #expect(refused.status != 0, "\(arguments)")
                // The message names the option as it was given.
                let flag = String(arguments[0].prefix(while: { $0 != "=" }))
                #expect(refused.stderr.contains("\(flag) must be"), "\(arguments): \(refused.stderr)")
            }
            // Two creates on a fresh server: the quota decides what the second gets.
            func twoCreates(_ serving: (server: ServerProcess, port: Int), key: String) async throws -> [HTTPResponse.Status] {
                let body = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
                let statuses = try await TestClient.withClient(host: "127.0.0.1", port: serving.port) { client in
                    [
                        try await client.call(.post, collectionPath, key: key, body: body).status,
                        try await client.call(.post, collectionPath, key: key, body: body).status,
                    ]
                }
                serving.server.signal(SIGTERM)
                #expect(try await serving.server.waitForExit() == 0)
                return statuses
            }
            let flagged = try await ServerProcess.serve(database: database, extra: ["--connection-quota", "1"])
            let key = try #require(bootstrapKey(in: flagged.0.standardError))
            #expect(try await twoCreates(flagged, key: key) == [.created, .unprocessableContent])
            // The variable raises it to 2 on the same database, which holds 1.
            let fromEnvironment = try await ServerProcess.serve(
                database: database, environment: ["AWS_CONNECTIONS_CONNECTION_QUOTA": "2"])
            #expect(try await twoCreates(fromEnvironment, key: key) == [.created, .unprocessableContent])
        }
    }

    @Test("serve --help lists every option with its environment variable; a misspelt option is refused")
    func helpListsEveryOption() async throws {
        let help = try await ServerProcess.run(["serve", "--help"])
        #expect(help.status == 0)
        let variables = [
            "HOST", "PORT", "LOG_LEVEL", "IDLE_TIMEOUT", "SHUTDOWN_TIMEOUT", "CONNECTION_QUOTA", "HISTORY_RETENTION_DAYS",
            "DATABASE", "SQLITE_SYNCHRONOUS", "POSTGRES_POOL_SIZE", "POSTGRES_TIMEOUT", "POSTGRES_CONNECT_TIMEOUT", "CONFIG",
        ]
        for variable in variables {
            #expect(help.stdout.contains("AWS_CONNECTIONS_\(variable)"), "serve --help lacks AWS_CONNECTIONS_\(variable)")
            let flag = "--" + variable.lowercased().replacingOccurrences(of: "_", with: "-")
            #expect(help.stdout.contains(flag), "serve --help lacks \(flag)")
        }
        let keysHelp = try await ServerProcess.run(["keys", "list", "--help"])
        #expect(keysHelp.stdout.contains("AWS_CONNECTIONS_DATABASE"))
        let migrateHelp = try await ServerProcess.run(["migrate", "--help"])
        #expect(migrateHelp.status == 0)
        #expect(migrateHelp.stdout.contains("--database") && migrateHelp.stdout.contains("AWS_CONNECTIONS_DATABASE"))
        #expect(!migrateHelp.stdout.contains("AWS_CONNECTIONS_PORT"))
        let topHelp = try await ServerProcess.run(["--help"])
        #expect(topHelp.stdout.contains("migrate"))
        let misspelt = try await ServerProcess.run(["serve", "--prot", "0"])
        #expect(misspelt.status != 0)
        #expect(misspelt.stderr.contains("--prot"))
    }

    @Test("a JSON configuration file sets options below flags and environment variables; a bad value in it is named")
    func configurationFile() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let file = directory.appendingPathComponent("settings.json").path
            try #"{"connectionQuota": 1, "postgres": {"poolSize": 3}}"#.write(toFile: file, atomically: true, encoding: .utf8)
            let serving = try await ServerProcess.serve(database: database, extra: ["--config", file])
            let key = try #require(bootstrapKey(in: serving.0.standardError))
            let statuses = try await TestClient.withClient(host: "127.0.0.1", port: serving.port) { client in
                let body = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
                return [
                    try await client.call(.post, collectionPath, key: key, body: body).status,
                    try await client.call(.post, collectionPath, key: key, body: body).status,
                ]
            }
            #expect(statuses == [.created, .unprocessableContent])
            serving.0.signal(SIGTERM)
            #expect(try await serving.0.waitForExit() == 0)
            // The flag wins over the file.
            let flagged = try await ServerProcess.serve(database: database, extra: ["--config", file, "--connection-quota", "3"])
            let created = try await TestClient.withClient(host: "127.0.0.1", port: flagged.port) { client in
                try await client.call(
                    .post, collectionPath, key: key, body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
                ).status
            }
            #expect(created == .created)
            flagged.0.signal(SIGTERM)
            #expect(try await flagged.0.waitForExit() == 0)
            try #"{"port": "eighty"}"#.write(toFile: file, atomically: true, encoding: .utf8)
            let refused = try await ServerProcess.run(["serve", "--database", database, "--config", file])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("port in the configuration file"), "\(refused.stderr)")
        }
    }

    @Test("serve's housekeeping purges the history of connections deleted before the retention, at start")
    func housekeepingPurgesAtStart() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (first, port) = try await ServerProcess.serve(database: database)
            let key = try #require(bootstrapKey(in: first.standardError))
            let (kept, deleted) = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let body = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
                let kept = try await client.call(.post, collectionPath, key: key, body: body).json()["connectionId"] as? String
                let deleted = try await client.call(.post, collectionPath, key: key, body: body).json()["connectionId"] as? String
                _ = try await client.call(.delete, "\(collectionPath)/\(deleted ?? "")", key: key)
                return (try #require(kept), try #require(deleted))
            }
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0)
            let queue = try DatabaseQueue(path: String(database.dropFirst("sqlite:".count)))
            let rows = "SELECT count(*) FROM connection_history WHERE connection_id = ?"
            #expect(try await queue.read { try Int.fetchOne($0, sql: rows, arguments: [deleted]) } == 2)

            // Deleted at least a millisecond ago, so past a retention of 0 days.
            try await Task.sleep(for: .milliseconds(5))
            let (second, _) = try await ServerProcess.serve(database: database, extra: ["--history-retention-days", "0"])
            let deadline = ContinuousClock.now + .seconds(10)
            while try await queue.read({ try Int.fetchOne($0, sql: rows, arguments: [deleted]) }) != 0,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await queue.read { try Int.fetchOne($0, sql: rows, arguments: [deleted]) } == 0)
            #expect(try await queue.read { try Int.fetchOne($0, sql: rows, arguments: [kept]) } == 1)
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
        }
    }

    @Test("serve's housekeeping trims a live connection's history to --history-keep-versions past --history-keep-days, newest kept")
    func housekeepingTrimsHistory() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (first, port) = try await ServerProcess.serve(database: database, extra: ["--history-keep-versions", "0"])
            let key = try #require(bootstrapKey(in: first.standardError))
            let id = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let body = #"{"name":"v1","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
                let id = try #require(try await client.call(.post, collectionPath, key: key, body: body).json()["connectionId"] as? String)
                for version in 1...7 {
                    let update = #"{"name":"v\#(version + 1)","version":\#(version)}"#
                    #expect(try await client.call(.put, "\(collectionPath)/\(id)", key: key, body: update).status == .ok)
                }
                return id
            }
            first.signal(SIGTERM)
            #expect(try await first.waitForExit() == 0)
            let queue = try DatabaseQueue(path: String(database.dropFirst("sqlite:".count)))
            let versions = "SELECT version FROM connection_history WHERE connection_id = ? ORDER BY version"
            #expect(try await queue.read { try Int.fetchAll($0, sql: versions, arguments: [id]) } == Array(1...8))

            try await Task.sleep(for: .milliseconds(5))
            let (second, secondPort) = try await ServerProcess.serve(
                database: database, extra: ["--history-keep-versions", "3", "--history-keep-days", "0"])
            let deadline = ContinuousClock.now + .seconds(10)
            while try await queue.read({ try Int.fetchAll($0, sql: versions, arguments: [id]) }).count > 3,
                ContinuousClock.now < deadline
            {
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(try await queue.read { try Int.fetchAll($0, sql: versions, arguments: [id]) } == [6, 7, 8])
            try await TestClient.withClient(host: "127.0.0.1", port: secondPort) { client in
                let page = try await client.call(.get, "\(collectionPath)/\(id)/history", key: key)
                let items = try #require(try page.json()["Items"] as? [[String: Any]])
                #expect(items.compactMap { $0["version"] as? Int } == [6, 7, 8])
            }
            second.signal(SIGTERM)
            #expect(try await second.waitForExit() == 0)
        }
    }

    @Test("an unusable database path is a clear error and a non-zero exit")
    func badDatabaseExitsNonZero() async throws {
        let result = try await ServerProcess.run(["serve", "--port", "0", "--database", "sqlite:/nonexistent-dir/x/db.sqlite"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("cannot open SQLite database"))
        let bad = try await ServerProcess.run(["serve", "--port", "0", "--database", "mysql://x"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--database"))
        // An unreachable PostgreSQL is refused plainly at start, never half-served.
        let postgres = try await ServerProcess.run(["serve", "--port", "0", "--database", "postgres://u:p@127.0.0.1:1/db"])
        #expect(postgres.status != 0)
        #expect(postgres.stderr.contains("PostgreSQL"))
    }
}
