import AWSConnectionsCore
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    @Test("integers are only numbers without fraction or exponent that fit in 64 bits")
    func integers() throws {
        #expect(try parse("0") == .integer(0))
        #expect(try parse("-42") == .integer(-42))
        #expect(try parse("9223372036854775807") == .integer(.max))
        #expect(try parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try parse("1.0") == .number(1))
        #expect(try parse("1e0") == .number(1))
        #expect(try parse("0.1e1") == .number(1))
        #expect(try parse("1.0000000000000001") == .number(1))
        #expect(try parse("-0.5E-3") == .number(-0.0005))
    }

    @Test("strings unescape every RFC 8259 escape, including surrogate pairs")
    func strings() throws {
        #expect(try parse(#""a\"b\\c\/d\b\f\n\r\t""#) == .string("a\"b\\c/d\u{8}\u{C}\n\r\t"))
        #expect(try parse(#""\u00e9\u0041\ud83c\udfac""#) == .string("éA🎬"))
        #expect(try parse(#""é🎬""#) == .string("é🎬"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test("objects and arrays, with whitespace anywhere it is allowed")
    func containers() throws {
        #expect(try parse(" {\t\"a\" :\n[ 1 , true , null , \"x\" ] , \"b\":{}}\r\n") == .object([
            "a": .array([.integer(1), .bool(true), .null, .string("x")]), "b": .object([:]),
        ]))
        #expect(try parse("[]") == .array([]))
    }

    @Test("malformed texts are refused", arguments: [
        "", " ", "{", "}", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, "{'a':1}", "01", "-", "1.", ".5", "1e",
        "+1", "tru", "nul", "truex", "[1 2]", #""abc"#, "\"a\u{1}b\"", #""\x""#, #""\u12""#, #""\u12G4""#,
        #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, "NaN", "Infinity", "1 2", #"{"a":1}}"#, "\u{FEFF}{}",
    ])
    func malformed(text: String) {
        #expect(throws: JSONValue.ParseError.self) { try parse(text) }
    }

    @Test("duplicate member names are refused, not silently resolved")
    func duplicateMembers() {
        #expect(throws: JSONValue.ParseError.self) { try parse(#"{"name":"ok","name":""}"#) }
    }

    @Test("invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0xFF, 0xFE, 0x22]) }
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) }
    }

    @Test("nesting is bounded: 32 levels parse, 33 are refused")
    func depthLimit() throws {
        _ = try parse(String(repeating: "[", count: 32) + String(repeating: "]", count: 32))
        #expect(throws: JSONValue.ParseError.self) {
            try parse(String(repeating: "[", count: 33) + String(repeating: "]", count: 33))
        }
        #expect(throws: JSONValue.ParseError.self) { try parse(String(repeating: "[", count: 100_000)) }
    }

    @Test("errors say where the problem is")
    func errorPosition() {
        do {
            _ = try parse(#"{"a":1,}"#)
            Issue.record("expected an error")
        } catch let error as JSONValue.ParseError {
            #expect(error.reason.hasSuffix("at byte 7"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
