import AWSConnectionsCore
import CoreMetrics

/// The store calls that are measured; the raw value is the `operation` label.
enum StoreOperation: String, CaseIterable, Sendable {
    case create
    case delete
    case get
    case history
    case keyLookup = "key_lookup"
    case keyUse = "key_use"
    case list
    case listPage = "list_page"
    case purge
    case saveVerification = "save_verification"
    case schemaSteps = "schema_steps"
    case trimHistory = "trim_history"
    case update
    case verification
}

/// Times every store call and counts its errors, by operation: `store_call_duration_seconds`
/// and `store_call_errors_total{operation, error}` (`unavailable`, `outcome_unknown`, `failed`).
///
/// A decorator, so neither store knows about metrics. Outcomes that are answers (not found, a
/// version conflict, a quota) are not errors here: the request metrics count them by status.
struct StoreCallMetrics: Sendable {
    /// Made for every operation up front, so a call looks its timer up without a lock.
    let durations: [StoreOperation: Timer]
    let errors: MetricCache<ErrorKey, Counter>

    struct ErrorKey: Hashable, Sendable {
        var operation: StoreOperation
        var error: String
    }

    init(factory: any MetricsFactory) {
        durations = Dictionary(
            uniqueKeysWithValues: StoreOperation.allCases.map { operation in
                (
                    operation,
                    Timer(
                        label: "store_call_duration_seconds", dimensions: [("operation", operation.rawValue)],
                        factory: factory)
                )
            })
        errors = MetricCache { key in
            Counter(
                label: "store_call_errors_total",
                dimensions: [("operation", key.operation.rawValue), ("error", key.error)], factory: factory)
        }
    }

    func measure<T>(_ operation: StoreOperation, _ call: () async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer {
            durations[operation]?.record(ContinuousClock.now - start)
        }
        do {
            return try await call()
        } catch {
            errors[ErrorKey(operation: operation, error: Self.kind(of: error))].increment()
            throw error
        }
    }

    private static func kind(of error: any Error) -> String {
        guard let storeError = error as? StoreError else { return "other" }
        return storeError.isOutcomeUnknown ? "outcome_unknown" : storeError.isUnavailable ? "unavailable" : "failed"
    }
}

/// A `ConnectionStore` whose calls are measured. Not final, so that a store that writes list
/// pages itself stays one (`MeteredJSONPagesStore`); every stored property is an immutable
/// `Sendable` value, hence the unchecked conformance a non-final class needs.
class MeteredConnectionStore: ConnectionStore, @unchecked Sendable {
    let inner: any ConnectionStore
    let calls: StoreCallMetrics

    init(_ inner: any ConnectionStore, calls: StoreCallMetrics) {
        self.inner = inner
        self.calls = calls
    }

    /// `store` measured when metrics are on, keeping its `ConnectionJSONPages` ability; `store`
    /// itself when they are off.
    static func wrapping(_ store: any ConnectionStore, metrics: ServerMetrics) -> any ConnectionStore {
        guard metrics.isOn else { return store }
        let calls = StoreCallMetrics(factory: metrics.factory)
        if let pages = store as? any ConnectionJSONPages { return MeteredJSONPagesStore(pages, calls: calls) }
        return MeteredConnectionStore(store, calls: calls)
    }

    var knownSchemaSteps: [String] { inner.knownSchemaSteps }

    func appliedSchemaSteps() async throws -> [String] {
        try await calls.measure(.schemaSteps) { try await inner.appliedSchemaSteps() }
    }

    func create(_ connection: Connection, by key: KeyID, quota: Int, idempotency: IdempotentCreate?) async throws
        -> CreateOutcome
    {
        try await calls.measure(.create) {
            try await inner.create(connection, by: key, quota: quota, idempotency: idempotency)
        }
    }

    func list(account: AccountID, query: ConnectionListQuery) async throws -> [Connection] {
        try await calls.measure(.list) { try await inner.list(account: account, query: query) }
    }

    func get(id: ConnectionID) async throws -> Connection? {
        try await calls.measure(.get) { try await inner.get(id: id) }
    }

