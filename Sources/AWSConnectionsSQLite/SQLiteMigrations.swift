import GRDB

/// The schema, as an ordered list of named steps recorded in GRDB's `grdb_migrations` table.
///
/// Steps are append-only: a released step is never edited, a change is a new step. GRDB runs
/// the pending ones in one exclusive transaction at start, so a crash mid-migration leaves
/// the previous schema intact.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
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
        return migrator
    }
}
