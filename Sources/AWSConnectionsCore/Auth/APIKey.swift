import Crypto

/// A secret API key, `pictai_` followed by random base62 characters.
///
/// Only ever held in memory: stores keep `hash`, logs keep the key's id.
public struct APIKey: Sendable {
    public static let prefix = "pictai_"
    /// Length of the random part of keys this server issues (about 238 bits).
    public static let generatedRandomLength = 40
    /// The shortest random part the contract allows.
    public static let minimumRandomLength = 32
    /// Longer keys are not keys; refusing them early bounds the work an attacker can cause.
    public static let maximumLength = 256

    /// The full secret, shown to its owner once.
    public let secret: String

    /// Accepts a string of the key's shape; says nothing about whether the key exists.
    public init?(_ candidate: some StringProtocol) {
        let utf8 = candidate.utf8
        guard utf8.count <= Self.maximumLength, candidate.hasPrefix(Self.prefix) else { return nil }
        let random = utf8.dropFirst(Self.prefix.utf8.count)
        guard random.count >= Self.minimumRandomLength, random.allSatisfy(RandomBase62.isMember) else { return nil }
        self.secret = String(candidate)
    }

    /// A new key from the system CSPRNG.
    public static func generate() -> APIKey {
        APIKey(String(decoding: Array(prefix.utf8) + RandomBase62.bytes(count: generatedRandomLength), as: UTF8.self))!
    }

    /// SHA-256 of the key: what stores keep and look keys up by.
    ///
    /// A fast unsalted hash is enough because the key carries about 238 random bits: there is no
    /// dictionary to attack, and the lookup must stay cheap on every request.
    public var hash: APIKeyHash {
        APIKeyHash(bytes: Array(SHA256.hash(data: Array(secret.utf8))))
    }
}

/// The SHA-256 digest of an API key (32 bytes).
public struct APIKeyHash: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }
}
