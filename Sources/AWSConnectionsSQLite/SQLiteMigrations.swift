import AWSConnectionsCore
import GRDB

/// The schema, as an ordered list of named steps recorded in GRDB's `grdb_migrations` table.
///
/// Steps are append-only: a released step is never edited, a change is a new step. GRDB runs
/// each pending step in a transaction of its own, so a crash mid-migration leaves the schema
/// as the last completed step left it.
enum SQLiteMigrations {
    /// The names of the steps, oldest first.
    static let names = migrator(defaultRoleName: RoleARN.defaultRoleName).migrations

    /// The names of the applied steps, oldest first, followed by any this version does not
    /// know (sorted, the order their names give); none on a new database.
    static func applied(_ db: Database) throws -> [String] {
        let recorded = try DatabaseMigrator().appliedIdentifiers(db)
        return names.filter(recorded.contains) + recorded.subtracting(names).sorted()
    }

    /// The steps; `defaultRoleName` names the role that step 0004 gives the connections that
    /// exist when it runs.
    static func migrator(defaultRoleName: String) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("0001-accounts-keys-connections") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL UNIQUE,
                        created_at INTEGER NOT NULL
                    ) STRICT;

                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY,
                        account_id INTEGER NOT NULL REFERENCES accounts(id),
                        key_hash BLOB NOT NULL UNIQUE,
                        scopes TEXT NOT NULL,
                        created_at INTEGER NOT NULL,
                        last_used_at INTEGER,
                        revoked_at INTEGER
                    ) STRICT;

                    CREATE TABLE connections (
                        id TEXT PRIMARY KEY,
                        account_id INTEGER NOT NULL REFERENCES accounts(id),
                        name TEXT NOT NULL,
                        description TEXT NOT NULL,
                        aws_account_id TEXT NOT NULL,
                        aws_region TEXT NOT NULL,
                        enabled INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        version INTEGER NOT NULL CHECK (version >= 1)
                    ) STRICT, WITHOUT ROWID;

                    CREATE INDEX connections_by_account ON connections(account_id, created_at, id);
                    """)
        }
        migrator.registerMigration("0002-idempotency-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE idempotency_keys (
                        account_id INTEGER NOT NULL REFERENCES accounts(id),
                        key TEXT NOT NULL,
                        fingerprint BLOB NOT NULL,
                        connection_id TEXT NOT NULL,
                        response BLOB NOT NULL,
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (account_id, key)
                    ) STRICT, WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("0003-history-and-quota") { db in
            // History rows hold the state each change left, so a backfilled row is the
            // connection as it is now: the baseline for the changes that follow.
            try db.execute(
                sql: """
                    ALTER TABLE accounts ADD COLUMN connection_count INTEGER NOT NULL DEFAULT 0;
                    UPDATE accounts SET connection_count = (SELECT count(*) FROM connections WHERE account_id = accounts.id);

                    CREATE TABLE connection_history (
                        connection_id TEXT NOT NULL,
                        version INTEGER NOT NULL CHECK (version >= 1),
                        account_id INTEGER NOT NULL REFERENCES accounts(id),
                        changed_at INTEGER NOT NULL,
                        key_id TEXT,
                        change TEXT NOT NULL CHECK (change IN ('created', 'updated', 'deleted')),
                        name TEXT NOT NULL,
                        description TEXT NOT NULL,
                        aws_account_id TEXT NOT NULL,
                        aws_region TEXT NOT NULL,
                        enabled INTEGER NOT NULL,
                        PRIMARY KEY (connection_id, version)
                    ) STRICT, WITHOUT ROWID;
                    CREATE INDEX connection_history_deletions ON connection_history(changed_at) WHERE change = 'deleted';
                    INSERT INTO connection_history
                        SELECT id, version, account_id, updated_at, NULL, 'created', name, description, aws_account_id,
                            aws_region, enabled
                        FROM connections;

                    CREATE INDEX idempotency_keys_by_age ON idempotency_keys(created_at);
                    """)
        }
        migrator.registerMigration("0004-roles-and-verifications") { db in
            // Added NOT NULL with a default and then filled, rather than by rebuilding the
            // STRICT tables: SQLite cannot add a column without a default to a table with
            // rows, and a rebuild (copy, drop, rename, every index restated) would only remove
            // a default no statement uses: every insert names every field column
            // (`FieldColumn`), and the unique index refuses a second empty external id.
            try db.execute(
                sql: """
                    ALTER TABLE connections ADD COLUMN role_arn TEXT NOT NULL DEFAULT '';
                    ALTER TABLE connections ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
                    ALTER TABLE connection_history ADD COLUMN role_arn TEXT NOT NULL DEFAULT '';
                    ALTER TABLE connection_history ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
                    """)
            try fillRoles(db, defaultRoleName: defaultRoleName)
            // The verification goes with its connection through the cascade: the store's
            // connections enforce foreign keys (see `SQLiteStore.init`).
            try db.execute(
                sql: """
                    CREATE UNIQUE INDEX connections_by_external_id ON connections(external_id);

                    CREATE TABLE connection_verifications (
                        connection_id TEXT PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
                        role_arn TEXT NOT NULL,
                        status TEXT NOT NULL CHECK (status IN ('verified', 'failed', 'unverified')),
                        checked_at INTEGER,
                        steps TEXT NOT NULL
                    ) STRICT, WITHOUT ROWID;
                    """)
        }
        // PostgreSQL keeps each connection's JSON in its row for list pages; SQLite writes a
        // page from its rows as fast as it reads them, so here the step changes nothing. It
        // is recorded all the same: both stores name the same schema by the same steps.
        migrator.registerMigration("0005-connection-documents") { _ in }
        // A key's expiry (its own, or the end of a rotation's overlap) and the rotation's links.
        migrator.registerMigration("0006-key-lifecycle") { db in
            try db.execute(
                sql: """
                    ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
                    ALTER TABLE api_keys ADD COLUMN rotated_from TEXT;
                    ALTER TABLE api_keys ADD COLUMN replaced_by TEXT;
                    """)
        }
        return migrator
    }

    /// Gives every connection a new external id and the default role of its account and
    /// region, and its history the same; the history of a connection already deleted gets
    /// an external id of its own, one per connection.
    ///
    /// Each id is `ExternalID.generate()`'s, as at create: one draw of the system CSPRNG per
    /// connection, never SQL's random.
    private static func fillRoles(_ db: Database, defaultRoleName: String) throws {
        func defaultRole(_ row: Row) -> String {
            RoleARN(defaultFor: row["aws_account_id"], region: row["aws_region"], roleName: defaultRoleName).description
        }
        let setConnection = try db.makeStatement(sql: "UPDATE connections SET role_arn = ?, external_id = ? WHERE id = ?")
        for row in try Row.fetchAll(db, sql: "SELECT id, aws_account_id, aws_region FROM connections") {
            try setConnection.execute(arguments: [defaultRole(row), ExternalID.generate(), row["id"] as String])
        }
        try db.execute(
            sql: """
                UPDATE connection_history SET role_arn = c.role_arn, external_id = c.external_id
                FROM connections c WHERE c.id = connection_history.connection_id
                """)
        let setDeleted = try db.makeStatement(
            sql: """
                UPDATE connection_history SET role_arn = ?, external_id = ?
                WHERE connection_id = ? AND aws_account_id = ? AND aws_region = ? AND external_id = ''
                """)
        var externalIDs: [String: String] = [:]
        let deleted = try Row.fetchAll(
            db,
            sql: "SELECT DISTINCT connection_id, aws_account_id, aws_region FROM connection_history WHERE external_id = ''")
        for row in deleted {
            let id: String = row["connection_id"]
            let externalID = externalIDs[id] ?? ExternalID.generate()
            externalIDs[id] = externalID
            let account: String = row["aws_account_id"]
            let region: String = row["aws_region"]
            try setDeleted.execute(arguments: [defaultRole(row), externalID, id, account, region])
        }
    }
}
