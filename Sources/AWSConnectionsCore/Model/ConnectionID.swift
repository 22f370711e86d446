/// A connection id: the UTC creation time as 17 digits (`yyyyMMddHHmmssSSS`) followed by
/// 15 characters from `[a-z0-9]` drawn from the system CSPRNG, 32 characters in all.
public struct ConnectionID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    static let timestampLength = 17
    static let randomLength = 15
    static let length = timestampLength + randomLength
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// Accepts only strings of the exact shape; anything else can never name a connection.
    public init?(_ rawValue: String) {
        let utf8 = rawValue.utf8
        guard utf8.count == Self.length else { return nil }
        for (offset, byte) in utf8.enumerated() {
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            let isLower = byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")
            guard offset < Self.timestampLength ? isDigit : (isDigit || isLower) else { return nil }
        }
        self.rawValue = rawValue
    }

    /// A fresh id for a connection created at `time`.
    ///
    /// `SystemRandomNumberGenerator` reads the kernel CSPRNG (getrandom on Linux).
    public static func generate(at time: Timestamp) -> ConnectionID {
        var generator = SystemRandomNumberGenerator()
        var suffix: [UInt8] = []
        suffix.reserveCapacity(randomLength)
        for _ in 0..<randomLength {
            suffix.append(alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))])
        }
        return ConnectionID(uncheckedRawValue: time.compactDigits + String(decoding: suffix, as: UTF8.self))
    }

    /// For values read back from a store, which only ever holds ids this type produced.
    public init(uncheckedRawValue: String) {
        self.rawValue = uncheckedRawValue
    }

    public var description: String { rawValue }
}
