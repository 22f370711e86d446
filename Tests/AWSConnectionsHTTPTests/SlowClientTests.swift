import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// Clients that send slowly, never finish, or hold connections: each is bounded, over real
/// sockets to the real server.
@Suite("Slow and endless requests")
struct SlowClientTests {
    /// A server on a fresh SQLite database with the given limits, and the log it writes.
    private func withServer(
        idleTimeout: Duration = .seconds(60), requestTimeout: Duration = .seconds(30),
        _ body: @Sendable (TestWorld, Int, RecordedLogEvents) async throws -> Void
    ) async throws {
        let events = RecordedLogEvents()
        var logger = Logger(label: "slow-client-test") { _ in RecordingLogHandler(events) }
        logger.logLevel = .info
        try await withWorld(.sqlite) { world in
            let app = buildApplication(
                connections: world.store, keys: world.store, host: "127.0.0.1", port: 0,
                idleTimeout: idleTimeout, requestTimeout: requestTimeout, logger: logger)
            try await app.test(.live) { client in
                try await body(world, try #require(client.port), events)
            }
        }
    }

    private static let collection = "/pictoryapis/v1/awsconnections"

    /// Sends `piece(i)` on every connection each 100 ms, for up to 10 s or until cancelled; a
    /// connection the server has closed just fails its sends.
    private static func trickle(
        _ connections: [RawHTTPConnection], _ piece: @escaping @Sendable (Int) -> String
    ) -> Task<Void, any Error> {
        Task {
            for index in 0..<100 {
                try await Task.sleep(for: .milliseconds(100))
                for connection in connections { _ = try? connection.send(piece(index)) }
            }
        }
    }

    @Test(
        "an answer given before the body is read (401, 415, 413) closes the connection instead of reading the rest",
        arguments: [
            ("no key", "Content-Type: application/json\r\nContent-Length: 1000"),
            ("no key, chunked", "Content-Type: application/json\r\nTransfer-Encoding: chunked"),
            ("wrong media type", "Authorization: KEY\r\nContent-Type: text/plain\r\nContent-Length: 1000"),
            ("declared too large", "Authorization: KEY\r\nContent-Type: application/json\r\nContent-Length: 100000"),
        ])
    func earlyAnswerCloses(name: String, headers: String) async throws {
        try await withServer { world, port, _ in
            let connection = try RawHTTPConnection(port: port)
            let head = headers.replacingOccurrences(of: "KEY", with: world.alpha)
            try connection.send("POST \(Self.collection) HTTP/1.1\r\nHost: test\r\n\(head)\r\n\r\n")
            // The body keeps coming: before, the server read and discarded it for as long as
            // the client liked, each byte resetting the idle timer.
            try connection.send(headers.contains("chunked") ? "1\r\n{\r\n" : "{")
            let (answer, closed) = await connection.readUntilClosed(timeout: .seconds(10))
            #expect(closed, "\(name): the connection stayed open after \(answer)")
            #expect(answer.lowercased().contains("connection: close"), "\(name): \(answer)")
            let status = answer.split(separator: " ").dropFirst().first.map(String.init)
            #expect(["401", "413", "415"].contains(status ?? ""), "\(name): \(answer)")
        }
    }

    @Test("a body trickled past the request timeout is answered 408 request_timeout and nothing is created")
    func trickledBodyTimesOut() async throws {
        try await withServer(requestTimeout: .seconds(1)) { world, port, _ in
            let connection = try RawHTTPConnection(port: port)
            try connection.send(
                "POST \(Self.collection) HTTP/1.1\r\nHost: test\r\nAuthorization: \(world.alpha)\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"name\":")
            // A byte every 100 ms: each would have reset the idle timer.
            let trickle = Self.trickle([connection]) { _ in " " }
            let (answer, closed) = await connection.readUntilClosed(timeout: .seconds(10))
            trickle.cancel()
            #expect(closed)
            #expect(answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            #expect(answer.contains(#""code":"request_timeout""#), "\(answer)")
            #expect(answer.lowercased().contains("content-type: application/problem+json"))
            // Read from the database, not over HTTP: on a busy machine a new connection to a
            // server with a 1-second request deadline could itself be cut.
            #expect(try await world.queryInteger("SELECT count(*) FROM connections") == 0)
        }
    }

    @Test("a hundred connections trickling bodies do not stop a normal client, and each is cut at the request timeout")
    func hundredTricklersAndANormalClient() async throws {
        try await withServer(requestTimeout: .seconds(3)) { world, port, _ in
            let tricklers = try (0..<100).map { _ in
                let connection = try RawHTTPConnection(port: port)
                try connection.send(
                    "POST \(Self.collection) HTTP/1.1\r\nHost: test\r\nAuthorization: \(world.alpha)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{\"name\":")
                return connection
            }
            // One byte on every connection every 100 ms.
            let trickle = Self.trickle(tricklers) { _ in " " }
            defer { trickle.cancel() }
            // A minute, not the default 20 s: the subject is that it is served, not how fast.
            try await TestClient.withClient(
                host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))
            ) { client in
                for index in 0..<20 {
                    let created = try await client.call(
                        .post, Self.collection, key: world.alpha,
                        body: #"{"name":"n\#(index)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                    #expect(created.status == .created)
                    #expect(try await client.call(.get, Self.collection, key: world.alpha).status == .ok)
                }
            }
            for connection in tricklers {
                let (answer, closed) = await connection.readUntilClosed(timeout: .seconds(10))
                #expect(closed && answer.hasPrefix("HTTP/1.1 408"), "\(answer)")
            }
        }
    }

