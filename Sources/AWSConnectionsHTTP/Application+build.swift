public import AWSConnectionsCore
public import Hummingbird
public import NIOCore
public import Logging

/// Builds the router from the route table (`APIOperation`); the one place the HTTP layer is wired.
///
/// Used by `serve` and by the tests, so tests exercise exactly what production runs.
public func buildRouter(
    connections: any ConnectionStore, keys: any APIKeyStore, policy: ServicePolicy = ServicePolicy()
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    let withKey = router.group().add(middleware: APIKeyAuthMiddleware(keys: keys))
    let controller = ConnectionsController(store: connections, policy: policy)
    for operation in APIOperation.allCases {
        let path = RouterPath(operation.path)
        let handler = controller.handler(for: operation)
        if operation.needsKey {
            withKey.on(path, method: operation.method, use: handler)
        } else {
            router.on(path, method: operation.method, use: handler)
        }
    }
    return router
}

extension ConnectionsController {
    /// The handler of each operation; exhaustive, so a new operation cannot go unrouted.
    func handler(for operation: APIOperation) -> @Sendable (Request, AppRequestContext) async throws -> Response {
        switch operation {
        case .createConnection: create
        case .listConnections: list
        case .getConnection: get
        case .updateConnection: update
        case .deleteConnection: delete
        case .getConnectionHistory: history
        case .getProblemType: DocumentationController.problemType
        case .getOpenAPIDocument: DocumentationController.openAPIDocument
        }
    }
}

/// The HTTP application: the router served on `host:port`.
///
/// `idleTimeout` closes a connection that sends nothing for that long, including one that
/// stops halfway through a request body, so no client can hold a connection (or a graceful
/// shutdown) open forever.
public func buildApplication(
    connections: any ConnectionStore,
    keys: any APIKeyStore,
    policy: ServicePolicy = ServicePolicy(),
    host: String,
    port: Int,
    idleTimeout: Duration = .seconds(60),
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    Application(
        router: buildRouter(connections: connections, keys: keys, policy: policy),
        server: .http1(configuration: .init(idleTimeout: TimeAmount(idleTimeout))),
        configuration: .init(address: .hostname(host, port: port), serverName: nil),
        onServerRunning: onServerRunning,
        logger: logger
    )
}
