/// The public name of an API key: safe to log, list and show; unrelated to the secret.
public struct KeyID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// `key_` and 16 random `[a-z0-9]` characters.
    public static func generate() -> KeyID {
        var generator = SystemRandomNumberGenerator()
        var bytes = Array("key_".utf8)
        for _ in 0..<16 {
            bytes.append(alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))])
        }
        return KeyID(String(decoding: bytes, as: UTF8.self))
    }

    public var description: String { rawValue }
}
