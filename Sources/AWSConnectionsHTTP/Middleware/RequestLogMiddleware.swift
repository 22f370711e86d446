import AWSConnectionsCore
public import Hummingbird
import HTTPTypes
import Synchronization
import Logging

/// The outermost layer: writes the request's one log line, counts and times it in `metrics`,
/// stamps `X-Request-Id` on every answer, and turns whatever an inner layer threw into a
/// `Problem`, which then answers for itself (`HTTPResponseError`). Outermost, so what inner
/// layers refuse (401, 429) is logged and counted with the status the client saw.
///
/// The line carries method, path (no query string), status, duration, request id, the
/// client's address and the key's id, never the key: the Authorization header is not read here.
public struct RequestLogMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// Peers whose `X-Forwarded-For` names the client; with none, the header is never read.
    let trustedProxies: TrustedProxies
    let metrics: ServerMetrics

    public init(trustedProxies: TrustedProxies = TrustedProxies(), metrics: ServerMetrics = .off()) {
        self.trustedProxies = trustedProxies
        self.metrics = metrics
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        do {
            var response = try await next(request, context)
            response.headers[.xRequestID] = context.id
            finish(request, status: response.status, since: start, context: context)
            return response
        } catch {
            let problem = Problem(translating: error, request: request)
            if let cause = problem.cause {
                context.logger.error("request failed", metadata: ["error": "\(cause)", "path": "\(request.uri.path)"])
            }
            finish(request, status: problem.status, since: start, context: context)
            throw problem
        }
    }

    /// The request's metrics and log line, with one reading of the clock.
    private func finish(
        _ request: Request, status: HTTPResponse.Status, since start: ContinuousClock.Instant, context: Context
    ) {
        let elapsed = ContinuousClock.now - start
        metrics.recordRequest(method: request.method, route: context.endpointPath, status: status.code, elapsed: elapsed)
        log(request, status: status, elapsed: elapsed, context: context)
    }

    private func log(_ request: Request, status: HTTPResponse.Status, elapsed: Duration, context: Context) {
        guard context.logger.logLevel <= .info else { return }
        var metadata: Logger.Metadata = [
            "method": .string(request.method.rawValue),
            "path": .string(request.uri.path),
            "status": .stringConvertible(status.code),
            "duration_ms": .string(Self.milliseconds(elapsed)),
        ]
        if let keyID = context.logFields.keyID.withLock({ $0 }) {
            metadata["key_id"] = .string(keyID.rawValue)
        }
        if let client = client(of: request, context: context) {
            metadata["client"] = .stringConvertible(client)
        }
        context.logger.info("request", metadata: metadata)
    }

    /// The TCP peer, or whom a trusted proxy says it forwarded for; nil without an IP peer
    /// (a Unix socket, or the in-memory test router).
    private func client(of request: Request, context: Context) -> IPAddress? {
        guard let peerText = context.remoteAddress?.ipAddress, let peer = IPAddress(peerText) else { return nil }
        guard !trustedProxies.isEmpty else { return peer }
        return trustedProxies.client(peer: peer, forwardedFor: request.headers[values: .xForwardedFor])
    }

    private static func milliseconds(_ duration: Duration) -> String {
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        let whole = micros / 1000
        let fraction = micros % 1000
        return "\(whole).\(fraction < 10 ? "00" : fraction < 100 ? "0" : "")\(fraction)"
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-Id")!
    static let xForwardedFor = Self("X-Forwarded-For")!
}
