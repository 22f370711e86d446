import AWSConnectionsCore
import Synchronization
import Testing

@testable import AWSConnectionsPostgres

/// The batcher of PostgreSQL's point reads, with a reader that records what it was asked:
/// reads that arrive together share a call, each caller gets its own id's answer, and a
/// failure reaches every caller of that batch and none of the next.
@Suite("Connection read batching")
struct ConnectionReadBatcherTests {
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

        func read(_ ids: [ConnectionID]) async throws -> [Connection] {
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
            return ids.filter(known.contains).map(Self.connection)
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

    @Test("200 reads at once make far fewer calls, at most the limit at a time, and each gets its own id's answer")
    func sharesCalls() async throws {
        let known = Set((0..<150).map(Self.id))
        let reader = RecordingReader(known: known)
        let batcher = ConnectionReadBatcher(maximumInFlight: 2)
        let answers = try await withThrowingTaskGroup(of: (Int, Connection?).self) { group in
            for number in 0..<200 {
                group.addTask { (number, try await batcher.get(Self.id(number), read: reader.read)) }
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
        #expect(calls.allSatisfy { $0.count <= ConnectionReadBatcher.maximumBatch })
        #expect(reader.running.withLock { $0.most } <= 2)
    }

    @Test("one id asked by many callers is read once per batch and answers all of them")
    func duplicateIDs() async throws {
        let reader = RecordingReader(known: [Self.id(1)])
        let batcher = ConnectionReadBatcher(maximumInFlight: 1)
        let answers = try await withThrowingTaskGroup(of: Connection?.self) { group in
            for _ in 0..<50 {
                group.addTask { try await batcher.get(Self.id(1), read: reader.read) }
            }
            return try await group.reduce(into: [Connection?]()) { $0.append($1) }
        }
        #expect(answers.count == 50)
        #expect(answers.allSatisfy { $0?.id == Self.id(1) })
        #expect(reader.calls.withLock { calls in calls.allSatisfy { Set($0).count == $0.count } })
    }

    @Test("a failed read fails the callers of its batch only; the next read works")
    func failureReachesItsBatch() async throws {
        let reader = RecordingReader(known: [Self.id(1)])
        let batcher = ConnectionReadBatcher(maximumInFlight: 1)
        reader.failNext.withLock { $0 = true }
        await #expect(throws: RecordingReader.Refused.self) {
            try await batcher.get(Self.id(1), read: reader.read)
        }
        let after = try await batcher.get(Self.id(1), read: reader.read)
        #expect(after?.id == Self.id(1))
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        String(repeating: "a", count: max(0, length - count)) + self
    }
}
