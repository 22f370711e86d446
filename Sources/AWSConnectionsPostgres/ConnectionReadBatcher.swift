import AWSConnectionsCore
import Synchronization

/// Reads of single connections that arrive together share one statement.
///
/// Every get-by-id (and every presign, which reads its connection first) is a point read: on
/// its own it costs a pooled connection's lease, a round trip and PostgreSQL's per-statement
/// work for one row. Under load most of that is waiting: the server and PostgreSQL were
/// both well under their cores while gets queued for the pool. Here a read that finds fewer
/// than `maximumInFlight` batches running starts one at once with whatever is waiting (so an
/// idle server adds no delay); otherwise it waits for a running batch to finish, which then
/// takes every read that arrived meanwhile into its next statement (`id = ANY($1)`).
///
/// Each read still sees everything committed before it was asked: a batch takes its reads
/// when it starts, and its statement runs after that.
final class ConnectionReadBatcher: Sendable {
    typealias Read = @Sendable ([ConnectionID]) async throws -> [Connection]

    private struct Waiting {
        let id: ConnectionID
        let continuation: CheckedContinuation<Connection?, any Error>
    }

    private struct State: ~Copyable {
        var waiting: [Waiting] = []
        var inFlight = 0
    }

    private let state = Mutex(State())
    /// Batches running at once; the rest of the pool stays free for writes and lists.
    let maximumInFlight: Int
    /// Ids per statement.
    static let maximumBatch = 256

    init(maximumInFlight: Int) {
        self.maximumInFlight = max(1, maximumInFlight)
    }

    /// The connection with `id`, read by `read` in a batch with others (every caller passes the
    /// same reader; the one whose read starts a batch lends it to the batches that follow).
    func get(_ id: ConnectionID, read: @escaping Read) async throws -> Connection? {
        try await withCheckedThrowingContinuation { continuation in
            let batch: [Waiting]? = state.withLock { state in
                state.waiting.append(Waiting(id: id, continuation: continuation))
                guard state.inFlight < maximumInFlight else { return nil }
                state.inFlight += 1
                return Self.take(&state)
            }
            if let batch {
                Task { await self.run(batch, read: read) }
            }
        }
    }

    /// Runs `batch`, then the reads that arrived meanwhile, until none is waiting.
    private func run(_ batch: [Waiting], read: Read) async {
        var next: [Waiting]? = batch
        while let current = next {
            await answer(current, read: read)
            next = state.withLock { state in
                guard !state.waiting.isEmpty else {
                    state.inFlight -= 1
                    return nil
                }
                return Self.take(&state)
            }
        }
    }

    private func answer(_ batch: [Waiting], read: Read) async {
        var ids: [ConnectionID] = []
        var seen = Set<ConnectionID>()
        for waiting in batch where seen.insert(waiting.id).inserted {
            ids.append(waiting.id)
        }
        do {
            let connections = try await read(ids)
            var byID: [ConnectionID: Connection] = [:]
            for connection in connections {
                byID[connection.id] = connection
            }
            for waiting in batch {
                waiting.continuation.resume(returning: byID[waiting.id])
            }
        } catch {
            for waiting in batch {
                waiting.continuation.resume(throwing: error)
            }
        }
    }

    private static func take(_ state: inout State) -> [Waiting] {
        let count = min(state.waiting.count, maximumBatch)
        let batch = Array(state.waiting.prefix(count))
        state.waiting.removeFirst(count)
        return batch
    }
}
