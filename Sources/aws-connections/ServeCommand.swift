import AWSConnectionsCore
import AWSConnectionsHTTP
import ArgumentParser
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `aws-connections serve`: runs the API until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the API over HTTP.",
        discussion: """
            On a database with no API keys, creates account 'default' and prints one full-access \
            key to stderr, once. SIGINT or SIGTERM stops accepting connections, lets in-flight \
            requests finish, and exits 0.
            """
    )

    @Option(help: ArgumentHelp("Address to listen on (env AWS_CONNECTIONS_HOST).", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on; 0 picks a free one (env AWS_CONNECTIONS_PORT).", valueName: "port"))
    var port: Int?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "trace, debug, info, notice, warning, error or critical (env AWS_CONNECTIONS_LOG_LEVEL).",
            valueName: "level"))
    var logLevel: String?

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp(
            "Seconds a connection may send nothing, even mid-request, before it is closed (env AWS_CONNECTIONS_IDLE_TIMEOUT).",
            valueName: "seconds"))
    var idleTimeout: Int?

    @Option(
        name: .customLong("shutdown-timeout"),
        help: ArgumentHelp(
            "Seconds SIGINT/SIGTERM waits for in-flight requests before cutting them and exiting 1 (env AWS_CONNECTIONS_SHUTDOWN_TIMEOUT).",
            valueName: "seconds"))
    var shutdownTimeout: Int?

    @Option(
        name: .customLong("connection-quota"),
        help: ArgumentHelp(
            "Most connections one account may hold; default 10000 (env AWS_CONNECTIONS_CONNECTION_QUOTA).",
            valueName: "count"))
    var connectionQuota: Int?

    @Option(
        name: .customLong("history-retention-days"),
        help: ArgumentHelp(
            "Days a deleted connection's history stays readable; default 30 (env AWS_CONNECTIONS_HISTORY_RETENTION_DAYS).",
            valueName: "days"))
    var historyRetentionDays: Int?

    @OptionGroup var databaseOptions: DatabaseOptions

    func run() async throws {
        let host = self.host ?? Environment.value("AWS_CONNECTIONS_HOST") ?? "127.0.0.1"
        let port = try self.port ?? Environment.integer("AWS_CONNECTIONS_PORT") ?? 8080
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be between 0 and 65535.")
        }
        let idleSeconds = try idleTimeout ?? Environment.integer("AWS_CONNECTIONS_IDLE_TIMEOUT") ?? 60
        let shutdownSeconds = try shutdownTimeout ?? Environment.integer("AWS_CONNECTIONS_SHUTDOWN_TIMEOUT") ?? 30
        guard idleSeconds > 0, shutdownSeconds > 0 else {
            throw ValidationError("--idle-timeout and --shutdown-timeout must be at least 1 second.")
        }
        let quota = try connectionQuota ?? Environment.integer("AWS_CONNECTIONS_CONNECTION_QUOTA")
            ?? ServicePolicy.defaultConnectionQuota
        let retentionDays = try historyRetentionDays ?? Environment.integer("AWS_CONNECTIONS_HISTORY_RETENTION_DAYS") ?? 30
        // Bounded so that the retention in milliseconds cannot overflow.
        guard quota >= 1, (0...36_500).contains(retentionDays) else {
            throw ValidationError("--connection-quota must be at least 1, --history-retention-days 0 to 36500.")
        }
        let policy = ServicePolicy(
            connectionQuota: quota, deletedHistoryRetention: .seconds(Int64(retentionDays) * 24 * 60 * 60))
        let levelText = logLevel ?? Environment.value("AWS_CONNECTIONS_LOG_LEVEL") ?? "info"
        guard let level = Logger.Level(rawValue: levelText.lowercased()) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical.")
        }
        let logger = LogSetup.bootstrap(level: level)

        try await databaseOptions.withStoreOrExit(logger: logger) { store in
            if let issued = try await store.issueBootstrapKeyIfNoKeys(at: .now()) {
                BootstrapKeyNotice.print(issued)
            }
            try await serve(store: store, policy: policy, host: host, port: port, idleSeconds: idleSeconds,
                shutdownSeconds: shutdownSeconds, logger: logger)
        }
        logger.info("stopped")
    }
}

extension ServeCommand {
    /// Runs the HTTP server until a signal stops it and in-flight requests have finished.
    /// The store outlives it: it is closed only after the last request is answered.
    private func serve(
        store: any ServiceStore, policy: ServicePolicy, host: String, port: Int, idleSeconds: Int,
        shutdownSeconds: Int, logger: Logger
    ) async throws {
        let app = buildApplication(
            connections: store, keys: store, policy: policy, host: host, port: port, idleTimeout: .seconds(idleSeconds), logger: logger,
            onServerRunning: { channel in
                let boundPort = channel.localAddress?.port ?? port
                let shownHost = host.contains(":") ? "[\(host)]" : host
                logger.info("listening on http://\(shownHost):\(boundPort)")
            })
        var groupConfiguration = ServiceGroupConfiguration(
            // Shut down in reverse order: the server drains first, while a purge already under
            // way may finish; the housekeeping's own end never stops the group.
            services: [
                .init(
                    service: Housekeeping(store: store, policy: policy, interval: .seconds(3600), logger: logger),
                    successTerminationBehavior: .ignore),
                .init(service: app),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(shutdownSeconds)
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            // A port already in use, or in-flight requests still running when the shutdown timeout expired.
            logger.error("server stopped with an error", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
    }
}

/// Writes the first-start key to stderr, where it is seen once and never logged again.
enum BootstrapKeyNotice {
    static func print(_ issued: IssuedKey) {
        let text = """
            Created account 'default' and its first API key (id \(issued.record.id.rawValue), \
            scopes \(Scope.serialise(issued.record.scopes))):
            \(issued.key.secret)
            This key will not be shown again: store it now. Create more with 'aws-connections keys create'.

            """
        StandardError.write(text)
    }
}
