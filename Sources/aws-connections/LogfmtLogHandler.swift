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
        var merged = metadata
        if let extra = event.metadata {
            merged.merge(extra) { _, new in new }
        }
        let fields = merged.keys.sorted().map { ($0, merged[$0]!.description) }
        StandardError.write(
            Self.line(timestamp: Timestamp.now().rfc3339, level: event.level, message: event.message.description, fields: fields))
    }

    /// The most bytes of one line, newline included. A `write` of at most `PIPE_BUF` bytes to a
    /// pipe is atomic (POSIX: 512 at least, 4,096 on Linux), so a longer line could be split by
    /// another process's or thread's line where stderr is a pipe to a log collector.
    static let maximumLineLength = 4096

    /// Ends every line that lost bytes, so a reader knows a value is incomplete (each cut
    /// value also ends in `…`).
    static let truncationMarker = Array(" truncated=true".utf8)

    /// The line for one event, at most `maximumLineLength` bytes of valid UTF-8 ending in its
    /// only newline.
    ///
    /// The limit applies to the line as written, after escaping: a value of quotes or control
    /// characters grows up to sixfold in escaping, so a cap counted before escaping does not
    /// bound the line. When the line would be too long, the longest values are cut to a common length
    /// (each at a character boundary, never inside an escape, ending in `…`) so that the short
    /// ones that matter (status, key id, client) all stay whole.
    static func line(timestamp: String, level: Logger.Level, message: String, fields: [(String, String)]) -> [UInt8] {
        let messageShape = ValueShape(message)
        let shapes = fields.map { ValueShape($0.1) }
        // Everything but the values: `ts=… level=… msg=` and ` key=` per field, and the newline.
        let fixed =
            "ts=".utf8.count + timestamp.utf8.count + " level=".utf8.count + level.rawValue.utf8.count
            + " msg=".utf8.count + fields.reduce(0) { $0 + 2 + $1.0.utf8.count } + 1
        let whole = fixed + messageShape.length + shapes.reduce(0) { $0 + $1.length }
        let cap: Int? =
            whole <= maximumLineLength
            ? nil
            : commonCap(
                of: [messageShape.length] + shapes.map(\.length), within: maximumLineLength - fixed - truncationMarker.count)

        var line: [UInt8] = []
        line.reserveCapacity(min(whole, maximumLineLength))
        line += "ts=".utf8
        line += timestamp.utf8
        line += " level=".utf8
        line += level.rawValue.utf8
        line += " msg=".utf8
        appendValue(message, shape: messageShape, cap: cap, to: &line)
        let limit = maximumLineLength - 1 - (cap == nil ? 0 : truncationMarker.count)
        for (index, (key, value)) in fields.enumerated() {
            let fieldStart = line.count
            line.append(UInt8(ascii: " "))
            appendKey(key, to: &line)
            line.append(UInt8(ascii: "="))
            appendValue(value, shape: shapes[index], cap: cap, to: &line)
            // Only when there are so many fields that even their shortest cut forms cannot
            // fit: the fields that do not fit are left out whole.
            if line.count > limit {
                line.removeSubrange(fieldStart...)
                break
            }
        }
        // The message is cut to the common length too, and `ts=… level=… msg=` is short.
        assert(line.count <= limit)
        if cap != nil {
            line += truncationMarker
        }
        line.append(UInt8(ascii: "\n"))
        return line
    }

    /// The shortest cut value: `"…"`.
    private static let minimumCap = 5

    /// The largest length such that every value cut to it fits in `room` bytes together
    /// (values already shorter stay whole), and never below `minimumCap`.
    private static func commonCap(of lengths: [Int], within room: Int) -> Int {
        var remaining = room
        var count = lengths.count
        for length in lengths.sorted() {
            if length * count > remaining { break }
            remaining -= length
            count -= 1
        }
        return count == 0 ? Int.max : max(minimumCap, remaining / count)
    }

    /// How a value is written: bare when it is a plain token, else quoted with `"` `\` and
    /// control characters escaped; `length` is its written bytes, quotes included.
    private struct ValueShape {
        let quoted: Bool
        let length: Int

        init(_ value: String) {
            var quoted = value.isEmpty
            var escaped = 0
            for byte in value.utf8 {
                escaped += LogfmtLogHandler.escapedLength(byte)
                if byte <= 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "=") || byte == 0x7F {
                    quoted = true
                }
            }
            self.quoted = quoted
            self.length = quoted ? escaped + 2 : value.utf8.count
        }
    }

    private static func escapedLength(_ byte: UInt8) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): 2
        case 0..<0x20, 0x7F: 6
        default: 1
        }
    }

    private static let ellipsis = Array("…".utf8)

    /// Writes `value` as `shape` says, cut to at most `cap` bytes when it is longer.
    private static func appendValue(_ value: String, shape: ValueShape, cap: Int?, to line: inout [UInt8]) {
        let quote = UInt8(ascii: "\"")
        if shape.quoted { line.append(quote) }
        guard let cap, shape.length > cap else {
            for byte in value.utf8 { append(byte, quoted: shape.quoted, to: &line) }
            if shape.quoted { line.append(quote) }
            return
        }
        // Room for the cut text, leaving space for `…` and the closing quote.
        let stop = line.count - (shape.quoted ? 1 : 0) + cap - ellipsis.count - (shape.quoted ? 1 : 0)
        var cut = line.count
        for byte in value.utf8 {
            // A cut just before a byte that starts a character (not a UTF-8 continuation byte)
            // keeps the text valid, and each byte's escape is written whole after it.
            if byte & 0xC0 != 0x80 {
                if line.count > stop { break }
                cut = line.count
            }
            append(byte, quoted: shape.quoted, to: &line)
        }
        line.removeSubrange(cut...)
        line += ellipsis
        if shape.quoted { line.append(quote) }
    }

    /// Keys come from code, but from libraries' code too: a byte that would end the key or
    /// the line becomes `_`, one byte for one so the line's length is known in advance.
    private static func appendKey(_ key: String, to line: inout [UInt8]) {
        for byte in key.utf8 {
            let plain = byte > 0x20 && byte != UInt8(ascii: "=") && byte != UInt8(ascii: "\"") && byte != 0x7F
            line.append(plain ? byte : UInt8(ascii: "_"))
        }
    }

    private static func append(_ byte: UInt8, quoted: Bool, to line: inout [UInt8]) {
        guard quoted else {
            line.append(byte)
            return
        }
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

    private static func hexDigits(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789abcdef".utf8)
        return [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
    }
}
