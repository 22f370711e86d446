public import AWSConnectionsCore
import NIOCore
import PostgresNIO

extension PostgresStore: APIKeyStore {
    public func issueKey(account: String, scopes: Set<Scope>, expiresAt: Timestamp?, at now: Timestamp) async throws
        -> IssuedKey
    {
        let logger = self.logger
        return try await transaction { connection in
            let accountID = try await Self.accountID(connection, name: account, at: now, logger: logger)
            return try await Self.insertKey(
                connection, accountID: accountID, account: account, scopes: scopes, expiresAt: expiresAt,
                rotatedFrom: nil, at: now, logger: logger)
        }
    }

    public func issueBootstrapKeyIfNoKeys(at now: Timestamp) async throws -> IssuedKey? {
        let logger = self.logger
        return try await transaction { connection in
            // Replicas starting together queue on this lock; the first inserts, the others then see its key.
            try await connection.query("SELECT pg_advisory_xact_lock(\(Self.bootstrapLockKey))", logger: logger)
            let rows = try await connection.query("SELECT EXISTS (SELECT 1 FROM api_keys)", logger: logger)
            for try await exists in rows.decode(Bool.self) where exists { return nil }
            let accountID = try await Self.accountID(connection, name: "default", at: now, logger: logger)
            return try await Self.insertKey(
                connection, accountID: accountID, account: "default", scopes: Set(Scope.allCases), expiresAt: nil,
                rotatedFrom: nil, at: now, logger: logger)
        }
    }

    public func caller(forKeyHash hash: APIKeyHash) async throws -> Caller? {
        try await perform { database in
            let rows = try await database.execute(CallerByKeyHash(hash: hash), logger: self.logger)
            for try await (id, account, scopes, lastUsed, expires) in rows {
                return Caller(
                    keyID: KeyID(id), accountID: AccountID(account), scopes: Scope.parse(scopes),
                    lastUsedAt: lastUsed.map(Timestamp.init(millisecondsSinceEpoch:)),
                    expiresAt: expires.map(Timestamp.init(millisecondsSinceEpoch:)))
            }
            return nil
        }
    }

    public func recordUse(of key: KeyID, at now: Timestamp) async throws {
        try await perform(writing: true) { database in
            _ = try await database.query(
                """
                UPDATE api_keys SET last_used_at = GREATEST(COALESCE(last_used_at, 0), \(now.millisecondsSinceEpoch))
                WHERE id = \(key.rawValue)
                """, logger: self.logger)
        }
    }

    public func listKeys(account: String?) async throws -> [KeyRecord] {
        try await perform { database in
            let rows = try await database.query(
                """
                SELECT k.id, a.name AS account, k.scopes, k.created_at, k.last_used_at, k.revoked_at, k.expires_at,
                    k.rotated_from, k.replaced_by
                FROM api_keys k JOIN accounts a ON a.id = k.account_id
                WHERE \(account)::text IS NULL OR a.name = \(account)
                ORDER BY k.created_at, k.id
                """, logger: self.logger)
            var records: [KeyRecord] = []
            for try await row in rows {
                let cells = row.makeRandomAccess()
                let created = try cells.decode(Int64.self, column: "created_at")
                let lastUsed = try cells.decode(Int64?.self, column: "last_used_at")
                let revoked = try cells.decode(Int64?.self, column: "revoked_at")
                let expires = try cells.decode(Int64?.self, column: "expires_at")
                let rotatedFrom = try cells.decode(String?.self, column: "rotated_from")
                let replacedBy = try cells.decode(String?.self, column: "replaced_by")
                records.append(
                    KeyRecord(
                        id: KeyID(try cells.decode(String.self, column: "id")),
                        account: try cells.decode(String.self, column: "account"),
                        scopes: Scope.parse(try cells.decode(String.self, column: "scopes")),
                        createdAt: Timestamp(millisecondsSinceEpoch: created),
                        lastUsedAt: lastUsed.map(Timestamp.init(millisecondsSinceEpoch:)),
                        revokedAt: revoked.map(Timestamp.init(millisecondsSinceEpoch:)),
                        expiresAt: expires.map(Timestamp.init(millisecondsSinceEpoch:)),
                        rotatedFrom: rotatedFrom.map(KeyID.init), replacedBy: replacedBy.map(KeyID.init)))
            }
            return records
        }
    }

