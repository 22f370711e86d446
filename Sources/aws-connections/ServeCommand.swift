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
            Applies pending migrations first, and refuses a database that a newer version has \
            migrated. On a database with no API keys, creates account 'default' and prints one \
            full-access key to stderr, once. SIGTERM turns GET /readyz to 503 and, after \
            --drain-delay seconds of serving as usual, stops accepting connections, lets \
            in-flight requests finish, and exits 0; SIGINT does the same without the delay.

            """ + Settings.help(for: settingGroups)
    )

    /// Every option of `serve` (see `ServeSettings` and `DatabaseSettings`), read by `Settings`.
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var options: [String] = []

    static let settingGroups: [any SettingGroup.Type] = [ServeSettings.self, DatabaseSettings.self, AWSSettings.self]

    func run() async throws {
        let settings = try await Settings.read(options, groups: Self.settingGroups)
        let host = settings[\ServeSettings.host]
        let port = settings[\ServeSettings.port]
        let policy = ServicePolicy(
            connectionQuota: settings[\ServeSettings.connectionQuota],
            deletedHistoryRetention: .seconds(Int64(settings[\ServeSettings.historyRetentionDays]) * 24 * 60 * 60),
            defaultRoleName: settings[\DatabaseSettings.defaultRoleName],
            liveHistoryCap: settings[\ServeSettings.historyKeepVersions] == 0
                ? nil
                : HistoryCap(
                    keepVersions: settings[\ServeSettings.historyKeepVersions],
                    keepFor: .seconds(Int64(settings[\ServeSettings.historyKeepDays]) * 24 * 60 * 60)))
        let level = Logger.Level(rawValue: settings[\ServeSettings.logLevel]) ?? .info
        let logger = LogSetup.bootstrap(level: level)
        let metrics: ServerMetrics = settings[\ServeSettings.metrics] == "on" ? .prometheus() : .off()
        let metricsToken = settings[\ServeSettings.metricsToken]
        if metrics.isOn, metricsToken.isEmpty {
            logger.info("GET /metrics is served without a token (--metrics-token): keep this port off public networks")
        }
        let roleAccess = await RoleAccessSetup.make(settings: settings, metrics: metrics.factory, logger: logger)

        try await settings.withStore(migrations: .upgrade, logger: logger) { store in
            if let issued = try await store.issueBootstrapKeyIfNoKeys(at: .now()) {
                BootstrapKeyNotice.print(issued)
            }
            try await serve(
                store: store, policy: policy, roleAccess: roleAccess,
                trustedProxies: settings[\ServeSettings.trustedProxies], host: host, port: port,
                idleSeconds: settings[\ServeSettings.idleTimeout],
                requestSeconds: settings[\ServeSettings.requestTimeout],
                maxConnections: settings[\ServeSettings.maxConnections],
                metrics: metrics, metricsToken: metricsToken.isEmpty ? nil : metricsToken,
                rateLimit: settings[\ServeSettings.rateLimit] == 0
                    ? nil
                    : RateLimit(
                        requestsPerSecond: Double(settings[\ServeSettings.rateLimit]), burst: settings[\ServeSettings.rateBurst]),
                drainSeconds: settings[\ServeSettings.drainDelay],
                shutdownSeconds: settings[\ServeSettings.shutdownTimeout], logger: logger)
        }
        logger.info("stopped")
    }
}

extension ServeCommand {
    /// Runs the HTTP server until a signal stops it and in-flight requests have finished.
    /// The store outlives it: it is closed only after the last request is answered.
    private func serve(
        store: any ServiceStore, policy: ServicePolicy, roleAccess: any RoleAccess, trustedProxies: TrustedProxies,
        host: String, port: Int,
        idleSeconds: Int, requestSeconds: Int, maxConnections: Int, metrics: ServerMetrics, metricsToken: String?,
        rateLimit: RateLimit?, drainSeconds: Int, shutdownSeconds: Int, logger: Logger
    ) async throws {
        let readiness = Readiness()
        let app = buildApplication(
            connections: store, keys: store, policy: policy, roleAccess: roleAccess, trustedProxies: trustedProxies,
            readiness: readiness, rateLimit: rateLimit, metrics: metrics, metricsToken: metricsToken, host: host,
            port: port,
            idleTimeout: .seconds(idleSeconds), requestTimeout: .seconds(requestSeconds),
            maxConnections: maxConnections, logger: logger,
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
                // Shut down first; ending by itself after SIGTERM's drain shuts the group down.
                .init(
                    service: DrainOnSIGTERM(readiness: readiness, delay: .seconds(drainSeconds), logger: logger),
                    successTerminationBehavior: .gracefullyShutdownGroup),
            ],
            // SIGTERM is the drain's; SIGINT (Ctrl-C) shuts down at once.
            gracefulShutdownSignals: [.sigint], logger: logger)
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

/// SIGTERM, as a load balancer's or an orchestrator's stop: `/readyz` answers 503 at once, the
/// server goes on serving for `delay` so that the load balancer sees that and stops sending,
/// then this service ends, which starts the group's graceful shutdown (listener closed,
/// in-flight requests finished). A shutdown begun otherwise (SIGINT) ends it at once.
struct DrainOnSIGTERM: Service {
    let readiness: Readiness
    let delay: Duration
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigterm)
        var terminated = false
        for await _ in signals.cancelOnGracefulShutdown() {
            terminated = true
            break
        }
        readiness.startDraining()
        guard terminated else { return }
        logger.info("draining", metadata: ["seconds": "\(delay.components.seconds)"])
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: delay) }
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
