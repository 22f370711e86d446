/// Persistence of connections. One implementation per database; the HTTP layer and the
/// domain rules see only this protocol.
///
/// Every operation that decides something (ownership, version) decides it inside the
/// database in one atomic step, so replicas and concurrent requests cannot race.
public protocol ConnectionStore: Sendable {
    /// The schema steps applied to the database, read from it now: the readiness probe's
    /// trivial query, which fails when the database cannot answer.
    func appliedSchemaSteps() async throws -> [String]

    /// The schema steps this version needs; `appliedSchemaSteps` must hold them all.
    var knownSchemaSteps: [String] { get }

    /// Inserts a new connection built by the caller (id, dates and version 1 included) and
    /// its `created` history record, unless `account` already holds `quota` connections.
    ///
    /// With `idempotency`, the key is recorded in the same transaction, unless it is already
    /// recorded (within its retention): then nothing is created and the outcome says whether
    /// the recorded request was the same. A replay is never refused by the quota.
    func create(_ connection: Connection, by key: KeyID, quota: Int, idempotency: IdempotentCreate?) async throws
        -> CreateOutcome

    /// Connections of `account` that pass `query`'s filters, oldest first (creation time,
    /// then id), starting after `query.after`, at most `query.limit` of them.
    func list(account: AccountID, query: ConnectionListQuery) async throws -> [Connection]

    /// The connection with `id`, whoever owns it; the caller checks ownership.
    func get(id: ConnectionID) async throws -> Connection?

    /// Applies `changes` if the connection exists, belongs to `account` and is still at
    /// `changes.expectedVersion`, as a single compare-and-write, and records it in the
    /// connection's history in the same transaction.
    func update(id: ConnectionID, account: AccountID, changes: ConnectionChanges, by key: KeyID, at now: Timestamp)
        async throws -> UpdateOutcome

    /// Deletes the connection if it exists, belongs to `account` and, when `expectedVersion`
    /// is given, is still at that version, as a single compare-and-delete, and records the
    /// delete in the connection's history in the same transaction.
    func delete(id: ConnectionID, account: AccountID, expectedVersion: Int64?, by key: KeyID, at now: Timestamp)
        async throws -> DeleteOutcome

    /// One page of the connection `id`'s history, whoever owns it and whether or not it
    /// still exists: at most `limit` records with a version after `after` (from the first
    /// when nil), oldest first, with the record whose version is `after` and the newest
    /// record, read in one statement. Empty when there are none.
    func history(id: ConnectionID, after: Int64?, limit: Int) async throws -> HistoryPage

    /// Keeps `verification` as its connection's last one, unless the connection is gone or its
    /// `roleArn` is no longer `verification.roleARN` (a result for a role the connection no
    /// longer names must not reappear). Returns whether it was kept. Changes no version and
    /// no history.
    func saveVerification(_ verification: Verification) async throws -> Bool

    /// The last verification kept for the connection `id`; nil when there is none. An update
    /// that changes `roleArn`, and a delete, forget it in their own transaction.
    func verification(id: ConnectionID) async throws -> Verification?

    /// Forgets what is past its retention: the history of connections deleted before
    /// `deletedBefore`, and Idempotency-Keys recorded before `idempotencyKeysBefore`.
    func purge(deletedBefore: Timestamp, idempotencyKeysBefore: Timestamp) async throws

    /// Removes history of connections that still exist beyond `cap`: a record goes only when
    /// it is older than the connection's newest `cap.keepVersions` versions and was written
    /// before `keptSince`. Returns how many records went.
    func trimHistory(_ cap: HistoryCap, keptSince: Timestamp) async throws -> Int
}

/// How much history a live connection keeps: its newest `keepVersions` versions, and every
/// version younger than `keepFor`, whichever keeps more.
public struct HistoryCap: Sendable, Equatable {
    public var keepVersions: Int
    public var keepFor: Duration

    public init(keepVersions: Int, keepFor: Duration) {
        self.keepVersions = keepVersions
        self.keepFor = keepFor
    }

    public static let defaultKeepVersions = 100
    public static let defaultKeepFor: Duration = .seconds(30 * 24 * 60 * 60)
}

