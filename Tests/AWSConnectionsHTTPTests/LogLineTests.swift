import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Logging
import Testing

@testable import aws_connections

/// The logfmt line as written: at most one atomic pipe write, escaped before it is cut.
@Suite("Log lines: escaping and the 4,096-byte cap")
struct LogLineTests {
    private let timestamp = "2026-11-29T06:18:37.752Z"

    private func line(_ fields: [(String, String)], message: String = "request") -> [UInt8] {
        LogfmtLogHandler.line(timestamp: timestamp, level: .info, message: message, fields: fields)
    }

    @Test("a short line is written as it always was, with nothing cut or marked")
    func shortLine() throws {
        let written = line([("method", "GET"), ("path", "/a b\"c\\d\u{1}\n"), ("status", "200"), ("empty", "")])
        #expect(
            String(decoding: written, as: UTF8.self)
                == #"ts=2026-11-29T06:18:37.752Z level=info msg=request method=GET path="/a b\"c\\d\u0001\n" status=200 empty="""#
                + "\n")
    }

    @Test(
        "values that escape to several bytes each still make one line of at most 4,096 bytes, marked, with every field",
        arguments: ["\"", "\\\"", "\n", "\u{1}", "é\"", "😀\u{7F}", "a=\u{301}"])
    func escapingValues(unit: String) throws {
        // Several offsets, so the cut meets every position inside an escape and a character.
        for padding in 0..<7 {
            let long = String(repeating: "x", count: padding) + String(repeating: unit, count: 3000)
            let written = line([("error", long), ("path", long), ("status", "404"), ("client", "127.0.0.1")], message: long)
            let fields = try checkedLine(written)
            #expect(fields.last?.key == "truncated" && fields.last?.value == "true")
            for (key, value) in [("status", "404"), ("client", "127.0.0.1")] {
                #expect(fields.contains { $0.key == key && $0.value == value }, "\(key) lost")
            }
            for key in ["msg", "error", "path"] {
                let value = try #require(fields.first { $0.key == key }?.value)
                #expect(value.hasSuffix("…"), "\(key) not marked as cut")
                // What is left is the start of the value, whole characters only.
                #expect(long.utf8.starts(with: value.dropLast().utf8), "\(key) is not a prefix of the value")
            }
        }
    }

    @Test("a line of exactly 4,096 bytes is kept whole; one byte more is cut and marked")
    func boundary() throws {
        let base = line([("path", "")]).count - 2  // without the two quotes of the empty value
        let fits = String(repeating: "a", count: LogfmtLogHandler.maximumLineLength - base)
        let exact = line([("path", fits)])
        #expect(exact.count == 4096)
        #expect(try checkedLine(exact).last?.key == "path")
        let over = line([("path", fits + "a")])
        #expect(over.count <= 4096)
        #expect(try checkedLine(over).last?.key == "truncated")
    }

    @Test("many long fields: whole fields are left out rather than the line growing")
    func manyFields() throws {
        let fields = (0..<2000).map { ("key\($0)", "\"\"\"\"\"\"\"\"") }
        let written = line(fields)
        let parsed = try checkedLine(written)
        #expect(parsed.last?.key == "truncated")
        #expect(parsed.count > 10)
    }

    @Test("a key cannot break the line")
    func keys() throws {
        let parsed = try checkedLine(line([("bad key\n=\"", "v")]))
        #expect(parsed.last?.key == "bad_key___")
    }

    /// Checks that `bytes` is one valid-UTF-8 line of at most 4,096 bytes whose only newline
    /// ends it, and that it parses as logfmt with every escape whole; returns its fields.
    private func checkedLine(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> [(key: String, value: String)] {
        #expect(bytes.count <= 4096, "\(bytes.count) bytes", sourceLocation: sourceLocation)
        #expect(bytes.last == UInt8(ascii: "\n"), sourceLocation: sourceLocation)
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") }.count == 1, sourceLocation: sourceLocation)
        let text = try #require(String(validating: bytes, as: UTF8.self), "not valid UTF-8", sourceLocation: sourceLocation)
        return try parseLogfmt(String(text.dropLast()))
    }
}

