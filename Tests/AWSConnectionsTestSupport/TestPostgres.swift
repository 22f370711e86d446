import Foundation
import Logging
import PostgresNIO
import Synchronization
public import Testing

/// The stores a storage test runs on.
public enum StoreKind: String, Sendable, CaseIterable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// SQLite always; PostgreSQL when a server is given or can be started here, and always
    /// under CI, where a PostgreSQL that cannot start fails the tests instead of skipping them.
    public static let all: [StoreKind] = TestPostgres.isWanted ? [.sqlite, .postgres] : [.sqlite]

    public var testDescription: String { rawValue }
}

/// The PostgreSQL server the tests use: `AWS_CONNECTIONS_TEST_POSTGRES_URL` when set
/// (a user that may create databases), else a throwaway cluster started on first use from
/// the binaries `pg_config --bindir` names, on loopback and a free port, stopped when the
/// test process exits.
public enum TestPostgres {
    static let externalURL = ProcessInfo.processInfo.environment["AWS_CONNECTIONS_TEST_POSTGRES_URL"]
        .flatMap { $0.isEmpty ? nil : $0 }

    static var isWanted: Bool {
        externalURL != nil || ProcessInfo.processInfo.environment["CI"] == "true" || PostgresCluster.binaries() != nil
    }

    private static let shared = SharedCluster()

    /// A URL of the server's maintenance database, starting the cluster if needed.
    public static func adminURL() async throws -> String {
        if let externalURL { return externalURL }
        return try await shared.cluster().url(database: "postgres")
    }

    /// Runs `body` with the URL of a new, empty database, dropped afterwards.
    public static func withDatabase<T>(_ body: (String) async throws -> T) async throws -> T {
        let admin = try await adminURL()
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        // Many tests create databases at once; under that load the server may refuse one for a
        // moment (another session copying the template). Test set-up, not a subject: retried.
        for attempt in 1...3 {
            do {
                try await execute("CREATE DATABASE \(name)", on: admin)
                break
            } catch where attempt < 3 {
                try await Task.sleep(for: .milliseconds(300 * attempt))
            }
        }
        var components = try #require(URLComponents(string: admin))
        components.path = "/" + name
        let url = try #require(components.string)
        do {
            let result = try await body(url)
            try? await execute("DROP DATABASE \(name) WITH (FORCE)", on: admin)
            return result
        } catch {
            try? await execute("DROP DATABASE \(name) WITH (FORCE)", on: admin)
            throw error
        }
    }

    /// `pg_dump` of the database at `url`, as text.
    public static func dump(_ url: String) async throws -> String {
        let bindir = try #require(PostgresCluster.binaries())
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("dump-\(UUID().uuidString).sql").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        var components = try #require(URLComponents(string: url))
        components.query = nil
        let pid = try ChildProcess.spawn(["\(bindir)/pg_dump", "--dbname", try #require(components.string)], outputPath: output)
        let status = await ChildProcess.wait(pid)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        guard status == 0 else { throw TestFailure("pg_dump exited \(status): \(text)") }
        return text
    }

    /// Runs one statement on its own connection.
    public static func execute(_ sql: String, on url: String) async throws {
        _ = try await query(sql, on: url)
    }

    /// Runs one statement on its own connection and returns the rows' first column as text.
    public static func query(_ sql: String, on url: String) async throws -> [String] {
        let components = try #require(URLComponents(string: url))
        let configuration = PostgresConnection.Configuration(
            host: components.host ?? "127.0.0.1", port: components.port ?? 5432, username: components.user ?? "postgres",
            password: components.password, database: String(components.path.dropFirst()), tls: .disable)
        let logger = Logger(label: "test-postgres")
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        } catch {
            throw TestFailure("cannot connect to run \(sql.prefix(60)): \(String(reflecting: error))")
        }
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            var values: [String] = []
            for try await row in rows {
                values.append(try row.makeRandomAccess()[0].decode(String?.self) ?? "NULL")
            }
            try await connection.close()
            return values
        } catch {
            try? await connection.close()
            // postgres-nio's own description hides the server's message.
            throw TestFailure("\(sql.prefix(60)) failed: \(String(reflecting: error))")
        }
    }
}

/// Starts the shared cluster once, whichever test asks first; the others wait for it.
private actor SharedCluster {
    private var starting: Task<PostgresCluster, any Error>?

    func cluster() async throws -> PostgresCluster {
        if let starting { return try await starting.value }
        let task = Task { try await PostgresCluster.start() }
        starting = task
        return try await task.value
    }
}

/// A throwaway PostgreSQL cluster in a temporary folder: `initdb`, `pg_ctl start`, and a
/// watchdog process that stops it and deletes the folder once the test process is gone.
public final class PostgresCluster: Sendable {
    let directory: URL
    let port: Int
    private let bindir: String
    /// `-c name=value` options added to the server's on every start.
    private let serverOptions: [String]

    private init(directory: URL, port: Int, bindir: String, serverOptions: [String]) {
        self.directory = directory
        self.port = port
        self.bindir = bindir
        self.serverOptions = serverOptions
    }

    var dataDirectory: String { directory.appendingPathComponent("data").path }

