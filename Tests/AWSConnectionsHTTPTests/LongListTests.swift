import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The vendor's list without `limit` answers every connection of an account (up to the quota,
/// 10,000): written a part at a time, and read without holding the network thread.
@Suite("Lists of 10,000")
struct LongListTests {
    static let count = 10_000

    /// `count` connections for account alpha, inserted in one statement (10,000 creates over
    /// HTTP would take most of a minute and test nothing more).
    static func seed(_ world: TestWorld) async throws {
        let columns = "id, account_id, name, description, aws_account_id, aws_region, role_arn, external_id, enabled, created_at, updated_at, version"
        let account = "(SELECT id FROM accounts WHERE name = 'alpha')"
        switch world.kind {
        case .sqlite:
            try await world.executeSQL([
                """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(count))
                INSERT INTO connections (\(columns))
                SELECT printf('20250101000000000%015d', i), \(account), 'bulk ' || i, '', '123456789012', 'us-east-1',
                    'arn:aws:iam::123456789012:role/r', printf('ext%037d', i), 1, 1000 + i, 1000 + i, 1 FROM n
                """
            ])
        case .postgres:
            try await world.executeSQL([
                """
                INSERT INTO connections (\(columns))
                SELECT '20250101000000000' || lpad(i::text, 15, '0'), \(account), 'bulk ' || i, '', '123456789012',
                    'us-east-1', 'arn:aws:iam::123456789012:role/r', 'ext' || lpad(i::text, 37, '0'), true, 1000 + i,
                    1000 + i, 1
                FROM generate_series(1, \(count)) AS i
                """
            ])
        }
    }

    @Test("a list of 10,000 without limit answers every connection once, in order, in one document", arguments: StoreKind.all)
    func wholeList(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            try await Self.seed(world)
            // A client of its own with a long timeout: under the whole suite on two cores, a
            // debug build can take longer than the test client's 20 seconds to send 4 MB.
            let port = try #require(client.port)
            let response = try await TestClient.withClient(
                host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(120))
            ) { client in
                try await client.call(.get, collectionPath, key: world.alpha)
            }
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            let items = try #require(try response.json()["Items"] as? [[String: Any]])
            let ids = items.compactMap { $0["connectionId"] as? String }
            #expect(ids.count == Self.count)
            #expect(ids == ids.sorted(), "oldest first; the seeded ids sort as they were created")
            #expect(Set(ids).count == Self.count)
            #expect(try response.json()["NextToken"] == nil)
            #expect(items.last?["name"] as? String == "bulk \(Self.count)")
        }
    }

    @Test("a get is answered while lists of 10,000 run on the same network thread", arguments: StoreKind.all)
    func getDuringLists(store: StoreKind) async throws {
        // One network thread: a read that blocked it would hold up every other request.
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        try await withWorld(store) { world in
            try await Self.seed(world)
            let app = buildApplication(
                connections: world.store, keys: world.store, host: "127.0.0.1", port: 0,
                eventLoopGroup: .shared(group), logger: testLogger)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let id = try await client.createConnectionID(key: world.alpha)
                let path = "\(collectionPath)/\(id)"
                @Sendable func timedGets(_ live: TestClient) async throws -> [Duration] {
                    var times: [Duration] = []
                    for _ in 0..<30 {
                        let start = ContinuousClock.now
                        #expect(try await live.call(.get, path, key: world.alpha).status == .ok)
                        times.append(ContinuousClock.now - start)
                    }
                    return times
                }
                let alone = try await withLiveClients(count: 1, port: port) { _, live in try await timedGets(live) }[0]

                let load = ListLoad()
                let during = try await withThrowingTaskGroup(of: [Duration].self) { tasks in
                    for _ in 0..<3 {
                        tasks.addTask {
                            try await TestClient.withClient(host: "127.0.0.1", port: port) { live in
                                while load.running.load(ordering: .relaxed) {
                                    let start = ContinuousClock.now
                                    let response = try await live.call(.get, collectionPath, key: world.alpha)
                                    #expect(response.status == .ok)
                                    load.times.withLock { $0.append(ContinuousClock.now - start) }
                                }
                            }
                            return []
                        }
                    }
                    // Gets start once the lists are under way.
                    while load.times.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(5)) }
                    let gets = try await TestClient.withClient(host: "127.0.0.1", port: port) { live in
                        try await timedGets(live)
                    }
                    load.running.store(false, ordering: .relaxed)
                    for try await _ in tasks {}
                    return gets
                }
                let median = { (times: [Duration]) in times.sorted()[times.count / 2] }
                let listMedian = median(load.times.withLock { $0 })
                // No fixed threshold: a get that waited behind whole lists would take about as
                // long as a list; one that waits at most for a part of one is far shorter
                // (about a tenth on an idle machine; the margin is for a machine busy with the
                // rest of the test suite).
                #expect(
                    median(during) < listMedian / 2,
                    "get alone \(median(alone)), get during lists \(median(during)), list \(listMedian)")
            }
        }
        try await group.shutdownGracefully()
    }
}

/// The listing clients' shared state: whether to go on, and how long each list took.
private final class ListLoad: Sendable {
    let running = Atomic(true)
    let times = Mutex<[Duration]>([])
}
