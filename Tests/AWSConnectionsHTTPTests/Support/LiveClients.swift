import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Opens `count` separate keep-alive HTTP connections to a live server and runs `body`
/// with each, concurrently; returns the results in client order.
func withLiveClients<Result: Sendable>(
    count: Int, port: Int, _ body: @escaping @Sendable (Int, TestClient) async throws -> Result
) async throws -> [Result] {
    try await withLiveClients(count: count, ports: [port], body)
}

/// The same, spreading the clients over several servers: client `i` talks to `ports[i % ports.count]`.
func withLiveClients<Result: Sendable>(
    count: Int, ports: [Int], _ body: @escaping @Sendable (Int, TestClient) async throws -> Result
) async throws -> [Result] {
    try await withThrowingTaskGroup(of: (Int, Result).self) { group in
        for index in 0..<count {
            group.addTask {
                // A minute, not the default 20 s: on a disk busy with the whole suite a durable
                // write can wait many seconds, and a slow answer is not the failure under test.
                let value = try await TestClient.withClient(
                    host: "127.0.0.1", port: ports[index % ports.count], configuration: .init(timeout: .seconds(60))
                ) { client in
                    try await body(index, client)
                }
                return (index, value)
            }
        }
        var results: [(Int, Result)] = []
        for try await result in group { results.append(result) }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

extension TestClient {
    /// A request over this connection, answered as an `APIResponse`.
    func call(
        _ method: HTTPRequest.Method, _ path: String, key: String, body: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = extra
        headers[.authorization] = key
        if body != nil { headers[.contentType] = "application/json" }
        let response = try await execute(
            .init(path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }))
        return APIResponse(status: response.status, headers: response.headers, body: response.body)
    }
}
