public import CoreMetrics
import Synchronization

/// Metric handles made once per distinct set of dimension values, then reused.
///
/// Making a handle through a `MetricsFactory` looks its name and labels up in the backend's
/// registry, which builds and compares label lists; a request records through one dictionary
/// lookup here instead. Keys are bounded sets (route templates, statuses, outcomes), never
/// anything a client chooses freely, so the dictionary stays small.
public final class MetricCache<Key: Hashable & Sendable, Handle: Sendable>: Sendable {
    private let handles = Mutex<[Key: Handle]>([:])
    private let make: @Sendable (Key) -> Handle

    public init(make: @escaping @Sendable (Key) -> Handle) {
        self.make = make
    }

    public subscript(key: Key) -> Handle {
        handles.withLock { handles in
            if let handle = handles[key] { return handle }
            let handle = make(key)
            handles[key] = handle
            return handle
        }
    }
}

extension CoreMetrics.Timer {
    /// Records `duration`, which swift-metrics takes only as a count of nanoseconds.
    public func record(_ duration: Duration) {
        recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
