public import AWSConnectionsAPI
public import AWSConnectionsCore
public import Hummingbird

/// An RFC 9457 problem: every error response of the API is one of these.
///
/// Handlers throw it, and it builds its own `application/problem+json` response
/// (`HTTPResponseError`); `RequestLogMiddleware` only turns other errors into problems and logs.
public struct Problem: HTTPResponseError, Sendable {
    public var code: ProblemCode
    public var status: HTTPResponse.Status
    public var detail: String
    /// Per-field errors of a 400: the first `ValidationError.listedMax`.
    public var errors: [FieldError] = []
    /// With `errors`: how many fields are invalid in all.
    public var errorCount: Int?
    /// The stored version, on a 409 or 412.
    public var currentVersion: Int64?
    /// The account's connection quota, on a `quota_exceeded`.
    public var limit: Int?
    /// AWS's error code, on an `assume_role_failed`.
    public var awsCode: String?
    /// Extra response headers (`WWW-Authenticate`, `Allow`, `Retry-After`).
    public var headers: HTTPFields = [:]
    /// What went wrong underneath a 5xx: for the log line, never for the client.
    var cause: String?

    /// A problem with the status its code always has.
    public init(_ code: ProblemCode, detail: String) {
        self.code = code
        self.status = code.status
        self.detail = detail
    }

    /// A short, fixed summary of the problem type (RFC 9457 `title`).
    public var title: String { code.meaning.title }

    /// `type` is a path on this server where the code is described.
    public var type: String { "/problems/\(code.rawValue)" }

    /// The problem+json answer, with the request's id in the body and in `X-Request-Id`.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        headers[.xRequestID] = context.id
        return Response(
            status: status, headers: headers, body: .init(byteBuffer: ProblemJSON.encode(self, requestID: context.id)))
    }
}

extension Problem {
    static let authenticateChallenge = #"Bearer realm="aws-connections""#

    static func missingAPIKey() -> Problem {
        var problem = Problem(.missingApiKey,
            detail: "Send your API key in the Authorization header.")
        problem.headers[.wwwAuthenticate] = authenticateChallenge
        return problem
    }

    static func invalidAPIKey() -> Problem {
        var problem = Problem(.invalidApiKey,
            detail: "The API key is malformed, unknown or revoked.")
        problem.headers[.wwwAuthenticate] = authenticateChallenge + #", error="invalid_token""#
        return problem
    }

    static func expiredAPIKey() -> Problem {
        var problem = Problem(.expiredApiKey,
            detail: "The API key has expired: its expiry, or the overlap of the rotation that replaced it, has passed.")
        problem.headers[.wwwAuthenticate] = authenticateChallenge + #", error="invalid_token", error_description="expired""#
        return problem
    }

    static func invalidMetricsToken() -> Problem {
        var problem = Problem(.invalidMetricsToken,
            detail: "Send the server's metrics token as Authorization: Bearer <token>.")
        problem.headers[.wwwAuthenticate] = #"Bearer realm="metrics""#
        return problem
    }

    static func insufficientScope(_ scope: Scope) -> Problem {
        Problem(.insufficientScope,
            detail: "This call needs an API key with the \(scope.rawValue) scope.")
    }

    static func forbidden() -> Problem {
        Problem(.forbidden, detail: "This connection belongs to another account.")
    }

    static func connectionNotFound(_ id: String) -> Problem {
        Problem(.connectionNotFound, detail: "No connection has the id '\(id.prefix(64))'.")
    }

    static func versionConflict(sent: Int64, current: Int64) -> Problem {
        var problem = Problem(.versionConflict,
            detail: "The connection is at version \(current), not \(sent). Get it again and retry with its version.")
        problem.currentVersion = current
        return problem
    }

    static func preconditionFailed(sent: Int64, current: Int64) -> Problem {
        var problem = Problem(.preconditionFailed,
            detail: "If-Match names version \(sent), but the connection is at version \(current). Nothing was changed.")
        problem.currentVersion = current
        return problem
    }

    static func quotaExceeded(limit: Int) -> Problem {
        var problem = Problem(.quotaExceeded,
            detail: "This account already holds \(limit) connections, its quota. Delete one to create another.")
        problem.limit = limit
        return problem
    }

    static func payloadTooLarge(limit: Int) -> Problem {
        Problem(.payloadTooLarge,
            detail: "The body is larger than \(limit / 1024) KiB.")
    }

