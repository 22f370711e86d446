import AWSConnectionsCore
import NIOCore

/// Writes JSON text straight into a `ByteBuffer`.
///
/// Hand-written because responses are a handful of fixed shapes and encoding them is the
/// hot path of every call: Foundation's `JSONEncoder` spends most of a 1,000-item list
/// response in reflection and intermediate containers, this writes each byte once.
struct JSONWriter {
    var buffer: ByteBuffer
    private var needsComma = false

    init(capacity: Int) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    mutating func beginObject() {
        separate()
        buffer.writeInteger(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        buffer.writeInteger(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        separate()
        buffer.writeInteger(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        buffer.writeInteger(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":`; the value must follow.
    mutating func key(_ key: StaticString) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(key)
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeInteger(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ value: String) {
        separate()
        writeQuoted(value)
        needsComma = true
    }

    mutating func bool(_ value: Bool) {
        separate()
        buffer.writeStaticString(value ? "true" : "false")
        needsComma = true
    }

    mutating func integer(_ value: some BinaryInteger) {
        separate()
        buffer.writeString(String(value))
        needsComma = true
    }

    /// Writes an RFC 3339 UTC timestamp with milliseconds, quoted, without allocating.
    mutating func timestamp(_ value: Timestamp) {
        separate()
        let components = value.components
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: UTCComponents.rfc3339Length + 2) { raw in
            raw[0] = UInt8(ascii: "\"")
            components.writeRFC3339(into: UnsafeMutableRawBufferPointer(rebasing: raw[1...]))
            raw[UTCComponents.rfc3339Length + 1] = UInt8(ascii: "\"")
            return UTCComponents.rfc3339Length + 2
        }
        needsComma = true
    }

    private mutating func separate() {
        if needsComma {
            buffer.writeInteger(UInt8(ascii: ","))
        }
    }

    /// Quotes and escapes per RFC 8259: `"` `\` and control characters; all else is copied.
    private mutating func writeQuoted(_ value: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var start = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<index]))
                writeEscape(byte)
                start = index + 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<bytes.count]))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private mutating func writeEscape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        default:
            let hex = Array("0123456789abcdef".utf8)
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(hex[Int(byte >> 4)])
            buffer.writeInteger(hex[Int(byte & 0x0F)])
        }
    }
}
