import AWSConnectionsCore
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// The schema, as an ordered list of named steps recorded in `schema_migrations`.
///
/// The names and the order match the SQLite store's steps. Steps are append-only: a
/// released step is never edited, a change is a new step. The check against the policy and
/// all pending steps run in one transaction that first takes an advisory lock, so replicas
/// starting together apply each step once, a refused schema is left exactly as it was, and a
/// crash mid-migration leaves the previous schema intact.
enum PostgresMigrations {
    struct Step {
        let name: String
        /// One statement per element: the extended query protocol runs one statement at a time.
        let statements: [String]
        /// Work SQL cannot do (values only Swift makes), run after `statements` in the same
        /// transaction, with the configured default role name.
        var fill: (@Sendable (PostgresConnection, _ defaultRoleName: String, Logger) async throws -> Void)? = nil
        /// Run after `fill`.
        var statementsAfterFill: [String] = []
    }

    static let steps: [Step] = [
        Step(
            name: "0001-accounts-keys-connections",
            statements: [
                """
                CREATE TABLE accounts (
                    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL
                )
                """,
                """
                CREATE TABLE api_keys (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    account_id BIGINT NOT NULL REFERENCES accounts(id),
                    key_hash BYTEA NOT NULL UNIQUE,
                    scopes TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    last_used_at BIGINT,
                    revoked_at BIGINT
                )
                """,
                """
                CREATE TABLE connections (
                    id TEXT COLLATE "C" PRIMARY KEY,
                    account_id BIGINT NOT NULL REFERENCES accounts(id),
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    aws_account_id TEXT NOT NULL,
                    aws_region TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    created_at BIGINT NOT NULL,
                    updated_at BIGINT NOT NULL,
                    version BIGINT NOT NULL CHECK (version >= 1)
                )
                """,
                "CREATE INDEX connections_by_account ON connections (account_id, created_at, id)",
            ]),
        Step(
            name: "0002-idempotency-keys",
            statements: [
                """
                CREATE TABLE idempotency_keys (
                    account_id BIGINT NOT NULL REFERENCES accounts(id),
                    key TEXT NOT NULL,
                    fingerprint BYTEA NOT NULL,
                    connection_id TEXT NOT NULL,
                    response BYTEA NOT NULL,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (account_id, key)
                )
                """
            ]),
        Step(
            name: "0003-history-and-quota",
            statements: [
                "ALTER TABLE accounts ADD COLUMN connection_count BIGINT NOT NULL DEFAULT 0",
                "UPDATE accounts SET connection_count = (SELECT count(*) FROM connections WHERE account_id = accounts.id)",
                """
                CREATE TABLE connection_history (
                    connection_id TEXT COLLATE "C" NOT NULL,
                    version BIGINT NOT NULL CHECK (version >= 1),
                    account_id BIGINT NOT NULL REFERENCES accounts(id),
                    changed_at BIGINT NOT NULL,
                    key_id TEXT,
                    change TEXT NOT NULL CHECK (change IN ('created', 'updated', 'deleted')),
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    aws_account_id TEXT NOT NULL,
                    aws_region TEXT NOT NULL,
                    enabled BOOLEAN NOT NULL,
                    PRIMARY KEY (connection_id, version)
                )
                """,
                "CREATE INDEX connection_history_deletions ON connection_history (changed_at) WHERE change = 'deleted'",
                // History rows hold the state each change left, so a backfilled row is the
                // connection as it is now: the baseline for the changes that follow.
                """
                INSERT INTO connection_history
                    SELECT id, version, account_id, updated_at, NULL, 'created', name, description, aws_account_id,
                        aws_region, enabled
                    FROM connections
                """,
                "CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at)",
            ]),
        Step(
            name: "0004-roles-and-verifications",
            // Nullable until filled: a NOT NULL column needs a value for every row as it is
            // added, and these values come from Swift.
            statements: [
                #"ALTER TABLE connections ADD COLUMN role_arn TEXT, ADD COLUMN external_id TEXT COLLATE "C""#,
                #"ALTER TABLE connection_history ADD COLUMN role_arn TEXT, ADD COLUMN external_id TEXT COLLATE "C""#,
            ],
            fill: fillRoles,
            statementsAfterFill: [
                "ALTER TABLE connections ALTER COLUMN role_arn SET NOT NULL, ALTER COLUMN external_id SET NOT NULL",
                "ALTER TABLE connection_history ALTER COLUMN role_arn SET NOT NULL, ALTER COLUMN external_id SET NOT NULL",
                "CREATE UNIQUE INDEX connections_by_external_id ON connections (external_id)",
                """
                CREATE TABLE connection_verifications (
                    connection_id TEXT COLLATE "C" PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
                    role_arn TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('verified', 'failed', 'unverified')),
                    checked_at BIGINT,
                    steps TEXT NOT NULL
                )
                """,
            ]),
        Step(
            name: "0005-connection-documents",
            // Each connection keeps its API JSON, written by a trigger on every insert and
            // update, so a list page is its rows' documents joined (see
            // `PostgresConnectionJSON.swift`): building the JSON per row per read cost
            // PostgreSQL about 5 us a row, three quarters of a page's time; a write now pays
            // that once. A trigger rather than the statements' own SET lists, so no write path
            // (batched updates, old replicas during an upgrade, manual repairs) can leave a
            // document behind its row. A change to the document is a new step that replaces
            // the function and rewrites every row's document, as the last statements here do.
            //
            // The document must be byte for byte what the HTTP layer's `ConnectionJSON` writes
            // (`ListJSONTests` compares them on hostile text): `to_json(text)` escapes `"`, `\`
            // and control characters exactly as `JSONWriter` does and copies the rest; the id,
            // external id, account id and region are quoted without it because they can only
            // hold characters JSON copies as they are (the server generates the ids from
            // [0-9a-zA-Z]; `ConnectionRules` checks the account id and region before they are
            // stored, and they never change); a role ARN's path may hold `"` and `\`. Dates are
            // RFC 3339 UTC with milliseconds, from the epoch by interval arithmetic: exact, and
            // free of the session's time zone.
            statements: [
                "ALTER TABLE connections ADD COLUMN document TEXT",
                """
                CREATE FUNCTION aws_connections_document() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    NEW.document := '{"connectionId":"' || NEW.id
                        || '","name":' || to_json(NEW.name)::text
                        || ',"description":' || to_json(NEW.description)::text
                        || ',"awsAccountId":"' || NEW.aws_account_id
                        || '","awsRegion":"' || NEW.aws_region
                        || '","roleArn":' || to_json(NEW.role_arn)::text
                        || ',"externalId":"' || NEW.external_id
                        || '","type":"AWS","enabled":' || CASE WHEN NEW.enabled THEN 'true' ELSE 'false' END
                        || ',"createdDate":"' || to_char(timestamp 'epoch' + NEW.created_at * interval '1 millisecond',
                            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                        || '","updatedDate":"' || to_char(timestamp 'epoch' + NEW.updated_at * interval '1 millisecond',
                            'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
                        || '","version":' || NEW.version::text || '}';
                    RETURN NEW;
                END
                $$
                """,
                """
                CREATE TRIGGER connections_document BEFORE INSERT OR UPDATE ON connections
                FOR EACH ROW EXECUTE FUNCTION aws_connections_document()
                """,
                "UPDATE connections SET document = NULL",
                "ALTER TABLE connections ALTER COLUMN document SET NOT NULL",
            ]),
        Step(
            // A key's expiry (its own, or the end of a rotation's overlap) and the rotation's
            // links. Nullable columns without defaults: adding them rewrites no row.
            name: "0006-key-lifecycle",
            statements: [
                "ALTER TABLE api_keys ADD COLUMN expires_at BIGINT",
                "ALTER TABLE api_keys ADD COLUMN rotated_from TEXT COLLATE \"C\"",
                "ALTER TABLE api_keys ADD COLUMN replaced_by TEXT COLLATE \"C\"",
            ]),
    ]

