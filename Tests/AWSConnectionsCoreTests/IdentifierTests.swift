import AWSConnectionsCore
import Foundation
import Testing

@Suite("Connection ids, API keys and regions")
struct IdentifierTests {
    @Test("generated connection ids are 17 time digits and 15 random [a-z0-9], and parse back")
    func connectionIDs() throws {
        let time = Timestamp(millisecondsSinceEpoch: 1_765_958_817_842)
        var seen = Set<String>()
        for _ in 0..<2000 {
            let id = ConnectionID.generate(at: time)
            #expect(id.rawValue.count == 32)
            #expect(id.rawValue.hasPrefix("20251217080657842"))
            #expect(id.rawValue.dropFirst(17).allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) })
            #expect(ConnectionID(id.rawValue) == id)
            seen.insert(id.rawValue)
        }
        #expect(seen.count == 2000)
        // Every character of the alphabet shows up: the suffix really draws from all 36.
        let characters = Set(seen.flatMap { $0.dropFirst(17) })
        #expect(characters.count == 36)
    }

    @Test("malformed connection ids are refused", arguments: [
        "", "20251217080657842fux3au9kh1p0j5", "20251217080657842fux3au9kh1p0j5sx", "2025121708065784Xfux3au9kh1p0j5s",
        "20251217080657842FUX3AU9KH1P0J5S", "20251217080657842fux3au9kh1p0j5-", "20251217080657842fux3au9kh1p0j5é",
    ])
    func badConnectionIDs(text: String) {
        #expect(ConnectionID(text) == nil)
    }

    @Test("generated keys are pictai_ and 40 base62 characters and parse back")
    func keyGeneration() throws {
        var seen = Set<String>()
        for _ in 0..<500 {
            let key = APIKey.generate()
            #expect(key.secret.hasPrefix("pictai_"))
            #expect(key.secret.count == 47)
            #expect(key.secret.dropFirst(7).allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(APIKey(key.secret) != nil)
            seen.insert(key.secret)
        }
        #expect(seen.count == 500)
    }

    @Test("key shapes: at least 32 base62 characters after pictai_", arguments: [
        ("pictai_abcdefghijklmnopqrstuvwxyzABCDEF", true),
        ("pictai_abcdefghijklmnopqrstuvwxyzABCDE", false),
        ("pictai_abcdefghijklmnopqrstuvwxyzABCDE-", false),
        ("PICTAI_abcdefghijklmnopqrstuvwxyzABCDEF", false),
        ("pictai-abcdefghijklmnopqrstuvwxyzABCDEF", false),
        ("pictai_abcdefghijklmnopqrstuvwxyzABCDEFé", false),
    ])
    func keyShapes(text: String, valid: Bool) {
        #expect((APIKey(text) != nil) == valid)
    }

    @Test("a key's hash is its SHA-256 digest")
    func keyHash() throws {
        let key = try #require(APIKey("pictai_abcdefghijklmnopqrstuvwxyzABCDEF"))
        let hex = key.hash.bytes.map { String(format: "%02x", $0) }.joined()
        // printf %s pictai_abcdefghijklmnopqrstuvwxyzABCDEF | sha256sum
        #expect(hex == "0974121913700c4a6d28301cf652cf2f8e714e9a5f7ba0e122a4488302b840bc")
    }

    @Test("scopes serialise sorted and parse back, dropping unknown words")
    func scopes() {
        #expect(Scope.serialise([.write, .read]) == "connections:read connections:write")
        #expect(Scope.parse("connections:write connections:admin connections:read") == [.read, .write])
        #expect(Scope.parse("") == [])
    }

    @Test("regions: commercial, China and GovCloud are valid; near misses are not")
    func regions() {
        for code in ["us-east-1", "eu-west-2", "ap-southeast-5", "cn-north-1", "us-gov-west-1", "us-gov-east-1"] {
            #expect(AWSRegion.isValid(code))
        }
        for code in ["us-east-3", "US-EAST-1", " us-east-1", "us-gov-west-2", "eu-west", ""] {
            #expect(!AWSRegion.isValid(code))
        }
        #expect(AWSRegion.all.count == AWSRegion.commercial.count + AWSRegion.china.count + AWSRegion.govCloud.count)
    }
}
