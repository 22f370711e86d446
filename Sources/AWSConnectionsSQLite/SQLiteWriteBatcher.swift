import AWSConnectionsCore
import GRDB
import Synchronization

/// Group commit: writes that arrive while a commit is being fsynced are run together in
/// the next transaction, each in its own savepoint, and acknowledged after that single
/// commit.
///
/// With `synchronous=FULL` every commit waits for the disk, and SQLite has one writer, so
/// one commit per request capped updates at about 3,000/s. Batching keeps each write's
/// meaning (they still run one after another, in arrival order, and a failing write rolls
/// back only its own savepoint) and its durability (nobody is answered before the commit
/// that holds their write is on disk), while paying the fsync once per batch.
///
/// The queue is bounded in length and in time, so a stalled disk or a write lock held
/// elsewhere turns into prompt 503s rather than requests piling up without limit: a write
/// that finds `Limits.maxQueued` writes waiting is refused at once, and one still waiting
/// for its batch after `Limits.maxWait` is taken out of the queue and refused. Both happen
/// only before the write has run, so a refused write is never committed later.
final class SQLiteWriteBatcher: Sendable {
    private struct State {
        var pending: [any QueuedWrite] = []
        var draining = false
        var watching = false
    }

    private let pool: DatabasePool
    private let limits: SQLiteWriteQueueLimits
    private let state = Mutex(State())

    init(pool: DatabasePool, limits: SQLiteWriteQueueLimits) {
        self.pool = pool
        self.limits = limits
    }

    /// Runs `body` in the next batch and returns once that batch is committed.
    /// A batch is being written and no write waits for the next one: a write sent before
    /// this held is in the batch, past the queue's deadline. For tests that must know it.
    var isWritingWithEmptyQueue: Bool {
        state.withLock { $0.draining && $0.pending.isEmpty }
    }

    func perform<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let write = BatchedWrite(body: body, continuation: continuation, enqueued: .now)
            let (accepted, startDrain, startWatch) = state.withLock { state -> (Bool, Bool, Bool) in
                guard state.pending.count < limits.maxQueued else { return (false, false, false) }
                state.pending.append(write)
                let startDrain = !state.draining
                let startWatch = !state.watching
                state.draining = true
                state.watching = true
                return (true, startDrain, startWatch)
            }
            guard accepted else {
                write.refuse(.unavailable("write queue full: \(limits.maxQueued) writes waiting"))
                return
            }
            if startDrain {
                Task { await self.drain() }
            }
            if startWatch {
                Task { await self.expireLateWrites() }
            }
        }
        return try result.get()
    }

    /// Commits batches until no write is waiting.
    private func drain() async {
        while true {
            let batch = state.withLock { state -> [any QueuedWrite] in
                let batch = state.pending
                state.pending = []
                if batch.isEmpty { state.draining = false }
                return batch
            }
            if batch.isEmpty { return }
            do {
                try await pool.write { db in
                    for write in batch { write.run(db) }
                }
                for write in batch { write.finish(commitError: nil) }
            } catch {
                // The commit failed, so none of the batch was written: all of it fails.
                let failure = translate(error)
                for write in batch { write.finish(commitError: failure) }
            }
        }
    }

    /// While writes wait, refuses those waiting longer than `maxWait`. A separate task
    /// because the drain may itself be the one stuck (in a batch waiting for the lock).
    private func expireLateWrites() async {
        let interval = min(limits.maxWait / 4, .milliseconds(100))
        while true {
            try? await Task.sleep(for: interval)
            let deadline = ContinuousClock.now - limits.maxWait
            let (late, keepWatching) = state.withLock { state -> ([any QueuedWrite], Bool) in
                var late: [any QueuedWrite] = []
                state.pending.removeAll { write in
                    guard write.enqueued < deadline else { return false }
                    late.append(write)
                    return true
                }
                state.watching = state.draining || !state.pending.isEmpty
                return (late, state.watching)
            }
            for write in late {
                write.refuse(.unavailable("write waited over \(limits.maxWait) for its batch"))
            }
            if !keepWatching { return }
        }
    }
}

/// How many writes may wait for a batch, and for how long, before new ones are refused with
/// 503 `store_unavailable`.
public struct SQLiteWriteQueueLimits: Sendable {
    /// Writes waiting for a batch; at 64 concurrent clients there are at most 64.
    public var maxQueued: Int
    /// How long a write may wait for its batch to start. A batch normally starts within one
    /// fsync (milliseconds); only a stalled disk or a write lock held elsewhere reaches this.
    public var maxWait: Duration

    public init(maxQueued: Int, maxWait: Duration) {
        self.maxQueued = maxQueued
        self.maxWait = maxWait
    }

    public static let standard = SQLiteWriteQueueLimits(maxQueued: 1_024, maxWait: .seconds(2))
}

/// A write waiting for its batch, with its result once run.
private protocol QueuedWrite: Sendable {
    /// When it joined the queue.
    var enqueued: ContinuousClock.Instant { get }
    /// Runs on the writer, inside the batch's transaction.
    func run(_ db: Database)
    /// Called once the batch's commit succeeded (`nil`) or failed.
    func finish(commitError: StoreError?)
    /// Answers a write that will never run.
    func refuse(_ error: StoreError)
}

/// One write of a batch.
///
/// `outcome` is set by `run` on GRDB's writer queue and read by `finish` after the batch's
/// `pool.write` has returned, so the two never overlap; that ordering is what makes the
/// unchecked `Sendable` sound. A write leaves the queue under the batcher's lock either into
/// a batch (then `run` and `finish`) or refused (then only `refuse`), never both.
private final class BatchedWrite<T: Sendable>: QueuedWrite, @unchecked Sendable {
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<Result<T, StoreError>, Never>
    private var outcome: Result<T, StoreError> = .failure(.failed("write did not run"))
    let enqueued: ContinuousClock.Instant

    init(
        body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<Result<T, StoreError>, Never>,
        enqueued: ContinuousClock.Instant
    ) {
        self.body = body
        self.continuation = continuation
        self.enqueued = enqueued
    }

    func run(_ db: Database) {
        do {
            var value: T?
            try db.inSavepoint {
                value = try body(db)
                return .commit
            }
            outcome = value.map { .success($0) } ?? .failure(.failed("write returned nothing"))
        } catch {
            outcome = .failure(translate(error))
        }
    }

    func finish(commitError: StoreError?) {
        continuation.resume(returning: commitError.map { .failure($0) } ?? outcome)
    }

    func refuse(_ error: StoreError) {
        continuation.resume(returning: .failure(error))
    }
}
