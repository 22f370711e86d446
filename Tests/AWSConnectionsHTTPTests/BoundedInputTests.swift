import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Limits that keep one client's request from costing everyone: text counted in bytes as well
/// as characters, names that show what they are, and error lists of bounded length.
@Suite("Bounded input")
struct BoundedInputTests {
    @Test("a name of one character carrying thousands of combining marks is refused by its bytes, on create and update", arguments: StoreKind.all)
    func combiningMarks(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            // 1 + 30,000 code points, about 60 KB, one Swift Character: within 100 characters.
            let heavy = "a" + String(repeating: "\u{0301}", count: 30_000)
            #expect(heavy.count == 1)
            let created = try await client.create(
                key: world.alpha, body: #"{"name":"\#(heavy)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
            #expect(created.status == .badRequest)
            let problem = try created.json()
            let errors = try #require(problem["errors"] as? [[String: Any]])
            #expect(errors.count == 1)
            #expect(errors.first?["field"] as? String == "name")
            #expect(errors.first?["code"] as? String == "too_long")
            #expect((errors.first?["message"] as? String)?.contains("bytes") == true)

            let id = try await client.createConnectionID(key: world.alpha)
            let updated = try await client.update(key: world.alpha, id: id, body: #"{"name":"\#(heavy)","version":1}"#)
            #expect(updated.status == .badRequest)
            #expect(try await client.get(key: world.alpha, id: id).json()["version"] as? Int == 1)
            // 400 characters (within 500) of 45 bytes each: 18,000 bytes.
            let heavyDescription = String(repeating: "e" + String(repeating: "\u{0301}", count: 22), count: 400)
            #expect(heavyDescription.count == 400)
            let description = try await client.update(
                key: world.alpha, id: id,
                body: #"{"name":"n","description":"\#(heavyDescription)","version":1}"#)
            #expect(description.status == .badRequest)
            #expect((try description.json()["errors"] as? [[String: Any]])?.first?["field"] as? String == "description")
        }
    }

    @Test("real text far longer in bytes than in characters is accepted", arguments: StoreKind.all)
    func realText(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            // 100 characters of the longest common emoji sequences, 35 bytes each.
            let kisses = String(repeating: "👨🏻‍❤️‍💋‍👨🏼", count: 100)
            #expect(kisses.count == 100)
            let created = try await client.createConnection(key: world.alpha, name: kisses)
            #expect(created["name"] as? String == kisses)
            let arabic = "شبكة الفيديو الخاصة"
            #expect(try await client.createConnection(key: world.alpha, name: arabic)["name"] as? String == arabic)
        }
    }

    @Test("a name with a bidirectional override or an invisible character is refused; joiners are not", arguments: StoreKind.all, [
        "invoice\u{202E}gpj.exe", "a\u{200B}b", "\u{FEFF}name", "x\u{2066}y\u{2069}", "soft\u{00AD}hyphen", "a\u{200E}b",
    ])
    func hiddenFormatting(store: StoreKind, name: String) async throws {
        try await withApp(store) { world, client in
            let response = try await client.create(
                key: world.alpha, body: #"{"name":"\#(name)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
            #expect(response.status == .badRequest)
            let errors = try #require(try response.json()["errors"] as? [[String: Any]])
            #expect(errors.map { $0["code"] as? String } == ["invalid_character"])
            // The joiners inside emoji and several scripts are part of real text.
            let family = "👩‍👩‍👧 ‌می‌خواهم"
            #expect(try await client.createConnection(key: world.alpha, name: family)["name"] as? String == family)
        }
    }

    @Test("a 400 lists at most 20 field errors and counts them all", arguments: StoreKind.all)
    func errorListIsBounded(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let members = (0..<500).map { #""unknown\#(String(format: "%03d", $0))":1"# }.joined(separator: ",")
            let response = try await client.create(key: world.alpha, body: "{\(members)}")
            #expect(response.status == .badRequest)
            let problem = try response.json()
            #expect(problem["code"] as? String == "unknown_field")
            // 500 unknown members, and name, awsAccountId and awsRegion missing.
            #expect(problem["errorCount"] as? Int == 503)
            let errors = try #require(problem["errors"] as? [[String: Any]])
            #expect(errors.count == ValidationError.listedMax)
            #expect(errors.compactMap { $0["field"] as? String } == errors.compactMap { $0["field"] as? String }.sorted())
            #expect((problem["detail"] as? String)?.contains("503") == true)
            #expect(response.bodyText.utf8.count < 4096)

            let one = try await client.create(key: world.alpha, body: #"{"awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
            #expect(try one.json()["errorCount"] as? Int == 1)
        }
    }
}