    @Test("headers trickled past the idle timeout: the connection is closed without an answer, though bytes kept coming")
    func trickledHeadersAreCut() async throws {
        try await withServer(idleTimeout: .seconds(1)) { _, port, _ in
            let connection = try RawHTTPConnection(port: port)
            try connection.send("GET \(Self.collection) HTTP/1.1\r\nHost: test\r\n")
            let trickle = Self.trickle([connection]) { index in "X-Slow-\(index): 1\r\n" }
            let (answer, closed) = await connection.readUntilClosed(timeout: .seconds(10))
            trickle.cancel()
            #expect(closed)
            #expect(answer.isEmpty, "\(answer)")
        }
    }

    @Test("a client gone mid-body is logged as 400 body_incomplete, not 413")
    func disconnectMidBodyIsNot413() async throws {
        try await withServer { world, port, events in
            do {
                let connection = try RawHTTPConnection(port: port)
                try connection.send(
                    "POST \(Self.collection) HTTP/1.1\r\nHost: test\r\nAuthorization: \(world.alpha)\r\n"
                        + "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{\"name\":")
                try await Task.sleep(for: .milliseconds(200))
            }  // closed here
            let deadline = ContinuousClock.now + .seconds(10)
            var statuses: [String] = []
            while statuses.isEmpty, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(50))
                statuses = events.all.filter { $0.message == "request" }.compactMap { $0.metadata["status"] }
            }
            #expect(statuses == ["400"], "\(events.all)")
        }
    }

    // The real executable, not `app.test(.live)`: HummingbirdTesting rebuilds the server's
    // configuration to bind port 0 and drops the connection limit on the way.
    @Test("past --max-connections a new connection waits unanswered until another closes")
    func connectionLimit() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (server, port) = try await ServerProcess.serve(database: database, extra: ["--max-connections", "2"])
            let key = try #require(bootstrapKey(in: server.standardError))
            let request = "GET \(Self.collection) HTTP/1.1\r\nHost: test\r\nAuthorization: \(key)\r\n\r\n"
            let first = try RawHTTPConnection(port: port)
            try first.send(request)
            #expect(await first.receive().hasPrefix("HTTP/1.1 200"))
            let second = try RawHTTPConnection(port: port)
            try second.send(request)
            #expect(await second.receive().hasPrefix("HTTP/1.1 200"))

            let third = try RawHTTPConnection(port: port)
            try third.send(request)
            let (early, _) = await third.readUntilClosed(timeout: .seconds(1))
            #expect(early.isEmpty, "answered past the limit: \(early)")
            first.shutDown()
            let answer = await third.receive()
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            // The second is still served: the limit refused only the third's wait.
            try second.send(request)
            #expect(await second.receive().hasPrefix("HTTP/1.1 200"))
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
        }
    }
}
