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
        return migrator
    }
}
