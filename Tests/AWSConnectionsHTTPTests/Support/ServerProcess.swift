import AWSConnectionsTestSupport
import Foundation
import Synchronization

/// The real `aws-connections` executable, run as a child process, for tests that need a
/// process boundary: kill -9, signals, the CLI and what it prints.
final class ServerProcess: Sendable {
    let process: SpawnedProcess
    private let stderrText = OutputBuffer()
    private let stdoutText = OutputBuffer()


    /// The executable `swift build` / `swift test` put next to the test bundle.
    static var executableURL: URL {
        get throws {
            let bundleDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
                .deletingLastPathComponent()
            for candidate in [bundleDirectory, bundleDirectory.deletingLastPathComponent()] {
                let url = candidate.appendingPathComponent("aws-connections")
                if FileManager.default.isExecutableFile(atPath: url.path) { return url }
            }
            throw TestFailure("aws-connections executable not found near \(bundleDirectory.path); run `swift build` first")
        }
    }

    init(_ arguments: [String], environment: [String: String] = [:], directory: URL? = nil) throws {
        var merged = ProcessInfo.processInfo.environment
        for (name, value) in environment { merged[name] = value }
        process = try SpawnedProcess(
            executable: try Self.executableURL.path, arguments: arguments, environment: merged, directory: directory?.path)
        Self.drain(process.standardError, into: stderrText)
        Self.drain(process.standardOutput, into: stdoutText)
    }

    /// Copies a pipe into a string on a background thread, so the child never blocks on a full pipe.
    private static func drain(_ handle: FileHandle, into buffer: OutputBuffer) {
        Thread.detachNewThread {
            while true {
                let data = handle.availableData
                if data.isEmpty {
                    buffer.close()
                    return
                }
                buffer.append(data)
            }
        }
    }

    var standardError: String { stderrText.value }
    var standardOutput: String { stdoutText.value }

    /// Waits until stderr contains `text`; fails after `timeout`.
    func waitForStandardError(containing text: String, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        while !standardError.contains(text) {
            guard process.isRunning || standardError.contains(text) else {
                throw TestFailure("process exited before printing '\(text)':\n\(standardError)")
            }
            guard ContinuousClock.now < deadline else {
                throw TestFailure("timed out waiting for '\(text)':\n\(standardError)")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// Starts `serve` on a free port and returns once it listens.
    static func serve(database: String, extra: [String] = [], environment: [String: String] = [:]) async throws
        -> (ServerProcess, port: Int)
    {
        // No drain after SIGTERM and no rate limit unless a test asks for them: most tests stop
        // servers often, and some send one key's requests as fast as they can.
        let environment = ["AWS_CONNECTIONS_DRAIN_DELAY": "0", "AWS_CONNECTIONS_RATE_LIMIT": "0"].merging(environment) { $1 }
        let server = try ServerProcess(["serve", "--port", "0", "--database", database] + extra, environment: environment)
        try await server.waitForStandardError(containing: "listening on http://")
        guard let match = server.standardError.firstMatch(of: /listening on http:\/\/127\.0\.0\.1:(\d+)/),
            let port = Int(match.1)
        else { throw TestFailure("no port in: \(server.standardError)") }
        return (server, port)
    }

    func signal(_ signal: Int32) {
        process.signal(signal)
    }

    /// Waits for the process to end and returns its exit status.
    func waitForExit(timeout: Duration = .seconds(20)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                signal(SIGKILL)
                throw TestFailure("process did not exit in time")
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return process.terminationStatus ?? -1
    }

    /// Runs a short command (such as `keys create`) to completion.
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let child = try ServerProcess(arguments, environment: environment)
        // A minute: under the whole suite a short command has taken over twenty seconds.
        let status = try await child.waitForExit(timeout: .seconds(60))
        // The process has exited; wait for both pipes to reach end-of-file so no output is missed.
        let deadline = ContinuousClock.now + .seconds(10)
        while !(child.stdoutText.isClosed && child.stderrText.isClosed) {
            guard ContinuousClock.now < deadline else { throw TestFailure("output pipes never closed") }
            try await Task.sleep(for: .milliseconds(5))
        }
        return (status, child.standardOutput, child.standardError)
    }

    deinit {
        if process.isRunning { process.signal(SIGKILL) }
    }
}

/// Text a child process wrote, appended by a reader thread and read by the test.
final class OutputBuffer: Sendable {
    private let state = Mutex<(text: String, closed: Bool)>(("", false))

    func append(_ data: Data) {
        state.withLock { $0.text += String(decoding: data, as: UTF8.self) }
    }

    /// The writer closed its end: everything it wrote is in `value`.
    func close() {
        state.withLock { $0.closed = true }
    }

    var value: String { state.withLock { $0.text } }
    var isClosed: Bool { state.withLock { $0.closed } }
}

/// The bootstrap key a first `serve` printed, if any.
func bootstrapKey(in text: String) -> String? {
    text.split(separator: "\n").first { $0.hasPrefix("pictai_") }.map(String.init)
}
