import AWSConnectionsCore
import CoreMetrics
public import Hummingbird
import HTTPTypes

/// Counts every request by route template, method and status, and times it per route.
///
/// The route is the template the router matched (`/v1/connections/{id}`), never the path a
/// client sent, so the number of series stays fixed however many ids are asked for; a path
/// no route matches is counted as `unmatched`. Outermost, so that what inner layers refuse
/// (401, 429) is counted with the status the client saw.
public struct RequestMetricsMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let metrics: ServerMetrics

    public init(metrics: ServerMetrics) {
        self.metrics = metrics
    }

    static let unmatchedRoute = "unmatched"
    /// A client may send any token as a method; others are counted as `other`, for the same reason.
    static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(request, status: response.status.code, route: context.endpointPath, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(request, status: status, route: context.endpointPath, since: start)
            throw error
        }
    }

    private func record(_ request: Request, status: Int, route: String?, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        // The router names an unmatched path "NotFound"; a label that is plainly not a path is clearer.
        let route = route.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? Self.unmatchedRoute
        let method = Self.knownMethods.contains(request.method) ? request.method.rawValue : "other"
        metrics.requests[ServerMetrics.RequestKey(route: route, method: method, status: status)].increment()
        metrics.requestDuration[ServerMetrics.RouteKey(route: route, method: method)].recordNanoseconds(
            elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
    }
}
