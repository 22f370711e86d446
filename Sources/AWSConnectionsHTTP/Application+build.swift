public import AWSConnectionsCore
public import Hummingbird
public import NIOCore
public import Logging

/// Builds the router with every route and middleware; the one place the HTTP layer is wired.
///
/// Used by `serve` and by the tests, so tests exercise exactly what production runs.
public func buildRouter(
    connections: any ConnectionStore, keys: any APIKeyStore, policy: ServicePolicy = ServicePolicy()
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.addOpenAPIRoute()
    router.get("/problems/:code") { _, context in
        let code = context.parameters.get("code") ?? ""
        guard let entry = ProblemCatalog.entry(for: code) else { throw Problem.routeNotFound() }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ProblemJSON.encode(entry)))
    }
    let api = router.group(Routes.base).add(middleware: APIKeyAuthMiddleware(keys: keys))
    ConnectionsController(store: connections, policy: policy).addRoutes(to: api)
    return router
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
