public import AWSConnectionsCore
public import Hummingbird

/// An RFC 9457 problem: every error response of the API is one of these.
///
/// Handlers throw it; `RequestLogMiddleware` renders it with the request id.
public struct Problem: Error, Sendable {
    public var status: HTTPResponse.Status
    /// Stable machine-readable code; also the last segment of `type`.
    public var code: String
    public var detail: String
    /// Per-field errors of a 400.
    public var errors: [FieldError] = []
    /// The stored version, on a 409 or 412.
    public var currentVersion: Int64?
    /// The account's connection quota, on a `quota_exceeded`.
    public var limit: Int?
    /// Extra response headers (`WWW-Authenticate`, `Allow`, `Retry-After`).
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, code: String, detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    /// A short, fixed summary of the problem type (RFC 9457 `title`).
    public var title: String {
        ProblemCatalog.entry(for: code)?.title ?? status.reasonPhrase
    }

    /// `type` is a path on this server where the code is described.
    public var type: String { "/problems/\(code)" }
}

extension Problem {
    static let authenticateChallenge = #"Bearer realm="aws-connections""#

    static func missingAPIKey() -> Problem {
        var problem = Problem(
            status: .unauthorized, code: "missing_api_key",
            detail: "Send your API key in the Authorization header.")
        problem.headers[.wwwAuthenticate] = authenticateChallenge
        return problem
    }

    static func invalidAPIKey() -> Problem {
        var problem = Problem(
            status: .unauthorized, code: "invalid_api_key",
            detail: "The API key is malformed, unknown or revoked.")
        problem.headers[.wwwAuthenticate] = authenticateChallenge + #", error="invalid_token""#
        return problem
    }

    static func insufficientScope(_ scope: Scope) -> Problem {
        Problem(
            status: .forbidden, code: "insufficient_scope",
            detail: "This call needs an API key with the \(scope.rawValue) scope.")
    }

    static func forbidden() -> Problem {
        Problem(status: .forbidden, code: "forbidden", detail: "This connection belongs to another account.")
    }

    static func connectionNotFound(_ id: String) -> Problem {
        Problem(status: .notFound, code: "connection_not_found", detail: "No connection has the id '\(id.prefix(64))'.")
    }

    static func versionConflict(sent: Int64, current: Int64) -> Problem {
        var problem = Problem(
            status: .conflict, code: "version_conflict",
            detail: "The connection is at version \(current), not \(sent). Get it again and retry with its version.")
        problem.currentVersion = current
        return problem
    }

    static func preconditionFailed(sent: Int64, current: Int64) -> Problem {
        var problem = Problem(
            status: .preconditionFailed, code: "precondition_failed",
            detail: "If-Match names version \(sent), but the connection is at version \(current). Nothing was changed.")
        problem.currentVersion = current
        return problem
    }

    static func quotaExceeded(limit: Int) -> Problem {
        var problem = Problem(
            status: .unprocessableContent, code: "quota_exceeded",
            detail: "This account already holds \(limit) connections, its quota. Delete one to create another.")
        problem.limit = limit
        return problem
    }

    static func payloadTooLarge(limit: Int) -> Problem {
        Problem(
            status: .contentTooLarge, code: "payload_too_large",
            detail: "The body is larger than \(limit / 1024) KiB.")
    }

    static func unsupportedMediaType() -> Problem {
        Problem(
            status: .unsupportedMediaType, code: "unsupported_media_type",
            detail: "Send the body as JSON with 'Content-Type: application/json'.")
    }

    static func invalidJSON(_ reason: String) -> Problem {
        Problem(status: .badRequest, code: "invalid_json", detail: reason.prefix(1).uppercased() + reason.dropFirst() + ".")
    }

    static func validation(_ error: ValidationError) -> Problem {
        var problem = Problem(
            status: .badRequest, code: error.problemCode,
            detail: error.errors.count == 1
                ? error.errors[0].message + "." : "\(error.errors.count) fields are invalid; see errors.")
        problem.errors = error.errors
        return problem
    }

    static func routeNotFound() -> Problem {
        Problem(status: .notFound, code: "not_found", detail: "There is nothing at this path.")
    }

    static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> Problem {
        var problem = Problem(
            status: .methodNotAllowed, code: "method_not_allowed",
            detail: "This path accepts \(allowed.map(\.rawValue).joined(separator: ", ")).")
        problem.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
        return problem
    }

    static func storeUnavailable() -> Problem {
        var problem = Problem(
            status: .serviceUnavailable, code: "store_unavailable",
            detail: "The database is unavailable right now; retry shortly.")
        problem.headers[.retryAfter] = "1"
        return problem
    }

    static func internalError() -> Problem {
        Problem(
            status: .internalServerError, code: "internal_error",
            detail: "Something went wrong on our side; the request id identifies it in the server log.")
    }
}
