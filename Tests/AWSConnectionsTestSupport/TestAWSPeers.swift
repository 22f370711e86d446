public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The AWS protocol peers the tests talk to, all on loopback: moto's server (STS, IAM, S3,
/// CloudFormation) through `Tests/aws-peers/moto_server.py`, which corrects the few places
/// where moto differs from AWS, and `metadata_server.py` for the instance-metadata and
/// container-credentials protocols. Each runs as a child process with a watchdog that stops it
/// once the test process is gone.
public final class AWSPeer: Sendable {
    public let port: Int
    let pid: pid_t

    /// `http://127.0.0.1:PORT`.
    public var endpoint: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, pid: pid_t) {
        self.port = port
        self.pid = pid
    }

    /// The folder of the peers' scripts.
    public static let scriptsDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("aws-peers")

    /// moto's server; with `authenticatedAfter`, IAM authentication is on once that many
    /// unauthenticated setup calls have been made (`POST /moto-api/reset-auth`).
    public static func moto(authenticatedAfter setupCalls: Int? = nil) async throws -> AWSPeer {
        try await start(script: "moto_server.py", arguments: setupCalls.map { ["--auth", String($0)] } ?? [])
    }

    /// The instance-metadata (IMDSv2) and container-credentials peer, handing out `credentials`.
    public static func metadata(
        accessKeyID: String, secretAccessKey: String, sessionToken: String, containerToken: String? = nil
    ) async throws -> AWSPeer {
        var arguments = [
            "--access-key-id", accessKeyID, "--secret-access-key", secretAccessKey, "--session-token", sessionToken,
        ]
        if let containerToken { arguments += ["--container-token", containerToken] }
        return try await start(script: "metadata_server.py", arguments: arguments)
    }

    /// `fault_proxy.py` in front of the server on `upstreamPort`: relays requests, or breaks the
    /// ones its plan names (`plan(unavailable:drop:)`). Not an AWS peer; started the same way.
    public static func faultProxy(upstreamPort: Int) async throws -> AWSPeer {
        try await start(script: "fault_proxy.py", arguments: ["--upstream", "127.0.0.1:\(upstreamPort)"])
    }

    /// The fault proxy's plan: answer the next `unavailable` requests 503 without forwarding
    /// them, then forward the next `drop[method]` requests of a method and lose their answers.
    public func plan(unavailable: Int = 0, drop: [String: Int] = [:]) async throws {
        var request = URLRequest(url: URL(string: "\(endpoint)/_peer/plan")!)
        request.httpMethod = "POST"
        request.httpBody = try JSONSerialization.data(withJSONObject: ["unavailable": unavailable, "drop": drop])
        _ = try await URLSession.shared.data(for: request)
    }

    private static func start(script: String, arguments: [String]) async throws -> AWSPeer {
        let port = try PostgresCluster.freePort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("aws-peer-\(UUID().uuidString).log").path
        let path = scriptsDirectory.appendingPathComponent(script).path
        let pid = try ChildProcess.spawn(
            ["/usr/bin/env", "python3", path, "--port", String(port)] + arguments, outputPath: log)
        _ = try ChildProcess.spawn(
            ["/bin/sh", "-c", "while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done; kill \(pid) 2>/dev/null; rm -f '\(log)'"],
            outputPath: "/dev/null")
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if output.contains("ready \(port)") { return AWSPeer(port: port, pid: pid) }
            if kill(pid, 0) != 0 { throw TestFailure("\(script) exited before it was ready:\n\(output)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        kill(pid, SIGKILL)
        throw TestFailure("\(script) was not ready within 60 s")
    }

    /// Stops the peer now.
    public func stop() {
        kill(pid, SIGTERM)
    }

    /// Requests the peer received per kind (`/_peer/counts`).
    public func counts() async throws -> [String: Int] {
        let (data, _) = try await URLSession.shared.data(from: URL(string: "\(endpoint)/_peer/counts")!)
        return try JSONSerialization.jsonObject(with: data) as? [String: Int] ?? [:]
    }

    /// Runs `Tests/aws-peers/moto_fixture.py` against this peer: arranges IAM, S3 and
    /// CloudFormation state with boto3 and returns what the command printed.
    public func fixture(_ command: String, _ arguments: [String: Any] = [:]) async throws -> [String: Any] {
        let json = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
        let output = try await runPython(
            [Self.scriptsDirectory.appendingPathComponent("moto_fixture.py").path, endpoint, command, json])
        guard let object = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] else {
            throw TestFailure("moto_fixture.py \(command) printed \(output)")
        }
        return object
    }
}

