import AWSConnectionsAPI
import Hummingbird
import NIOCore

/// The two public operations: the OpenAPI document and the description of each problem code.
///
/// Outside the authenticated group on purpose: they describe the API, not an account's data,
/// and clients and tools fetch them before they have a key. Neither needs the database.
enum DocumentationController {
    /// `openapi.json` as the repository holds it, encoded once; every response shares the storage.
    static let document = ByteBuffer(bytes: OpenAPIFile.bytes)

    /// `GET /pictoryapis/v1/openapi.json`. Served as `application/json` rather than
    /// `application/openapi+json`: the latter is not a registered media type, and browsers,
    /// curl and OpenAPI tools all handle plain JSON.
    @Sendable static func openAPIDocument(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: document))
    }

    /// `GET /problems/{code}`, where each problem's `type` points.
    @Sendable static func problemType(_ request: Request, context: AppRequestContext) async throws -> Response {
        let text = context.parameters.get(APIOperation.problemCodeParameter) ?? ""
        guard let code = ProblemCode(rawValue: text) else { throw Problem.routeNotFound() }
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ProblemJSON.encode(code)))
    }
}
