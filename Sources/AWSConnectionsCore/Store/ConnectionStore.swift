/// Persistence of connections. One implementation per database; the HTTP layer and the
/// domain rules see only this protocol.
///
/// Every operation that decides something (ownership, version) decides it inside the
/// database in one atomic step, so replicas and concurrent requests cannot race.
public protocol ConnectionStore: Sendable {
    /// Inserts a new connection built by the caller (id, dates and version 1 included).
    func create(_ connection: Connection) async throws -> Connection

    /// All connections of `account`, oldest first (creation time, then id).
    func list(account: AccountID) async throws -> [Connection]

    /// The connection with `id`, whoever owns it; the caller checks ownership.
    func get(id: ConnectionID) async throws -> Connection?

    /// Applies `changes` if the connection exists, belongs to `account` and is still at
    /// `changes.expectedVersion`, as a single compare-and-write.
    func update(id: ConnectionID, account: AccountID, changes: ConnectionChanges, at now: Timestamp) async throws
        -> UpdateOutcome

    /// Deletes the connection if it exists, belongs to `account` and, when `expectedVersion`
    /// is given, is still at that version, as a single compare-and-delete.
    func delete(id: ConnectionID, account: AccountID, expectedVersion: Int64?) async throws -> DeleteOutcome
}

extension ConnectionStore {
    /// Deletes whatever the version.
    public func delete(id: ConnectionID, account: AccountID) async throws -> DeleteOutcome {
        try await delete(id: id, account: account, expectedVersion: nil)
    }
}

/// What an update did.
public enum UpdateOutcome: Sendable, Equatable {
    case updated(Connection)
    case notFound
    case forbidden
    /// Nothing changed; the stored version is `currentVersion`.
    case versionConflict(currentVersion: Int64)
}

/// What a delete did.
public enum DeleteOutcome: Sendable, Equatable {
    case deleted
    case notFound
    case forbidden
    /// Nothing was deleted; the stored version is `currentVersion`.
    case versionConflict(currentVersion: Int64)
}
