import AWSConnectionsCore
import Foundation
import Testing

@Suite("Timestamp")
struct TimestampTests {
    @Test("formats RFC 3339 UTC with milliseconds and the 17-digit id prefix", arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z", "19700101000000000"),
        (Int64(1_765_958_816_862), "2025-12-17T08:06:56.862Z", "20251217080656862"),
        (Int64(1_709_164_800_001), "2024-02-29T00:00:00.001Z", "20240229000000001"),
        (Int64(253_402_300_799_999), "9999-12-31T23:59:59.999Z", "99991231235959999"),
        (Int64(-1), "1969-12-31T23:59:59.999Z", "19691231235959999"),
    ])
    func formatting(milliseconds: Int64, rfc3339: String, compact: String) {
        let timestamp = Timestamp(millisecondsSinceEpoch: milliseconds)
        #expect(timestamp.rfc3339 == rfc3339)
        #expect(timestamp.compactDigits == compact)
    }

    @Test("agrees with Foundation's ISO 8601 formatter on 10,000 random instants")
    func matchesFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let milliseconds = Int64.random(in: 0...4_102_444_800_000, using: &generator)
            let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
            let expected = formatter.string(from: date)
            let ours = Timestamp(millisecondsSinceEpoch: milliseconds).rfc3339
            // Foundation rounds the fraction through Double; compare to the second and check the digits separately.
            #expect(ours.prefix(19) == expected.prefix(19))
            #expect(ours.dropFirst(20).prefix(3) == String(format: "%03d", Int(milliseconds % 1000)))
        }
    }

    @Test("now() is close to Foundation's clock")
    func nowIsWallClock() {
        let ours = Timestamp.now().millisecondsSinceEpoch
        let foundation = Int64(Date().timeIntervalSince1970 * 1000)
        #expect(abs(ours - foundation) < 1000)
    }
}
