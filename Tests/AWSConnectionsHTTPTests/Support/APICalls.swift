import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

let collectionPath = "/pictoryapis/v1/awsconnections"

/// A response with its body parsed as a JSON object when it is one.
struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let bodyText: String

    init(_ response: TestResponse) {
        self.init(status: response.status, headers: response.headers, body: response.body)
    }

    init(status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer?) {
        self.status = status
        self.headers = headers
        bodyText = body.map { String(buffer: $0) } ?? ""
    }

    /// The body as a JSON object (fails the test via a thrown error if it is not one).
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(bodyText.utf8)) as? [String: Any] else {
            throw TestFailure("body is not a JSON object: \(bodyText)")
        }
        return object
    }

    /// The problem `code` of an error response.
    func problemCode() throws -> String? {
        try json()["code"] as? String
    }

    /// Field names listed in a 400's `errors`, sorted.
    func errorFields() throws -> [String] {
        let errors = try json()["errors"] as? [[String: Any]] ?? []
        return errors.compactMap { $0["field"] as? String }.sorted()
    }
}

/// The Idempotency-Key headers, as a client spells them.
enum IdempotencyHeader {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!
}

/// Small helpers, one per call of the API, sending exactly what a client would.
extension TestClientProtocol {
    func send(
        _ method: HTTPRequest.Method, _ path: String, key: String?, contentType: String? = "application/json",
        body: String? = nil, headers extra: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = extra
        if let key { headers[.authorization] = key }
        if body != nil, let contentType { headers[.contentType] = contentType }
        let buffer = body.map { ByteBuffer(string: $0) }
        return APIResponse(try await executeRequest(uri: path, method: method, headers: headers, body: buffer))
    }

    func create(key: String, body: String) async throws -> APIResponse {
        try await send(.post, collectionPath, key: key, body: body)
    }

    /// Creates a valid connection and returns its JSON.
    func createConnection(
        key: String, name: String = "Prod", awsAccountId: String = "123456789012", awsRegion: String = "us-east-2",
        extra: String = ""
    ) async throws -> [String: Any] {
        let body = #"{"name":"\#(name)","awsAccountId":"\#(awsAccountId)","awsRegion":"\#(awsRegion)"\#(extra)}"#
        let response = try await create(key: key, body: body)
        guard response.status == .created else { throw TestFailure("create failed: \(response.bodyText)") }
        return try response.json()
    }

    /// Creates a valid connection and returns its id.
    func createConnectionID(key: String) async throws -> String {
        let created = try await createConnection(key: key)
        guard let id = created["connectionId"] as? String else { throw TestFailure("no connectionId in \(created)") }
        return id
    }

    func list(key: String?) async throws -> APIResponse {
        try await send(.get, collectionPath, key: key)
    }

    func get(key: String?, id: String) async throws -> APIResponse {
        try await send(.get, "\(collectionPath)/\(id)", key: key)
    }

    func update(key: String, id: String, body: String) async throws -> APIResponse {
        try await send(.put, "\(collectionPath)/\(id)", key: key, body: body)
    }

    func delete(key: String, id: String) async throws -> APIResponse {
        try await send(.delete, "\(collectionPath)/\(id)", key: key)
    }
}

/// Repeats `request` until it answers 401, and checks that none sent one second or more after
/// `revoked` (when a key was revoked or removed) was still let through: the API's promise for
/// a key revoked in the database, whichever replica serves it.
func expectRefusedWithinOneSecond(
    after revoked: ContinuousClock.Instant, _ request: () async throws -> HTTPResponse.Status,
    sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    while true {
        let sent = ContinuousClock.now
        let status = try await request()
        if status == .unauthorized { return }
        #expect(status == .ok, "neither accepted nor refused: \(status)", sourceLocation: sourceLocation)
        guard sent - revoked < .seconds(1) else {
            Issue.record("a request sent \(sent - revoked) after the revocation was accepted", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
