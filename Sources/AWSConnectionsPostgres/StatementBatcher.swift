import AWSConnectionsCore
import NIOCore
import Synchronization

/// Requests that arrive together run as one batch: one statement, one round trip and, for
/// writes, one commit for all of them.
///
/// Under load most of a single-row request's time on PostgreSQL is waiting: for a pooled
/// connection, for the round trip, for its own commit to reach the disk, or (creates into one
/// account) for the account's counter row; the server and PostgreSQL were both well under
/// their cores. A request that finds fewer than `maximumInFlight` batches of its group
/// running and none waiting runs at once, alone and in its own task (so an idle server adds
/// neither delay nor a task hop); otherwise it waits for a running batch to finish, which then
/// takes every request of the group that arrived meanwhile into its next statement.
///
/// A batch takes its requests when it starts and its statement runs after that, so each
/// request still sees everything committed before it was made, and each caller is answered
/// only after its batch is done (committed, for a write). A request that waits longer than
/// `waitLimit` for its batch to start is answered `StoreError.unavailable` and never runs,
/// as a request that waits too long for a pooled connection is.
final class StatementBatcher<Group: Hashable & Sendable, Input: Sendable, Output: Sendable>: Sendable {
    /// Runs a batch, answering each input in order; a throw answers all of them.
    typealias Run = @Sendable ([Input]) async throws -> [Result<Output, any Error>]

    private struct Waiting {
        let id: UInt64
        let input: Input
        let continuation: CheckedContinuation<Output, any Error>
        var deadline: UInt64?
    }

    private struct Queue {
        var waiting: [Waiting] = []
        var inFlight = 0
    }

    private struct State: ~Copyable {
        var queues: [Group: Queue] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Batches of one group running at once.
    let maximumInFlight: Int
    /// Requests per statement.
    let maximumBatch: Int
    private let waitLimit: TimeAmount
    private let deadlines: DeadlineSweeper

    init(maximumInFlight: Int, maximumBatch: Int, waitLimit: TimeAmount, deadlines: DeadlineSweeper) {
        self.maximumInFlight = max(1, maximumInFlight)
        self.maximumBatch = max(1, maximumBatch)
        self.waitLimit = waitLimit
        self.deadlines = deadlines
    }

    /// `input`'s answer, from a batch of its `group` run by `run` (every caller of a group
    /// passes the same runner; the one whose request starts a batch lends it to the batches
    /// that follow).
    func submit(_ input: Input, group: Group, run: @escaping Run) async throws -> Output {
        // Alone in its group (the idle case): run in the caller's own task, with no hop to
        // another task and back.
        let alone = state.withLock { state in
            let queue = state.queues[group, default: Queue()]
            guard queue.inFlight < maximumInFlight, queue.waiting.isEmpty else { return false }
            state.queues[group, default: Queue()].inFlight += 1
            return true
        }
        if alone {
            let outcome: Result<Output, any Error>
            do {
                let outcomes = try await run([input])
                outcome = outcomes.count == 1 ? outcomes[0] : .failure(StoreError.failed("a batch of 1 request answered \(outcomes.count)"))
            } catch {
                outcome = .failure(error)
            }
            // Requests that queued meanwhile go on in a task of their own.
            if let next = state.withLock({ state in nextBatch(group, &state) }) {
                Task { await self.drain(group, first: next, run: run) }
            }
            return try outcome.get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            let (batch, queuedID): ([Waiting]?, UInt64?) = state.withLock { state in
                state.nextID += 1
                let id = state.nextID
                state.queues[group, default: Queue()].waiting.append(Waiting(id: id, input: input, continuation: continuation))
                guard state.queues[group]!.inFlight < maximumInFlight else { return (nil, id) }
                state.queues[group]!.inFlight += 1
                return (take(group, &state), nil)
            }
            if let batch {
                Task { await self.drain(group, first: batch, run: run) }
            } else if let queuedID {
                let deadline = deadlines.add(in: waitLimit) { [self] in giveUp(queuedID, group: group) }
                let stillWaiting = state.withLock { state in
                    guard let index = state.queues[group]?.waiting.firstIndex(where: { $0.id == queuedID }) else { return false }
                    state.queues[group]!.waiting[index].deadline = deadline
                    return true
                }
                if !stillWaiting { deadlines.remove(deadline) }
            }
        }
    }

    /// Answers a request whose batch has not started within `waitLimit`, unless it has.
    private func giveUp(_ id: UInt64, group: Group) {
        let expired: Waiting? = state.withLock { state in
            guard let index = state.queues[group]?.waiting.firstIndex(where: { $0.id == id }) else { return nil }
            return state.queues[group]!.waiting.remove(at: index)
        }
        expired?.continuation.resume(
            throwing: StoreError.unavailable("no batch started within \(waitLimit) for a waiting PostgreSQL request; nothing was sent"))
    }

    /// Runs `first`, then the group's requests that arrived meanwhile, until none is waiting.
    private func drain(_ group: Group, first: [Waiting], run: Run) async {
        var next: [Waiting]? = first
        while let batch = next {
            for waiting in batch {
                if let deadline = waiting.deadline { deadlines.remove(deadline) }
            }
            do {
                let outcomes = try await run(batch.map(\.input))
                guard outcomes.count == batch.count else {
                    throw StoreError.failed("a batch of \(batch.count) requests answered \(outcomes.count)")
                }
                for (waiting, outcome) in zip(batch, outcomes) {
                    waiting.continuation.resume(with: outcome)
                }
            } catch {
                for waiting in batch {
                    waiting.continuation.resume(throwing: error)
                }
            }
            next = state.withLock { state in nextBatch(group, &state) }
        }
    }

    /// The group's next batch for a runner that finished one; nil, and one runner fewer, when
    /// none is waiting.
    private func nextBatch(_ group: Group, _ state: inout State) -> [Waiting]? {
        guard state.queues[group]?.waiting.isEmpty == false else {
            state.queues[group]!.inFlight -= 1
            if state.queues[group]!.inFlight == 0 { state.queues[group] = nil }
            return nil
        }
        return take(group, &state)
    }

    private func take(_ group: Group, _ state: inout State) -> [Waiting] {
        let waiting = state.queues[group]?.waiting ?? []
        let count = min(waiting.count, maximumBatch)
        state.queues[group]!.waiting.removeFirst(count)
        return Array(waiting.prefix(count))
    }
}

/// The group of requests that all batch together.
enum AllRequests: Hashable, Sendable {
    case all
}