    public func revokeKey(_ id: KeyID, at now: Timestamp) async throws -> Bool {
        try await perform(writing: true) { database in
            let rows = try await database.query(
                """
                UPDATE api_keys SET revoked_at = COALESCE(revoked_at, \(now.millisecondsSinceEpoch))
                WHERE id = \(id.rawValue) RETURNING id
                """, logger: self.logger)
            for try await _ in rows { return true }
            return false
        }
    }

    public func rotateKey(_ id: KeyID, overlap: Duration, successorExpiry: SuccessorExpiry, at now: Timestamp)
        async throws
        -> KeyRotation
    {
        let logger = self.logger
        return try await transaction { connection in
            // FOR UPDATE: two rotations of one key at once make one successor; the second sees it.
            let rows = try await connection.query(
                """
                SELECT k.account_id, a.name, k.scopes, k.revoked_at, k.expires_at, k.replaced_by, k.created_at
                FROM api_keys k JOIN accounts a ON a.id = k.account_id WHERE k.id = \(id.rawValue) FOR UPDATE OF k
                """, logger: logger)
            var found: (Int64, String, String, Int64?, Int64?, String?, Int64)?
            for try await row in rows.decode((Int64, String, String, Int64?, Int64?, String?, Int64).self)
            where found == nil {
                found = row
            }
            guard let (accountID, account, scopes, revoked, expires, replacedBy, created) = found else { return .notFound }
            if let replacedBy { return .alreadyRotated(replacedBy: KeyID(replacedBy)) }
            if revoked != nil { return .revoked }
            let current = expires.map(Timestamp.init(millisecondsSinceEpoch:))
            if let current, !(now < current) { return .expired(at: current) }
            let oldExpiry = KeyLifecycle.expiryAfterRotation(current: current, overlap: overlap, now: now)
            let expiresAt = successorExpiry.expiry(
                oldCreatedAt: Timestamp(millisecondsSinceEpoch: created), oldExpiresAt: current, now: now)
            let issued = try await Self.insertKey(
                connection, accountID: accountID, account: account, scopes: Scope.parse(scopes), expiresAt: expiresAt,
                rotatedFrom: id, at: now, logger: logger)
            try await connection.query(
                """
                UPDATE api_keys SET replaced_by = \(issued.record.id.rawValue), expires_at = \(oldExpiry.millisecondsSinceEpoch)
                WHERE id = \(id.rawValue)
                """, logger: logger)
            return .rotated(issued, oldKeyExpiresAt: oldExpiry)
        }
    }

    /// An arbitrary constant naming the bootstrap-key lock among advisory locks.
    static let bootstrapLockKey: Int64 = 0x6177_735F_6B65_7973  // "aws_keys"

    private static func accountID(_ connection: PostgresConnection, name: String, at now: Timestamp, logger: Logger)
        async throws -> Int64
    {
        let rows = try await connection.query(
            """
            INSERT INTO accounts (name, created_at) VALUES (\(name), \(now.millisecondsSinceEpoch))
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name RETURNING id
            """, logger: logger)
        // DO UPDATE (a no-op) rather than DO NOTHING, so the row comes back even when a
        // concurrent transaction created the account first.
        var accountID: Int64?
        for try await id in rows.decode(Int64.self) where accountID == nil { accountID = id }
        guard let accountID else { throw StoreError.failed("account '\(name)' vanished while issuing a key") }
        return accountID
    }

    private static func insertKey(
        _ connection: PostgresConnection, accountID: Int64, account: String, scopes: Set<Scope>, expiresAt: Timestamp?,
        rotatedFrom: KeyID?, at now: Timestamp, logger: Logger
    ) async throws -> IssuedKey {
        let key = APIKey.generate()
        let record = KeyRecord(
            id: KeyID.generate(), account: account, scopes: scopes, createdAt: now, lastUsedAt: nil, revokedAt: nil,
            expiresAt: expiresAt, rotatedFrom: rotatedFrom)
        try await connection.query(
            """
            INSERT INTO api_keys (id, account_id, key_hash, scopes, created_at, expires_at, rotated_from)
            VALUES (\(record.id.rawValue), \(accountID), \(ByteBuffer(bytes: key.hash.bytes)),
                \(Scope.serialise(scopes)), \(now.millisecondsSinceEpoch), \(expiresAt?.millisecondsSinceEpoch),
                \(rotatedFrom?.rawValue))
            """, logger: logger)
        return IssuedKey(key: key, record: record)
    }
}
