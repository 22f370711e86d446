/// Service-wide rules an operator can tune.
public struct ServicePolicy: Sendable, Equatable {
    /// Most connections one account may hold; a create past it is refused.
    public var connectionQuota: Int
    /// How long a deleted connection's history stays readable.
    public var deletedHistoryRetention: Duration
    /// The role name of a connection created without `roleArn`.
    public var defaultRoleName: String
    /// How much history a connection that still exists keeps; nil keeps all of it.
    public var liveHistoryCap: HistoryCap?

    public static let defaultConnectionQuota = 10_000
    public static let defaultDeletedHistoryRetention: Duration = .seconds(30 * 24 * 60 * 60)

    public init(
        connectionQuota: Int = Self.defaultConnectionQuota,
        deletedHistoryRetention: Duration = Self.defaultDeletedHistoryRetention,
        defaultRoleName: String = RoleARN.defaultRoleName,
        liveHistoryCap: HistoryCap? = HistoryCap(
            keepVersions: HistoryCap.defaultKeepVersions, keepFor: HistoryCap.defaultKeepFor)
    ) {
        self.connectionQuota = connectionQuota
        self.deletedHistoryRetention = deletedHistoryRetention
        self.defaultRoleName = defaultRoleName
        self.liveHistoryCap = liveHistoryCap
    }

    /// History of connections deleted before this is no longer shown (and may be purged).
    public func deletedHistoryCutoff(now: Timestamp) -> Timestamp {
        now.subtracting(deletedHistoryRetention)
    }

    /// Whether a history ending in `records.last` is still shown at `now`.
    public func showsHistory(_ records: [HistoryRecord], now: Timestamp) -> Bool {
        guard let last = records.last else { return false }
        return last.kind != .deleted || last.changedDate >= deletedHistoryCutoff(now: now)
    }
}
