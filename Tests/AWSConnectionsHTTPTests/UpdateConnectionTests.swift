import AWSConnectionsCore
import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("PUT /awsconnections/{id}")
struct UpdateConnectionTests {
    @Test("a rename with the current version answers 200 at version 2 and keeps the rest", arguments: StoreKind.all)
    func renameBumpsVersion(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let created = try await client.createConnection(key: world.alpha, extra: #","description":"d""#)
            let id = try #require(created["connectionId"] as? String)
            try await Task.sleep(for: .milliseconds(5))
            let response = try await client.update(key: world.alpha, id: id, body: #"{"name":"Renamed","version":1}"#)
            #expect(response.status == .ok)
            let json = try response.json()
            #expect(json["name"] as? String == "Renamed")
            #expect(json["version"] as? Int == 2)
            #expect(json["description"] as? String == "d")
            #expect(json["enabled"] as? Bool == true)
            #expect(json["awsAccountId"] as? String == created["awsAccountId"] as? String)
            #expect(json["awsRegion"] as? String == created["awsRegion"] as? String)
            #expect(json["createdDate"] as? String == created["createdDate"] as? String)
            let updated = try #require(json["updatedDate"] as? String)
            #expect(updated > (created["updatedDate"] as? String ?? ""))
            #expect(NSDictionary(dictionary: try await client.get(key: world.alpha, id: id).json()) == NSDictionary(dictionary: json))
        }
    }

    @Test("enabled and description omitted keep their stored values; sent, they replace them", arguments: StoreKind.all)
    func omittedFieldsPreserved(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let created = try await client.createConnection(
                key: world.alpha, extra: #","description":"keep me","enabled":false"#)
            let id = try #require(created["connectionId"] as? String)
            let kept = try await client.update(key: world.alpha, id: id, body: #"{"name":"n2","version":1}"#).json()
            #expect(kept["description"] as? String == "keep me")
            #expect(kept["enabled"] as? Bool == false)
            let nulls = try await client.update(
                key: world.alpha, id: id, body: #"{"name":"n3","version":2,"description":null,"enabled":null}"#
            ).json()
            #expect(nulls["description"] as? String == "keep me")
            #expect(nulls["enabled"] as? Bool == false)
            let replaced = try await client.update(
                key: world.alpha, id: id, body: #"{"name":"n4","version":3,"description":"","enabled":true}"#
            ).json()
            #expect(replaced["description"] as? String == "")
            #expect(replaced["enabled"] as? Bool == true)
            #expect(replaced["version"] as? Int == 4)
        }
    }

    @Test("a stale version is 409 with currentVersion, and nothing changes", arguments: StoreKind.all)
    func staleVersionConflicts(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            _ = try await client.update(key: world.alpha, id: id, body: #"{"name":"v2","version":1}"#)
            let before = try await client.get(key: world.alpha, id: id).json()
            for stale in [1, 3, 99] {
                let response = try await client.update(
                    key: world.alpha, id: id, body: #"{"name":"lost","enabled":false,"version":\#(stale)}"#)
                #expect(response.status == .conflict)
                #expect(try response.problemCode() == "version_conflict")
                #expect(try response.json()["currentVersion"] as? Int == 2)
            }
            let after = try await client.get(key: world.alpha, id: id).json()
            #expect(NSDictionary(dictionary: after) == NSDictionary(dictionary: before))
        }
    }

    @Test("each immutable field in the body is 400 naming it, and nothing changes", arguments: StoreKind.all, [
        "awsAccountId", "awsRegion", "connectionId", "type", "externalId", "createdDate", "updatedDate",
    ])
    func immutableFields(store: StoreKind, field: String) async throws {
        try await withApp(store) { world, client in
            let created = try await client.createConnection(key: world.alpha)
            let id = try #require(created["connectionId"] as? String)
            let value = field == "awsAccountId" ? #""123456789012""# : field == "awsRegion" ? #""us-east-2""# : #""x""#
            let response = try await client.update(
                key: world.alpha, id: id, body: #"{"name":"changed","version":1,"\#(field)":\#(value)}"#)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "immutable_field")
            #expect(try response.errorFields() == [field])
            #expect((try response.json()["detail"] as? String)?.contains(field) == true)
            let after = try await client.get(key: world.alpha, id: id).json()
            #expect(NSDictionary(dictionary: after) == NSDictionary(dictionary: created))
        }
    }

    @Test("an unknown field such as the typo \"enable\" is 400 unknown_field, never ignored", arguments: StoreKind.all)
    func unknownFieldRejected(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let created = try await client.createConnection(key: world.alpha)
            let id = try #require(created["connectionId"] as? String)
            let response = try await client.update(key: world.alpha, id: id, body: #"{"name":"n","version":1,"enable":false}"#)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "unknown_field")
            #expect(try response.errorFields() == ["enable"])
            #expect(try await client.get(key: world.alpha, id: id).json()["version"] as? Int == 1)
        }
    }

    @Test("bad bodies are 400 validation_failed naming the field", arguments: StoreKind.all, [
        (#"{"name":"n","version":"1"}"#, "version"),
        (#"{"name":"n","version":0}"#, "version"),
        (#"{"name":"n","version":-3}"#, "version"),
        (#"{"name":"n","version":1.5}"#, "version"),
        (#"{"name":"n","version":1.0}"#, "version"),
        (#"{"name":"n","version":1e0}"#, "version"),
        (#"{"name":"n","version":0.1e1}"#, "version"),
        (#"{"name":"n","version":1.0000000000000001}"#, "version"),
        (#"{"name":"n","version":1e300}"#, "version"),
        (#"{"name":"n","version":99999999999999999999}"#, "version"),
        (#"{"name":"n","version":true}"#, "version"),
        (#"{"name":"n"}"#, "version"),
        (#"{"version":1}"#, "name"),
        (#"{"name":"   ","version":1}"#, "name"),
        (#"{"name":null,"version":1}"#, "name"),
        (#"{"name":"n","version":1,"enabled":"yes"}"#, "enabled"),
        (#"{"name":"n","version":1,"enabled":1}"#, "enabled"),
        (#"{"name":"n","version":1,"description":7}"#, "description"),
    ])
    func invalidBodies(store: StoreKind, invalid: (body: String, field: String)) async throws {
        let (body, field) = invalid
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let response = try await client.update(key: world.alpha, id: id, body: body)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "validation_failed")
            #expect(try response.errorFields() == [field])
            #expect(try await client.get(key: world.alpha, id: id).json()["version"] as? Int == 1)
        }
    }

    @Test("every offending field is listed in one problem", arguments: StoreKind.all)
    func allErrorsListed(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let response = try await client.update(
                key: world.alpha, id: id, body: #"{"name":"","version":"1","enabled":"yes","awsRegion":"us-east-1","colour":1}"#)
            #expect(response.status == .badRequest)
            #expect(try response.errorFields() == ["awsRegion", "colour", "enabled", "name", "version"])
            #expect(try response.problemCode() == "immutable_field")
        }
    }

    @Test("updating another account's connection is 403, even with a wrong version; unknown is 404", arguments: StoreKind.all)
    func ownershipAndExistence(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.beta)
            for version in [1, 7] {
                let response = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":\#(version)}"#)
                #expect(response.status == .forbidden)
                #expect(try response.problemCode() == "forbidden")
            }
            #expect(try await client.get(key: world.beta, id: id).json()["name"] as? String == "Prod")
            let missing = try await client.update(
                key: world.alpha, id: "20251217080657842fux3au9kh1p0j5s", body: #"{"name":"x","version":1}"#)
            #expect(missing.status == .notFound)
            #expect(try missing.problemCode() == "connection_not_found")
        }
    }
}