    func update(id: ConnectionID, account: AccountID, changes: ConnectionChanges, by key: KeyID, at now: Timestamp)
        async throws -> UpdateOutcome
    {
        try await calls.measure(.update) {
            try await inner.update(id: id, account: account, changes: changes, by: key, at: now)
        }
    }

    func delete(id: ConnectionID, account: AccountID, expectedVersion: Int64?, by key: KeyID, at now: Timestamp)
        async throws -> DeleteOutcome
    {
        try await calls.measure(.delete) {
            try await inner.delete(id: id, account: account, expectedVersion: expectedVersion, by: key, at: now)
        }
    }

    func history(id: ConnectionID, after: Int64?, limit: Int) async throws -> HistoryPage {
        try await calls.measure(.history) { try await inner.history(id: id, after: after, limit: limit) }
    }

    func saveVerification(_ verification: Verification) async throws -> Bool {
        try await calls.measure(.saveVerification) { try await inner.saveVerification(verification) }
    }

    func verification(id: ConnectionID) async throws -> Verification? {
        try await calls.measure(.verification) { try await inner.verification(id: id) }
    }

    func trimHistory(_ cap: HistoryCap, keptSince: Timestamp) async throws -> Int {
        try await calls.measure(.trimHistory) { try await inner.trimHistory(cap, keptSince: keptSince) }
    }

    func purge(deletedBefore: Timestamp, idempotencyKeysBefore: Timestamp) async throws {
        try await calls.measure(.purge) {
            try await inner.purge(deletedBefore: deletedBefore, idempotencyKeysBefore: idempotencyKeysBefore)
        }
    }
}

/// `MeteredConnectionStore` over a store that writes list pages itself.
final class MeteredJSONPagesStore: MeteredConnectionStore, ConnectionJSONPages, @unchecked Sendable {
    let pages: any ConnectionJSONPages

    init(_ pages: any ConnectionJSONPages, calls: StoreCallMetrics) {
        self.pages = pages
        super.init(pages, calls: calls)
    }

    func jsonPage(account: AccountID, query: ConnectionListQuery, limit: Int) async throws -> ConnectionJSONPage {
        try await calls.measure(.listPage) { try await pages.jsonPage(account: account, query: query, limit: limit) }
    }
}

/// An `APIKeyStore` whose calls the request path makes (the key lookup, the last-use write) are measured.
struct MeteredKeyStore: APIKeyStore {
    let inner: any APIKeyStore
    let calls: StoreCallMetrics

    static func wrapping(_ store: any APIKeyStore, metrics: ServerMetrics) -> any APIKeyStore {
        guard metrics.isOn else { return store }
        return MeteredKeyStore(inner: store, calls: StoreCallMetrics(factory: metrics.factory))
    }

    func caller(forKeyHash hash: APIKeyHash) async throws -> Caller? {
        try await calls.measure(.keyLookup) { try await inner.caller(forKeyHash: hash) }
    }

    func recordUse(of key: KeyID, at now: Timestamp) async throws {
        try await calls.measure(.keyUse) { try await inner.recordUse(of: key, at: now) }
    }

    func issueKey(account: String, scopes: Set<Scope>, expiresAt: Timestamp?, at now: Timestamp) async throws
        -> IssuedKey
    {
        try await inner.issueKey(account: account, scopes: scopes, expiresAt: expiresAt, at: now)
    }

    func issueBootstrapKeyIfNoKeys(at now: Timestamp) async throws -> IssuedKey? {
        try await inner.issueBootstrapKeyIfNoKeys(at: now)
    }

    func listKeys(account: String?) async throws -> [KeyRecord] {
        try await inner.listKeys(account: account)
    }

    func revokeKey(_ id: KeyID, at now: Timestamp) async throws -> Bool {
        try await inner.revokeKey(id, at: now)
    }

    func rotateKey(_ id: KeyID, overlap: Duration, successorExpiry: SuccessorExpiry, at now: Timestamp) async throws
        -> KeyRotation
    {
        try await inner.rotateKey(id, overlap: overlap, successorExpiry: successorExpiry, at: now)
    }
}