    public func url(database: String) -> String {
        "postgres://postgres@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// The folder holding initdb and pg_ctl: `pg_config --bindir`, else Debian's usual place.
    static func binaries() -> String? {
        var candidates: [String] = []
        if let output = try? runSync("/bin/sh", ["-c", "pg_config --bindir 2>/dev/null"]) {
            candidates.append(output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        let debian = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += debian.sorted().reversed().map { "/usr/lib/postgresql/\($0)/bin" }
        return candidates.first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }

    /// `serverOptions` are added to the server's command line as they are (`-c ssl=on`).
    public static func start(serverOptions: [String] = []) async throws -> PostgresCluster {
        guard let bindir = binaries() else {
            throw TestFailure("PostgreSQL server binaries not found (pg_config --bindir); install postgresql")
        }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aws-connections-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try handToServerUser(directory)
        let cluster = PostgresCluster(
            directory: directory, port: try freePort(), bindir: bindir, serverOptions: serverOptions)
        try await cluster.run(
            "initdb", ["-D", cluster.dataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        try cluster.startWatchdog()
        try await cluster.startServer()
        return cluster
    }

    /// Starts (or restarts) the server on the cluster's port.
    public func startServer() async throws {
        let options = [
            "-p \(port)", "-k \(directory.path)", "-c listen_addresses=127.0.0.1", "-c max_connections=600",
            "-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off",
        ].joined(separator: " ") + serverOptions.map { " " + $0 }.joined()
        try await run(
            "pg_ctl", ["-D", dataDirectory, "-o", options, "-l", directory.appendingPathComponent("log").path, "-w", "start"])
    }

    /// Stops the server at once, as a crash or an operator would; the data stays.
    public func stopServer() async throws {
        try await run("pg_ctl", ["-D", dataDirectory, "-m", "fast", "-w", "stop"])
    }

    /// Removes everything now rather than when the test process exits.
    public func destroy() async {
        try? await run("pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(at: directory)
    }

    /// initdb refuses to run as root, so as root the cluster belongs to the `postgres` user.
    private var runAsServerUser: [String] { geteuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : [] }

    private func run(_ tool: String, _ arguments: [String]) async throws {
        let command = runAsServerUser + ["\(bindir)/\(tool)"] + arguments
        let logPath = directory.appendingPathComponent("\(tool).out").path
        let status = try await Self.runAsync(command, outputPath: logPath)
        guard status == 0 else {
            let output = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            let serverLog = (try? String(contentsOfFile: directory.appendingPathComponent("log").path, encoding: .utf8)) ?? ""
            throw TestFailure("\(tool) exited \(status):\n\(output)\n\(serverLog)")
        }
    }

    /// A shell that outlives the test process by at most a second: when the process is
    /// gone, it stops the server and deletes the folder, so an aborted run leaves nothing behind.
    private func startWatchdog() throws {
        let stop = (runAsServerUser + ["\(bindir)/pg_ctl", "-D", dataDirectory, "-m", "immediate", "stop"])
            .map { "'\($0)'" }.joined(separator: " ")
        let script = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 1; done
            \(stop) >/dev/null 2>&1
            rm -rf '\(directory.path)'
            """
        _ = try ChildProcess.spawn(["/bin/sh", "-c", script], outputPath: "/dev/null")
    }

    private static func handToServerUser(_ directory: URL) throws {
        guard geteuid() == 0 else { return }
        guard let user = getpwnam("postgres") else {
            throw TestFailure("running as root needs a 'postgres' user to own the test cluster")
        }
        guard chown(directory.path, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
            throw TestFailure("cannot chown \(directory.path) to postgres")
        }
    }

    /// A port nothing listens on right now, below the kernel's range for outgoing
    /// connections. The cluster binds it seconds later (after initdb) and again on every
    /// restart; a port from that range (the kernel's pick for port 0) can meanwhile become
    /// the source port of one of the many client connections the tests open, and the
    /// server then fails to start with "Address already in use".
    public static func freePort() throws -> Int {
        let ephemeralStart = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))
            .flatMap { Int($0.split(whereSeparator: \.isWhitespace).first ?? "") } ?? 32768
        for _ in 0..<200 {
            let candidate = Int.random(in: 10_000..<max(ephemeralStart, 10_001))
            if canBind(port: candidate) { return candidate }
        }
        throw TestFailure("no free port below \(ephemeralStart)")
    }

    private static func canBind(port: Int) -> Bool {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { return false }
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                bind(socketFD, generic, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    private static func runSync(_ executable: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    private static func runAsync(_ command: [String], outputPath: String) async throws -> Int32 {
        let pid = try ChildProcess.spawn(command, outputPath: outputPath)
        return await ChildProcess.wait(pid)
    }
}

/// posix_spawn and waitpid, for the cluster's tools. Foundation's `Process` was seen to miss
/// the exit of a `runuser` child that left a daemon behind, hanging the test run.
enum ChildProcess {
    /// Starts `command` with stdin from /dev/null and stdout and stderr to `outputPath`.
    static func spawn(_ command: [String], outputPath: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        closeInheritedDescriptors(&actions)
        let arguments = command.map { strdup($0) } + [nil]
        defer { arguments.forEach { free($0) } }
        var attributes = defaultSignalAttributes()
        defer { posix_spawnattr_destroy(&attributes) }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, command[0], &actions, &attributes, arguments, environ)
        guard status == 0 else { throw TestFailure("cannot start \(command[0]): error \(status)") }
        return pid
    }

    /// Waits for `pid` on a thread of its own, so no concurrency thread blocks.
    static func wait(_ pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                // WIFEXITED/WEXITSTATUS are macros Swift cannot import.
                let exited = status & 0x7f == 0
                continuation.resume(returning: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f))
            }
        }
    }
}
