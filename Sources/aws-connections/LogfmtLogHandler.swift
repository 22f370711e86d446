import AWSConnectionsCore
import Logging

/// A swift-log handler writing one logfmt line per event to stderr:
/// `ts=2026-11-29T06:16:12.123Z level=info msg=request method=GET path=/… status=200 …`.
///
/// Written here rather than using swift-log's `StreamLogHandler` because the request log
/// line is on every call's path: profiling showed `StreamLogHandler` (local-time formatting,
/// metadata prettifying, stdio locking) costing about a third of a get-by-id request. This
/// formats into one buffer and hands it to the kernel in a single `write`, so lines from
/// concurrent requests never interleave. Keys are sorted so lines diff and grep well.
struct LogfmtLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level

    init(level: Logger.Level) {
        self.logLevel = level
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var line: [UInt8] = []
        line.reserveCapacity(256)
        line += "ts=".utf8
        line += Timestamp.now().rfc3339.utf8
        line += " level=".utf8
        line += event.level.rawValue.utf8
        line += " msg=".utf8
        Self.appendValue(event.message.description, to: &line)
        var merged = metadata
        if let extra = event.metadata {
            merged.merge(extra) { _, new in new }
        }
        for key in merged.keys.sorted() {
            line.append(UInt8(ascii: " "))
            line += key.utf8
            line.append(UInt8(ascii: "="))
            Self.appendValue(merged[key]!.description, to: &line)
        }
        line.append(UInt8(ascii: "\n"))
        StandardError.write(line)
    }

    /// Longer values (in UTF-8 bytes) are cut, so a request line stays one atomic write even on a pipe (4 KiB).
    static let maximumValueLength = 1024

    /// Bare when the value is a plain token, else quoted with `"` `\` and control characters escaped.
    private static func appendValue(_ value: String, to line: inout [UInt8]) {
        let value =
            value.utf8.count > maximumValueLength
            ? String(decoding: value.utf8.prefix(maximumValueLength), as: UTF8.self) + "…" : value
        let needsQuotes =
            value.isEmpty
            || value.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "=") || $0 == 0x7F }
        guard needsQuotes else {
            line += value.utf8
            return
        }
        line.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): line += #"\""#.utf8
            case UInt8(ascii: "\\"): line += #"\\"#.utf8
            case UInt8(ascii: "\n"): line += #"\n"#.utf8
            case UInt8(ascii: "\r"): line += #"\r"#.utf8
            case UInt8(ascii: "\t"): line += #"\t"#.utf8
            case 0..<0x20, 0x7F: line += #"\u00"#.utf8 + hexDigits(byte)
            default: line.append(byte)
            }
        }
        line.append(UInt8(ascii: "\""))
    }

    private static func hexDigits(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }
}
