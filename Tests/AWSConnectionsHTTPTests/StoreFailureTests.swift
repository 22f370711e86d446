import AWSConnectionsCore
@testable import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import GRDB
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

/// What a client sees; the stores' own failures are checked in AWSConnectionsStoreTests.
@Suite("When the database cannot be used")
struct StoreFailureTests {
    @Test("a write lock held by another connection past the busy timeout is 503 store_unavailable; reads go on; writes recover by themselves")
    func lockedDatabaseIs503ThenRecovers() async throws {
        try await withApp(.sqlite) { world, client in
            let sqlite = try #require(world.sqlite)
            let id = try await client.createConnectionID(key: world.alpha)
            // Another connection holds the write lock, as a long admin transaction might.
            var configuration = Configuration()
            configuration.allowsUnsafeTransactions = true
            let intruder = try DatabaseQueue(path: sqlite.path, configuration: configuration)
            try await intruder.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }

            let blocked = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":1}"#)
            try Self.expectStoreUnavailable(blocked)
            // WAL readers never wait for the writer.
            #expect(try await client.get(key: world.alpha, id: id).status == .ok)

            try await intruder.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
            try intruder.close()
            let recovered = try await client.update(key: world.alpha, id: id, body: #"{"name":"x","version":1}"#)
            #expect(recovered.status == .ok)
            #expect(try recovered.json()["version"] as? Int == 2)
        }
    }

    @Test("writes still waiting for their batch after the queue's deadline are refused with 503 at once, and never committed later")
    func lateWritesAreRefusedNotCommitted() async throws {
        try await withWorld(.sqlite) { world in
            let sqlite = try #require(world.sqlite)
            // A deadline of three seconds: on a machine busy with the whole suite and a build
            // the first write once took over two seconds to be taken into its batch. The others
            // start only once it is (see `inBatch`). The first write's batch waits for the lock
            // for a minute, not the usual 5 s: under such load the others once took longer than
            // that to reach the queue and be refused, and the first write's wait ran out.
            let store = try SQLiteStore(
                path: sqlite.path, writeQueue: .init(maxQueued: 1_024, maxWait: .seconds(3)), busyTimeout: 60)
            try await buildTestApplication(store: store).test(.router) { client in
                let run = try await Self.whileWriteLockHeld(
                    path: sqlite.path, client: client, key: world.alpha, inBatch: { store.writer.isWritingWithEmptyQueue }
                ) {
                    let creates = Self.startCreates(10, client: client, key: world.alpha)
                    var answers: [APIResponse] = []
                    for create in creates { answers.append(try await create.value) }
                    return answers
                }
                // Refused while the first write still waited for the lock: they did not wait
                // for its batch to end, so the deadline, not the lock, answered them.
                #expect(!run.firstFinishedEarly)
                #expect(run.first == .created)
                #expect(run.others.count == 10)
                for response in run.others { try Self.expectStoreUnavailable(response) }
                // Only the write that got into a batch exists.
                let listed = try await client.list(key: world.alpha).json()["Items"] as? [Any]
                #expect(listed?.count == 1)
            }
        }
    }

    @Test("a write that finds the queue full is refused with 503 at once; the queued ones commit")
    func fullQueueRefusesAtOnce() async throws {
        try await withWorld(.sqlite) { world in
            let sqlite = try #require(world.sqlite)
            let store = try SQLiteStore(path: sqlite.path, writeQueue: .init(maxQueued: 4, maxWait: .seconds(30)))
            try await buildTestApplication(store: store).test(.router) { client in
                let (stream, arrivals) = AsyncStream.makeStream(of: APIResponse.self)
                let creates = Mutex<[Task<HTTPResponse.Status, any Error>]>([])
                let run = try await Self.whileWriteLockHeld(path: sqlite.path, client: client, key: world.alpha) {
                    // Up to four wait in the queue, to be answered after the lock is released;
                    // at least six are refused while it is held.
                    let started = (0..<10).map { _ in
                        Task {
                            let response = try await client.create(key: world.alpha, body: Self.validBody)
                            arrivals.yield(response)
                            return response.status
                        }
                    }
                    creates.withLock { $0 = started }
                    var answers: [APIResponse] = []
                    for await response in stream {
                        answers.append(response)
                        if answers.count == 6 { break }
                    }
                    return answers
                }
                #expect(!run.firstFinishedEarly)
                #expect(run.first == .created)
                #expect(run.others.count == 6)
                for response in run.others { try Self.expectStoreUnavailable(response) }
                var statuses: [HTTPResponse.Status] = []
                for create in creates.withLock({ $0 }) { statuses.append(try await create.value) }
                // At most four were queued (a key's last-used write may hold a place too), and
                // exactly the accepted ones exist.
                let created = statuses.filter { $0 == .created }.count
                #expect((1...4).contains(created))
                #expect(statuses.filter { $0 == .serviceUnavailable }.count == 10 - created)
                let listed = try await client.list(key: world.alpha).json()["Items"] as? [Any]
                #expect(listed?.count == created + 1)
            }
        }
    }