/// A strict logfmt reader: `key=bare` or `key="escaped"` separated by single spaces, with only
/// the escapes the handler writes. Throws on anything else, such as an escape cut in half.
func parseLogfmt(_ line: String) throws -> [(key: String, value: String)] {
    var fields: [(key: String, value: String)] = []
    var rest = Substring(line)
    while !rest.isEmpty {
        guard let equals = rest.firstIndex(of: "=") else { throw TestFailure("no '=' in \(rest.prefix(80))") }
        let key = String(rest[..<equals])
        guard !key.isEmpty, !key.contains(" ") else { throw TestFailure("bad key '\(key)'") }
        rest = rest[rest.index(after: equals)...]
        var value = ""
        if rest.first == "\"" {
            rest.removeFirst()
            var closed = false
            while let character = rest.popFirst() {
                if character == "\"" {
                    closed = true
                    break
                }
                guard character == "\\" else {
                    value.append(character)
                    continue
                }
                switch rest.popFirst() {
                case "\"": value.append("\"")
                case "\\": value.append("\\")
                case "n": value.append("\n")
                case "r": value.append("\r")
                case "t": value.append("\t")
                case "u":
                    let hex = rest.prefix(4)
                    guard hex.count == 4, hex.hasPrefix("00"), let code = UInt8(hex, radix: 16) else {
                        throw TestFailure("a cut \\u escape in \(key)")
                    }
                    value.unicodeScalars.append(Unicode.Scalar(code))
                    rest = rest.dropFirst(4)
                default: throw TestFailure("a cut or unknown escape in \(key)")
                }
            }
            guard closed else { throw TestFailure("unterminated quoted value of \(key)") }
        } else {
            let end = rest.firstIndex(of: " ") ?? rest.endIndex
            value = String(rest[..<end])
            rest = rest[end...]
        }
        fields.append((key, value))
        if rest.first == " " {
            rest.removeFirst()
            if rest.isEmpty { throw TestFailure("trailing space") }
        } else if !rest.isEmpty {
            throw TestFailure("no space after \(key)")
        }
    }
    return fields
}

/// What the real executable writes to stderr: the request log with its client, the cap on a
/// real pipe, `--trusted-proxy` as an operator sets it, and the bootstrap key's own block.
@Suite("The executable's log output", .serialized)
struct LogOutputProcessTests {
    /// The stderr lines of the log, with the byte length of each (newline included).
    private func logLines(_ text: String) -> [(text: Substring, bytes: Int)] {
        text.split(separator: "\n").map { ($0, $0.utf8.count + 1) }
    }

    @Test("a request whose path escapes past 4,096 bytes is logged as one capped line on the pipe")
    func longPathOnePipeLine() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (server, port) = try await ServerProcess.serve(database: database)
            let before = server.standardError
            // 2,500 quotes and backslashes: 2,500 bytes on the wire, twice that once escaped.
            let path = "/" + String(repeating: "\"\\", count: 1250)
            // Sent by hand: HTTP clients refuse such a path, but the server's parser takes it.
            let response = try await rawExchange(port: port, "GET \(path) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            #expect(response.hasPrefix("HTTP/1.1 404"))
            let requestID = String(try #require(response.firstMatch(of: /(?i)x-request-id: *([0-9a-f]+)/)).1)
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
            let log = String(server.standardError.dropFirst(before.count))
            #expect(log.hasSuffix("\n"))
            let lines = logLines(log).filter { $0.text.contains(requestID) }
            try #require(lines.count == 1, "\(log)")
            let line = lines[0]
            #expect(line.bytes <= 4096, "\(line.bytes) bytes")
            #expect(!line.text.contains("\u{FFFD}"))
            let fields = try parseLogfmt(String(line.text))
            #expect(fields.last?.key == "truncated" && fields.last?.value == "true")
            #expect(fields.contains { $0.key == "status" && $0.value == "404" })
            #expect(fields.contains { $0.key == "client" && $0.value == "127.0.0.1" })
            let logged = try #require(fields.first { $0.key == "path" }?.value)
            #expect(logged.hasSuffix("…") && path.utf8.starts(with: logged.dropLast().utf8))
        }
    }

