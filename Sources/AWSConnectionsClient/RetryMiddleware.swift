import Foundation
import HTTPTypes
import OpenAPIRuntime

/// How a client retries: a request whose connection failed, or that the server answered 503
/// (its store or AWS briefly unavailable), is sent again after a pause, up to `maxAttempts`
/// sends in all. Nothing else is retried: a 4xx means the request itself must change.
public struct RetryPolicy: Hashable, Sendable {
    /// Sends of one request, the first included; 1 turns retries off.
    public var maxAttempts: Int
    /// The pause before the first retry; each later pause doubles, up to `maxBackoff`. Each
    /// pause is drawn at random between half of it and all of it, so that clients that failed
    /// together do not all come back together.
    public var initialBackoff: Duration
    public var maxBackoff: Duration

    public init(maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(200), maxBackoff: Duration = .seconds(5)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
    }

    /// The pause before send number `attempt + 1`, honouring the server's `Retry-After`
    /// (bounded by `maxBackoff`) when it gave one.
    func pause(after attempt: Int, retryAfterSeconds: Int?) -> Duration {
        if let retryAfterSeconds {
            return min(.seconds(retryAfterSeconds), maxBackoff)
        }
        let exponential = initialBackoff * (1 << min(attempt - 1, 20))
        let ceiling = min(exponential, maxBackoff)
        return ceiling * Double.random(in: 0.5...1)
    }
}

/// Sends a request again as `RetryPolicy` says. The innermost middleware, so it sees the
/// transport's errors and the raw 503s. The body is read once and sent again as it was: a
/// create's `Idempotency-Key` header goes with every send, so a create whose first answer was
/// lost creates one connection.
struct RetryMiddleware: ClientMiddleware {
    let policy: RetryPolicy

    /// Request bodies of this API are small JSON documents.
    static let maximumBodyBytes = 1 << 20

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let bytes: Data? = if let body { try await Data(collecting: body, upTo: Self.maximumBodyBytes) } else { nil }
        var attempt = 1
        while true {
            try Task.checkCancellation()
            let retryAfter: Int?
            do {
                let (response, responseBody) = try await next(request, bytes.map { HTTPBody($0) }, baseURL)
                guard response.status.code == 503, attempt < policy.maxAttempts else {
                    return (response, responseBody)
                }
                retryAfter = response.headerFields[.retryAfter].flatMap { Int($0) }
            } catch {
                if error is CancellationError || attempt >= policy.maxAttempts { throw error }
                retryAfter = nil
            }
            try await Task.sleep(for: policy.pause(after: attempt, retryAfterSeconds: retryAfter))
            attempt += 1
        }
    }
}

/// Sends the API key with every request.
struct APIKeyMiddleware: ClientMiddleware, CustomStringConvertible {
    private let authorization: String

    init(apiKey: String) {
        authorization = apiKey
    }

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        request.headerFields[.authorization] = authorization
        return try await next(request, body, baseURL)
    }

    /// Never the key.
    var description: String { "APIKeyMiddleware(key: redacted)" }
}

/// Sends `If-Match` as the entity tag it is. The generated code writes header parameters as
/// URI-encoded text, which turns the quotes of `"3"` into `%223%22`, an entity tag the server
/// rightly refuses; the tag is set here, for the calls made inside `entityTag.withValue`.
struct IfMatchMiddleware: ClientMiddleware {
    @TaskLocal static var entityTag: String?

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        guard let tag = Self.entityTag else { return try await next(request, body, baseURL) }
        var request = request
        request.headerFields[.ifMatch] = tag
        return try await next(request, body, baseURL)
    }
}
