import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /pictoryapis/v1/openapi.json`: the OpenAPI document, to anyone.
///
/// Outside the authenticated group on purpose: the document describes the API, not an
/// account's data, and clients and tools fetch it before they have a key. It needs no
/// database either. Served as `application/json` rather than `application/openapi+json`:
/// the latter is not a registered media type, and browsers, curl and OpenAPI tools all
/// handle plain JSON.
enum OpenAPIRoute {
    static let path = "/pictoryapis/v1/openapi.json"

    /// The document's bytes, encoded once; every response shares the same storage.
    static let body = ByteBuffer(string: OpenAPIDocument.json)

    static func response() -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}

extension Router where Context == AppRequestContext {
    /// Adds `GET /pictoryapis/v1/openapi.json`, with no API key.
    func addOpenAPIRoute() {
        get(RouterPath(OpenAPIRoute.path)) { _, _ in OpenAPIRoute.response() }
    }
}
