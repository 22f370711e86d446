import AWSConnectionsCore
import Synchronization
import Testing

@testable import AWSConnectionsPostgres

/// The batcher of PostgreSQL's creates, with a runner that records its batches: creates of
/// one account that arrive while one runs go together in the next, one batch per account at a
/// time, other accounts never wait, and each caller gets its own answer.
@Suite("Create batching per account")
struct AccountCreateBatcherTests {
    final class RecordingRunner: Sendable {
        let batches = Mutex<[[ConnectionID]]>([])
        /// Batches running now per account, and the most that ever ran at once for one account.
        let running = Mutex((now: [AccountID: Int](), most: 0))
        let failing = Mutex<Set<ConnectionID>>([])

        struct Refused: Error {}

        func run(_ creates: [AccountCreateBatcher.Create]) async throws -> [Result<CreateOutcome, any Error>] {
            let account = creates[0].connection.accountID
            #expect(creates.allSatisfy { $0.connection.accountID == account })
            batches.withLock { $0.append(creates.map(\.connection.id)) }
            running.withLock { running in
                running.now[account, default: 0] += 1
                running.most = max(running.most, running.now[account] ?? 0)
            }
            defer { running.withLock { $0.now[account, default: 1] -= 1 } }
            try await Task.sleep(for: .milliseconds(20))
            let failing = failing.withLock { $0 }
            if creates.contains(where: { failing.contains($0.connection.id) }) {
                throw Refused()
            }
            return creates.map { create in
                create.connection.fields.name == "full" ? .success(.quotaExceeded(limit: create.quota)) : .success(.created(create.connection))
            }
        }
    }

    static func create(_ number: Int, account: Int64, name: String = "c") -> AccountCreateBatcher.Create {
        let digits = String(number)
        let id = ConnectionID(
            uncheckedRawValue: "20261204000000000" + String(repeating: "b", count: 15 - digits.count) + digits)
        return AccountCreateBatcher.Create(
            connection: Connection(
                id: id, accountID: AccountID(account),
                fields: ConnectionFields(
                    name: name, description: "", awsAccountID: "123456789012", awsRegion: "us-east-1",
                    roleARN: "arn:aws:iam::123456789012:role/media", externalID: "external", enabled: true),
                createdDate: Timestamp(millisecondsSinceEpoch: 0), updatedDate: Timestamp(millisecondsSinceEpoch: 0),
                version: 1),
            key: KeyID("key_1"), quota: 1000)
    }

    @Test("100 creates into two accounts: few batches, one at a time per account, each caller its own outcome")
    func groupsPerAccount() async throws {
        let runner = RecordingRunner()
        let batcher = AccountCreateBatcher()
        let outcomes = try await withThrowingTaskGroup(of: (Int, CreateOutcome).self) { group in
            for number in 0..<100 {
                let create = Self.create(number, account: Int64(number % 2), name: number == 7 ? "full" : "c")
                group.addTask { (number, try await batcher.create(create, run: runner.run)) }
            }
            var outcomes: [Int: CreateOutcome] = [:]
            for try await (number, outcome) in group { outcomes[number] = outcome }
            return outcomes
        }
        #expect(outcomes.count == 100)
        for (number, outcome) in outcomes {
            switch outcome {
            case .created(let connection): #expect(number != 7 && connection.id == Self.create(number, account: 0).connection.id)
            case .quotaExceeded: #expect(number == 7)
            default: Issue.record("unexpected outcome \(outcome) for \(number)")
            }
        }
        let batches = runner.batches.withLock { $0 }
        #expect(batches.count < 20)
        #expect(Set(batches.flatMap { $0 }).count == 100)
        #expect(runner.running.withLock { $0.most } == 1)
    }

    @Test("a batch that fails answers its own callers with the failure, and the next batch works")
    func failureStaysInItsBatch() async throws {
        let runner = RecordingRunner()
        let batcher = AccountCreateBatcher()
        let failing = Self.create(1, account: 5)
        runner.failing.withLock { $0 = [failing.connection.id] }
        await #expect(throws: RecordingRunner.Refused.self) {
            try await batcher.create(failing, run: runner.run)
        }
        runner.failing.withLock { $0 = [] }
        let next = try await batcher.create(Self.create(2, account: 5), run: runner.run)
        guard case .created = next else {
            Issue.record("expected created, got \(next)")
            return
        }
    }
}
