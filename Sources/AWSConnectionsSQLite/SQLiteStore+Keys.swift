public import AWSConnectionsCore
import Foundation
import GRDB

extension SQLiteStore: APIKeyStore {
    public func issueKey(account: String, scopes: Set<Scope>, at now: Timestamp) async throws -> IssuedKey {
        try await write { db in try Self.insertKey(db, account: account, scopes: scopes, at: now) }
    }

    public func issueBootstrapKeyIfNoKeys(at now: Timestamp) async throws -> IssuedKey? {
        try await write { db in
            // Inside the writer's IMMEDIATE transaction, so the check and the insert are atomic.
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys)") == false else { return nil }
            return try Self.insertKey(db, account: "default", scopes: Set(Scope.allCases), at: now)
        }
    }

    public func caller(forKeyHash hash: APIKeyHash) async throws -> Caller? {
        try reader.queryOne(
            "SELECT id, account_id, scopes, last_used_at FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
            [.blob(hash.bytes)]
        ) { row in
            Caller(
                keyID: KeyID(row.text(0)), accountID: AccountID(row.int64(1)), scopes: Scope.parse(row.text(2)),
                lastUsedAt: row.optionalInt64(3).map(Timestamp.init(millisecondsSinceEpoch:)))
        }
    }

    public func recordUse(of key: KeyID, at now: Timestamp) async throws {
        try await write { db in
            try db.cachedStatement(sql: "UPDATE api_keys SET last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?")
                .execute(arguments: [now.millisecondsSinceEpoch, key.rawValue])
        }
    }

    public func listKeys(account: String?) async throws -> [KeyRecord] {
        try read { db in
            // Aliased, because SQLite leaves the name of an unaliased result column unspecified.
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT k.id AS id, a.name AS account, k.scopes AS scopes, k.created_at AS created_at,
                        k.last_used_at AS last_used_at, k.revoked_at AS revoked_at
                    FROM api_keys k JOIN accounts a ON a.id = k.account_id
                    WHERE ? IS NULL OR a.name = ?
                    ORDER BY k.created_at, k.id
                    """, arguments: [account, account])
            return rows.map { row in
                let lastUsed: Int64? = row["last_used_at"]
                let revoked: Int64? = row["revoked_at"]
                return KeyRecord(
                    id: KeyID(row["id"]), account: row["account"], scopes: Scope.parse(row["scopes"]),
                    createdAt: Timestamp(millisecondsSinceEpoch: row["created_at"]),
                    lastUsedAt: lastUsed.map(Timestamp.init(millisecondsSinceEpoch:)),
                    revokedAt: revoked.map(Timestamp.init(millisecondsSinceEpoch:)))
            }
        }
    }

    public func revokeKey(_ id: KeyID, at now: Timestamp) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
                arguments: [now.millisecondsSinceEpoch, id.rawValue])
            return db.changesCount > 0
        }
    }

    private static func insertKey(_ db: Database, account: String, scopes: Set<Scope>, at now: Timestamp) throws
        -> IssuedKey
    {
        try db.execute(
            sql: "INSERT INTO accounts (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            arguments: [account, now.millisecondsSinceEpoch])
        let accountID = try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE name = ?", arguments: [account])!
        let key = APIKey.generate()
        let record = KeyRecord(
            id: KeyID.generate(), account: account, scopes: scopes, createdAt: now, lastUsedAt: nil, revokedAt: nil)
        try db.execute(
            sql: """
                INSERT INTO api_keys (id, account_id, key_hash, scopes, created_at)
                VALUES (?, ?, ?, ?, ?)
                """,
            arguments: [
                record.id.rawValue, accountID, Data(key.hash.bytes), Scope.serialise(scopes),
                now.millisecondsSinceEpoch,
            ])
        return IssuedKey(key: key, record: record)
    }
}
