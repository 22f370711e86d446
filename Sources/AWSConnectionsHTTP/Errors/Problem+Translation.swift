import AWSConnectionsAPI
import AWSConnectionsCore
import Hummingbird

extension Problem {
    /// The problem a client sees for anything a handler, a middleware or the router can throw.
    ///
    /// Driver and domain errors never reach a client as they are: a store failure becomes a
    /// 503 or a 500 whose cause stays in the log.
    init(translating error: any Error, request: Request) {
        switch error {
        case let problem as Problem:
            self = problem
        case let error as ValidationError:
            self = .validation(error)
        case let error as BodyShapeError:
            self = .invalidJSON(error.reason)
        case let error as JSONValue.ParseError:
            self = .invalidJSON(error.reason)
        case let error as StoreError:
            if error.isOutcomeUnknown, Self.changesConnections(request) {
                self = .outcomeUnknown()
            } else {
                self = error.isUnavailable ? .storeUnavailable() : .internalError()
            }
            cause = String(reflecting: error)
        case let error as HTTPError where error.status == .notFound:
            let allowed = APIOperation.allowedMethods(forPath: request.uri.path)
            self = allowed.isEmpty ? .routeNotFound() : .methodNotAllowed(allowed: allowed)
        case let error as HTTPError where error.status == .contentTooLarge:
            self = .payloadTooLarge(limit: RequestBody.maximumSize)
        case let error as HTTPError where (400..<500).contains(error.status.code):
            self = Problem(.badRequest, detail: error.body ?? error.status.reasonPhrase)
            status = error.status
        default:
            self = .internalError()
            cause = String(reflecting: error)
        }
    }

    /// Create, update and delete: the calls whose unknown outcome a client must know of, and
    /// can retry safely (`Idempotency-Key`, `If-Match`). Elsewhere a write is a side record
    /// (a verify's result, a key's last use) and the call is answered as unavailable.
    private static func changesConnections(_ request: Request) -> Bool {
        switch request.method {
        case .put, .delete: true
        case .post: request.uri.path == APIOperation.collectionPath
        default: false
        }
    }
}