/// The platform's own IAM user on a moto server: the principal customers' roles trust.
public struct PlatformPrincipal: Sendable {
    public let arn: String
    public let accessKeyID: String
    public let secretAccessKey: String

    /// Creates it (three unauthenticated calls on an authenticated server).
    public init(on peer: AWSPeer) async throws {
        let created = try await peer.fixture("admin")
        guard let arn = created["arn"] as? String, let id = created["accessKeyId"] as? String,
            let secret = created["secretAccessKey"] as? String
        else { throw TestFailure("admin fixture printed \(created)") }
        self.arn = arn
        self.accessKeyID = id
        self.secretAccessKey = secret
    }

    /// The credentials as `moto_fixture.py` takes them.
    public var fixtureCredentials: [String: String] {
        ["accessKeyId": accessKeyID, "secretAccessKey": secretAccessKey]
    }
}

/// Runs `python3 ARGUMENTS` and returns its standard output; a non-zero exit throws with stderr.
public func runPython(_ arguments: [String], environment: [String: String]? = nil) async throws -> String {
    try await runProcess(["/usr/bin/env", "python3"] + arguments, environment: environment)
}

/// Runs a command to its end on a thread of its own and returns its standard output; a
/// non-zero exit throws with both outputs.
public func runProcess(_ command: [String], environment: [String: String]? = nil) async throws -> String {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            // Whatever it is, a tool run by a test never asks the instance-metadata address.
            var environment = environment ?? ProcessInfo.processInfo.environment
            environment["AWS_EC2_METADATA_DISABLED"] = "true"
            process.environment = environment
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            do {
                try process.run()
                // Read both pipes to their end before waiting, so a chatty child cannot fill one and stall.
                let errorData = LockedData()
                let reader = Thread { errorData.set(errors.fileHandleForReading.readDataToEndOfFile()) }
                reader.start()
                let outputData = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                while !errorData.isSet { usleep(1000) }
                let stdout = String(decoding: outputData, as: UTF8.self)
                guard process.terminationStatus == 0 else {
                    let stderr = String(decoding: errorData.value, as: UTF8.self)
                    continuation.resume(
                        throwing: TestFailure("\(command.joined(separator: " ")) exited \(process.terminationStatus):\n\(stdout)\n\(stderr)"))
                    return
                }
                continuation.resume(returning: stdout)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }
}

private final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?

    func set(_ data: Data) { lock.withLock { self.data = data } }
    var isSet: Bool { lock.withLock { data != nil } }
    var value: Data { lock.withLock { data ?? Data() } }
}

/// Loopback listeners that misbehave as an unreachable or silent AWS would.
public enum MisbehavingEndpoint {
    /// A loopback port with nothing listening: connections are refused.
    public static func closedPort() throws -> Int {
        try PostgresCluster.freePort()
    }

    /// A loopback listener that accepts connections (the kernel completes them from its
    /// backlog) and never answers a byte. Open until `close` is called on the descriptor.
    public static func silentListener() throws -> (port: Int, descriptor: Int32) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestFailure("socket failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 128) == 0 else {
            close(descriptor)
            throw TestFailure("cannot listen on loopback")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (Int(UInt16(bigEndian: address.sin_port)), descriptor)
    }
}
