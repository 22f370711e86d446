import AWSConnectionsCore

/// Reads the expiration times that STS, container endpoints and instance metadata send.
///
/// Hand-written because Foundation's ISO 8601 parser needs one formatter per fraction style
/// (AWS sends `2026-12-03T10:00:00Z`, some stand-ins add `.123456Z` or `+00:00`), and this
/// small grammar is easier to test whole than a formatter's options.
enum AWSISO8601 {
    /// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`, the fraction truncated to milliseconds;
    /// `t`, `z` and a space for `T` are accepted as RFC 3339 allows. Nil for anything else,
    /// including dates that do not exist.
    static func parse(_ text: String) -> Timestamp? {
        let bytes = Array(text.strippingASCIIWhitespace.utf8)
        var index = 0

        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func expect(_ allowed: UInt8...) -> Bool {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return false }
            index += 1
            return true
        }

        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
            let day = digits(2), expect(UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")),
            let hour = digits(2), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")),
            let second = digits(2)
        else { return nil }

        var millisecond = 0
        if expect(UInt8(ascii: ".")) {
            var count = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if count < 3 { millisecond = millisecond * 10 + Int(bytes[index] - UInt8(ascii: "0")) }
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 3) { millisecond *= 10 }
        }

        var offsetMinutes = 0
        if expect(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
            offsetMinutes = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = digits(2) else { return nil }
            _ = expect(UInt8(ascii: ":"))
            guard let offsetMinutesPart = digits(2), offsetHours < 24, offsetMinutesPart < 60 else { return nil }
            offsetMinutes = sign * (offsetHours * 60 + offsetMinutesPart)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }

        guard (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60, second <= 60
        else { return nil }

        let days = Int64(daysFromCivil(year: year, month: month, day: day))
        let secondsOfDay = Int64(hour * 3600 + minute * 60 + second - offsetMinutes * 60)
        return Timestamp(millisecondsSinceEpoch: (days * 86_400 + secondsOfDay) * 1000 + Int64(millisecond))
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (Howard Hinnant's algorithm,
    /// the inverse of the one `Timestamp` formats with).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
