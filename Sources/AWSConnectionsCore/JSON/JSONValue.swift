/// A parsed JSON document, kept untyped so validation can report every bad field at once
/// (a `Decodable` struct stops at the first) and can tell `1` from `1.0`, `"1"` and `true`.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without fraction or exponent that fits in 64 bits.
    case integer(Int64)
    /// Any other number.
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Why a request body could not be read as JSON.
    public struct ParseError: Error, Sendable, Equatable {
        public let reason: String
    }

    /// Parses `bytes` as one strict RFC 8259 JSON text (see `JSONParser`).
    public static func parse(_ bytes: some Collection<UInt8>) throws(ParseError) -> JSONValue {
        try JSONParser.parse(Array(bytes))
    }

    /// A short name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer: "number"
        // Fractions, exponents and integers beyond 64 bits.
        case .number: "number that is not a 64-bit integer"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}
