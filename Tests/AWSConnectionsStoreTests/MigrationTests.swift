import AWSConnectionsCore
@testable import AWSConnectionsPostgres
@testable import AWSConnectionsSQLite
import AWSConnectionsTestSupport
import GRDB
import Testing

@Suite("Schema upgrades")
struct MigrationTests {
    /// Two connections of one account as a server before history kept them: one untouched,
    /// one updated twice.
    private let existingRows = [
        """
        INSERT INTO connections VALUES
            ('20250101000000000aaaaaaaaaaaaaaa', 1, 'first', '', '123456789012', 'us-east-1', true, 1000, 1000, 1),
            ('20250101000000001bbbbbbbbbbbbbbb', 1, 'second', 'd', '123456789012', 'eu-west-2', false, 2000, 5000, 3)
        """
    ]

    @Test("upgrading a database with connections to history and quota keeps them, starts each history at its current version, and counts them against the quota", arguments: StoreKind.all)
    func upgradeKeepsData(store: StoreKind) async throws {
        try await withDatabaseURL(store) { url in
            try await createSchemaBeforeHistory(store, url: url)
            try await withStoreOnly(url: url) { upgraded in
                let second = ConnectionID(uncheckedRawValue: "20250101000000001bbbbbbbbbbbbbbb")
                let before = try #require(try await upgraded.get(id: second))
                #expect(before.version == 3 && before.name == "second" && before.enabled == false)
                let records = try await upgraded.history(id: second)
                #expect(records.map(\.version) == [3])
                #expect(records.first?.kind == .created && records.first?.keyID == nil)
                #expect(records.first?.changedDate == Timestamp(millisecondsSinceEpoch: 5000))
                #expect(records.first?.name == "second" && records.first?.awsRegion == "eu-west-2")

                // Two held, so a quota of 3 leaves exactly one place.
                let now = Timestamp.now()
                func attempt() async throws -> CreateOutcome {
                    let connection = Connection(
                        id: .generate(at: now), accountID: AccountID(1), name: "new", description: "",
                        awsAccountID: "123456789012", awsRegion: "us-east-1", enabled: true, createdDate: now,
                        updatedDate: now, version: 1)
                    return try await upgraded.create(connection, by: KeyID("key_migrationtest000"), quota: 3, idempotency: nil)
                }
                guard case .created = try await attempt() else { Issue.record("the free place was refused"); return }
                #expect(try await attempt() == .quotaExceeded(limit: 3))
            }
        }
    }

    /// The schema of steps 0001 and 0002 only, holding `existingRows`.
    private func createSchemaBeforeHistory(_ store: StoreKind, url: String) async throws {
        let account = "INSERT INTO accounts (name, created_at) VALUES ('alpha', 0)"
        switch store {
        case .sqlite:
            let pool = try DatabasePool(path: String(url.dropFirst("sqlite:".count)))
            try SQLiteMigrations.migrator.migrate(pool, upTo: "0002-idempotency-keys")
            try await pool.write { db in
                try db.execute(sql: account)
                for sql in existingRows { try db.execute(sql: sql) }
            }
            try pool.close()
        case .postgres:
            try await TestPostgres.execute(
                #"CREATE TABLE schema_migrations (name TEXT COLLATE "C" PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"#,
                on: url)
            for step in PostgresMigrations.steps.prefix(2) {
                for statement in step.statements { try await TestPostgres.execute(statement, on: url) }
                try await TestPostgres.execute("INSERT INTO schema_migrations (name) VALUES ('\(step.name)')", on: url)
            }
            try await TestPostgres.execute(account, on: url)
            for sql in existingRows { try await TestPostgres.execute(sql, on: url) }
        }
    }
}
