import AWSConnectionsCore
import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("Errors and request handling")
struct ErrorTests {
    @Test("successful responses carry a unique X-Request-Id too", arguments: StoreKind.all)
    func requestIDOnSuccess(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let first = try await client.list(key: world.alpha).headers[HTTPField.Name("X-Request-Id")!]
            let second = try await client.list(key: world.alpha).headers[HTTPField.Name("X-Request-Id")!]
            #expect(first != nil)
            #expect(second != nil)
            #expect(first != second)
        }
    }

    @Test("a problem's type describes its code", arguments: StoreKind.all)
    func problemTypeIsServed(store: StoreKind) async throws {
        try await withApp(store) { _, client in
            let response = try await client.send(.get, "/problems/version_conflict", key: nil)
            #expect(response.status == .ok)
            #expect(try response.json()["status"] as? Int == 409)
        }
    }

    @Test("POST and PUT without a JSON content type are 415", arguments: StoreKind.all, [
        nil, "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx",
    ])
    func unsupportedMediaType(store: StoreKind, contentType: String?) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let post = try await client.send(
                .post, collectionPath, key: world.alpha, contentType: contentType,
                body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
            let put = try await client.send(
                .put, "\(collectionPath)/\(id)", key: world.alpha, contentType: contentType, body: #"{"name":"n","version":1}"#)
            for response in [post, put] {
                #expect(response.status == .unsupportedMediaType)
                #expect(try response.problemCode() == "unsupported_media_type")
            }
        }
    }

    @Test("a charset parameter and any letter case are fine", arguments: StoreKind.all, [
        "application/json; charset=utf-8", "Application/JSON", "application/json;charset=UTF-8", "application/json; charset=\"utf-8\"",
    ])
    func jsonContentTypeVariants(store: StoreKind, contentType: String) async throws {
        try await withApp(store) { world, client in
            let response = try await client.send(
                .post, collectionPath, key: world.alpha, contentType: contentType,
                body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
            #expect(response.status == .created)
        }
    }

    @Test("a body over 64 KiB is 413; one just under is read", arguments: StoreKind.all)
    func payloadTooLarge(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let padding = String(repeating: " ", count: 64 * 1024)
            let tooLarge = try await client.create(key: world.alpha, body: #"{"name":"n"\#(padding)}"#)
            #expect(tooLarge.status == .contentTooLarge)
            #expect(try tooLarge.problemCode() == "payload_too_large")
            let body = #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
            let fits = String(repeating: " ", count: 64 * 1024 - body.utf8.count) + body
            #expect(fits.utf8.count == 64 * 1024)
            #expect(try await client.create(key: world.alpha, body: fits).status == .created)
        }
    }

    @Test("bodies that are not a JSON object are 400 invalid_json", arguments: StoreKind.all, [
        "", "{", "nul", "[]", "\"text\"", "42", "null", "{\"name\":\"n\",}", "{'name':'n'}",
        "{\"name\":\"ok\",\"name\":\"\"}", "{\"x\":" + String(repeating: "[", count: 500) + String(repeating: "\"\",", count: 20_000),
        String(repeating: "[", count: 50_000), "{\"a\":" + String(repeating: "{\"a\":", count: 10_000),
    ])
    func invalidJSON(store: StoreKind, body: String) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(key: world.alpha, body: body)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "invalid_json")
        }
    }

    @Test("invalid UTF-8 is 400 invalid_json", arguments: StoreKind.all)
    func invalidUTF8(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let bytes: [UInt8] = Array(#"{"name":""#.utf8) + [0xFF, 0xFE] + Array(#"","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#.utf8)
            let response = try await client.executeRequest(
                uri: collectionPath, method: .post,
                headers: [.authorization: world.alpha, .contentType: "application/json"],
                body: .init(bytes: bytes))
            #expect(response.status == .badRequest)
            #expect(try APIResponse(response).problemCode() == "invalid_json")
        }
    }

    @Test("an unknown path is 404 not_found; a known path with another method is 405 with Allow", arguments: StoreKind.all)
    func routing(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let missing = try await client.send(.get, "/pictoryapis/v2/awsconnections", key: world.alpha)
            #expect(missing.status == .notFound)
            #expect(try missing.problemCode() == "not_found")
            let patch = try await client.send(.patch, "\(collectionPath)/20251217080657842fux3au9kh1p0j5s", key: world.alpha)
            #expect(patch.status == .methodNotAllowed)
            #expect(patch.headers[.allow] == "GET, PUT, DELETE")
            let deleteAll = try await client.send(.delete, collectionPath, key: world.alpha)
            #expect(deleteAll.status == .methodNotAllowed)
            #expect(deleteAll.headers[.allow] == "GET, POST")
        }
    }

    @Test("checks run in the contract's order: 401, 403 scope, 415, 413, 400, 404, 403 owner, 409", arguments: StoreKind.all)
    func checkOrder(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let theirs = try await client.createConnectionID(key: world.beta)
            let unknown = "20251217080657842fux3au9kh1p0j5s"
            let huge = String(repeating: " ", count: 70_000) + "{"
            let path = { (id: String) in "\(collectionPath)/\(id)" }

            // No key beats everything else wrong.
            var response = try await client.send(.put, path(unknown), key: nil, contentType: "text/plain", body: huge)
            #expect(try response.problemCode() == "missing_api_key")
            // Scope beats media type.
            response = try await client.send(.put, path(unknown), key: world.alphaReader, contentType: "text/plain", body: huge)
            #expect(try response.problemCode() == "insufficient_scope")
            // Media type beats size.
            response = try await client.send(.put, path(unknown), key: world.alpha, contentType: "text/plain", body: huge)
            #expect(try response.problemCode() == "unsupported_media_type")
            // Size beats body.
            response = try await client.send(.put, path(unknown), key: world.alpha, body: huge)
            #expect(try response.problemCode() == "payload_too_large")
            // Body beats existence.
            response = try await client.send(.put, path(unknown), key: world.alpha, body: #"{"name":"n"}"#)
            #expect(try response.problemCode() == "validation_failed")
            // Existence beats version.
            response = try await client.send(.put, path(unknown), key: world.alpha, body: #"{"name":"n","version":9}"#)
            #expect(try response.problemCode() == "connection_not_found")
            // Ownership beats version.
            response = try await client.send(.put, path(theirs), key: world.alpha, body: #"{"name":"n","version":9}"#)
            #expect(try response.problemCode() == "forbidden")
            // And only then the version.
            let mine = try await client.createConnectionID(key: world.alpha)
            response = try await client.send(.put, path(mine), key: world.alpha, body: #"{"name":"n","version":9}"#)
            #expect(try response.problemCode() == "version_conflict")
        }
    }

    @Test("random bodies, headers and paths never produce a 5xx", arguments: StoreKind.all)
    func noServerErrorsFromGarbage(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            var generator = SeededGenerator(seed: 0x5EED)
            let fragments = [
                "{", "}", "[", "]", ",", ":", "\"name\"", "\"version\"", "\"enabled\"", "\"awsRegion\"", "\"awsAccountId\"",
                "\"description\"", "1", "-1", "1.0", "1e999", "true", "false", "null", "\"us-east-1\"", "\"123456789012\"",
                "\"\\u0000\"", "\"\\ud800\"", "\"é\"", " ", "\"\"", "0", "18446744073709551616",
            ]
            for _ in 0..<400 {
                let count = Int.random(in: 0...14, using: &generator)
                let body = (0..<count).map { _ in fragments.randomElement(using: &generator)! }.joined()
                let method: HTTPRequest.Method = Bool.random(using: &generator) ? .post : .put
                let path = method == .post ? collectionPath : "\(collectionPath)/\(id)"
                let response = try await client.send(method, path, key: world.alpha, body: body)
                #expect(response.status.code < 500, "body \(body) gave \(response.status)")
                #expect(response.headers[.contentType] != nil)
            }
        }
    }
}

/// A deterministic generator so a failing random case can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        // SplitMix64.
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
