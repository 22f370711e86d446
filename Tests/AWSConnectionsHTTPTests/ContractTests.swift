import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Contract rules that the per-call suites do not already pin.
@Suite("Contract details")
struct ContractTests {
    private let valid = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
    private let huge = String(repeating: " ", count: 70_000) + "{"

    @Test("POST checks in the contract's order: 401, 403 scope, 415, 413, 400", arguments: StoreKind.all)
    func createCheckOrder(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            var response = try await client.send(.post, collectionPath, key: nil, contentType: "text/plain", body: huge)
            #expect(try response.problemCode() == "missing_api_key")
            response = try await client.send(.post, collectionPath, key: world.alphaReader, contentType: "text/plain", body: huge)
            #expect(try response.problemCode() == "insufficient_scope")
            response = try await client.send(.post, collectionPath, key: world.alpha, contentType: "text/plain", body: huge)
            #expect(try response.problemCode() == "unsupported_media_type")
            response = try await client.send(.post, collectionPath, key: world.alpha, body: huge)
            #expect(try response.problemCode() == "payload_too_large")
            response = try await client.send(.post, collectionPath, key: world.alpha, body: #"{"name":""}"#)
            #expect(try response.problemCode() == "validation_failed")
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("DELETE checks in the contract's order: 401, 403 scope, 404, 403 owner, then 412 for a stale If-Match", arguments: StoreKind.all)
    func deleteCheckOrder(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let theirs = try await client.createConnectionID(key: world.beta)
            let unknown = "20251217080657842fux3au9kh1p0j5s"
            let path = { (id: String) in "\(collectionPath)/\(id)" }
            let stale: HTTPFields = [.ifMatch: #""9""#]
            var response = try await client.send(.delete, path(unknown), key: nil, headers: stale)
            #expect(try response.problemCode() == "missing_api_key")
            response = try await client.send(.delete, path(unknown), key: world.alphaReader, headers: stale)
            #expect(try response.problemCode() == "insufficient_scope")
            response = try await client.send(.delete, path(unknown), key: world.alpha, headers: stale)
            #expect(try response.problemCode() == "connection_not_found")
            response = try await client.send(.delete, path(theirs), key: world.alpha, headers: stale)
            #expect(try response.problemCode() == "forbidden")
            let mine = try await client.createConnectionID(key: world.alpha)
            response = try await client.send(.delete, path(mine), key: world.alpha, headers: stale)
            #expect(try response.problemCode() == "precondition_failed")
            #expect(try await client.get(key: world.beta, id: theirs).status == .ok)
            #expect(try await client.get(key: world.alpha, id: mine).status == .ok)
        }
    }

    @Test("PUT applies the name and description limits of create, refuses invalid JSON, and 404s a malformed id", arguments: StoreKind.all)
    func updateBodies(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let name100 = String(repeating: "n", count: 100)
            let description500 = String(repeating: "d", count: 500)
            let fits = try await client.update(
                key: world.alpha, id: id, body: #"{"name":"  \#(name100)  ","version":1,"description":"\#(description500)"}"#)
            #expect(fits.status == .ok)
            #expect(try fits.json()["name"] as? String == name100)
            for (body, field) in [
                (#"{"name":"\#(name100)n","version":2}"#, "name"),
                (#"{"name":"n","version":2,"description":"\#(description500)d"}"#, "description"),
            ] {
                let response = try await client.update(key: world.alpha, id: id, body: body)
                #expect(response.status == .badRequest)
                #expect(try response.errorFields() == [field])
            }
            let broken = try await client.update(key: world.alpha, id: id, body: #"{"name":"n","version":2,}"#)
            #expect(try broken.problemCode() == "invalid_json")
            let malformed = try await client.update(key: world.alpha, id: "not-an-id", body: #"{"name":"n","version":2}"#)
            #expect(malformed.status == .notFound)
            #expect(try malformed.problemCode() == "connection_not_found")
            #expect(try await client.get(key: world.alpha, id: id).json()["version"] as? Int == 2)
        }
    }

    @Test("every error is problem+json with type, title, status, detail, code and the X-Request-Id as requestId; each field error has a message", arguments: StoreKind.all)
    func problemShapes(store: StoreKind) async throws {
        try await withApp(store, policy: ServicePolicy(connectionQuota: 1)) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let theirs = try await client.createConnectionID(key: world.beta)
            let responses: [(HTTPResponse.Status, APIResponse)] = [
                (.badRequest, try await client.update(key: world.alpha, id: id, body: #"{"name":"","version":"1","x":1}"#)),
                (.badRequest, try await client.create(key: world.alpha, body: "{")),
                (.unauthorized, try await client.list(key: nil)),
                (.unauthorized, try await client.list(key: "pictai_" + String(repeating: "a", count: 40))),
                (.forbidden, try await client.list(key: world.alphaWriter)),
                (.forbidden, try await client.get(key: world.alpha, id: theirs)),
                (.notFound, try await client.get(key: world.alpha, id: "20251217080657842fux3au9kh1p0j5s")),
                (.notFound, try await client.get(key: world.alpha, id: "nope")),
                (.notFound, try await client.send(.get, "/nowhere", key: nil)),
                (.methodNotAllowed, try await client.send(.patch, "\(collectionPath)/\(id)", key: world.alpha)),
                (.conflict, try await client.update(key: world.alpha, id: id, body: #"{"name":"n","version":7}"#)),
                (.preconditionFailed, try await client.send(.delete, "\(collectionPath)/\(id)", key: world.alpha, headers: [.ifMatch: #""7""#])),
                (.contentTooLarge, try await client.create(key: world.alpha, body: huge)),
                (.unsupportedMediaType, try await client.send(.post, collectionPath, key: world.alpha, contentType: "text/plain", body: valid)),
                (.unprocessableContent, try await client.create(key: world.alpha, body: valid)),
            ]
            for (status, response) in responses {
                #expect(response.status == status)
                #expect(response.headers[.contentType] == "application/problem+json")
                let json = try response.json()
                let code = try #require(json["code"] as? String)
                #expect(json["type"] as? String == "/problems/\(code)")
                #expect(json["status"] as? Int == status.code)
                #expect((json["title"] as? String)?.isEmpty == false)
                #expect((json["detail"] as? String)?.isEmpty == false)
                #expect(json["requestId"] as? String == response.headers[HTTPField.Name("X-Request-Id")!])
            }
            let fieldErrors = try #require(try responses[0].1.json()["errors"] as? [[String: Any]])
            #expect(fieldErrors.count == 3)
            for error in fieldErrors {
                #expect((error["field"] as? String)?.isEmpty == false)
                #expect((error["code"] as? String)?.isEmpty == false)
                #expect((error["message"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test("over a real socket, a body over 64 KiB is a 413 problem and nothing is created", arguments: StoreKind.all)
    func payloadTooLargeOverSocket(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let padding = String(repeating: " ", count: 65_537 - valid.utf8.count)
            let statuses = try await withLiveClients(count: 1, port: port) { _, live in
                let response = try await live.call(.post, collectionPath, key: world.alpha, body: valid + padding)
                return (response.status, try response.problemCode())
            }
            #expect(statuses.first?.0 == .contentTooLarge)
            #expect(statuses.first?.1 == "payload_too_large")
            #expect((try await client.list(key: world.alpha).json()["Items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("serve with no options listens on 127.0.0.1:8080 and keeps its data in ./aws-connections.sqlite")
    func serveDefaults() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-defaults-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Only the defaults: no flag, and none of the variables that would override them.
        let cleared = ["AWS_CONNECTIONS_HOST", "AWS_CONNECTIONS_PORT", "AWS_CONNECTIONS_DATABASE"]
        let server = try ServerProcess(["serve"], environment: Dictionary(uniqueKeysWithValues: cleared.map { ($0, "") }),
            directory: directory)
        try await server.waitForStandardError(containing: "listening on http://127.0.0.1:8080")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("aws-connections.sqlite").path))
        let key = try #require(bootstrapKey(in: server.standardError))
        let status = try await TestClient.withClient(host: "127.0.0.1", port: 8080) { client in
            try await client.call(.get, collectionPath, key: key).status
        }
        #expect(status == .ok)
        server.signal(SIGTERM)
        #expect(try await server.waitForExit() == 0)
    }
}
