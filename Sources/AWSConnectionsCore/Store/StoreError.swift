/// A failure of the storage layer, already translated from the driver's own error so that
/// no driver detail ever reaches a client.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case unavailable
        case outcomeUnknown
        case failed
    }

    private let kind: Kind
    /// Operator-facing detail for the log line; never sent to clients.
    public let detail: String

    /// The database cannot be reached or is locked/busy/full right now; retrying later may work.
    public static func unavailable(_ detail: String) -> StoreError { .init(kind: .unavailable, detail: detail) }
    /// A write was sent and no answer came in time: it may have been applied or not. Retrying
    /// is safe only when the retry cannot apply twice (an `Idempotency-Key`, an `If-Match`).
    public static func outcomeUnknown(_ detail: String) -> StoreError { .init(kind: .outcomeUnknown, detail: detail) }
    /// Anything else: a bug or a damaged database.
    public static func failed(_ detail: String) -> StoreError { .init(kind: .failed, detail: detail) }

    /// Whether the client gets a 503 (retry later) rather than a 500.
    public var isUnavailable: Bool { kind != .failed }
    public var isOutcomeUnknown: Bool { kind == .outcomeUnknown }

    public var description: String {
        switch kind {
        case .unavailable: "store unavailable: \(detail)"
        case .outcomeUnknown: "store outcome unknown: \(detail)"
        case .failed: "store failed: \(detail)"
        }
    }
}
