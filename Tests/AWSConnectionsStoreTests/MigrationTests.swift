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
    private let rowsBeforeHistory = [
        """
        INSERT INTO connections VALUES
            ('20250101000000000aaaaaaaaaaaaaaa', 1, 'first', '', '123456789012', 'us-east-1', true, 1000, 1000, 1),
            ('20250101000000001bbbbbbbbbbbbbbb', 1, 'second', 'd', '123456789012', 'eu-west-2', false, 2000, 5000, 3)
        """
    ]

    @Test("upgrading a database with connections to history and quota keeps them, starts each history at its current version, and counts them against the quota", arguments: StoreKind.all)
    func upgradeKeepsData(store: StoreKind) async throws {
        try await withDatabaseURL(store) { url in
            try await createSchema(store, url: url, through: "0002-idempotency-keys", rows: rowsBeforeHistory)
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
                        awsAccountID: "123456789012", awsRegion: "us-east-1",
                        roleARN: "arn:aws:iam::123456789012:role/\(RoleARN.defaultRoleName)",
                        externalID: ExternalID.generate(), enabled: true, createdDate: now, updatedDate: now, version: 1)
                    return try await upgraded.create(connection, by: KeyID("key_migrationtest000"), quota: 3, idempotency: nil)
                }
                guard case .created = try await attempt() else { Issue.record("the free place was refused"); return }
                #expect(try await attempt() == .quotaExceeded(limit: 3))
            }
        }
    }

    /// Three connections in three partitions, each with history, and the history of two
    /// connections deleted before roles existed.
    private let rowsBeforeRoles = [
        "UPDATE accounts SET connection_count = 3",
        """
        INSERT INTO connections VALUES
            ('20250101000000000aaaaaaaaaaaaaaa', 1, 'commercial', '', '123456789012', 'us-east-1', true, 1000, 3000, 2),
            ('20250101000000001bbbbbbbbbbbbbbb', 1, 'china', '', '210987654321', 'cn-north-1', true, 2000, 2000, 1),
            ('20250101000000002ccccccccccccccc', 1, 'govcloud', '', '111122223333', 'us-gov-west-1', false, 2500, 2500, 1)
        """,
        """
        INSERT INTO connection_history VALUES
            ('20250101000000000aaaaaaaaaaaaaaa', 1, 1, 1000, 'key_migrationtest000', 'created', 'first', '', '123456789012', 'us-east-1', true),
            ('20250101000000000aaaaaaaaaaaaaaa', 2, 1, 3000, 'key_migrationtest000', 'updated', 'commercial', '', '123456789012', 'us-east-1', true),
            ('20250101000000001bbbbbbbbbbbbbbb', 1, 1, 2000, 'key_migrationtest000', 'created', 'china', '', '210987654321', 'cn-north-1', true),
            ('20250101000000002ccccccccccccccc', 1, 1, 2500, NULL, 'created', 'govcloud', '', '111122223333', 'us-gov-west-1', false),
            ('20241201000000000ddddddddddddddd', 1, 1, 500, 'key_migrationtest000', 'created', 'gone', '', '444455556666', 'cn-northwest-1', true),
            ('20241201000000000ddddddddddddddd', 2, 1, 600, 'key_migrationtest000', 'updated', 'gone again', '', '444455556666', 'cn-northwest-1', true),
            ('20241201000000000ddddddddddddddd', 3, 1, 700, 'key_migrationtest000', 'deleted', 'gone again', '', '444455556666', 'cn-northwest-1', true),
            ('20241201000000001eeeeeeeeeeeeeee', 1, 1, 800, 'key_migrationtest000', 'created', 'also gone', '', '123456789012', 'eu-west-1', true),
            ('20241201000000001eeeeeeeeeeeeeee', 2, 1, 900, 'key_migrationtest000', 'deleted', 'also gone', '', '123456789012', 'eu-west-1', true)
        """,
    ]

    @Test("upgrading to roles gives every connection and every history row a new external id and the configured default role of its partition", arguments: StoreKind.all)
    func upgradeFillsRoles(store: StoreKind) async throws {
        let roleName = "legacy-media-access"
        try await withDatabaseURL(store) { url in
            try await createSchema(store, url: url, through: "0003-history-and-quota", rows: rowsBeforeRoles)
            try await withStoreOnly(url: url, defaultRoleName: roleName) { upgraded in
                let expected: [(id: String, role: String)] = [
                    ("20250101000000000aaaaaaaaaaaaaaa", "arn:aws:iam::123456789012:role/\(roleName)"),
                    ("20250101000000001bbbbbbbbbbbbbbb", "arn:aws-cn:iam::210987654321:role/\(roleName)"),
                    ("20250101000000002ccccccccccccccc", "arn:aws-us-gov:iam::111122223333:role/\(roleName)"),
                    ("20241201000000000ddddddddddddddd", "arn:aws-cn:iam::444455556666:role/\(roleName)"),
                    ("20241201000000001eeeeeeeeeeeeeee", "arn:aws:iam::123456789012:role/\(roleName)"),
                ]
                var externalIDs: [String] = []
                for (index, (rawID, role)) in expected.enumerated() {
                    let id = ConnectionID(uncheckedRawValue: rawID)
                    let history = try await upgraded.history(id: id)
                    let externalID = try #require(history.first?.externalID)
                    #expect(history.allSatisfy { $0.roleARN == role && $0.externalID == externalID }, "\(rawID)")
                    #expect(externalID.utf8.count == ExternalID.length)
                    #expect(externalID.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
                    externalIDs.append(externalID)
                    let connection = try await upgraded.get(id: id)
                    if index < 3 {
                        let connection = try #require(connection, "\(rawID)")
                        #expect(connection.roleARN == role && connection.externalID == externalID)
                        #expect(connection.fields == history.last?.fields)
                    } else {
                        #expect(connection == nil)
                    }
                }
                #expect(Set(externalIDs).count == expected.count)

                // PostgreSQL's list pages are the rows' documents, written for the existing
                // rows by the step after this one.
                if let pages = upgraded as? any ConnectionJSONPages {
                    let live: [(id: String, name: String, region: String, enabled: Bool, created: String, updated: String, version: Int)] = [
                        ("20250101000000000aaaaaaaaaaaaaaa", "commercial", "us-east-1", true, "00:00:01.000", "00:00:03.000", 2),
                        ("20250101000000001bbbbbbbbbbbbbbb", "china", "cn-north-1", true, "00:00:02.000", "00:00:02.000", 1),
                        ("20250101000000002ccccccccccccccc", "govcloud", "us-gov-west-1", false, "00:00:02.500", "00:00:02.500", 1),
                    ]
                    let documents = live.enumerated().map { index, row in
                        let account = expected[index].role.split(separator: ":", omittingEmptySubsequences: false)[4]
                        return #"{"connectionId":"\#(row.id)","name":"\#(row.name)","description":"","#
                            + #""awsAccountId":"\#(account)","awsRegion":"\#(row.region)","roleArn":"\#(expected[index].role)","#
                            + #""externalId":"\#(externalIDs[index])","type":"AWS","enabled":\#(row.enabled),"#
                            + #""createdDate":"1970-01-01T\#(row.created)Z","updatedDate":"1970-01-01T\#(row.updated)Z","#
                            + #""version":\#(row.version)}"#
                    }
                    let page = try await pages.jsonPage(account: AccountID(1), query: ConnectionListQuery(), limit: 10)
                    #expect(String(decoding: page.items, as: UTF8.self) == documents.joined(separator: ","))
                }
                #expect(try await upgraded.history(id: ConnectionID(uncheckedRawValue: "20241201000000000ddddddddddddddd")).map(\.version) == [1, 2, 3])
            }
            // Every new column is NOT NULL once filled.
            for table in ["connections", "connection_history"] {
                for column in ["role_arn", "external_id"] {
                    await #expect(throws: (any Error).self, "\(table).\(column)") {
                        try await execute(store, url: url, "UPDATE \(table) SET \(column) = NULL")
                    }
                }
            }
        }
    }

    @Test("a store opened to use the schema as it is sets up an empty database, refuses an older schema and leaves it as it was; an upgrading open then applies exactly what is missing", arguments: StoreKind.all)
    func requireCurrentRefusesOlderSchema(store: StoreKind) async throws {
        let known = knownMigrations(store)
        try await withDatabaseURL(store) { url async throws -> Void in
            #expect(try await open(store, url: url, .requireCurrent) == known)
            #expect(try await applied(store, url: url) == known)
            #expect(try await open(store, url: url, .requireCurrent) == [])
        }
        try await withDatabaseURL(store) { url in
            try await createSchema(store, url: url, through: "0002-idempotency-keys", rows: [])
            let before = try await snapshot(store, url: url)
            let refusal = await #expect(throws: SchemaMismatch.self) {
                try await open(store, url: url, .requireCurrent)
            }
            #expect(refusal == SchemaMismatch(applied: Array(known.prefix(2)), known: known))
            #expect(refusal?.isNewer == false)
            #expect(try await snapshot(store, url: url) == before)

            #expect(try await open(store, url: url, .upgrade) == Array(known.dropFirst(2)))
            #expect(try await applied(store, url: url) == known)
            #expect(try await open(store, url: url, .requireCurrent) == [])
        }
    }

    @Test("a database holding a migration this version does not know is refused by every open, upgrading or not, and left as it was", arguments: StoreKind.all)
    func newerSchemaRefused(store: StoreKind) async throws {
        let known = knownMigrations(store)
        try await withDatabaseURL(store) { url in
            _ = try await open(store, url: url, .upgrade)
            let table = store == .sqlite ? "grdb_migrations (identifier)" : "schema_migrations (name)"
            try await execute(store, url: url, "INSERT INTO \(table) VALUES ('9999-from-the-future')")
            let before = try await snapshot(store, url: url)
            for policy in [MigrationPolicy.upgrade, .requireCurrent] {
                let refusal = await #expect(throws: SchemaMismatch.self, "\(policy)") {
                    try await open(store, url: url, policy)
                }
                #expect(refusal?.isNewer == true)
                #expect(refusal?.unknown == ["9999-from-the-future"])
                #expect(refusal?.applied == known + ["9999-from-the-future"] && refusal?.known == known)
            }
            #expect(try await snapshot(store, url: url) == before)
        }
    }

    private func knownMigrations(_ store: StoreKind) -> [String] {
        store == .sqlite ? SQLiteStore.knownMigrations : PostgresStore.knownMigrations
    }

    /// Opens the store at `url` under `policy` and returns the migrations that opening applied.
    @discardableResult
    private func open(_ store: StoreKind, url: String, _ policy: MigrationPolicy) async throws -> [String] {
        switch store {
        case .sqlite:
            return try SQLiteStore(path: String(url.dropFirst("sqlite:".count)), migrations: policy).appliedAtOpen
        case .postgres:
            let settings = try PostgresSettings(url: url)
            return try await PostgresStore.withRunningStore(settings: settings, logger: testLogger, migrations: policy) {
                $0.appliedAtOpen
            }
        }
    }

    /// The migrations the database records, sorted.
    private func applied(_ store: StoreKind, url: String) async throws -> [String] {
        switch store {
        case .sqlite:
            let queue = try DatabaseQueue(path: String(url.dropFirst("sqlite:".count)))
            return try await queue.read { try String.fetchAll($0, sql: "SELECT identifier FROM grdb_migrations ORDER BY 1") }
        case .postgres:
            return try await TestPostgres.query("SELECT name FROM schema_migrations ORDER BY 1", on: url)
        }
    }

    /// Every table and column (with its definition) and every recorded migration, to show
    /// that a refused open changed nothing.
    private func snapshot(_ store: StoreKind, url: String) async throws -> [String] {
        switch store {
        case .sqlite:
            let queue = try DatabaseQueue(path: String(url.dropFirst("sqlite:".count)))
            return try await queue.read { db in
                try String.fetchAll(db, sql: "SELECT type || ' ' || name || ' ' || ifnull(sql, '') FROM sqlite_master ORDER BY name")
                    + String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY 1")
            }
        case .postgres:
            let columns = try await TestPostgres.query(
                """
                SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable
                FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1
                """, on: url)
            return try await columns + TestPostgres.query("SELECT name FROM schema_migrations ORDER BY 1", on: url)
        }
    }

    /// The schema of the steps through `step` only, holding `rows`.
    private func createSchema(_ store: StoreKind, url: String, through step: String, rows: [String]) async throws {
        let account = "INSERT INTO accounts (name, created_at) VALUES ('alpha', 0)"
        switch store {
        case .sqlite:
            let pool = try DatabasePool(path: String(url.dropFirst("sqlite:".count)))
            try SQLiteMigrations.migrator(defaultRoleName: RoleARN.defaultRoleName).migrate(pool, upTo: step)
            try await pool.write { db in
                try db.execute(sql: account)
                for sql in rows { try db.execute(sql: sql) }
            }
            try pool.close()
        case .postgres:
            try await TestPostgres.execute(
                #"CREATE TABLE schema_migrations (name TEXT COLLATE "C" PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"#,
                on: url)
            let count = try #require(PostgresMigrations.steps.firstIndex { $0.name == step }) + 1
            for step in PostgresMigrations.steps.prefix(count) {
                let isSQLAlone = step.fill == nil && step.statementsAfterFill.isEmpty
                try #require(isSQLAlone, "a test database is made only by steps without a fill")
                for statement in step.statements { try await TestPostgres.execute(statement, on: url) }
                try await TestPostgres.execute("INSERT INTO schema_migrations (name) VALUES ('\(step.name)')", on: url)
            }
            try await TestPostgres.execute(account, on: url)
            for sql in rows { try await TestPostgres.execute(sql, on: url) }
        }
    }

    /// Runs `sql` on the database at `url` over a connection of its own.
    private func execute(_ store: StoreKind, url: String, _ sql: String) async throws {
        switch store {
        case .sqlite:
            let queue = try DatabaseQueue(path: String(url.dropFirst("sqlite:".count)))
            try await queue.write { db in try db.execute(sql: sql) }
        case .postgres:
            try await TestPostgres.execute(sql, on: url)
        }
    }
}
