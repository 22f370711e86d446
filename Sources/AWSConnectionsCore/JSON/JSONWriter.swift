/// Writes JSON text into a byte array; the HTTP layer hands the bytes over as a `ByteBuffer`.
///
/// Hand-written because responses are a handful of fixed shapes and encoding them is the
/// hot path of every call: Foundation's `JSONEncoder` spends most of a 1,000-item list
/// response in reflection and intermediate containers, this writes each byte once. It
/// appends to a plain `[UInt8]` rather than a `ByteBuffer` because profiling showed
/// per-byte `ByteBuffer` writes (capacity and exclusivity checks) dominating list responses.
///
/// It sits beside the parser, in the domain module, and is `@inlinable` throughout: every
/// call is on the hot path of a response, and across a module boundary each would
/// otherwise be an opaque call.
public struct JSONWriter {
    @usableFromInline var output: [UInt8] = []
    @usableFromInline var needsComma = false

    /// The document so far.
    @inlinable
    public var bytes: [UInt8] { output }

    @inlinable
    public init(capacity: Int) {
        output.reserveCapacity(capacity)
    }

    @inlinable
    public mutating func beginObject() {
        separate()
        output.append(UInt8(ascii: "{"))
        needsComma = false
    }

    @inlinable
    public mutating func endObject() {
        output.append(UInt8(ascii: "}"))
        needsComma = true
    }

    @inlinable
    public mutating func beginArray() {
        separate()
        output.append(UInt8(ascii: "["))
        needsComma = false
    }

    @inlinable
    public mutating func endArray() {
        output.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Continues a document another writer began, after a value: the next value is preceded by
    /// a comma. For a long array written in parts, one writer a part.
    @inlinable
    public mutating func continueAfterValue() {
        needsComma = true
    }

    /// Writes values that were already encoded as JSON, comma-separated (`a,b,c`), as the
    /// next values of the current array. Nothing when `encoded` is empty.
    @inlinable
    public mutating func encodedValues(_ encoded: [UInt8]) {
        guard !encoded.isEmpty else { return }
        separate()
        output.append(contentsOf: encoded)
        needsComma = true
    }

    /// Writes `"name":` for a member of a schema of `openapi.json`, named by the generated
    /// type's `CodingKeys`, so that only documented members can be written. The document's
    /// member names are plain ASCII and need no escaping.
    @inlinable
    public mutating func key(_ member: some CodingKey) {
        separate()
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: member.stringValue.utf8)
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes a member name already encoded as `"name":` (see `encodedKey(_:)`): one copy,
    /// for the members of the shapes written many times per response.
    @inlinable
    public mutating func key(encoded: [UInt8]) {
        separate()
        output.append(contentsOf: encoded)
        needsComma = false
    }

    /// `"name":` for `key(encoded:)`, for a name that needs no escaping.
    public static func encodedKey(_ name: String) -> [UInt8] {
        Array("\"\(name)\":".utf8)
    }

    /// Writes `"key":` for a key only known at run time (a changed field's name in history),
    /// escaped like any string.
    @inlinable
    public mutating func dynamicKey(_ key: String) {
        separate()
        writeQuoted(key)
        output.append(UInt8(ascii: ":"))
        needsComma = false
    }

    @inlinable
    public mutating func null() {
        separate()
        output.append(contentsOf: Self.nullBytes)
        needsComma = true
    }

    @inlinable
    public mutating func string(_ value: String) {
        separate()
        writeQuoted(value)
        needsComma = true
    }

    @inlinable
    public mutating func bool(_ value: Bool) {
        separate()
        output.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
        needsComma = true
    }

    @inlinable
    public mutating func integer(_ value: some BinaryInteger) {
        separate()
        output.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    /// Writes an RFC 3339 UTC timestamp with milliseconds, quoted, without allocating.
    @inlinable
    public mutating func timestamp(_ value: Timestamp) {
        separate()
        let components = value.components
        let start = output.count
        output.append(contentsOf: Self.quotedTimestampTemplate)
        output.withUnsafeMutableBytes { raw in
            let slot = UnsafeMutableRawBufferPointer(rebasing: raw[(start + 1)..<(start + 1 + UTCComponents.rfc3339Length)])
            components.writeRFC3339(into: slot)
        }
        needsComma = true
    }

    @usableFromInline static let hexDigits = Array("0123456789abcdef".utf8)
    @usableFromInline static let trueBytes = Array("true".utf8)
    @usableFromInline static let falseBytes = Array("false".utf8)
    @usableFromInline static let nullBytes = Array("null".utf8)
    @usableFromInline static let quotedTimestampTemplate: [UInt8] =
        [UInt8(ascii: "\"")] + Array(repeating: 0, count: UTCComponents.rfc3339Length) + [UInt8(ascii: "\"")]

    @inlinable
    mutating func separate() {
        if needsComma {
            output.append(UInt8(ascii: ","))
        }
    }

    /// Quotes and escapes per RFC 8259: `"` `\` and control characters; all else is copied.
    @inlinable
    mutating func writeQuoted(_ value: String) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Scanning the contiguous UTF-8 first lets the common case be one bulk copy.
            var firstEscape = utf8.count
            for index in utf8.indices where Self.needsEscape(utf8[index]) {
                firstEscape = index
                break
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[..<firstEscape]))
            for byte in utf8[firstEscape...] {
                if Self.needsEscape(byte) {
                    writeEscape(byte)
                } else {
                    output.append(byte)
                }
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    @inlinable
    static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    @inlinable
    mutating func writeEscape(_ byte: UInt8) {
        output.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): output.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): output.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "\n"): output.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): output.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): output.append(UInt8(ascii: "t"))
        case 0x08: output.append(UInt8(ascii: "b"))
        case 0x0C: output.append(UInt8(ascii: "f"))
        default:
            output.append(UInt8(ascii: "u"))
            output.append(UInt8(ascii: "0"))
            output.append(UInt8(ascii: "0"))
            output.append(Self.hexDigits[Int(byte >> 4)])
            output.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }
}