    /// What `whileWriteLockHeld` saw.
    struct LockedRun {
        /// The answer to the create that was waiting for the lock.
        var first: HTTPResponse.Status
        /// What `others` returned while the lock was held.
        var others: [APIResponse]
        /// Whether the first create had been answered by the time `others` returned.
        var firstFinishedEarly: Bool
    }

    /// Holds SQLite's write lock from another connection, sends one create (which leaves the
    /// batcher's queue for a batch that then waits for the lock), runs `others` meanwhile,
    /// then releases the lock.
    static func whileWriteLockHeld(
        path: String, client: some TestClientProtocol, key: String, inBatch: (@Sendable () -> Bool)? = nil,
        others: @Sendable () async throws -> [APIResponse]
    ) async throws -> LockedRun {
        // The key's first use writes its last-used time in the background; let that write
        // land first, or it could take the batch the first create is meant to have.
        _ = try await client.list(key: key)
        let hash = Data(try #require(APIKey(key)).hash.bytes)
        let reader = try DatabaseQueue(path: path)
        for _ in 0..<100 {
            let recorded = try await reader.read { db in
                try Bool.fetchOne(db, sql: "SELECT last_used_at IS NOT NULL FROM api_keys WHERE key_hash = ?", arguments: [hash])
            }
            if recorded == true { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try reader.close()
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        let intruder = try DatabaseQueue(path: path, configuration: configuration)
        try await intruder.writeWithoutTransaction { db in try db.execute(sql: "BEGIN IMMEDIATE") }
        let finished = Atomic(false)
        let first = Task {
            defer { finished.store(true, ordering: .sequentiallyConsistent) }
            return try await client.create(key: key, body: Self.validBody).status
        }
        // Until the first write is in its batch (or, without a way to tell, long enough for it
        // to be); the batch then waits up to the busy timeout (5 s) for the lock, which is
        // released once the others are answered (their deadline after this, so well before
        // that timeout).
        if let inBatch {
            let deadline = ContinuousClock.now + .seconds(30)
            while !inBatch() {
                guard ContinuousClock.now < deadline else { throw TestFailure("the first write never reached a batch") }
                try await Task.sleep(for: .milliseconds(10))
            }
        } else {
            try await Task.sleep(for: .seconds(1.5))
        }
        let answers = try await others()
        let finishedEarly = finished.load(ordering: .sequentiallyConsistent)
        try await intruder.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
        try intruder.close()
        return LockedRun(first: try await first.value, others: answers, firstFinishedEarly: finishedEarly)
    }

    static func startCreates(_ count: Int, client: some TestClientProtocol, key: String) -> [Task<APIResponse, any Error>] {
        (0..<count).map { _ in Task { try await client.create(key: key, body: Self.validBody) } }
    }

    /// A 503 `store_unavailable` that tells the client when to retry.
    static func expectStoreUnavailable(_ response: APIResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == .serviceUnavailable, sourceLocation: sourceLocation)
        #expect(try response.problemCode() == "store_unavailable", sourceLocation: sourceLocation)
        #expect(response.headers[.retryAfter] == "1", sourceLocation: sourceLocation)
    }

    static let validBody = #"{"name":"queued","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#
}
