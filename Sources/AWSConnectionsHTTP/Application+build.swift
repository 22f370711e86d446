public import AWSConnectionsCore
public import Hummingbird
import HummingbirdCore
public import NIOCore
public import Logging

/// Builds the router from the route table (`APIOperation`); the one place the HTTP layer is wired.
///
/// Used by `serve` and by the tests, so tests exercise exactly what production runs.
public func buildRouter(
    connections: any ConnectionStore, keys: any APIKeyStore, policy: ServicePolicy = ServicePolicy(),
    roleAccess: any RoleAccess = UnconfiguredRoleAccess(), trustedProxies: TrustedProxies = TrustedProxies(),
    readiness: Readiness = Readiness(), rateLimit: RateLimit? = nil, metrics: ServerMetrics = .off(),
    metricsToken: String? = nil
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware(trustedProxies: trustedProxies, metrics: metrics))
    let connections = MeteredConnectionStore.wrapping(connections, metrics: metrics)
    let keys = MeteredKeyStore.wrapping(keys, metrics: metrics)
    let withKey = router.group().add(middleware: APIKeyAuthMiddleware(keys: keys, metrics: metrics))
    if let rateLimit { withKey.add(middleware: RateLimitMiddleware(limit: rateLimit, metrics: metrics)) }
    if metrics.isOn {
        router.get("/metrics", use: MetricsController(metrics: metrics, token: metricsToken).scrape)
    }
    let connectionsController = ConnectionsController(store: connections, policy: policy, roleAccess: roleAccess)
    let roleController = RoleController(store: connections, roleAccess: roleAccess)
    let healthController = HealthController(store: connections, readiness: readiness)
    for operation in APIOperation.allCases {
        let path = RouterPath(operation.path)
        let handler = handler(
            for: operation, connections: connectionsController, roles: roleController, health: healthController)
        if operation.needsKey {
            withKey.on(path, method: operation.method, use: handler)
        } else {
            router.on(path, method: operation.method, use: handler)
        }
    }
    return router
}

/// The handler of each operation; exhaustive, so a new operation cannot go unrouted.
private func handler(
    for operation: APIOperation, connections: ConnectionsController, roles: RoleController, health: HealthController
) -> @Sendable (Request, AppRequestContext) async throws -> Response {
    switch operation {
    case .createConnection: connections.create
    case .listConnections: connections.list
    case .getConnection: connections.get
    case .updateConnection: connections.update
    case .deleteConnection: connections.delete
    case .getConnectionHistory: connections.history
    case .getConnectionSetup: roles.setup
    case .verifyConnection: roles.verify
    case .getConnectionVerification: roles.verification
    case .presignMediaURL: roles.presign
    case .getProblemType: DocumentationController.problemType
    case .getOpenAPIDocument: DocumentationController.openAPIDocument
    case .getHealth: HealthController.health
    case .getReadiness: health.ready
    }
}

/// The HTTP application: the router served on `host:port`.
///
/// `idleTimeout` closes a connection that sends nothing for that long, including one that
/// stops halfway through a request body or a slow reader of an answer, and is also how long a
/// request's head may take to arrive whole however its bytes trickle; `requestTimeout` bounds
/// the time from a head to the end of its body (`RequestGuardHandler`);
/// `maxConnections` stops accepting connections while that many are open (later ones wait in
/// the listen backlog), so no client can hold connections, or a graceful shutdown, for ever.
public func buildApplication(
    connections: any ConnectionStore,
    keys: any APIKeyStore,
    policy: ServicePolicy = ServicePolicy(),
    roleAccess: any RoleAccess = UnconfiguredRoleAccess(),
    trustedProxies: TrustedProxies = TrustedProxies(),
    readiness: Readiness = Readiness(),
    rateLimit: RateLimit? = nil,
    metrics: ServerMetrics = .off(),
    metricsToken: String? = nil,
    host: String,
    port: Int,
    idleTimeout: Duration = .seconds(60),
    requestTimeout: Duration = .seconds(30),
    maxConnections: Int = 1_000,
    eventLoopGroup: EventLoopGroupProvider = .singleton,
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(
            connections: connections, keys: keys, policy: policy, roleAccess: roleAccess, trustedProxies: trustedProxies,
            readiness: readiness, rateLimit: rateLimit, metrics: metrics, metricsToken: metricsToken),
        server: .http1(
            configuration: .init(
                additionalChannelHandlers: [
                    RequestGuardHandler(headTimeout: TimeAmount(idleTimeout), requestTimeout: TimeAmount(requestTimeout))
                ],
                idleTimeout: TimeAmount(idleTimeout))),
        configuration: .init(
            address: .hostname(host, port: port), serverName: nil,
            availableConnectionsDelegate: MaximumAvailableConnections(maxConnections, logger: logger)),
        onServerRunning: onServerRunning,
        eventLoopGroupProvider: eventLoopGroup,
        logger: logger
    )
}
