import AWSConnectionsAPI
import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The OpenAPI document against the code it describes. The document does not depend on the
/// store, so these run on SQLite only; `.ci/api-fuzz` checks the live server against it.
@Suite("OpenAPI document")
struct OpenAPITests {
    static let documentPath = "/pictoryapis/v1/openapi.json"
    /// Well formed, never issued.
    static let unknownID = "20251217080657842fux3au9kh1p0j5s"

    @Test("GET /pictoryapis/v1/openapi.json needs no key and answers an OpenAPI 3.1 JSON document")
    func servedWithoutKey() async throws {
        try await withApp(.sqlite) { _, client in
            let response = try await client.send(.get, Self.documentPath, key: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[HTTPField.Name("X-Request-Id")!] != nil)
            let document = try response.json()
            let version = try #require(document["openapi"] as? String)
            #expect(version.hasPrefix("3.1"))
            #expect(try Self.member(document, "paths") is [String: Any])
        }
    }

    @Test("the served ProblemCode enum is the one the server was built from, and every code has a problem type")
    func problemCodesMatchCatalog() async throws {
        try await withApp(.sqlite) { _, client in
            let document = try await Self.fetchDocument(client)
            let documented = try #require(
                try Self.member(document, "components", "schemas", "ProblemCode", "enum") as? [String])
            #expect(documented.count == Set(documented).count, "duplicate codes in ProblemCode")
            let compiled = Set(ProblemCode.allCases.map(\.rawValue))
            let undocumented = compiled.subtracting(documented).sorted()
            #expect(undocumented.isEmpty, "codes the server knows but the served document does not: \(undocumented)")
            let unknown = Set(documented).subtracting(compiled).sorted()
            #expect(unknown.isEmpty, "documented codes the server does not know: \(unknown)")
            // Every code's `type` is served.
            for code in documented {
                let type = try await client.send(.get, "/problems/\(code)", key: nil)
                #expect(type.status == .ok, "/problems/\(code): \(type.status.code)")
            }
        }
    }

    @Test("every problem response documents codes whose catalog status is the response's status")
    func problemResponsesMatchCatalogStatuses() async throws {
        try await withApp(.sqlite) { _, client in
            let document = try await Self.fetchDocument(client)
            var responses: [(label: String, status: Int?, response: Any)] = []
            let components = try #require(try Self.member(document, "components", "responses") as? [String: Any])
            for (name, response) in components {
                responses.append(("components/responses/\(name)", nil, response))
            }
            for (path, method, operation) in try Self.operations(document) {
                let byStatus = try #require(operation["responses"] as? [String: Any])
                for (status, response) in byStatus {
                    responses.append(("\(method.uppercased()) \(path) \(status)", Int(status), response))
                }
            }
            var checked = 0
            for (label, key, response) in responses {
                guard let found = try Self.problemCodes(of: response, in: document) else { continue }
                let (status, codes) = found
                checked += 1
                if let key { #expect(key == status, "\(label): status const \(status)") }
                for code in codes {
                    let known = ProblemCode(rawValue: code)
                    #expect(known != nil, "\(label): \(code) is not a ProblemCode")
                    if let known {
                        #expect(Int(known.status.code) == status, "\(label): \(code) is \(known.status.code) on the server")
                    }
                }
            }
            #expect(checked > 10)
        }
    }

    @Test("the AwsRegion enum is exactly the regions the server accepts")
    func regionsMatchCore() async throws {
        try await withApp(.sqlite) { _, client in
            let document = try await Self.fetchDocument(client)
            let regions = try #require(try Self.member(document, "components", "schemas", "AwsRegion", "enum") as? [String])
            #expect(regions.count == Set(regions).count, "duplicate regions")
            #expect(Set(regions) == AWSRegion.all, "only documented: \(Set(regions).subtracting(AWSRegion.all).sorted()); only accepted: \(AWSRegion.all.subtracting(regions).sorted())")
        }
    }

    @Test("name and description limits are the validation rules' limits")
    func fieldLimitsMatchRules() async throws {
        try await withApp(.sqlite) { _, client in
            let document = try await Self.fetchDocument(client)
            let schemas = try Self.member(document, "components", "schemas")
            #expect(try Self.member(schemas, "ConnectionName", "maxLength") as? Int == ConnectionRules.nameMaxLength)
            #expect(try Self.member(schemas, "ConnectionName", "minLength") as? Int == 1)
            #expect(
                try Self.member(schemas, "ConnectionDescription", "maxLength") as? Int == ConnectionRules.descriptionMaxLength)
        }
    }

    @Test("every documented operation is routed: none answers not_found or method_not_allowed")
    func everyOperationIsRouted() async throws {
        try await withApp(.sqlite) { world, client in
            let document = try await Self.fetchDocument(client)
            let operations = try Self.operations(document)
            #expect(operations.count >= 8)
            for (path, method, _) in operations {
                let httpMethod = try #require(HTTPRequest.Method(method.uppercased()))
                // `{}` is refused by validation before any lookup, so nothing is created or changed.
                let body = (httpMethod == .post || httpMethod == .put) ? "{}" : nil
                let response = try await client.send(httpMethod, Self.concrete(path), key: world.alpha, body: body)
                let code = try response.status.code >= 400 ? response.problemCode() : nil
                #expect(
                    code != "not_found" && code != "method_not_allowed",
                    "\(method.uppercased()) \(path): \(response.status.code) \(response.bodyText)")
            }
        }
    }

    @Test("a method an API path does not take is 405 whose Allow lists exactly the documented methods")
    func allowMatchesDocument() async throws {
        try await withApp(.sqlite) { world, client in
            let document = try await Self.fetchDocument(client)
            let paths = try #require(try Self.member(document, "paths") as? [String: Any])
            let apiPaths = paths.keys.filter { $0.hasPrefix(collectionPath) }.sorted()
            #expect(apiPaths.count >= 3)
            for path in apiPaths {
                let item = try #require(paths[path] as? [String: Any])
                let documented = Set(Self.httpMethods.filter { item[$0] != nil }.map { $0.uppercased() })
                let response = try await client.send(.patch, Self.concrete(path), key: world.alpha)
                #expect(response.status == .methodNotAllowed, "PATCH \(path): \(response.status.code)")
                let allow = Set(
                    (response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                #expect(allow == documented, "PATCH \(path): Allow \(allow.sorted())")
            }
        }
    }

    @Test("the route table and the document's paths name the same operations, methods and paths")
    func routeTableMatchesDocument() async throws {
        try await withApp(.sqlite) { _, client in
            let document = try await Self.fetchDocument(client)
            let documented = Set(try Self.operations(document).map { path, method, operation in
                "\(operation["operationId"] as? String ?? "?") \(method.uppercased()) \(path)"
            })
            let routed = Set(APIOperation.allCases.map { "\($0.id) \($0.method.rawValue) \($0.path)" })
            #expect(routed.subtracting(documented).isEmpty, "routed but not documented: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
            // Public operations are exactly those the document exempts from the API key.
            for (path, method, operation) in try Self.operations(document) {
                let route = try #require(APIOperation.allCases.first { $0.path == path && $0.method.rawValue == method.uppercased() })
                let security = operation["security"] as? [Any]
                #expect(route.needsKey == (security == nil || !(security?.isEmpty ?? false)), "\(route.id): needsKey")
            }
        }
    }

    @Test("a connection and the problems the server sends carry only documented members")
    func membersAreDocumented() async throws {
        try await withApp(.sqlite) { world, client in
            let document = try await Self.fetchDocument(client)
            let schemas = try Self.member(document, "components", "schemas")

            let connectionProperties = try #require(try Self.member(schemas, "Connection", "properties") as? [String: Any])
            let connectionRequired = try #require(try Self.member(schemas, "Connection", "required") as? [String])
            let connection = try await client.createConnection(key: world.alpha)
            #expect(Set(connection.keys) == Set(connectionProperties.keys))
            #expect(Set(connection.keys) == Set(connectionRequired))

            let problemProperties = try #require(try Self.member(schemas, "Problem", "properties") as? [String: Any])
            let problemRequired = try #require(try Self.member(schemas, "Problem", "required") as? [String])
            let fieldCodes = try #require(try Self.member(schemas, "FieldError", "properties", "code", "enum") as? [String])
            let id = try #require(connection["connectionId"] as? String)
            let problems = [
                try await client.create(key: world.alpha, body: #"{"name":"","awsRegion":"us-est-1","enable":true,"type":"AWS"}"#),
                try await client.update(key: world.alpha, id: id, body: #"{"name":"n","version":7}"#),
                try await client.send(.delete, "\(collectionPath)/\(id)", key: world.alpha, headers: [.ifMatch: #""7""#]),
                try await client.list(key: nil),
            ]
            for problem in problems {
                let json = try problem.json()
                #expect(Set(json.keys).isSubset(of: problemProperties.keys), "undocumented members: \(problem.bodyText)")
                #expect(Set(problemRequired).isSubset(of: json.keys), "missing members: \(problem.bodyText)")
                for error in json["errors"] as? [[String: Any]] ?? [] {
                    let code = try #require(error["code"] as? String)
                    #expect(fieldCodes.contains(code), "undocumented field code \(code)")
                }
            }
            #expect(try problems[1].json()["currentVersion"] as? Int == 1)
            #expect(try problems[2].json()["currentVersion"] as? Int == 1)

            // A history entry of each kind has exactly the documented members.
            let entryProperties = try #require(try Self.member(schemas, "HistoryEntry", "properties") as? [String: Any])
            let entryRequired = try #require(try Self.member(schemas, "HistoryEntry", "required") as? [String])
            _ = try await client.update(key: world.alpha, id: id, body: #"{"name":"renamed","version":1}"#)
            #expect(try await client.delete(key: world.alpha, id: id).status == .noContent)
            let history = try await client.send(.get, "\(collectionPath)/\(id)/history", key: world.alpha).json()
            let entries = try #require(history["Items"] as? [[String: Any]])
            #expect(entries.count == 3)
            for entry in entries {
                #expect(Set(entry.keys) == Set(entryProperties.keys))
                #expect(Set(entry.keys) == Set(entryRequired))
            }
        }
        // The quota's problem, with its `limit`.
        try await withApp(.sqlite, policy: ServicePolicy(connectionQuota: 1)) { world, client in
            let document = try await Self.fetchDocument(client)
            let problemProperties = try #require(
                try Self.member(document, "components", "schemas", "Problem", "properties") as? [String: Any])
            _ = try await client.createConnection(key: world.alpha)
            let refused = try await client.create(
                key: world.alpha, body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#).json()
            #expect(refused["code"] as? String == "quota_exceeded")
            #expect(refused["limit"] as? Int == 1)
            #expect(Set(refused.keys).isSubset(of: problemProperties.keys))
        }
    }

    // MARK: - Reading the document

    static let httpMethods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"]

    static func fetchDocument(_ client: any TestClientProtocol) async throws -> [String: Any] {
        let response = try await client.send(.get, documentPath, key: nil)
        guard response.status == .ok else {
            throw TestFailure("GET \(documentPath): \(response.status.code) \(response.bodyText)")
        }
        return try response.json()
    }

    /// A documented path with its parameters filled in.
    static func concrete(_ path: String) -> String {
        path.replacingOccurrences(of: "{connectionid}", with: unknownID)
            .replacingOccurrences(of: "{code}", with: "version_conflict")
    }

    /// The value at `keys` below `root`, each key naming an object member.
    static func member(_ root: Any, _ keys: String...) throws -> Any {
        try member(root, keys)
    }

    static func member(_ root: Any, _ keys: [String]) throws -> Any {
        var value = root
        for key in keys {
            guard let object = value as? [String: Any], let next = object[key] else {
                throw TestFailure("the document has no \(keys.joined(separator: "/"))")
            }
            value = next
        }
        return value
    }

    /// `value`, or what its local `$ref` (`#/components/...`) points at.
    static func resolved(_ value: Any, in document: [String: Any]) throws -> Any {
        guard let object = value as? [String: Any], let reference = object["$ref"] as? String else { return value }
        guard reference.hasPrefix("#/") else { throw TestFailure("not a local reference: \(reference)") }
        return try member(document, reference.dropFirst(2).split(separator: "/").map(String.init))
    }

    /// Every operation as (path, lower-case method, operation object).
    static func operations(_ document: [String: Any]) throws -> [(String, String, [String: Any])] {
        let paths = try #require(try member(document, "paths") as? [String: Any])
        var operations: [(String, String, [String: Any])] = []
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            let item = try #require(item as? [String: Any])
            for method in httpMethods {
                if let operation = item[method] as? [String: Any] { operations.append((path, method, operation)) }
            }
        }
        return operations
    }

    /// The `status` and `code` values of a problem response, whose schema is
    /// `allOf: [Problem, {properties: {code: {enum}, status: {enum}}}]` (single-value enums
    /// rather than `const`, which generators such as openapi-python-client cannot merge with
    /// `Problem`'s own `code` enum); nil for a response without a problem body.
    static func problemCodes(of response: Any, in document: [String: Any]) throws -> (status: Int, codes: [String])? {
        let response = try resolved(response, in: document)
        guard let content = (response as? [String: Any])?["content"] as? [String: Any],
            let media = content["application/problem+json"]
        else { return nil }
        let parts = try #require(try member(media, "schema", "allOf") as? [Any])
        for part in parts {
            guard let properties = (part as? [String: Any])?["properties"] as? [String: Any] else { continue }
            let statuses = try #require(try member(properties, "status", "enum") as? [Int])
            try #require(statuses.count == 1, "one status per problem response")
            let code = try #require(properties["code"] as? [String: Any])
            return (statuses[0], try #require(code["enum"] as? [String]))
        }
        throw TestFailure("a problem response without code and status constraints: \(response)")
    }
}
