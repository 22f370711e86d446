/// Why a compare-and-write on a connection (an update, a delete) touched no row.
///
/// The write checks id, owner and version in one statement, so its empty result cannot say
/// which check failed. Each store then reads the connection's owner and version (in the
/// same transaction, or on the same connection) and lets this type decide, so that both
/// stores and both operations answer a miss the same way.
public enum WriteMiss: Sendable, Equatable {
    /// No connection has the id.
    case notFound
    /// The connection belongs to another account; its version is not revealed.
    case forbidden
    /// The connection is the caller's but is no longer at the expected version.
    case versionConflict(currentVersion: Int64)

    /// The reason for a miss by `account`, from the connection's owner and version as stored
    /// after the write (nil when no connection has the id).
    public init(stored: (owner: AccountID, version: Int64)?, account: AccountID) {
        guard let stored else {
            self = .notFound
            return
        }
        self = stored.owner == account ? .versionConflict(currentVersion: stored.version) : .forbidden
    }
}

extension UpdateOutcome {
    /// The outcome of an update that wrote nothing, for the reason `miss`.
    public init(_ miss: WriteMiss) {
        switch miss {
        case .notFound: self = .notFound
        case .forbidden: self = .forbidden
        case .versionConflict(let version): self = .versionConflict(currentVersion: version)
        }
    }
}

extension DeleteOutcome {
    /// The outcome of a delete that deleted nothing, for the reason `miss`.
    public init(_ miss: WriteMiss) {
        switch miss {
        case .notFound: self = .notFound
        case .forbidden: self = .forbidden
        case .versionConflict(let version): self = .versionConflict(currentVersion: version)
        }
    }
}
