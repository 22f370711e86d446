import AWSConnectionsCore
import NIOCore
import Synchronization
import Testing

@testable import AWSConnectionsPostgres

/// The batcher of PostgreSQL's point reads and updates, with a reader that records what it was
/// asked: requests that arrive together share a call, each caller gets its own answer, and a
/// failure reaches every caller of that batch and none of the next.
@Suite("Statement batching")
struct StatementBatcherTests {
    /// Answers the ids it knows, after a pause long enough for others to queue behind it.
    final class RecordingReader: Sendable {
        let known: Set<ConnectionID>
        let calls = Mutex<[[ConnectionID]]>([])
        let failNext = Mutex(false)
        /// Calls running now, and the most that ever ran at once.
        let running = Mutex((now: 0, most: 0))

        init(known: Set<ConnectionID>) {
            self.known = known
        }

        struct Refused: Error {}

        func read(_ ids: [ConnectionID]) async throws -> [Result<Connection?, any Error>] {
            calls.withLock { $0.append(ids) }
            running.withLock { running in
                running.now += 1
                running.most = max(running.most, running.now)
            }
            defer { running.withLock { $0.now -= 1 } }
            try await Task.sleep(for: .milliseconds(20))
            if failNext.withLock({ fail in defer { fail = false }; return fail }) {
                throw Refused()
            }
            return ids.map { known.contains($0) ? .success(Self.connection($0)) : .success(nil) }
        }

        static func connection(_ id: ConnectionID) -> Connection {
            Connection(
                id: id, accountID: AccountID(1),
                fields: ConnectionFields(
                    name: "name of \(id.rawValue)", description: "", awsAccountID: "123456789012", awsRegion: "us-east-1",
                    roleARN: "arn:aws:iam::123456789012:role/media", externalID: "external", enabled: true),
                createdDate: Timestamp(millisecondsSinceEpoch: 0), updatedDate: Timestamp(millisecondsSinceEpoch: 0),
                version: 1)
        }
    }

    static func id(_ number: Int) -> ConnectionID {
        ConnectionID(uncheckedRawValue: "20261204000000000\(String(number, radix: 10).leftPadded(to: 15))")
    }

    static func batcher(maximumInFlight: Int, waitLimit: TimeAmount = .seconds(60))
        -> StatementBatcher<AllRequests, ConnectionID, Connection?>
    {
        StatementBatcher(maximumInFlight: maximumInFlight, maximumBatch: 64, waitLimit: waitLimit, deadlines: DeadlineSweeper())
    }

    @Test("200 reads at once make far fewer calls, at most the limit at a time, and each gets its own id's answer")
    func sharesCalls() async throws {
        let known = Set((0..<150).map(Self.id))
        let reader = RecordingReader(known: known)
        let batcher = Self.batcher(maximumInFlight: 2)
        let answers = try await withThrowingTaskGroup(of: (Int, Connection?).self) { group in
            for number in 0..<200 {
                group.addTask { (number, try await batcher.submit(Self.id(number), group: .all, run: reader.read)) }
            }
            var answers: [Int: Connection?] = [:]
            for try await (number, answer) in group { answers[number] = answer }
            return answers
        }
        #expect(answers.count == 200)
        for (number, answer) in answers {
            #expect(answer?.id == (number < 150 ? Self.id(number) : nil))
        }
        let calls = reader.calls.withLock { $0 }
        #expect(calls.count < 20)
        #expect(calls.flatMap { $0 }.count == 200)
        #expect(calls.allSatisfy { $0.count <= 64 })
        #expect(reader.running.withLock { $0.most } <= 2)
    }

    @Test("one id asked by many callers at once: every caller answered, in few calls")
    func duplicateIDs() async throws {
        let reader = RecordingReader(known: [Self.id(1)])
        let batcher = Self.batcher(maximumInFlight: 1)
        let answers = try await withThrowingTaskGroup(of: Connection?.self) { group in
            for _ in 0..<50 {
                group.addTask { try await batcher.submit(Self.id(1), group: .all, run: reader.read) }
            }
            return try await group.reduce(into: [Connection?]()) { $0.append($1) }
        }
        #expect(answers.count == 50)
        #expect(answers.allSatisfy { $0?.id == Self.id(1) })
        #expect(reader.calls.withLock { $0.count } < 10)
    }

    @Test("a failed read fails the callers of its batch only; the next read works")
    func failureReachesItsBatch() async throws {
        let reader = RecordingReader(known: [Self.id(1)])
        let batcher = Self.batcher(maximumInFlight: 1)
        reader.failNext.withLock { $0 = true }
        await #expect(throws: RecordingReader.Refused.self) {
            try await batcher.submit(Self.id(1), group: .all, run: reader.read)
        }
        let after = try await batcher.submit(Self.id(1), group: .all, run: reader.read)
        #expect(after?.id == Self.id(1))
    }
}

extension StatementBatcherTests {
    @Test("groups batch apart: one batch per group at a time, each caller its own answer")
    func groups() async throws {
        let running = Mutex((now: [Int: Int](), most: 0))
        let batches = Mutex<[[Int]]>([])
        let batcher = StatementBatcher<Int, Int, Int>(
            maximumInFlight: 1, maximumBatch: 64, waitLimit: .seconds(60), deadlines: DeadlineSweeper())
        let run: StatementBatcher<Int, Int, Int>.Run = { inputs in
            let group = inputs[0] % 2
            #expect(inputs.allSatisfy { $0 % 2 == group })
            batches.withLock { $0.append(inputs) }
            running.withLock { running in
                running.now[group, default: 0] += 1
                running.most = max(running.most, running.now[group] ?? 0)
            }
            defer { running.withLock { $0.now[group, default: 1] -= 1 } }
            try await Task.sleep(for: .milliseconds(20))
            return inputs.map { .success($0 * 10) }
        }
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { tasks in
            for number in 0..<100 {
                tasks.addTask { (number, try await batcher.submit(number, group: number % 2, run: run)) }
            }
            return try await tasks.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers.count == 100)
        #expect(answers.allSatisfy { $0.value == $0.key * 10 })
        #expect(running.withLock { $0.most } == 1)
        #expect(batches.withLock { $0.count } < 20)
    }

    @Test("a request waiting behind a stuck batch longer than the wait limit is refused as unavailable and never runs")
    func waitLimit() async throws {
        let release = Mutex<CheckedContinuation<Void, Never>?>(nil)
        let ran = Mutex<[Int]>([])
        let batcher = StatementBatcher<AllRequests, Int, Int>(
            maximumInFlight: 1, maximumBatch: 64, waitLimit: .milliseconds(200), deadlines: DeadlineSweeper())
        let run: StatementBatcher<AllRequests, Int, Int>.Run = { inputs in
            ran.withLock { $0.append(contentsOf: inputs) }
            if inputs == [1] {
                await withCheckedContinuation { continuation in release.withLock { $0 = continuation } }
            }
            return inputs.map { .success($0) }
        }
        let stuck = Task { try await batcher.submit(1, group: .all, run: run) }
        while release.withLock({ $0 == nil }) { try await Task.sleep(for: .milliseconds(5)) }
        await #expect(throws: StoreError.self) {
            try await batcher.submit(2, group: .all, run: run)
        }
        release.withLock { $0?.resume() }
        #expect(try await stuck.value == 1)
        #expect(try await batcher.submit(3, group: .all, run: run) == 3)
        #expect(ran.withLock { $0 } == [1, 3])
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "a", count: max(0, length - count)) + self
    }
}
