/// A UTC instant with millisecond precision, the only precision the API exposes.
///
/// Kept as an integer so that stores persist it losslessly and comparisons are exact;
/// formatting is hand-written because it runs for every connection in every response and
/// Foundation's ISO 8601 formatters cost several microseconds per call.
public struct Timestamp: Sendable, Hashable, Comparable {
    /// Milliseconds since 1970-01-01T00:00:00Z.
    public var millisecondsSinceEpoch: Int64

    public init(millisecondsSinceEpoch: Int64) {
        self.millisecondsSinceEpoch = millisecondsSinceEpoch
    }

    /// The current wall-clock time, truncated to milliseconds.
    public static func now() -> Timestamp {
        Timestamp(millisecondsSinceEpoch: WallClock.millisecondsSinceEpoch())
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
    }

    /// This instant moved back by `duration`, to the millisecond: where retentions end.
    public func subtracting(_ duration: Duration) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch - duration.wholeMilliseconds)
    }

    /// This instant moved on by `duration`, to the millisecond: where expiries fall.
    public func adding(_ duration: Duration) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch + duration.wholeMilliseconds)
    }

    /// The calendar fields of this instant in UTC.
    public var components: UTCComponents { UTCComponents(self) }

    /// RFC 3339 with milliseconds, `2025-12-17T08:06:56.862Z`.
    public var rfc3339: String {
        String(unsafeUninitializedCapacity: UTCComponents.rfc3339Length) { buffer in
            components.writeRFC3339(into: UnsafeMutableRawBufferPointer(buffer))
            return UTCComponents.rfc3339Length
        }
    }

    /// The 17-digit `yyyyMMddHHmmssSSS` form that starts every connection id.
    public var compactDigits: String {
        let c = components
        var bytes: [UInt8] = []
        bytes.reserveCapacity(17)
        appendDigits(c.year, width: 4, to: &bytes)
        appendDigits(c.month, width: 2, to: &bytes)
        appendDigits(c.day, width: 2, to: &bytes)
        appendDigits(c.hour, width: 2, to: &bytes)
        appendDigits(c.minute, width: 2, to: &bytes)
        appendDigits(c.second, width: 2, to: &bytes)
        appendDigits(c.millisecond, width: 3, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Year, month, day, hour, minute, second and millisecond of a `Timestamp` in UTC.
public struct UTCComponents: Sendable, Equatable {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    public var millisecond: Int

    init(_ timestamp: Timestamp) {
        let ms = timestamp.millisecondsSinceEpoch
        let (days, msOfDay) = floorDivision(ms, 86_400_000)
        // Days to civil date: Howard Hinnant's algorithm, valid for the proleptic Gregorian calendar.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        self.year = Int(year)
        self.month = Int(month)
        self.day = Int(day)
        self.hour = Int(msOfDay / 3_600_000)
        self.minute = Int(msOfDay / 60_000 % 60)
        self.second = Int(msOfDay / 1000 % 60)
        self.millisecond = Int(msOfDay % 1000)
    }

    /// The length of `yyyy-MM-ddTHH:mm:ss.SSSZ`.
    public static let rfc3339Length = 24

    /// Writes `yyyy-MM-ddTHH:mm:ss.SSSZ` as ASCII into the first 24 bytes of `raw`.
    ///
    /// Raw-buffer based so that response encoding can format straight into its output.
    public func writeRFC3339(into raw: UnsafeMutableRawBufferPointer) {
        precondition(raw.count >= Self.rfc3339Length)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var rest = value
            for position in stride(from: offset + width - 1, through: offset, by: -1) {
                raw[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
        }
        put(year, 4, at: 0)
        raw[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        raw[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        raw[10] = UInt8(ascii: "T")
        put(hour, 2, at: 11)
        raw[13] = UInt8(ascii: ":")
        put(minute, 2, at: 14)
        raw[16] = UInt8(ascii: ":")
        put(second, 2, at: 17)
        raw[19] = UInt8(ascii: ".")
        put(millisecond, 3, at: 20)
        raw[23] = UInt8(ascii: "Z")
    }
}

private func floorDivision(_ a: Int64, _ b: Int64) -> (quotient: Int64, remainder: Int64) {
    var q = a / b
    var r = a % b
    if r < 0 {
        q -= 1
        r += b
    }
    return (q, r)
}

private func appendDigits(_ value: Int, width: Int, to bytes: inout [UInt8]) {
    var divisor = 1
    for _ in 1..<width { divisor *= 10 }
    var rest = value
    while divisor > 0 {
        bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: (rest / divisor) % 10))
        rest %= divisor
        divisor /= 10
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded toward zero.
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
