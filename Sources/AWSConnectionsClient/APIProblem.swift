import Foundation
import HTTPTypes
import OpenAPIRuntime

/// An error the API answered: its RFC 9457 problem, with the members this API adds.
///
/// Every call of `ConnectionsClient` throws this for every answer with a status of 400 or
/// more, whatever the operation; `code` is stable and is what code should switch on.
public struct APIProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// One member that failed validation.
    public struct FieldError: Codable, Hashable, Sendable {
        public var field: String
        public var code: String
        public var message: String

        public init(field: String, code: String, message: String) {
            self.field = field
            self.code = code
            self.message = message
        }
    }

    /// The HTTP status.
    public var status: Int
    /// The stable machine-readable code, such as `version_conflict`; `unexpected_response`
    /// when the answer was not a problem (a proxy's error page, say).
    public var code: String
    public var title: String
    public var detail: String
    /// The server's request id (`X-Request-Id`), for its logs.
    public var requestId: String
    /// Every offending member, on `validation_failed`, `immutable_field` and `unknown_field`.
    public var errors: [FieldError]
    /// The stored version, on `version_conflict` and `precondition_failed`.
    public var currentVersion: Int?
    /// The account's quota, on `quota_exceeded`.
    public var limit: Int?
    /// AWS's error code, on `assume_role_failed`.
    public var awsCode: String?
    /// Seconds the server asked to wait before retrying (`Retry-After`).
    public var retryAfter: Int?

    public init(
        status: Int, code: String, title: String, detail: String, requestId: String, errors: [FieldError] = [],
        currentVersion: Int? = nil, limit: Int? = nil, awsCode: String? = nil, retryAfter: Int? = nil
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.requestId = requestId
        self.errors = errors
        self.currentVersion = currentVersion
        self.limit = limit
        self.awsCode = awsCode
        self.retryAfter = retryAfter
    }

    public var description: String {
        "\(status) \(code): \(detail) (request \(requestId))"
    }
}

/// The problem's JSON, read leniently: a code this version does not know is still a code.
private struct ProblemBody: Decodable {
    struct CurrentVersion: Decodable {
        let value: Int?
        init(from decoder: any Decoder) throws {
            // The document allows a version or null here.
            value = try? decoder.singleValueContainer().decode(Int.self)
        }
    }

    let status: Int?
    let code: String
    let title: String?
    let detail: String?
    let requestId: String?
    let errors: [APIProblem.FieldError]?
    let currentVersion: CurrentVersion?
    let limit: Int?
    let awsCode: String?
}

/// Turns every answer of 400 or more into a thrown `APIProblem`, before the generated code
/// sees it: one place for what would otherwise be a case per status per operation.
struct ProblemMiddleware: ClientMiddleware {
    /// Problems are small; a body larger than this is not one.
    static let maximumBodyBytes = 1 << 20

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.code >= 400 else { return (response, responseBody) }
        var bytes = Data()
        if let responseBody {
            bytes = (try? await Data(collecting: responseBody, upTo: Self.maximumBodyBytes)) ?? Data()
        }
        throw Self.problem(response: response, body: bytes)
    }

    static func problem(response: HTTPResponse, body: Data) -> APIProblem {
        let requestID = response.headerFields[.xRequestID] ?? ""
        let retryAfter = response.headerFields[.retryAfter].flatMap { Int($0) }
        guard let decoded = try? JSONDecoder().decode(ProblemBody.self, from: body) else {
            let text = String(decoding: body.prefix(300), as: UTF8.self)
            return APIProblem(
                status: response.status.code, code: "unexpected_response", title: response.status.reasonPhrase,
                detail: text.isEmpty ? "The server answered \(response.status.code) without a problem body." : text,
                requestId: requestID, retryAfter: retryAfter)
        }
        return APIProblem(
            status: response.status.code, code: decoded.code, title: decoded.title ?? response.status.reasonPhrase,
            detail: decoded.detail ?? "", requestId: decoded.requestId ?? requestID, errors: decoded.errors ?? [],
            currentVersion: decoded.currentVersion?.value, limit: decoded.limit, awsCode: decoded.awsCode,
            retryAfter: retryAfter)
    }
}

extension HTTPField.Name {
    static let xRequestID = Self("X-Request-Id")!
}
