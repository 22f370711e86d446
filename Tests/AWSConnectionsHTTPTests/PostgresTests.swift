import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Synchronization
import Testing

/// Several `serve` processes on one PostgreSQL database, and PostgreSQL going away and
/// coming back under a running server.
@Suite("PostgreSQL: replicas, outages and locks", .serialized, .enabled(if: StoreKind.all.contains(.postgres)))
struct PostgresTests {
    private let createBody = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#

    @Test("two replicas starting at once on an empty database print one bootstrap key between them")
    func concurrentStart() async throws {
        try await TestPostgres.withDatabase { url in
            async let startA = ServerProcess.serve(database: url)
            async let startB = ServerProcess.serve(database: url)
            let ((a, portA), (b, portB)) = try await (startA, startB)
            let keys = [a, b].compactMap { bootstrapKey(in: $0.standardError) }
            #expect(keys.count == 1)
            let key = try #require(keys.first)
            for port in [portA, portB] {
                let status = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await client.call(.get, collectionPath, key: key).status
                }
                #expect(status == .ok)
            }
            for server in [a, b] { server.signal(SIGTERM) }
            #expect(try await a.waitForExit() == 0)
            #expect(try await b.waitForExit() == 0)
        }
    }

    @Test("16 clients across two replicas in read-modify-write loops lose no update and see no 5xx; a key revoked through the CLI is refused by both within one second")
    func readModifyWriteAcrossReplicas() async throws {
        try await TestPostgres.withDatabase { url in
            let (a, portA) = try await ServerProcess.serve(database: url)
            let (b, portB) = try await ServerProcess.serve(database: url)
            let bootstrap = try #require([a, b].compactMap { bootstrapKey(in: $0.standardError) }.first)
            let issued = try await ServerProcess.run(["keys", "create", "--account", "default", "--database", url])
            #expect(issued.status == 0)
            let key = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let keyID = try #require(issued.stderr.firstMatch(of: /key_[a-z0-9]{16}/).map { String($0.output) })

            let ids = try await TestClient.withClient(host: "127.0.0.1", port: portA) { client in
                var ids: [String] = []
                for _ in 0..<2 {
                    let created = try await client.call(.post, collectionPath, key: key, body: createBody)
                    ids.append(try #require(try created.json()["connectionId"] as? String))
                }
                return ids
            }

            let iterations = 20
            let ports = [portA, portB]
            let results = try await withLiveClients(count: 16, ports: ports) { index, live in
                try await readModifyWrite(live, index: index, ids: ids, iterations: iterations, key: key)
            }
            try await TestClient.withClient(host: "127.0.0.1", port: portB) { client in
                try await expectNoLostUpdate(results, ids: ids, requests: 16 * iterations) { id in
                    try await client.call(.get, "\(collectionPath)/\(id)", key: key).json()["version"] as? Int
                }
            }

            // Both replicas accept the key, then refuse it within a second of the revoke.
            for port in ports {
                let status = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await client.call(.get, collectionPath, key: key).status
                }
                #expect(status == .ok)
            }
            let revoked = try await ServerProcess.run(["keys", "revoke", keyID, "--database", url])
            #expect(revoked.status == 0)
            let revokedAt = ContinuousClock.now
            for port in ports {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await expectRefusedWithinOneSecond(after: revokedAt) {
                        try await client.call(.get, collectionPath, key: key).status
                    }
                    #expect(try await client.call(.get, collectionPath, key: bootstrap).status == .ok)
                }
            }
            for server in [a, b] { server.signal(SIGTERM) }
            #expect(try await a.waitForExit() == 0)
            #expect(try await b.waitForExit() == 0)
        }
    }

    @Test("PostgreSQL stopped under a running server: requests get 503 store_unavailable, then succeed once it is back, with no restart")
    func outageAndRecovery() async throws {
        // A cluster of its own: stopping the shared one would fail the other tests.
        let cluster = try await PostgresCluster.start()
        try await TestPostgres.execute("CREATE DATABASE app", on: cluster.url(database: "postgres"))
        let (server, port) = try await ServerProcess.serve(
            database: cluster.url(database: "app"), extra: ["--postgres-timeout", "2"])
        let key = try #require(bootstrapKey(in: server.standardError))
        let id = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let created = try await client.call(.post, collectionPath, key: key, body: createBody)
            return try #require(try created.json()["connectionId"] as? String)
        }

        try await cluster.stopServer()
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            for (method, path, body) in [
                (HTTPRequest.Method.get, "\(collectionPath)/\(id)", nil), (.get, collectionPath, nil),
                (.post, collectionPath, createBody), (.put, "\(collectionPath)/\(id)", #"{"name":"x","version":1}"#),
            ] {
                let response = try await client.call(method, path, key: key, body: body)
                #expect(response.status == .serviceUnavailable)
                #expect(try response.problemCode() == "store_unavailable")
                #expect(response.headers[.retryAfter] != nil)
            }
        }

        try await cluster.startServer()
        // The pool reconnects with a growing backoff; poll until it is back.
        let deadline = ContinuousClock.now + .seconds(60)
        var status: HTTPResponse.Status = .serviceUnavailable
        while status != .ok, ContinuousClock.now < deadline {
            status = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await client.call(.get, "\(collectionPath)/\(id)", key: key).status
            }
            if status != .ok { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(status == .ok)
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let updated = try await client.call(.put, "\(collectionPath)/\(id)", key: key, body: #"{"name":"x","version":1}"#)
            #expect(updated.status == .ok)
            #expect(try updated.json()["version"] as? Int == 2)
        }
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
        await cluster.destroy()
    }

    @Test("backends frozen mid-statement (no reset, as in a partition) cost one 503 each; the pool replaces them and serves again")
    func frozenBackendsAreReplaced() async throws {
        let cluster = try await PostgresCluster.start()
        let admin = cluster.url(database: "postgres")
        try await TestPostgres.execute("CREATE DATABASE app", on: admin)
        let (server, port) = try await ServerProcess.serve(
            database: cluster.url(database: "app"), extra: ["--postgres-timeout", "1", "--postgres-pool-size", "2"])
        let key = try #require(bootstrapKey(in: server.standardError))
        var frozen: [Int32] = []
        do {
            // Two clients at once make the pool open both of its connections.
            _ = try await withLiveClients(count: 2, port: port) { _, client in
                for _ in 0..<20 { _ = try await client.call(.get, collectionPath, key: key) }
            }
            frozen = try await TestPostgres.query(
                "SELECT pid::text FROM pg_stat_activity WHERE application_name = 'aws-connections'", on: admin
            ).compactMap { Int32($0) }
            #expect(frozen.count == 2)
            for pid in frozen { kill(pid, SIGSTOP) }

            // Each request that lands on a frozen backend is answered 503 at the deadline and
            // its connection is closed; fresh connections then serve.
            var statuses: [HTTPResponse.Status] = []
            let deadline = ContinuousClock.now + .seconds(30)
            while statuses.last != .ok, ContinuousClock.now < deadline {
                let status = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await client.call(.get, collectionPath, key: key).status
                }
                statuses.append(status)
            }
            #expect(statuses.last == .ok)
            #expect(statuses.allSatisfy { $0 == .ok || $0 == .serviceUnavailable })
            #expect(statuses.contains(.serviceUnavailable))
        } catch {
            for pid in frozen { kill(pid, SIGCONT) }
            await cluster.destroy()
            throw error
        }
        for pid in frozen { kill(pid, SIGCONT) }
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
        await cluster.destroy()
    }

    @Test("a write whose backend stops answering after it was sent is 503 outcome_unknown; a retry with the same version applies it once")
    func unansweredWriteIsOutcomeUnknown() async throws {
        let cluster = try await PostgresCluster.start()
        let admin = cluster.url(database: "postgres")
        try await TestPostgres.execute("CREATE DATABASE app", on: admin)
        let (server, port) = try await ServerProcess.serve(
            database: cluster.url(database: "app"), extra: ["--postgres-timeout", "1"])
        let key = try #require(bootstrapKey(in: server.standardError))
        var frozen: Int32?
        do {
            let id = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try #require(try await client.call(.post, collectionPath, key: key, body: createBody).json()["connectionId"] as? String)
            }
            let path = "\(collectionPath)/\(id)"
            let update = #"{"name":"changed once","version":1}"#
            // The update waits for a row lock held elsewhere; its backend is then frozen (as a
            // partitioned or stalled server would be), so no answer comes although the
            // statement was sent, and it may still apply once the backend runs again.
            let intruder = try await Self.lockRow(id, url: cluster.url(database: "app"))
            let pending = Task {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await client.call(.put, path, key: key, body: update)
                }
            }
            let waiting = try await Self.backendWaitingForLock(admin: admin)
            kill(waiting, SIGSTOP)
            frozen = waiting
            try await intruder.query("COMMIT", logger: testLogger)
            try await intruder.close()

            let answer = try await pending.value
            #expect(answer.status == .serviceUnavailable)
            #expect(try answer.problemCode() == "outcome_unknown")
            #expect(answer.headers[.retryAfter] == "1")
            kill(waiting, SIGCONT)
            frozen = nil

            // The documented safe retry: the same version applies the change if the first did
            // not, and is a 409 if it did; either way it is applied exactly once.
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let retry = try await client.call(.put, path, key: key, body: update)
                #expect(retry.status == .ok || retry.status == .conflict)
                let current = try await client.call(.get, path, key: key).json()
                #expect(current["version"] as? Int == 2)
                #expect(current["name"] as? String == "changed once")
                let history = try await client.call(.get, "\(path)/history", key: key).json()["Items"] as? [Any]
                #expect(history?.count == 2)
            }
        } catch {
            if let frozen { kill(frozen, SIGCONT) }
            await cluster.destroy()
            throw error
        }
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
        await cluster.destroy()
    }

    @Test("a request that gets no pooled connection within the pool timeout is 503 store_unavailable at once and sends nothing")
    func poolWaitIsTimedApart() async throws {
        let cluster = try await PostgresCluster.start()
        let admin = cluster.url(database: "postgres")
        try await TestPostgres.execute("CREATE DATABASE app", on: admin)
        // One connection, a short wait for it, and a long budget once it is had.
        let (server, port) = try await ServerProcess.serve(
            database: cluster.url(database: "app"),
            extra: ["--postgres-pool-size", "1", "--postgres-pool-timeout", "0.3", "--postgres-timeout", "5"])
        let key = try #require(bootstrapKey(in: server.standardError))
        let (held, other) = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            (
                try #require(try await client.call(.post, collectionPath, key: key, body: createBody).json()["connectionId"] as? String),
                try #require(try await client.call(.post, collectionPath, key: key, body: createBody).json()["connectionId"] as? String)
            )
        }
        // The only pooled connection waits on a row lock held elsewhere (up to 4 s).
        let intruder = try await Self.lockRow(held, url: cluster.url(database: "app"))
        let finished = Atomic(false)
        let first = Task {
            defer { finished.store(true, ordering: .sequentiallyConsistent) }
            return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                try await client.call(.put, "\(collectionPath)/\(held)", key: key, body: #"{"name":"first","version":1}"#).status
            }
        }
        _ = try await Self.backendWaitingForLock(admin: admin)

        let second = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            try await client.call(.put, "\(collectionPath)/\(other)", key: key, body: #"{"name":"second","version":1}"#)
        }
        // Answered while the first still holds the connection: the pool wait, not the first
        // request's statement, decided it.
        let firstFinished = finished.load(ordering: .sequentiallyConsistent)
        #expect(!firstFinished)
        #expect(second.status == .serviceUnavailable)
        #expect(try second.problemCode() == "store_unavailable")

        try await intruder.query("COMMIT", logger: testLogger)
        try await intruder.close()
        #expect(try await first.value == .ok)
        // The refused update never ran, not even once the connection was free.
        try await Task.sleep(for: .seconds(1))
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let untouched = try await client.call(.get, "\(collectionPath)/\(other)", key: key).json()
            #expect(untouched["version"] as? Int == 1)
        }
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
        await cluster.destroy()
    }

    /// A session of its own holding `id`'s row in an open transaction.
    private static func lockRow(_ id: String, url: String) async throws -> PostgresConnection {
        let components = try #require(URLComponents(string: url))
        let intruder = try await PostgresConnection.connect(
            configuration: .init(
                host: "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
                password: nil, database: String(components.path.dropFirst()), tls: .disable),
            id: 98, logger: testLogger)
        try await intruder.query("BEGIN", logger: testLogger)
        try await intruder.query("SELECT 1 FROM connections WHERE id = \(id) FOR UPDATE", logger: testLogger)
        return intruder
    }

    /// The server's backend that waits for a lock in database `app`, polled for: it is
    /// caught well within the 80% of the timeout that the server's lock_timeout allows.
    private static func backendWaitingForLock(admin: String) async throws -> Int32 {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let pids = try await TestPostgres.query(
                """
                SELECT pid::text FROM pg_stat_activity
                WHERE datname = 'app' AND application_name = 'aws-connections' AND wait_event_type = 'Lock'
                """, on: admin)
            if let pid = pids.first.flatMap({ Int32($0) }) { return pid }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw TestFailure("no backend of the server waited for the row lock")
    }

    @Test("a row locked by another session past the timeout is 503 store_unavailable; reads go on; writes recover by themselves")
    func lockedRowIs503ThenRecovers() async throws {
        try await withWorld(.postgres, postgresTimeout: .seconds(1)) { world in
            try await world.makeApplication().test(.router) { client in
                let id = try await client.createConnectionID(key: world.alpha)
                // Another session holds the row, as a long admin transaction might.
                let components = try #require(URLComponents(string: world.databaseURL))
                let intruder = try await PostgresConnection.connect(
                    configuration: .init(
                        host: "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
                        password: nil, database: String(components.path.dropFirst()), tls: .disable),
                    id: 99, logger: testLogger)
                try await intruder.query("BEGIN", logger: testLogger)
                try await intruder.query("SELECT 1 FROM connections WHERE id = \(id) FOR UPDATE", logger: testLogger)

                let blocked = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":1}"#)
                #expect(blocked.status == .serviceUnavailable)
                #expect(try blocked.problemCode() == "store_unavailable")
                #expect(try await client.get(key: world.alpha, id: id).status == .ok)

                try await intruder.query("COMMIT", logger: testLogger)
                try await intruder.close()
                let recovered = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":1}"#)
                #expect(recovered.status == .ok)
                #expect(try recovered.json()["version"] as? Int == 2)
            }
        }
    }

    @Test("a full dump of the database holds no API key, only hashes")
    func dumpHoldsNoKey() async throws {
        try await withWorld(.postgres) { world in
            try await world.makeApplication().test(.router) { client in
                _ = try await client.createConnection(key: world.alpha)
                _ = try await client.list(key: world.beta)
            }
            let dump = try await TestPostgres.dump(world.databaseURL)
            #expect(dump.contains("api_keys"))
            for key in [world.alpha, world.alphaReader, world.alphaWriter, world.beta] {
                #expect(!dump.contains(key))
                #expect(!dump.contains(key.dropFirst(7)), "the dump holds a key's secret part")
            }
        }
    }

    @Test("an unreachable or unusable database at start is a clear error and exit 1, with no password in it")
    func unreachableAtStart() async throws {
        let closedPort = try PostgresCluster.freePort()
        let unreachable = try await ServerProcess.run([
            "serve", "--port", "0", "--database", "postgres://app:s3cret-pw@127.0.0.1:\(closedPort)/app",
            "--postgres-connect-timeout", "3",
        ])
        #expect(unreachable.status == 1)
        #expect(unreachable.stderr.contains("cannot connect"))
        #expect(!unreachable.stderr.contains("s3cret-pw"))

        let admin = try await TestPostgres.adminURL()
        var components = try #require(URLComponents(string: admin))
        components.path = "/no_such_database"
        let missing = try await ServerProcess.run(["keys", "list", "--database", try #require(components.string)])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no_such_database"))

        let malformed = try await ServerProcess.run(["serve", "--database", "postgres://u:s3cret-pw@/db"])
        #expect(malformed.status != 0)
        #expect(!malformed.stderr.contains("s3cret-pw"))
    }
}