    @Test("--trusted-proxy, repeated, makes the log believe X-Forwarded-For from that peer; a bad value stops the start")
    func trustedProxyOption() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let refused = try await ServerProcess.run(["serve", "--port", "0", "--database", database, "--trusted-proxy", "127.0.0.300"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("--trusted-proxy must be"), "\(refused.stderr)")

            let (server, port) = try await ServerProcess.serve(
                database: database, extra: ["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "127.0.0.1"])
            let before = server.standardError
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                _ = try await client.execute(
                    .init("/forwarded", method: .get, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.7, 10.1.2.3"]))
            }
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
            let line = try #require(logLines(String(server.standardError.dropFirst(before.count))).first { $0.text.contains("path=/forwarded") })
            #expect(line.text.contains(" client=203.0.113.7 "), "\(line.text)")
        }
    }

    @Test("the first start's key is in its own stderr block and in no log line")
    func bootstrapKeyBlock() async throws {
        try await withDatabaseURL(.sqlite) { database in
            let (server, port) = try await ServerProcess.serve(database: database)
            let key = try #require(bootstrapKey(in: server.standardError))
            try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let listed = try await client.call(.get, collectionPath, key: key)
                #expect(listed.status == .ok)
            }
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
            let lines = server.standardError.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let keyLine = try #require(lines.firstIndex { $0 == key })
            #expect(lines[keyLine - 1].hasPrefix("Created account 'default' and its first API key"))
            #expect(lines[keyLine + 1].hasPrefix("This key will not be shown again"))
            let block = (keyLine - 1)...(keyLine + 1)
            // Everything else is a log line, and none of them holds the key (or a part of
            // it), though a request used it.
            let logged = lines.indices.filter { !block.contains($0) }.map { lines[$0] }
            for line in logged {
                #expect(line.hasPrefix("ts="), "not a log line: \(line)")
                #expect(!line.contains(key.dropFirst("pictai_".count).prefix(16)), "the key in a log line: \(line)")
            }
            #expect(logged.contains { $0.contains("msg=request") && $0.contains("key_id=key_") }, "the key was used and logged by its id")
        }
    }
}

@Suite("Settings: --trusted-proxy from a repeated flag, a list, the environment and a file")
struct TrustedProxySettingsTests {
    private func read(_ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let settings = try await Settings(arguments: arguments, environment: environment, groups: [ServeSettings.self])
        return settings[\ServeSettings.trustedProxies].description
    }

    @Test("each way of giving the list gives the same proxies")
    func sources() async throws {
        #expect(try await read([]) == "")
        #expect(try await read(["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "::1"]) == "10.0.0.0/8,::1")
        #expect(try await read(["--trusted-proxy", "10.0.0.0/8,::1"]) == "10.0.0.0/8,::1")
        #expect(try await read(["--trusted-proxy=192.0.2.1"]) == "192.0.2.1")
        #expect(try await read([], environment: ["AWS_CONNECTIONS_TRUSTED_PROXY": "10.0.0.0/8, 192.0.2.1"]) == "10.0.0.0/8,192.0.2.1")
        // The flag wins over the variable.
        #expect(
            try await read(["--trusted-proxy", "192.0.2.1"], environment: ["AWS_CONNECTIONS_TRUSTED_PROXY": "10.0.0.0/8"]) == "192.0.2.1")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trusted-proxy-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(#"{"trustedProxy": ["10.0.0.0/8", "2001:db8::/32"]}"#.utf8).write(to: file)
        #expect(try await read(["--config", file.path]) == "10.0.0.0/8,2001:db8::/32")
    }

    @Test("a bad entry anywhere is an error naming the option as given", arguments: [
        (["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "nope"], [:], "--trusted-proxy must be"),
        ([], ["AWS_CONNECTIONS_TRUSTED_PROXY": "10.0.0.0/40"], "AWS_CONNECTIONS_TRUSTED_PROXY must be"),
    ] as [([String], [String: String], String)])
    func refused(arguments: [String], environment: [String: String], message: String) async throws {
        do {
            _ = try await read(arguments, environment: environment)
            Issue.record("accepted \(arguments) \(environment)")
        } catch let failure as CommandFailure {
            #expect(failure.description.contains(message), "\(failure.description)")
        }
    }
}
