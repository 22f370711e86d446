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
final class SQLiteWriteBatcher: Sendable {
    private let pool: DatabasePool
    private let state = Mutex<(pending: [any QueuedWrite], draining: Bool)>(([], false))

    init(pool: DatabasePool) {
        self.pool = pool
    }

    /// Runs `body` in the next batch and returns once that batch is committed.
    func perform<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let startDrain = state.withLock { state in
                state.pending.append(BatchedWrite(body: body, continuation: continuation))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startDrain {
                Task { await self.drain() }
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
}

/// A write waiting for its batch, with its result once run.
private protocol QueuedWrite: Sendable {
    /// Runs on the writer, inside the batch's transaction.
    func run(_ db: Database)
    /// Called once the batch's commit succeeded (`nil`) or failed.
    func finish(commitError: StoreError?)
}

/// One write of a batch.
///
/// `outcome` is set by `run` on GRDB's writer queue and read by `finish` after the batch's
/// `pool.write` has returned, so the two never overlap; that ordering is what makes the
/// unchecked `Sendable` sound.
private final class BatchedWrite<T: Sendable>: QueuedWrite, @unchecked Sendable {
    private let body: @Sendable (Database) throws -> T
    private let continuation: CheckedContinuation<Result<T, StoreError>, Never>
    private var outcome: Result<T, StoreError> = .failure(.failed("write did not run"))

    init(body: @escaping @Sendable (Database) throws -> T, continuation: CheckedContinuation<Result<T, StoreError>, Never>) {
        self.body = body
        self.continuation = continuation
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
}
