import AWSConnectionsCore
public import Hummingbird
import HTTPTypes
import Synchronization
import Logging

/// The outermost layer: turns every error into a problem response, stamps `X-Request-Id`
/// on every response, and writes the request's one log line.
///
/// The line carries method, path (no query string), status, duration, request id and the
/// key's id, never the key: the Authorization header is not read here.
public struct RequestLogMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    public init() {}

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        let requestID = context.id
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            let problem = Self.problem(for: error, request: request)
            if problem.status.code >= 500 {
                context.logger.error(
                    "request failed",
                    metadata: ["error": "\(String(reflecting: error))", "path": "\(request.uri.path)"])
            }
            response = Self.response(for: problem, requestID: requestID)
        }
        response.headers[.xRequestID] = requestID
        if context.logger.logLevel <= .info {
            let elapsed = ContinuousClock.now - start
            var metadata: Logger.Metadata = [
                "method": .string(request.method.rawValue),
                "path": .string(request.uri.path),
                "status": .stringConvertible(response.status.code),
                "duration_ms": .string(Self.milliseconds(elapsed)),
            ]
            if let keyID = context.logFields.keyID.withLock({ $0 }) {
                metadata["key_id"] = .string(keyID.rawValue)
            }
            context.logger.info("request", metadata: metadata)
        }
        return response
    }

    static func response(for problem: Problem, requestID: String) -> Response {
        var headers = problem.headers
        headers[.contentType] = "application/problem+json"
        return Response(
            status: problem.status, headers: headers,
            body: .init(byteBuffer: ProblemJSON.encode(problem, requestID: requestID)))
    }

    /// Maps anything a handler can throw to the problem the client sees.
    static func problem(for error: any Error, request: Request) -> Problem {
        switch error {
        case let problem as Problem:
            return problem
        case let error as ValidationError:
            return .validation(error)
        case let error as BodyShapeError:
            return .invalidJSON(error.reason)
        case let error as JSONValue.ParseError:
            return .invalidJSON(error.reason)
        case let error as StoreError:
            return error.isUnavailable ? .storeUnavailable() : .internalError()
        case let error as HTTPError where error.status == .notFound:
            let allowed = Routes.allowedMethods(forPath: request.uri.path)
            return allowed.isEmpty ? .routeNotFound() : .methodNotAllowed(allowed: allowed)
        case let error as HTTPError where error.status == .contentTooLarge:
            return .payloadTooLarge(limit: RequestBody.maximumSize)
        case let error as HTTPError where (400..<500).contains(error.status.code):
            return Problem(
                status: error.status, code: "bad_request", detail: error.body ?? error.status.reasonPhrase)
        default:
            return .internalError()
        }
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
}
