import AWSConnectionsCore
import Synchronization

/// Creates into one account that arrive together share one statement and one commit.
///
/// A create takes a place of its account's quota by updating the account's counter row, and
/// that row stays locked until the create's commit is on disk: creates into one account
/// therefore ran one commit at a time, bounded by the disk's flush latency however many
/// clients sent them. Here the first create of an account with none running starts at once;
/// those that arrive while it runs wait and then go together in the next statement, which
/// takes all their places at once (`CreateConnections`). Creates into different accounts
/// never wait for each other. Each caller is answered only after its batch is committed.
final class AccountCreateBatcher: Sendable {
    struct Create: Sendable {
        let connection: Connection
        let key: KeyID
        let quota: Int
    }

    /// Runs a batch of creates of one account, answering each in order; a throw answers all.
    typealias Run = @Sendable ([Create]) async throws -> [Result<CreateOutcome, any Error>]

    private struct Waiting {
        let create: Create
        let continuation: CheckedContinuation<CreateOutcome, any Error>
    }

    private struct State: ~Copyable {
        var waiting: [AccountID: [Waiting]] = [:]
        var running: Set<AccountID> = []
    }

    private let state = Mutex(State())
    /// Creates per statement.
    static let maximumBatch = 128

    init() {}

    func create(_ create: Create, run: @escaping Run) async throws -> CreateOutcome {
        let account = create.connection.accountID
        return try await withCheckedThrowingContinuation { continuation in
            let batch: [Waiting]? = state.withLock { state in
                state.waiting[account, default: []].append(Waiting(create: create, continuation: continuation))
                guard state.running.insert(account).inserted else { return nil }
                return Self.take(account, &state)
            }
            if let batch {
                Task { await self.drain(account, first: batch, run: run) }
            }
        }
    }

    /// Runs `first`, then whatever arrived for the account meanwhile, until none is waiting.
    private func drain(_ account: AccountID, first: [Waiting], run: Run) async {
        var next: [Waiting]? = first
        while let batch = next {
            do {
                let outcomes = try await run(batch.map(\.create))
                guard outcomes.count == batch.count else {
                    throw StoreError.failed("a batch of \(batch.count) creates answered \(outcomes.count) outcomes")
                }
                for (waiting, outcome) in zip(batch, outcomes) {
                    waiting.continuation.resume(with: outcome)
                }
            } catch {
                for waiting in batch {
                    waiting.continuation.resume(throwing: error)
                }
            }
            next = state.withLock { state in
                guard state.waiting[account]?.isEmpty == false else {
                    state.waiting[account] = nil
                    state.running.remove(account)
                    return nil
                }
                return Self.take(account, &state)
            }
        }
    }

    private static func take(_ account: AccountID, _ state: inout State) -> [Waiting] {
        let waiting = state.waiting[account] ?? []
        let count = min(waiting.count, maximumBatch)
        state.waiting[account] = Array(waiting.dropFirst(count))
        return Array(waiting.prefix(count))
    }
}