    /// Rows a statement of `fillRoles` writes at once.
    static let fillChunk = 1000

    /// Gives every connection a new external id and the default role of its account and
    /// region, and its history the same; the history of a connection already deleted gets
    /// an external id of its own, one per connection.
    ///
    /// Each id is `ExternalID.generate()`'s, as at create: one draw of the system CSPRNG per
    /// connection, never SQL's random. They are written a chunk of rows per statement, as
    /// arrays, rather than one statement per row.
    @Sendable
    static func fillRoles(_ connection: PostgresConnection, defaultRoleName: String, logger: Logger) async throws {
        func defaultRole(account: String, region: String) -> String {
            RoleARN(defaultFor: account, region: region, roleName: defaultRoleName).description
        }
        var existing: [(id: String, roleARN: String, externalID: String)] = []
        let rows = try await connection.query("SELECT id, aws_account_id, aws_region FROM connections", logger: logger)
        for try await (id, account, region) in rows.decode((String, String, String).self) {
            existing.append((id, defaultRole(account: account, region: region), ExternalID.generate()))
        }
        for start in stride(from: 0, to: existing.count, by: fillChunk) {
            let chunk = existing[start..<min(start + fillChunk, existing.count)]
            try await connection.query(
                """
                UPDATE connections c SET role_arn = f.role_arn, external_id = f.external_id
                FROM unnest(\(chunk.map(\.id))::text[], \(chunk.map(\.roleARN))::text[], \(chunk.map(\.externalID))::text[])
                    AS f(id, role_arn, external_id)
                WHERE c.id = f.id
                """, logger: logger)
        }
        try await connection.query(
            """
            UPDATE connection_history h SET role_arn = c.role_arn, external_id = c.external_id
            FROM connections c WHERE c.id = h.connection_id
            """, logger: logger)

        var deleted: [(id: String, account: String, region: String, roleARN: String, externalID: String)] = []
        var externalIDs: [String: String] = [:]
        let history = try await connection.query(
            "SELECT DISTINCT connection_id, aws_account_id, aws_region FROM connection_history WHERE external_id IS NULL",
            logger: logger)
        for try await (id, account, region) in history.decode((String, String, String).self) {
            let externalID = externalIDs[id] ?? ExternalID.generate()
            externalIDs[id] = externalID
            deleted.append((id, account, region, defaultRole(account: account, region: region), externalID))
        }
        for start in stride(from: 0, to: deleted.count, by: fillChunk) {
            let chunk = deleted[start..<min(start + fillChunk, deleted.count)]
            try await connection.query(
                """
                UPDATE connection_history h SET role_arn = f.role_arn, external_id = f.external_id
                FROM unnest(
                    \(chunk.map(\.id))::text[], \(chunk.map(\.account))::text[], \(chunk.map(\.region))::text[],
                    \(chunk.map(\.roleARN))::text[], \(chunk.map(\.externalID))::text[]
                ) AS f(connection_id, aws_account_id, aws_region, role_arn, external_id)
                WHERE h.connection_id = f.connection_id AND h.aws_account_id = f.aws_account_id
                    AND h.aws_region = f.aws_region AND h.external_id IS NULL
                """, logger: logger)
        }
    }

