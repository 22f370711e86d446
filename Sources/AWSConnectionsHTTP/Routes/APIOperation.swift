import AWSConnectionsAPI
public import HTTPTypes

/// Every operation the server routes: the route table.
///
/// The router, the `Allow` header of a 405 and the test against `openapi.json` all read this
/// one list. Each operation names its id through the generated `Operations` namespace, so an
/// operation removed from or renamed in the document fails the build; its method and path are
/// written here as the document writes them, and `OpenAPITests` checks the two agree.
public enum APIOperation: CaseIterable, Sendable {
    case createConnection
    case listConnections
    case getConnection
    case updateConnection
    case deleteConnection
    case getConnectionHistory
    case getConnectionSetup
    case verifyConnection
    case getConnectionVerification
    case presignMediaURL
    case getProblemType
    case getOpenAPIDocument
    case getHealth
    case getReadiness

    /// The document's `operationId`.
    public var id: String {
        switch self {
        case .createConnection: Operations.CreateConnection.id
        case .listConnections: Operations.ListConnections.id
        case .getConnection: Operations.GetConnection.id
        case .updateConnection: Operations.UpdateConnection.id
        case .deleteConnection: Operations.DeleteConnection.id
        case .getConnectionHistory: Operations.GetConnectionHistory.id
        case .getConnectionSetup: Operations.GetConnectionSetup.id
        case .verifyConnection: Operations.VerifyConnection.id
        case .getConnectionVerification: Operations.GetConnectionVerification.id
        case .presignMediaURL: Operations.PresignMediaUrl.id
        case .getProblemType: Operations.GetProblemType.id
        case .getOpenAPIDocument: Operations.GetOpenAPIDocument.id
        case .getHealth: Operations.GetHealth.id
        case .getReadiness: Operations.GetReadiness.id
        }
    }

    public var method: HTTPRequest.Method {
        switch self {
        case .createConnection: .post
        case .listConnections, .getConnection, .getConnectionHistory, .getConnectionSetup, .getConnectionVerification,
            .getProblemType, .getOpenAPIDocument, .getHealth, .getReadiness:
            .get
        case .verifyConnection, .presignMediaURL: .post
        case .updateConnection: .put
        case .deleteConnection: .delete
        }
    }

    /// The path as the document writes it, `{name}` for a parameter (Hummingbird's syntax too).
    public var path: String {
        switch self {
        case .createConnection, .listConnections: Self.collectionPath
        case .getConnection, .updateConnection, .deleteConnection: Self.connectionPath
        case .getConnectionHistory: "\(Self.connectionPath)/history"
        case .getConnectionSetup: "\(Self.connectionPath)/setup"
        case .verifyConnection: "\(Self.connectionPath)/verify"
        case .getConnectionVerification: "\(Self.connectionPath)/verification"
        case .presignMediaURL: "\(Self.connectionPath)/presign"
        case .getProblemType: "/problems/{\(Self.problemCodeParameter)}"
        case .getOpenAPIDocument: "/pictoryapis/v1/openapi.json"
        case .getHealth: "/healthz"
        case .getReadiness: "/readyz"
        }
    }

    /// Whether the operation needs an API key; the document, the problem types and the
    /// probes are public.
    public var needsKey: Bool {
        switch self {
        case .getProblemType, .getOpenAPIDocument, .getHealth, .getReadiness: false
        default: true
        }
    }

    static let collectionPath = "/pictoryapis/v1/awsconnections"
    static let connectionIDParameter = "connectionid"
    static let connectionPath = "\(collectionPath)/{\(connectionIDParameter)}"
    static let problemCodeParameter = "code"

    /// Methods served at `path`, for a 405's `Allow` header; empty when no operation's path
    /// matches (then the answer is 404). A problem type path matches only a known code.
    static func allowedMethods(forPath path: String) -> [HTTPRequest.Method] {
        var trimmed = path[...]
        if trimmed.count > 1, trimmed.last == "/" { trimmed = trimmed.dropLast() }
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        let methods = allCases.filter { $0.matches(segments) }.map(\.method)
        return methods.sorted { Self.allowOrder.firstIndex(of: $0) ?? .max < Self.allowOrder.firstIndex(of: $1) ?? .max }
    }

    /// The order of methods in `Allow`: reads first, as the answers have always listed them.
    private static let allowOrder: [HTTPRequest.Method] = [.get, .post, .put, .delete]

    private func matches(_ segments: [Substring]) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: false)
        guard template.count == segments.count else { return false }
        return zip(template, segments).allSatisfy { expected, actual in
            guard expected.first == "{" else { return expected == actual }
            if expected == "{\(Self.problemCodeParameter)}" { return ProblemCode(rawValue: String(actual)) != nil }
            return !actual.isEmpty
        }
    }
}
