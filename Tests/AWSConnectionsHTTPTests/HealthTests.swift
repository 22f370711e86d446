import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// `GET /healthz` and `GET /readyz`: in process against the real router, and through a drain
/// of the real executable.
@Suite("Health probes")
struct HealthTests {
    @Test("healthz and readyz answer without a key; readyz turns 503 while draining or when the schema lacks a step", arguments: StoreKind.all)
    func probes(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let readiness = Readiness()
            let app = buildApplication(
                connections: world.store, keys: world.store, readiness: readiness, host: "127.0.0.1", port: 0,
                logger: testLogger)
            try await app.test(.router) { client in
                let health = try await client.send(.get, "/healthz", key: "")
                #expect(health.status == .ok && health.bodyText == #"{"status":"ok"}"#)
                #expect(health.headers[.init("X-Request-Id")!] != nil)
                let ready = try await client.send(.get, "/readyz", key: "")
                #expect(ready.status == .ok && ready.bodyText == #"{"status":"ready"}"#)

                // A schema step missing from the database (as after a restore from an older backup).
                let table = store == .sqlite ? "grdb_migrations" : "schema_migrations"
                let column = store == .sqlite ? "identifier" : "name"
                try await execute(world, "DELETE FROM \(table) WHERE \(column) = '0005-connection-documents'")
                let lacking = try await client.send(.get, "/readyz", key: "")
                #expect(lacking.status == .serviceUnavailable)
                #expect(try lacking.problemCode() == "not_ready")
                #expect(lacking.bodyText.contains("0005-connection-documents"))
                #expect(lacking.headers[.retryAfter] == "1")
                try await execute(world, "INSERT INTO \(table) (\(column)) VALUES ('0005-connection-documents')")
                #expect(try await client.send(.get, "/readyz", key: "").status == .ok)

                readiness.startDraining()
                let draining = try await client.send(.get, "/readyz", key: "")
                #expect(draining.status == .serviceUnavailable)
                #expect(try draining.problemCode() == "not_ready")
                #expect(draining.bodyText.contains("shutting down"))
                // Still alive, still serving.
                #expect(try await client.send(.get, "/healthz", key: "").status == .ok)
                #expect(try await client.list(key: world.alpha).status == .ok)
            }
        }
    }

    @Test("SIGTERM: readyz turns 503 at once, requests are still served through the drain, the in-flight one completes; SIGINT then ends the drain and the process exits 0", arguments: StoreKind.all)
    func drainAfterSIGTERM(store: StoreKind) async throws {
        try await withDatabaseURL(store) { database in
            // A drain far longer than the steps below, which a machine busy with the whole suite
            // once stretched past eight seconds; SIGINT ends it once they are done (a shutdown
            // that ends by itself after the drain is every other process test's, with 0 s).
            let (server, port) = try await ServerProcess.serve(
                database: database,
                // The in-flight request's body is finished after the checks, which a loaded
                // machine once stretched past the default 30 s request timeout.
                environment: ["AWS_CONNECTIONS_DRAIN_DELAY": "600", "AWS_CONNECTIONS_REQUEST_TIMEOUT": "600"])
            let key = try #require(bootstrapKey(in: server.standardError))
            do {
                try await drainSteps(server: server, port: port, key: key)
            } catch {
                Issue.record("\(error); the server wrote:\n\(server.standardError)")
                throw error
            }

            // What it acknowledged is there after a restart.
            let (restarted, newPort) = try await ServerProcess.serve(database: database)
            try await TestClient.withClient(host: "127.0.0.1", port: newPort) { client in
                let list = try await client.call(.get, collectionPath, key: key)
                #expect(list.bodyText.contains("in flight"))
            }
            restarted.signal(SIGINT)
            #expect(try await restarted.waitForExit() == 0)
        }
    }

    private func drainSteps(server: ServerProcess, port: Int, key: String) async throws {
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let ready = try await client.call(.get, "/readyz", key: "")
                #expect(ready.status == .ok)
            }

            // A create whose body is half sent when the signal comes.
            let inFlight = try InFlightCreate(port: port, key: key)
            try await Task.sleep(for: .milliseconds(200))
            server.signal(SIGTERM)
            try await Task.sleep(for: .milliseconds(300))

            // New connections during the drain: not ready, but alive and serving.
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let ready = try await client.call(.get, "/readyz", key: "")
                #expect(ready.status == .serviceUnavailable)
                #expect(try ready.problemCode() == "not_ready")
                let health = try await client.call(.get, "/healthz", key: "")
                #expect(health.status == .ok)
                let list = try await client.call(.get, collectionPath, key: key)
                #expect(list.status == .ok)
            }
            let response = try await inFlight.finish()
            #expect(response.hasPrefix("HTTP/1.1 201"))
            #expect(server.process.isRunning)
            server.signal(SIGINT)
            #expect(try await server.waitForExit(timeout: .seconds(60)) == 0)
            #expect(server.standardError.contains("draining"))
    }

    private func execute(_ world: TestWorld, _ sql: String) async throws {
        if let sqlite = world.sqlite {
            let queue = try DatabaseQueue(path: sqlite.path)
            try await queue.write { db in try db.execute(sql: sql) }
        } else {
            try await TestPostgres.execute(sql, on: world.databaseURL)
        }
    }
}