    static func bodyIncomplete() -> Problem {
        Problem(.bodyIncomplete, detail: "The connection ended before the whole body arrived.")
    }

    static func unsupportedMediaType() -> Problem {
        Problem(.unsupportedMediaType,
            detail: "Send the body as JSON with 'Content-Type: application/json'.")
    }

    static func invalidJSON(_ reason: String) -> Problem {
        Problem(.invalidJson, detail: reason.prefix(1).uppercased() + reason.dropFirst() + ".")
    }

    static func validation(_ error: ValidationError) -> Problem {
        // Core names the most specific kind shared by the errors with one of the document's codes.
        var problem = Problem(
            ProblemCode(rawValue: error.problemCode) ?? .validationFailed,
            detail: error.totalCount == 1
                ? error.errors[0].message + "."
                : error.totalCount > error.errors.count
                    ? "\(error.totalCount) fields are invalid; errors lists the first \(error.errors.count)."
                    : "\(error.totalCount) fields are invalid; see errors.")
        problem.errors = error.errors
        problem.errorCount = error.totalCount
        return problem
    }

    static func routeNotFound() -> Problem {
        Problem(.notFound, detail: "There is nothing at this path.")
    }

    static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        var problem = Problem(.methodNotAllowed,
            detail: "This path accepts \(allowed.map(\.rawValue).joined(separator: ", ")).")
        problem.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return problem
    }

    static func storeUnavailable() -> Problem {
        var problem = Problem(.storeUnavailable,
            detail: "The database is unavailable right now; retry shortly.")
        problem.headers[.retryAfter] = "1"
        return problem
    }

    static func rateLimited(retryAfterSeconds: Int, limit: RateLimit) -> Problem {
        let rate = limit.requestsPerSecond == limit.requestsPerSecond.rounded()
            ? String(Int(limit.requestsPerSecond)) : String(limit.requestsPerSecond)
        var problem = Problem(.rateLimited,
            detail: "This key made more than \(rate) requests a second (bursts up to \(limit.burst)) on this server; retry after \(retryAfterSeconds) s.")
        problem.headers[.retryAfter] = String(retryAfterSeconds)
        return problem
    }

    static func notReady(_ reason: String) -> Problem {
        var problem = Problem(.notReady, detail: reason)
        problem.headers[.retryAfter] = "1"
        return problem
    }

    static func outcomeUnknown() -> Problem {
        var problem = Problem(.outcomeUnknown,
            detail: "The database did not confirm this change in time; it may or may not have been applied. "
                + "Retry with the same Idempotency-Key (create) or If-Match (update, delete), or read the connection to see.")
        problem.headers[.retryAfter] = "1"
        return problem
    }

    static func awsNotConfigured(missing: String) -> Problem {
        Problem(.awsNotConfigured, detail: "AWS is not configured on this server: \(missing) is missing.")
    }

    static func awsUnavailable(_ reason: String) -> Problem {
        var problem = Problem(.awsUnavailable, detail: "AWS could not be reached: \(reason). Retry shortly.")
        problem.headers[.retryAfter] = "5"
        return problem
    }

    static func connectionDisabled(_ id: ConnectionID) -> Problem {
        Problem(
            .connectionDisabled,
            detail: "Connection \(id.rawValue) is disabled: enable it (PUT with enabled true) before reading its media.")
    }

    static func assumeRoleFailed(awsCode: String, message: String) -> Problem {
        var problem = Problem(
            .assumeRoleFailed,
            detail:
                "AWS refused to let the platform assume the connection's role (\(awsCode)\(message.isEmpty ? "" : ": " + message.prefix(300))). POST …/verify tells which step fails.")
        problem.awsCode = awsCode
        return problem
    }

    /// The problem for a role that cannot be used.
    static func roleAccess(_ error: RoleAccessError) -> Problem {
        switch error {
        case .notConfigured(let missing): awsNotConfigured(missing: missing)
        case .assumeRoleFailed(let code, let message): assumeRoleFailed(awsCode: code, message: message)
        case .unavailable(let reason): awsUnavailable(reason)
        }
    }

    static func internalError() -> Problem {
        Problem(.internalError,
            detail: "Something went wrong on our side; the request id identifies it in the server log.")
    }
}
