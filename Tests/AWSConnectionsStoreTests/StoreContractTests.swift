import AWSConnectionsCore
import AWSConnectionsPostgres
import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import Foundation
import Testing

/// The storage protocols' promises, checked directly on each store.
@Suite("Store contract")
struct StoreContractTests {
    private func newConnection(account: AccountID, name: String = "n") -> Connection {
        let now = Timestamp.now()
        return Connection(
            id: ConnectionID.generate(at: now), accountID: account, name: name, description: "", awsAccountID: "123456789012",
            awsRegion: "us-east-1", enabled: true, createdDate: now, updatedDate: now, version: 1)
    }

    /// The acting key recorded in history by the store calls below.
    private let actingKey = KeyID("key_storecontract000")

    /// Creates through the store, requiring it to succeed.
    private func create(_ world: TestWorld, _ connection: Connection) async throws -> Connection {
        let outcome = try await world.store.create(connection, by: actingKey, quota: 10_000, idempotency: nil)
        guard case .created(let created) = outcome else {
            Issue.record("create answered \(outcome)")
            throw CancellationError()
        }
        return created
    }

    private func accounts(_ world: TestWorld) async throws -> (alpha: AccountID, beta: AccountID) {
        let alpha = try #require(try await world.store.caller(forKeyHash: APIKey(world.alpha)!.hash))
        let beta = try #require(try await world.store.caller(forKeyHash: APIKey(world.beta)!.hash))
        return (alpha.accountID, beta.accountID)
    }

    @Test("update answers updated, versionConflict with the stored version, forbidden, or notFound", arguments: StoreKind.all)
    func updateOutcomes(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let (alpha, beta) = try await accounts(world)
            let created = try await create(world, newConnection(account: alpha))
            let rename = ConnectionChanges(name: "renamed", description: nil, enabled: false, expectedVersion: 1)
            guard case .updated(let updated) = try await world.store.update(
                id: created.id, account: alpha, changes: rename, by: actingKey, at: .now())
            else { Issue.record("first update did not apply"); return }
            #expect(updated.version == 2 && updated.name == "renamed" && updated.enabled == false)
            #expect(updated.description == created.description)
            #expect(try await world.store.update(id: created.id, account: alpha, changes: rename, by: actingKey, at: .now())
                == .versionConflict(currentVersion: 2))
            let current = ConnectionChanges(name: "x", description: nil, enabled: nil, expectedVersion: 2)
            #expect(try await world.store.update(id: created.id, account: beta, changes: current, by: actingKey, at: .now()) == .forbidden)
            let unknown = ConnectionID.generate(at: .now())
            #expect(try await world.store.update(id: unknown, account: alpha, changes: current, by: actingKey, at: .now()) == .notFound)
            #expect(try await world.store.get(id: created.id) == updated)
        }
    }

    @Test("delete answers forbidden for another account's row and keeps it; deleted once; notFound after", arguments: StoreKind.all)
    func deleteOutcomes(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let (alpha, beta) = try await accounts(world)
            let created = try await create(world, newConnection(account: alpha))
            #expect(try await world.store.delete(id: created.id, account: beta, by: actingKey) == .forbidden)
            #expect(try await world.store.get(id: created.id) == created)
            #expect(try await world.store.delete(id: created.id, account: alpha, by: actingKey) == .deleted)
            #expect(try await world.store.delete(id: created.id, account: alpha, by: actingKey) == .notFound)
            #expect(try await world.store.get(id: created.id) == nil)
        }
    }

    @Test("list holds one account's rows, oldest first, each exactly as stored", arguments: StoreKind.all)
    func listOrder(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let (alpha, beta) = try await accounts(world)
            var made: [Connection] = []
            for index in 0..<12 {
                made.append(try await create(world, newConnection(account: index % 3 == 0 ? beta : alpha, name: "c\(index)")))
            }
            let expected = made.filter { $0.accountID == alpha }
                .sorted { ($0.createdDate, $0.id.rawValue) < ($1.createdDate, $1.id.rawValue) }
            #expect(try await world.store.list(account: alpha) == expected)
        }
    }

    @Test("eight servers starting at once on an empty database issue exactly one bootstrap key", arguments: StoreKind.all)
    func bootstrapOnce(store: StoreKind) async throws {
        try await withWorld(store) { world in
            // The world already holds keys: a bootstrap must not add one.
            let extra = try await world.store.issueBootstrapKeyIfNoKeys(at: .now())
            #expect(extra == nil)
        }
        try await withDatabaseURL(store) { url in
            try await withStoreOnly(url: url) { store in
                let issued = try await withThrowingTaskGroup(of: IssuedKey?.self) { group in
                    for _ in 0..<8 { group.addTask { try await store.issueBootstrapKeyIfNoKeys(at: .now()) } }
                    return try await group.reduce(into: [IssuedKey]()) { if let key = $1 { $0.append(key) } }
                }
                #expect(issued.count == 1)
                #expect(try await store.listKeys(account: nil).map(\.id) == issued.map(\.record.id))
            }
        }
    }

    @Test("a revoked key finds no caller; revoking twice keeps the first time; an unknown key is false", arguments: StoreKind.all)
    func revocation(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let issued = try await world.store.issueKey(account: "gamma", scopes: [.read], at: .now())
            #expect(try await world.store.caller(forKeyHash: issued.key.hash)?.scopes == [.read])
            let first = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
            #expect(try await world.store.revokeKey(issued.record.id, at: first))
            #expect(try await world.store.revokeKey(issued.record.id, at: .now()))
            #expect(try await world.store.caller(forKeyHash: issued.key.hash) == nil)
            let record = try #require(try await world.store.listKeys(account: "gamma").first)
            #expect(record.revokedAt == first)
            #expect(try await world.store.revokeKey(KeyID("key_doesnotexist0000"), at: .now()) == false)
        }
    }
}

/// A store opened on `url` with no keys issued, for tests that need an empty database.
func withStoreOnly<T>(url: String, _ body: (any ServiceStore) async throws -> T) async throws -> T {
    if url.hasPrefix("sqlite:") {
        return try await body(try SQLiteStore(path: String(url.dropFirst("sqlite:".count))))
    }
    var settings = try PostgresSettings(url: url)
    settings.maximumConnections = 8
    return try await PostgresStore.withRunningStore(settings: settings, logger: testLogger) { try await body($0) }
}
