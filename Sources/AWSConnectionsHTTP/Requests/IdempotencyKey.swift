import AWSConnectionsAPI
import HTTPTypes
import Hummingbird

/// The `Idempotency-Key` request header of create (as in the IETF httpapi draft and Stripe).
enum IdempotencyKey {
    static let header = HTTPField.Name("Idempotency-Key")!
    /// Set on an answer that replays the first one.
    static let replayedHeader = HTTPField.Name("Idempotent-Replayed")!
    static let maximumLength = 255

    /// The key, or nil when the header is absent; 1–255 visible ASCII characters.
    static func parse(_ request: Request) throws -> String? {
        let values = request.headers[values: header]
        guard !values.isEmpty else { return nil }
        guard values.count == 1, let key = values.first, (1...maximumLength).contains(key.utf8.count),
            key.utf8.allSatisfy({ (0x21...0x7E).contains($0) })
        else {
            throw Problem(
                .invalidIdempotencyKey,
                detail: "Idempotency-Key must be one value of 1 to 255 visible ASCII characters, such as a UUID.")
        }
        return key
    }
}
