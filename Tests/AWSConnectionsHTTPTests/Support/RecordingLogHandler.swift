import Logging
import Synchronization

/// Every log event written through a `RecordingLogHandler`, in order.
final class RecordedLogEvents: Sendable {
    struct Event: Sendable {
        let level: Logger.Level
        let message: String
        let metadata: [String: String]
    }

    private let events = Mutex<[Event]>([])

    func append(_ event: Event) { events.withLock { $0.append(event) } }
    var all: [Event] { events.withLock { $0 } }

    /// Every event as one line of text, `level message key=value…`, for searching a log whole.
    var text: String {
        all.map { event in
            let fields = event.metadata.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: " ")
            return "\(event.level) \(event.message) \(fields)"
        }.joined(separator: "\n")
    }
}

/// A log handler that keeps what it is given, with the logger's metadata merged in.
struct RecordingLogHandler: LogHandler {
    let events: RecordedLogEvents
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    init(_ events: RecordedLogEvents) { self.events = events }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        events.append(.init(level: event.level, message: event.message.description, metadata: all.mapValues(\.description)))
    }
}
