import AWSConnectionsCore
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// The schema, as an ordered list of named steps recorded in `schema_migrations`.
///
/// The names and the order match the SQLite store's steps. Steps are append-only: a
/// released step is never edited, a change is a new step. All pending steps run in one
/// transaction that first takes an advisory lock, so replicas starting together apply each
/// step once and a crash mid-migration leaves the previous schema intact.
enum PostgresMigrations {
    struct Step {
        let name: String
        /// One statement per element: the extended query protocol runs one statement at a time.
        let statements: [String]
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
    ]

    /// An arbitrary constant naming this application's migration lock among advisory locks.
    static let lockKey: Int64 = 0x6177_735F_636F_6E6E  // "aws_conn"

    /// Connects once, applies the pending steps, and disconnects.
    static func apply(settings: PostgresSettings, logger: Logger) async throws(StoreError) {
        let connection: PostgresConnection
        do {
            var configuration = PostgresConnection.Configuration(
                host: settings.host, port: settings.port, username: settings.username, password: settings.password,
                database: settings.database, tls: try connectionTLS(settings.tls))
            configuration.options.connectTimeout = TimeAmount(settings.connectTimeout)
            // A replica waits at most a minute for another one's migration (or a stuck lock).
            configuration.options.additionalStartupParameters = [
                ("application_name", "aws-connections migrations"), ("lock_timeout", "60000"),
                ("statement_timeout", "300000"),
            ]
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw .unavailable(
                "cannot connect to \(settings.redactedDescription): \(translate(error).detail)")
        }
        do {
            try await apply(on: connection, logger: logger)
            try? await connection.close()
        } catch {
            try? await connection.close()
            throw .failed("migrating \(settings.redactedDescription) failed: \(translate(error).detail)")
        }
    }

    /// The names of the applied steps, oldest first.
    static func applied(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            "SELECT name FROM schema_migrations ORDER BY name", logger: logger)
        var names: [String] = []
        for try await name in rows.decode(String.self) { names.append(name) }
        return names
    }

    private static func apply(on connection: PostgresConnection, logger: Logger) async throws {
        // Names and descriptions are Unicode; a database that cannot hold every character
        // would turn some client input into a server error.
        let encodings = try await connection.query("SHOW server_encoding", logger: logger)
        for try await encoding in encodings.decode(String.self) where encoding != "UTF8" {
            throw StoreError.failed("the database's encoding is \(encoding); create it with ENCODING 'UTF8'")
        }
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    name TEXT COLLATE "C" PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: logger)
            let done = Set(try await applied(on: connection, logger: logger))
            for step in steps where !done.contains(step.name) {
                for statement in step.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (name) VALUES (\(step.name))", logger: logger)
                logger.info("applied migration", metadata: ["migration": "\(step.name)"])
            }
        }
    }

    private static func connectionTLS(_ mode: PostgresSettings.TLSMode) throws -> PostgresConnection.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(try NIOSSLContext(configuration: mode.tlsConfiguration))
        case .require, .verifyFull: .require(try NIOSSLContext(configuration: mode.tlsConfiguration))
        }
    }
}
