public import AWSConnectionsCore
import Foundation
import GRDB

extension SQLiteStore: APIKeyStore {
    public func issueKey(account: String, scopes: Set<Scope>, expiresAt: Timestamp?, at now: Timestamp) async throws
        -> IssuedKey
    {
        try await write { db in
            let accountID = try Self.accountID(db, name: account, at: now)
            return try Self.insertKey(
                db, accountID: accountID, account: account, scopes: scopes, expiresAt: expiresAt, rotatedFrom: nil, at: now)
        }
    }

    public func issueBootstrapKeyIfNoKeys(at now: Timestamp) async throws -> IssuedKey? {
        try await write { db in
            // Inside the writer's IMMEDIATE transaction, so the check and the insert are atomic.
            guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM api_keys)") == false else { return nil }
            let accountID = try Self.accountID(db, name: "default", at: now)
            return try Self.insertKey(
                db, accountID: accountID, account: "default", scopes: Set(Scope.allCases), expiresAt: nil,
                rotatedFrom: nil, at: now)
        }
    }

    public func caller(forKeyHash hash: APIKeyHash) async throws -> Caller? {
        try reader.queryOne(
            """
            SELECT id, account_id, scopes, last_used_at, expires_at FROM api_keys
            WHERE key_hash = ? AND revoked_at IS NULL
            """,
            [.blob(hash.bytes)]
        ) { row in
            Caller(
                keyID: KeyID(row.text(0)), accountID: AccountID(row.int64(1)), scopes: Scope.parse(row.text(2)),
                lastUsedAt: row.optionalInt64(3).map(Timestamp.init(millisecondsSinceEpoch:)),
                expiresAt: row.optionalInt64(4).map(Timestamp.init(millisecondsSinceEpoch:)))
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
                        k.last_used_at AS last_used_at, k.revoked_at AS revoked_at, k.expires_at AS expires_at,
                        k.rotated_from AS rotated_from, k.replaced_by AS replaced_by
                    FROM api_keys k JOIN accounts a ON a.id = k.account_id
                    WHERE ? IS NULL OR a.name = ?
                    ORDER BY k.created_at, k.id
                    """, arguments: [account, account])
            return rows.map { row in
                let lastUsed: Int64? = row["last_used_at"]
                let revoked: Int64? = row["revoked_at"]
                let expires: Int64? = row["expires_at"]
                let rotatedFrom: String? = row["rotated_from"]
                let replacedBy: String? = row["replaced_by"]
                return KeyRecord(
                    id: KeyID(row["id"]), account: row["account"], scopes: Scope.parse(row["scopes"]),
                    createdAt: Timestamp(millisecondsSinceEpoch: row["created_at"]),
                    lastUsedAt: lastUsed.map(Timestamp.init(millisecondsSinceEpoch:)),
                    revokedAt: revoked.map(Timestamp.init(millisecondsSinceEpoch:)),
                    expiresAt: expires.map(Timestamp.init(millisecondsSinceEpoch:)),
                    rotatedFrom: rotatedFrom.map(KeyID.init), replacedBy: replacedBy.map(KeyID.init))
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

    public func rotateKey(_ id: KeyID, overlap: Duration, successorExpiry: SuccessorExpiry, at now: Timestamp)
        async throws
        -> KeyRotation
    {
        try await write { db in
            // Inside the writer's IMMEDIATE transaction: no other rotation can interleave.
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT k.account_id AS account_id, a.name AS account, k.scopes AS scopes,
                            k.revoked_at AS revoked_at, k.expires_at AS expires_at, k.replaced_by AS replaced_by,
                            k.created_at AS created_at
                        FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.id = ?
                        """, arguments: [id.rawValue])
            else { return .notFound }
            if let replacedBy: String = row["replaced_by"] { return .alreadyRotated(replacedBy: KeyID(replacedBy)) }
            if (row["revoked_at"] as Int64?) != nil { return .revoked }
            let current = (row["expires_at"] as Int64?).map(Timestamp.init(millisecondsSinceEpoch:))
            if let current, !(now < current) { return .expired(at: current) }
            let oldExpiry = KeyLifecycle.expiryAfterRotation(current: current, overlap: overlap, now: now)
            let expiresAt = successorExpiry.expiry(
                oldCreatedAt: Timestamp(millisecondsSinceEpoch: row["created_at"]), oldExpiresAt: current, now: now)
            let issued = try Self.insertKey(
                db, accountID: row["account_id"], account: row["account"], scopes: Scope.parse(row["scopes"]),
                expiresAt: expiresAt, rotatedFrom: id, at: now)
            try db.execute(
                sql: "UPDATE api_keys SET replaced_by = ?, expires_at = ? WHERE id = ?",
                arguments: [issued.record.id.rawValue, oldExpiry.millisecondsSinceEpoch, id.rawValue])
            return .rotated(issued, oldKeyExpiresAt: oldExpiry)
        }
    }

    private static func accountID(_ db: Database, name: String, at now: Timestamp) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO accounts (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            arguments: [name, now.millisecondsSinceEpoch])
        return try Int64.fetchOne(db, sql: "SELECT id FROM accounts WHERE name = ?", arguments: [name])!
    }

    private static func insertKey(
        _ db: Database, accountID: Int64, account: String, scopes: Set<Scope>, expiresAt: Timestamp?,
        rotatedFrom: KeyID?, at now: Timestamp
    ) throws -> IssuedKey {
        let key = APIKey.generate()
        let record = KeyRecord(
            id: KeyID.generate(), account: account, scopes: scopes, createdAt: now, lastUsedAt: nil, revokedAt: nil,
            expiresAt: expiresAt, rotatedFrom: rotatedFrom)
        try db.execute(
            sql: """
                INSERT INTO api_keys (id, account_id, key_hash, scopes, created_at, expires_at, rotated_from)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                record.id.rawValue, accountID, Data(key.hash.bytes), Scope.serialise(scopes),
                now.millisecondsSinceEpoch, expiresAt?.millisecondsSinceEpoch, rotatedFrom?.rawValue,
            ])
        return IssuedKey(key: key, record: record)
    }
}