/// Which connections a list call wants: a keyset page and exact-match filters.
public struct ConnectionListQuery: Sendable, Equatable {
    /// At most this many; nil for all.
    public var limit: Int?
    /// Only connections strictly after this position in the list's order.
    public var after: ListPosition?
    public var enabled: Bool?
    public var name: String?

    public init(limit: Int? = nil, after: ListPosition? = nil, enabled: Bool? = nil, name: String? = nil) {
        self.limit = limit
        self.after = after
        self.enabled = enabled
        self.name = name
    }

    /// Every connection.
    public static let all = ConnectionListQuery()
}

/// A page of the list that the store wrote as the API's JSON itself (`ConnectionJSONPages`).
public struct ConnectionJSONPage: Sendable {
    /// The page's connections as the API's JSON objects, comma-separated, in list order.
    public var items: [UInt8]
    /// Whether more connections that pass the filters follow the page.
    public var hasMore: Bool
    /// The position of the page's last connection when more follow (where the next page
    /// starts); nil otherwise.
    public var last: ListPosition?

    public init(items: [UInt8], hasMore: Bool, last: ListPosition?) {
        self.items = items
        self.hasMore = hasMore
        self.last = last
    }
}

/// A store that can write a page of the list as the API's JSON in the database, which for a
/// client-server database saves the server decoding every row and encoding it again. The
/// JSON must be byte for byte what the HTTP layer writes for the same connections.
public protocol ConnectionJSONPages: ConnectionStore {
    /// The connections `list` would give for `query` with at most `limit` of them, as JSON,
    /// and whether more follow.
    func jsonPage(account: AccountID, query: ConnectionListQuery, limit: Int) async throws -> ConnectionJSONPage
}

/// A place in the list's order (creation time, then id). Positions, unlike offsets, stay
/// valid while connections are created or deleted, so no page skips or repeats a survivor.
public struct ListPosition: Sendable, Equatable {
    public var createdDate: Timestamp
    public var id: ConnectionID

    public init(createdDate: Timestamp, id: ConnectionID) {
        self.createdDate = createdDate
        self.id = id
    }

    public init(after connection: Connection) {
        self.init(createdDate: connection.createdDate, id: connection.id)
    }
}

extension ConnectionStore {
    /// All connections of `account`, oldest first.
    public func list(account: AccountID) async throws -> [Connection] {
        try await list(account: account, query: .all)
    }

    /// Every history record of the connection `id`, oldest first. Unbounded: for tools and
    /// tests, never for a request.
    public func history(id: ConnectionID) async throws -> [HistoryRecord] {
        try await history(id: id, after: nil, limit: Int.max).records
    }

    /// Deletes whatever the version.
    public func delete(id: ConnectionID, account: AccountID, by key: KeyID) async throws -> DeleteOutcome {
        try await delete(id: id, account: account, expectedVersion: nil, by: key, at: .now())
    }
}

/// A page of one connection's history: a keyset page on the version, which is unique per
/// connection and only grows, so pages neither skip nor repeat while changes are appended.
public struct HistoryPage: Sendable, Equatable {
    /// The record the page follows (the version it was asked to start after), so the first
    /// entry of a later page shows the same changes it shows on one long page; nil on the
    /// first page.
    public var previous: HistoryRecord?
    /// The page, oldest first.
    public var records: [HistoryRecord]
    /// The connection's newest record, wherever it falls: whether the history is still shown
    /// (a delete past its retention) and whose it is do not depend on the page asked for.
    public var latest: HistoryRecord?

    public init(previous: HistoryRecord? = nil, records: [HistoryRecord] = [], latest: HistoryRecord? = nil) {
        self.previous = previous
        self.records = records
        self.latest = latest
    }

    /// The page's entries, the first compared with `previous`.
    public var entries: [HistoryEntry] {
        guard let previous else { return HistoryEntry.entries(from: records) }
        return Array(HistoryEntry.entries(from: [previous] + records).dropFirst())
    }
}

/// What a create did.
public enum CreateOutcome: Sendable, Equatable {
    /// The connection was created (and its Idempotency-Key, if any, recorded).
    case created(Connection)
    /// The key was used before with the same request: nothing was created.
    case replayed(connectionID: ConnectionID, response: [UInt8])
    /// The key was used before with a different request: nothing was created.
    case keyReused
    /// The account already holds `limit` connections: nothing was created.
    case quotaExceeded(limit: Int)
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
