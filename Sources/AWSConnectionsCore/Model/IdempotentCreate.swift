import Crypto

/// A create sent with an `Idempotency-Key`: what makes a retry recognisable, and the exact
/// answer to give it.
public struct IdempotentCreate: Sendable, Equatable {
    /// How long a key is remembered.
    public static let retention: Duration = .seconds(24 * 60 * 60)

    /// The client's key, unique per account.
    public var key: String
    /// SHA-256 of the validated request; a retry must match it.
    public var fingerprint: [UInt8]
    /// The body of the first answer, replayed byte for byte.
    public var response: [UInt8]
    public var now: Timestamp

    public init(key: String, fingerprint: [UInt8], response: [UInt8], now: Timestamp) {
        self.key = key
        self.fingerprint = fingerprint
        self.response = response
        self.now = now
    }

    /// Keys recorded before this are forgotten.
    public var expiryCutoff: Timestamp { Self.expiryCutoff(now: now) }

    /// Keys recorded before this are forgotten at `now`.
    public static func expiryCutoff(now: Timestamp) -> Timestamp {
        now.subtracting(retention)
    }
}

extension ConnectionFields {
    /// SHA-256 over the validated fields, so a retry whose JSON differs only in spacing,
    /// member order or defaults spelled out still counts as the same request. NUL cannot
    /// occur in any field (validation refuses it), so it separates them unambiguously. The
    /// external id is left out: the server draws a new one for every request, retries included.
    public var fingerprint: [UInt8] {
        let text = named.filter { $0.name != "externalId" }.map { field in
            switch field.value {
            case .string(let text): text
            case .bool(let flag): flag ? "true" : "false"
            }
        }.joined(separator: "\u{0}")
        return Array(SHA256.hash(data: Array(text.utf8)))
    }
}
