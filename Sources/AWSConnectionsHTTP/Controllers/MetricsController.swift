import Crypto
import Hummingbird
import NIOCore

/// `GET /metrics`: the server's metrics in Prometheus' text format, outside the API (not in
/// its document, no API key), for a scraper on the operator's network.
///
/// With a token, only `Authorization: Bearer <token>` is answered; the token is compared by
/// its SHA-256 digest, so the comparison takes the same time wherever a wrong guess differs.
struct MetricsController {
    let metrics: ServerMetrics
    let tokenDigest: SHA256.Digest?

    init(metrics: ServerMetrics, token: String?) {
        self.metrics = metrics
        // An empty token would let a request without the header through: it means none.
        self.tokenDigest = token.flatMap { $0.isEmpty ? nil : SHA256.hash(data: Array($0.utf8)) }
    }

    /// The exposition format's own content type (version 0.0.4), which every scraper reads.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    @Sendable func scrape(_ request: Request, context: AppRequestContext) async throws -> Response {
        if let tokenDigest {
            let credential = request.headers[.authorization].map(APIKeyAuthMiddleware.credential(in:)) ?? ""
            guard SHA256.hash(data: Array(credential.utf8)) == tokenDigest else { throw Problem.invalidMetricsToken() }
        }
        let page = metrics.exposition()
        return Response(
            status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(bytes: page)))
    }
}
