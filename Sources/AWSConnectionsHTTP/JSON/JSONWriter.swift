import AWSConnectionsCore
import NIOCore

/// Writes JSON text into a byte array, handed over as a `ByteBuffer` at the end.
///
/// Hand-written because responses are a handful of fixed shapes and encoding them is the
/// hot path of every call: Foundation's `JSONEncoder` spends most of a 1,000-item list
/// response in reflection and intermediate containers, this writes each byte once. It
/// appends to a plain `[UInt8]` rather than a `ByteBuffer` because profiling showed
/// per-byte `ByteBuffer` writes (capacity and exclusivity checks) dominating list responses.
struct JSONWriter {
    private var bytes: [UInt8] = []
    private var needsComma = false

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// The finished document.
    var buffer: ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":`; the value must follow. Keys are ASCII literals and need no escaping.
    mutating func key(_ key: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        key.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    /// Writes `"key":` for a key only known at run time, escaped like any string. Named
    /// apart from `key(_:)` so that literals keep the unescaped `StaticString` path.
    mutating func dynamicKey(_ key: String) {
        separate()
        writeQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func null() {
        separate()
        bytes.append(contentsOf: Self.nullBytes)
        needsComma = true
    }

    mutating func string(_ value: String) {
        separate()
        writeQuoted(value)
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
        needsComma = true
    }

    mutating func integer(_ value: some BinaryInteger) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
        needsComma = true
    }

    /// Writes an RFC 3339 UTC timestamp with milliseconds, quoted, without allocating.
    mutating func timestamp(_ value: Timestamp) {
        separate()
        let components = value.components
        let start = bytes.count
        bytes.append(contentsOf: Self.quotedTimestampTemplate)
        bytes.withUnsafeMutableBytes { raw in
            let slot = UnsafeMutableRawBufferPointer(rebasing: raw[(start + 1)..<(start + 1 + UTCComponents.rfc3339Length)])
            components.writeRFC3339(into: slot)
        }
        needsComma = true
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8)
    private static let quotedTimestampTemplate: [UInt8] =
        [UInt8(ascii: "\"")] + Array(repeating: 0, count: UTCComponents.rfc3339Length) + [UInt8(ascii: "\"")]

    private mutating func separate() {
        if needsComma {
            bytes.append(UInt8(ascii: ","))
        }
    }

    /// Quotes and escapes per RFC 8259: `"` `\` and control characters; all else is copied.
    private mutating func writeQuoted(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Scanning the contiguous UTF-8 first lets the common case be one bulk copy.
            var firstEscape = utf8.count
            for index in utf8.indices where Self.needsEscape(utf8[index]) {
                firstEscape = index
                break
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[..<firstEscape]))
            for byte in utf8[firstEscape...] {
                if Self.needsEscape(byte) {
                    writeEscape(byte)
                } else {
                    bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func writeEscape(_ byte: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
        case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
        case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
        case 0x08: bytes.append(UInt8(ascii: "b"))
        case 0x0C: bytes.append(UInt8(ascii: "f"))
        default:
            bytes.append(UInt8(ascii: "u"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "0"))
            bytes.append(Self.hexDigits[Int(byte >> 4)])
            bytes.append(Self.hexDigits[Int(byte & 0x0F)])
        }
    }
}