    /// An arbitrary constant naming this application's migration lock among advisory locks.
    static let lockKey: Int64 = 0x6177_735F_636F_6E6E  // "aws_conn"

    /// The names of the steps, oldest first.
    static let names = steps.map(\.name)

    /// Connects once, checks the schema against `policy`, applies the pending steps, and
    /// disconnects; returns the steps it applied. Throws `SchemaMismatch` when the policy
    /// refuses the schema, and `StoreError` for anything else.
    static func apply(settings: PostgresSettings, policy: MigrationPolicy, logger: Logger) async throws -> [String] {
        let connection: PostgresConnection
        do {
            var configuration = PostgresConnection.Configuration(
                host: settings.host, port: settings.port, username: settings.username, password: settings.password,
                database: settings.database, tls: try settings.connectionTLS())
            configuration.options.connectTimeout = TimeAmount(settings.connectTimeout)
            // A replica waits at most a minute for another one's migration (or a stuck lock).
            configuration.options.additionalStartupParameters = [
                ("application_name", "aws-connections migrations"), ("lock_timeout", "60000"),
                ("statement_timeout", "300000"),
            ]
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw StoreError.unavailable(
                "cannot connect to \(settings.redactedDescription): \(settings.connectFailureDetail(error))")
        }
        do {
            let applied = try await apply(
                on: connection, policy: policy, defaultRoleName: settings.defaultRoleName, logger: logger)
            try? await connection.close()
            return applied
        } catch {
            try? await connection.close()
            if let mismatch = (error as? PostgresTransactionError)?.closureError as? SchemaMismatch { throw mismatch }
            throw StoreError.failed("migrating \(settings.redactedDescription) failed: \(translate(error).detail)")
        }
    }

    /// The names of the applied steps, oldest first, followed by any this version does not
    /// know (sorted, the order their names give).
    static func applied(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query("SELECT name FROM schema_migrations", logger: logger)
        var recorded: Set<String> = []
        for try await name in rows.decode(String.self) { recorded.insert(name) }
        return names.filter(recorded.contains) + recorded.subtracting(names).sorted()
    }

    private static func apply(
        on connection: PostgresConnection, policy: MigrationPolicy, defaultRoleName: String, logger: Logger
    ) async throws -> [String] {
        // Names and descriptions are Unicode; a database that cannot hold every character
        // would turn some client input into a server error.
        let encodings = try await connection.query("SHOW server_encoding", logger: logger)
        for try await encoding in encodings.decode(String.self) where encoding != "UTF8" {
            throw StoreError.failed("the database's encoding is \(encoding); create it with ENCODING 'UTF8'")
        }
        return try await connection.withTransaction(logger: logger) { connection in
            // Taken before the check too: a replica that finds the schema current must not
            // be deciding while another one is half-way through upgrading it.
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT COLLATE "C" PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let before = try await applied(on: connection, logger: logger)
            // Thrown inside the transaction, so the rollback also undoes the table above.
            try policy.check(applied: before, known: names)
            let done = Set(before)
            var appliedNow: [String] = []
            for step in steps where !done.contains(step.name) {
                for statement in step.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await step.fill?(connection, defaultRoleName, logger)
                for statement in step.statementsAfterFill {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (name) VALUES (\(step.name))", logger: logger)
                logger.info("applied migration", metadata: ["migration": "\(step.name)"])
                appliedNow.append(step.name)
            }
            return appliedNow
        }
    }
}
