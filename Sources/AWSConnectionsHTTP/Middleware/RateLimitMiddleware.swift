import AWSConnectionsCore
public import Hummingbird
import CoreMetrics
import HTTPTypes

/// Refuses a key's requests beyond its `RateLimit` with 429 `rate_limited`, and gives every
/// answer to a keyed request the `RateLimit-Policy` and `RateLimit` fields of
/// draft-ietf-httpapi-ratelimit-headers, so that clients can slow down before they are refused.
///
/// Behind `APIKeyAuthMiddleware`: the bucket is the key's, and a request without a valid key
/// (401) takes no token and carries no fields.
public struct RateLimitMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    let limiter: RateLimiter
    let metrics: ServerMetrics
    /// The same on every answer: written once.
    private let policy: String

    public init(limit: RateLimit, metrics: ServerMetrics = .off()) {
        limiter = RateLimiter(limit: limit)
        self.metrics = metrics
        policy = #""\#(Self.policyName)";q=\#(limit.burst);w=\#(limit.windowSeconds)"#
    }

    /// The policy's name in both fields.
    static let policyName = "per-key"

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let caller = context.caller else { return try await next(request, context) }
        let decision = limiter.take(caller.keyID)
        guard decision.allowed else {
            metrics.rateLimited.increment()
            var problem = Problem.rateLimited(retryAfterSeconds: decision.retryAfterSeconds, limit: limiter.limit)
            stamp(&problem.headers, decision)
            throw problem
        }
        do {
            var response = try await next(request, context)
            stamp(&response.headers, decision)
            return response
        } catch {
            var problem = Problem(translating: error, request: request)
            stamp(&problem.headers, decision)
            throw problem
        }
    }

    private func stamp(_ headers: inout HTTPFields, _ decision: RateLimiter.Decision) {
        headers[.rateLimitPolicy] = policy
        headers[.rateLimit] = #""\#(Self.policyName)";r=\#(decision.remaining);t=\#(decision.resetSeconds)"#
    }
}

extension HTTPField.Name {
    static let rateLimitPolicy = Self("RateLimit-Policy")!
    static let rateLimit = Self("RateLimit")!
}
