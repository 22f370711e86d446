import AWSConnectionsCore
import Testing

@Suite("Connection rules")
struct ConnectionRulesTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test("JSON values keep integers, fractions, booleans and strings apart")
    func jsonTypes() throws {
        #expect(try parse("1") == .integer(1))
        #expect(try parse("1.5") == .number(1.5))
        #expect(try parse("1.0") == .number(1.0))
        #expect(try parse("true") == .bool(true))
        #expect(try parse(#""1""#) == .string("1"))
        #expect(try parse("null") == .null)
        #expect(try parse(#"{"a":[1,false]}"#) == .object(["a": .array([.integer(1), .bool(false)])]))
    }

    @Test("a valid create body becomes a NewConnection with defaults")
    func createDefaults() throws {
        let new = try ConnectionRules.newConnection(
            from: try parse(#"{"name":" n ","awsAccountId":"123456789012","awsRegion":"eu-west-2"}"#))
        #expect(new.name == "n")
        #expect(new.description == "")
        #expect(new.awsAccountID == "123456789012")
        #expect(new.awsRegion == "eu-west-2")
        #expect(new.enabled)
        #expect(new.roleARN == "arn:aws:iam::123456789012:role/aws-connections-media-access")
        #expect(new.externalID.count == 40)
        let again = try ConnectionRules.newConnection(
            from: try parse(#"{"name":"n","awsAccountId":"123456789012","awsRegion":"eu-west-2"}"#))
        #expect(again.externalID != new.externalID, "every connection gets its own external id")
    }

    @Test("an update body keeps omitted fields as nil")
    func updateOmissions() throws {
        let changes = try ConnectionRules.changes(from: try parse(#"{"name":"n","version":3}"#))
        #expect(changes == ConnectionChanges(name: "n", description: nil, enabled: nil, expectedVersion: 3))
    }

    @Test("every broken rule is reported, sorted by field, with the most specific top-level code")
    func allErrors() throws {
        #expect(throws: ValidationError.self) { try ConnectionRules.changes(from: try parse(#"{"version":0}"#)) }
        do {
            _ = try ConnectionRules.changes(from: try parse(#"{"awsRegion":"x","nam":"n","version":"2"}"#))
            Issue.record("expected a validation error")
        } catch let error as ValidationError {
            #expect(error.errors.map(\.field) == ["awsRegion", "nam", "name", "version"])
            #expect(error.errors.map(\.code) == ["immutable_field", "unknown_field", "required", "invalid_type"])
            #expect(error.problemCode == "immutable_field")
        }
    }

    @Test("a body that is JSON but not an object is a shape error")
    func notAnObject() throws {
        #expect(throws: BodyShapeError.self) { try ConnectionRules.newConnection(from: try parse("[]")) }
        #expect(throws: BodyShapeError.self) { try ConnectionRules.changes(from: try parse("null")) }
    }

    @Test("name length counts characters, not bytes")
    func nameCountsCharacters() throws {
        let emoji = String(repeating: "👩‍👩‍👧", count: 100)
        let changes = try ConnectionRules.changes(from: try parse(#"{"name":"\#(emoji)","version":1}"#))
        #expect(changes.name == emoji)
    }

    @Test("text is limited in UTF-8 bytes as well as in characters")
    func byteLimits() throws {
        let heavyName = "a" + String(repeating: "\u{0301}", count: ConnectionRules.nameMaxBytes)
        #expect(throws: ValidationError.self) {
            try ConnectionRules.changes(from: try parse(#"{"name":"\#(heavyName)","version":1}"#))
        }
        let fitting = "a" + String(repeating: "\u{0301}", count: (ConnectionRules.nameMaxBytes - 1) / 2)
        #expect(try ConnectionRules.changes(from: try parse(#"{"name":"\#(fitting)","version":1}"#)).name == fitting)
    }

    @Test("hidden formatting is every format character but the joiners and emoji tags")
    func hiddenFormatting() {
        for scalar: Unicode.Scalar in ["\u{202E}", "\u{200B}", "\u{200E}", "\u{2066}", "\u{FEFF}", "\u{00AD}", "\u{E0001}"] {
            #expect(ConnectionRules.isHiddenFormatting(scalar), "U+\(String(scalar.value, radix: 16))")
        }
        for scalar: Unicode.Scalar in ["\u{200C}", "\u{200D}", "\u{E0067}", "a", "\u{0301}", "\u{FE0F}"] {
            #expect(!ConnectionRules.isHiddenFormatting(scalar), "U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test("a validation error lists the first 20 errors by field and counts all; its code looks at all")
    func boundedErrors() {
        var errors = (0..<30).map { FieldError(field: "f\(29 - $0 < 10 ? "0" : "")\(29 - $0)", code: .required, message: "m") }
        errors.append(FieldError(field: "zz", code: .immutableField, message: "m"))
        let error = ValidationError(errors: errors)
        #expect(error.errors.count == ValidationError.listedMax)
        #expect(error.totalCount == 31)
        #expect(error.errors.first?.field == "f00")
        #expect(error.problemCode == "immutable_field", "the immutable field is past the listed ones but still decides")
    }
}
