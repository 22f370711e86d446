/// A failure of the storage layer, already translated from the driver's own error so that
/// no driver detail ever reaches a client.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    private enum Kind: Sendable {
        case unavailable
        case failed
    }

    private let kind: Kind
    /// Operator-facing detail for the log line; never sent to clients.
    public let detail: String

    /// The database cannot be reached or is locked/busy/full right now; retrying later may work.
    public static func unavailable(_ detail: String) -> StoreError { .init(kind: .unavailable, detail: detail) }
    /// Anything else: a bug or a damaged database.
    public static func failed(_ detail: String) -> StoreError { .init(kind: .failed, detail: detail) }

    public var isUnavailable: Bool { kind == .unavailable }

    public var description: String {
        switch kind {
        case .unavailable: "store unavailable: \(detail)"
        case .failed: "store failed: \(detail)"
        }
    }
}
