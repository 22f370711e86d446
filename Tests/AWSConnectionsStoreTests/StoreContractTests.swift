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
            awsRegion: "us-east-1", roleARN: "arn:aws:iam::123456789012:role/contract-test",
            externalID: ExternalID.generate(), enabled: true, createdDate: now, updatedDate: now, version: 1)
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

    @Test("create, get, list and history keep the role ARN and the external id; an external id is never shared", arguments: StoreKind.all)
    func roleFieldsRoundTrip(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let (alpha, _) = try await accounts(world)
            var connection = newConnection(account: alpha)
            connection.roleARN = "arn:aws:iam::123456789012:role/media/reader+one"
            let created = try await create(world, connection)
            #expect(created == connection)
            #expect(try await world.store.get(id: created.id) == created)
            #expect(try await world.store.list(account: alpha) == [created])
            let rename = ConnectionChanges(name: "renamed", description: nil, enabled: nil, expectedVersion: 1)
            guard case .updated(let updated) = try await world.store.update(
                id: created.id, account: alpha, changes: rename, by: actingKey, at: .now())
            else { Issue.record("the update did not apply"); return }
            #expect(updated.roleARN == created.roleARN && updated.externalID == created.externalID)
            #expect(try await world.store.delete(id: created.id, account: alpha, by: actingKey) == .deleted)
            let history = try await world.store.history(id: created.id)
            #expect(history.map(\.kind) == [.created, .updated, .deleted])
            #expect(history.allSatisfy { $0.roleARN == created.roleARN && $0.externalID == created.externalID })
            #expect(history.first?.fields == created.fields)

            var twin = newConnection(account: alpha, name: "twin")
            twin.externalID = try await create(world, newConnection(account: alpha)).externalID
            await #expect(throws: StoreError.self) {
                try await world.store.create(twin, by: actingKey, quota: 10_000, idempotency: nil)
            }
        }
    }

    @Test("an update with a new roleArn changes it and forgets the verification; without one, or with the same, both are kept", arguments: StoreKind.all)
    func roleUpdateForgetsVerification(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let (alpha, _) = try await accounts(world)
            let created = try await create(world, newConnection(account: alpha))
            let verification = sampleVerification(of: created)
            #expect(try await world.store.saveVerification(verification))
            #expect(try await world.store.verification(id: created.id) == verification)

            let rename = ConnectionChanges(name: "renamed", description: nil, enabled: nil, expectedVersion: 1)
            guard case .updated(let renamed) = try await world.store.update(
                id: created.id, account: alpha, changes: rename, by: actingKey, at: .now())
            else { Issue.record("the rename did not apply"); return }
            #expect(renamed.roleARN == created.roleARN && renamed.externalID == created.externalID)
            #expect(try await world.store.verification(id: created.id) == verification)

            let sameRole = ConnectionChanges(
                name: "renamed", description: nil, enabled: nil, roleARN: RoleARN(created.roleARN), expectedVersion: 2)
            guard case .updated = try await world.store.update(
                id: created.id, account: alpha, changes: sameRole, by: actingKey, at: .now())
            else { Issue.record("the same-role update did not apply"); return }
            #expect(try await world.store.verification(id: created.id) == verification)

            let newRole = try #require(RoleARN("arn:aws:iam::123456789012:role/replacement"))
            let replace = ConnectionChanges(name: "renamed", description: nil, enabled: nil, roleARN: newRole, expectedVersion: 3)
            guard case .updated(let replaced) = try await world.store.update(
                id: created.id, account: alpha, changes: replace, by: actingKey, at: .now())
            else { Issue.record("the role update did not apply"); return }
            #expect(replaced.roleARN == newRole.description && replaced.externalID == created.externalID)
            #expect(try await world.store.get(id: created.id) == replaced)
            #expect(try await world.store.verification(id: created.id) == nil)
            #expect(try await world.store.history(id: created.id).last?.roleARN == newRole.description)

            // A conflicting update changes nothing, the verification of the current role included.
            let current = sampleVerification(of: replaced)
            #expect(try await world.store.saveVerification(current))
            let stale = ConnectionChanges(name: "x", description: nil, enabled: nil, roleARN: RoleARN(created.roleARN), expectedVersion: 3)
            #expect(try await world.store.update(id: created.id, account: alpha, changes: stale, by: actingKey, at: .now())
                == .versionConflict(currentVersion: 4))
            #expect(try await world.store.verification(id: created.id) == current)
        }
    }

    @Test("saveVerification replaces the last one, and refuses a replaced roleArn, a deleted connection and an unknown one", arguments: StoreKind.all)
    func saveVerificationConditions(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let (alpha, _) = try await accounts(world)
            let created = try await create(world, newConnection(account: alpha))
            let first = sampleVerification(of: created)
            #expect(try await world.store.saveVerification(first))
            let second = Verification(
                connection: created, checkedDate: Timestamp(millisecondsSinceEpoch: 1_800_000_100_000),
                steps: [VerificationStep(step: .assumeRole, status: .ok, durationMilliseconds: 7)])
            #expect(second.status == .verified)
            #expect(try await world.store.saveVerification(second))
            #expect(try await world.store.verification(id: created.id) == second)

            let newRole = try #require(RoleARN("arn:aws:iam::123456789012:role/replacement"))
            let replace = ConnectionChanges(name: "n", description: nil, enabled: nil, roleARN: newRole, expectedVersion: 1)
            guard case .updated(let replaced) = try await world.store.update(
                id: created.id, account: alpha, changes: replace, by: actingKey, at: .now())
            else { Issue.record("the role update did not apply"); return }
            // A verify that started before the role changed finishes after it.
            #expect(try await world.store.saveVerification(first) == false)
            #expect(try await world.store.verification(id: created.id) == nil)
            #expect(try await world.store.history(id: created.id).count == 2)
            #expect(try await world.store.get(id: created.id) == replaced)

            #expect(try await world.store.delete(id: created.id, account: alpha, by: actingKey) == .deleted)
            #expect(try await world.store.saveVerification(sampleVerification(of: replaced)) == false)
            #expect(try await world.store.verification(id: created.id) == nil)

            var unknown = sampleVerification(of: replaced)
            unknown.connectionID = ConnectionID.generate(at: .now())
            #expect(try await world.store.saveVerification(unknown) == false)
            #expect(try await world.store.verification(id: unknown.connectionID) == nil)
        }
    }

    @Test("a delete forgets the connection's verification; another connection's stays", arguments: StoreKind.all)
    func deleteForgetsVerification(store: StoreKind) async throws {
        try await withWorld(store) { world in
            let (alpha, _) = try await accounts(world)
            let doomed = try await create(world, newConnection(account: alpha, name: "doomed"))
            let kept = try await create(world, newConnection(account: alpha, name: "kept"))
            #expect(try await world.store.saveVerification(sampleVerification(of: doomed)))
            #expect(try await world.store.saveVerification(sampleVerification(of: kept)))
            #expect(try await world.store.delete(id: doomed.id, account: alpha, by: actingKey) == .deleted)
            #expect(try await world.store.verification(id: doomed.id) == nil)
            #expect(try await world.store.verification(id: kept.id) == sampleVerification(of: kept))
            #expect(try await world.queryInteger("SELECT count(*) FROM connection_verifications") == 1)
        }
    }

    /// A failed verify of `connection` with every kind of step: codes and messages present and
    /// absent, and a message that needs escaping.
    private func sampleVerification(of connection: Connection) -> Verification {
        Verification(
            connection: connection, checkedDate: Timestamp(millisecondsSinceEpoch: 1_800_000_000_123),
            steps: [
                VerificationStep(step: .assumeRole, status: .ok, durationMilliseconds: 412),
                VerificationStep(
                    step: .externalIDEnforced, status: .ok, code: "AccessDenied",
                    message: "User: arn:aws:sts::… is not authorized to perform: sts:AssumeRole", durationMilliseconds: 88),
                VerificationStep(
                    step: .listBucket, status: .failed, code: "NoSuchBucket",
                    message: "The bucket \"media\" does not exist\n\t(ré-essayez) \u{1}", durationMilliseconds: 0),
                .skipped(.readObject),
            ])
    }
}

/// A store opened on `url` with no keys issued, for tests that need an empty database.
func withStoreOnly<T>(
    url: String, defaultRoleName: String = RoleARN.defaultRoleName, _ body: (any ServiceStore) async throws -> T
) async throws -> T {
    if url.hasPrefix("sqlite:") {
        return try await body(
            try SQLiteStore(path: String(url.dropFirst("sqlite:".count)), defaultRoleName: defaultRoleName))
    }
    var settings = try PostgresSettings(url: url)
    settings.maximumConnections = 8
    settings.defaultRoleName = defaultRoleName
    return try await PostgresStore.withRunningStore(settings: settings, logger: testLogger) { try await body($0) }
}
