import AWSConnectionsCore
import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("POST /awsconnections")
struct CreateConnectionTests {
    @Test("create answers 201 with Location and every field in the contract's format", arguments: StoreKind.all)
    func createReturnsFullConnection(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(
                key: world.alpha,
                body: #"{"name":"Prod","description":"Private videos","awsAccountId":"123456789012","awsRegion":"us-east-2"}"#)
            #expect(response.status == .created)
            let json = try response.json()
            let id = try #require(json["connectionId"] as? String)
            #expect(id.wholeMatch(of: /[0-9]{17}[a-z0-9]{15}/) != nil)
            #expect(response.headers[.location] == "\(collectionPath)/\(id)")
            #expect(response.headers[.contentType] == "application/json")
            #expect(json["name"] as? String == "Prod")
            #expect(json["description"] as? String == "Private videos")
            #expect(json["awsAccountId"] as? String == "123456789012")
            #expect(json["awsRegion"] as? String == "us-east-2")
            #expect(json["type"] as? String == "AWS")
            #expect(json["enabled"] as? Bool == true)
            #expect(json["version"] as? Int == 1)
            let created = try #require(json["createdDate"] as? String)
            #expect(created.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
            #expect(json["updatedDate"] as? String == created)
            #expect(Set(json.keys) == [
                "connectionId", "name", "description", "awsAccountId", "awsRegion", "type", "enabled",
                "createdDate", "updatedDate", "version", "roleArn", "externalId",
            ])
            #expect(json["roleArn"] as? String == "arn:aws:iam::123456789012:role/aws-connections-media-access")
            let externalID = try #require(json["externalId"] as? String)
            #expect(externalID.wholeMatch(of: /[A-Za-z0-9]{40}/) != nil)
        }
    }

    @Test("the id starts with the UTC creation time to the millisecond", arguments: StoreKind.all)
    func idEncodesCreationTime(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let json = try await client.createConnection(key: world.alpha)
            let id = try #require(json["connectionId"] as? String)
            let created = try #require(json["createdDate"] as? String)
            let digits = created.filter(\.isNumber)
            #expect(String(id.prefix(17)) == digits)
        }
    }

    @Test("description defaults to empty and enabled to true; enabled false is kept", arguments: StoreKind.all)
    func defaultsAndExplicitEnabled(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let plain = try await client.createConnection(key: world.alpha)
            #expect(plain["description"] as? String == "")
            #expect(plain["enabled"] as? Bool == true)
            let disabled = try await client.createConnection(key: world.alpha, extra: #","enabled":false"#)
            #expect(disabled["enabled"] as? Bool == false)
        }
    }

    @Test("name is trimmed; 100 characters pass, 101 and blank fail", arguments: StoreKind.all)
    func nameLengthRules(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let trimmed = try await client.createConnection(key: world.alpha, name: "  padded  ")
            #expect(trimmed["name"] as? String == "padded")
            let hundred = String(repeating: "é", count: 100)
            let long = try await client.createConnection(key: world.alpha, name: "  \(hundred) ")
            #expect(long["name"] as? String == hundred)

            for (name, code) in [(String(repeating: "a", count: 101), "too_long"), ("   ", "too_short"), ("", "too_short")] {
                let response = try await client.create(
                    key: world.alpha, body: #"{"name":"\#(name)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                #expect(response.status == .badRequest)
                #expect(try response.problemCode() == "validation_failed")
                let errors = try #require(try response.json()["errors"] as? [[String: Any]])
                #expect(errors.first?["field"] as? String == "name")
                #expect(errors.first?["code"] as? String == code)
            }
        }
    }

    @Test("description over 500 characters is refused", arguments: StoreKind.all)
    func descriptionTooLong(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let ok = try await client.createConnection(
                key: world.alpha, extra: #","description":"\#(String(repeating: "d", count: 500))""#)
            #expect((ok["description"] as? String)?.count == 500)
            let response = try await client.create(
                key: world.alpha,
                body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1","description":"\#(String(repeating: "d", count: 501))"}"#)
            #expect(response.status == .badRequest)
            #expect(try response.errorFields() == ["description"])
        }
    }

    @Test("awsAccountId must be a string of exactly 12 ASCII digits", arguments: StoreKind.all, [
        #""12345678901""#, #""1234567890123""#, #""12345678901a""#, #""１２３４５６７８９０１２""#, "123456789012", "null",
    ])
    func badAccountIDs(store: StoreKind, value: String) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(
                key: world.alpha, body: #"{"name":"n","awsAccountId":\#(value),"awsRegion":"us-east-1"}"#)
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "validation_failed")
            #expect(try response.errorFields() == ["awsAccountId"])
        }
    }

    @Test("awsRegion must be a real region code", arguments: StoreKind.all, ["us-east-3", "US-EAST-1", "us-east-1 ", "", "mars-1"])
    func badRegions(store: StoreKind, value: String) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(
                key: world.alpha, body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"\#(value)"}"#)
            #expect(response.status == .badRequest)
            let errors = try #require(try response.json()["errors"] as? [[String: Any]])
            #expect(errors.map { $0["code"] as? String } == ["invalid_region"])
        }
    }

    @Test("commercial, China and GovCloud regions are accepted", arguments: StoreKind.all, [
        "us-east-1", "eu-west-2", "ap-southeast-5", "ap-southeast-7", "mx-central-1", "cn-north-1",
        "cn-northwest-1", "us-gov-west-1", "us-gov-east-1",
    ])
    func realRegions(store: StoreKind, region: String) async throws {
        try await withApp(store) { world, client in
            let json = try await client.createConnection(key: world.alpha, awsRegion: region)
            #expect(json["awsRegion"] as? String == region)
        }
    }

    @Test("a create missing every required field lists all three in one problem", arguments: StoreKind.all)
    func missingRequiredFieldsAllListed(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(key: world.alpha, body: "{}")
            #expect(response.status == .badRequest)
            #expect(try response.problemCode() == "validation_failed")
            #expect(try response.errorFields() == ["awsAccountId", "awsRegion", "name"])
        }
    }

    @Test("wrong JSON types are 400 naming each field", arguments: StoreKind.all)
    func wrongTypes(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(
                key: world.alpha,
                body: #"{"name":5,"awsAccountId":"123456789012","awsRegion":"us-east-1","enabled":"yes","description":[]}"#)
            #expect(response.status == .badRequest)
            #expect(try response.errorFields() == ["description", "enabled", "name"])
        }
    }

    @Test("server-managed fields at create are immutable_field, unknown ones unknown_field", arguments: StoreKind.all)
    func serverManagedAndUnknownFields(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let base = #""name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1""#
            for field in ["connectionId", "type", "externalId", "createdDate", "updatedDate", "version"] {
                let response = try await client.create(key: world.alpha, body: #"{\#(base),"\#(field)":"x"}"#)
                #expect(response.status == .badRequest)
                #expect(try response.problemCode() == "immutable_field")
                #expect(try response.errorFields() == [field])
            }
            let typo = try await client.create(key: world.alpha, body: #"{\#(base),"enable":false}"#)
            #expect(typo.status == .badRequest)
            #expect(try typo.problemCode() == "unknown_field")
            #expect(try typo.errorFields() == ["enable"])
            let list = try await client.list(key: world.alpha).json()
            #expect((list["Items"] as? [Any])?.count == 0)
        }
    }

    @Test("NUL in a description and control characters in a name are refused, not truncated", arguments: StoreKind.all)
    func controlCharacters(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let nul = try await client.create(
                key: world.alpha,
                body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1","description":"a\u0000b"}"#)
            #expect(nul.status == .badRequest)
            #expect(try nul.errorFields() == ["description"])
            let newline = try await client.create(
                key: world.alpha, body: #"{"name":"a\nb","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
            #expect(newline.status == .badRequest)
            #expect(try newline.errorFields() == ["name"])
        }
    }

    @Test("strings with quotes, backslashes, control characters and emoji round-trip exactly", arguments: StoreKind.all)
    func jsonEscapingRoundTrips(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let controls = String(String.UnicodeScalarView((1..<0x20).compactMap(Unicode.Scalar.init)))
            let description = "quote \" backslash \\ \(controls) del \u{7F} emoji 🎬 é \u{2028} /"
            let body = try JSONSerialization.data(withJSONObject: [
                "name": "n", "awsAccountId": "123456789012", "awsRegion": "us-east-1", "description": description,
            ])
            let response = try await client.create(key: world.alpha, body: String(decoding: body, as: UTF8.self))
            #expect(response.status == .created)
            #expect(try response.json()["description"] as? String == description)
            let id = try #require(try response.json()["connectionId"] as? String)
            #expect(try await client.get(key: world.alpha, id: id).json()["description"] as? String == description)
        }
    }

    @Test("a 400's errors come sorted by field, whatever rule found them", arguments: StoreKind.all)
    func errorsSortedByField(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(
                key: world.alpha,
                body: #"{"connectionId":"x","name":"","awsRegion":"us-est-1","awsAccountId":12,"enable":true}"#)
            #expect(response.status == .badRequest)
            let errors = try #require(try response.json()["errors"] as? [[String: Any]])
            #expect(errors.map { $0["field"] as? String } == ["awsAccountId", "awsRegion", "connectionId", "enable", "name"])
            let tooBig = try await client.update(
                key: world.alpha, id: "20250101000000000aaaaaaaaaaaaaaa", body: #"{"name":"x","version":9223372036854775808}"#)
            let message = try #require(try tooBig.json()["errors"] as? [[String: Any]]).first?["message"] as? String
            #expect(message == "version must be an integer, not a number that is not a 64-bit integer")
        }
    }
}
