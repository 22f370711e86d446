public import AWSConnectionsCore
import Foundation
public import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization

/// The shared store: one PostgreSQL database that any number of server replicas use at
/// once, reached through postgres-nio's pooled `PostgresClient`.
///
/// Every decision (ownership, version, "no key exists yet") is made by the database in one
/// statement or one transaction, so replicas never need to talk to each other. Nothing is
/// cached: a key revoked through one replica is refused by every replica on its next request.
public final class PostgresStore: Sendable {
    let client: PostgresClient
    let settings: PostgresSettings
    let logger: Logger
    /// The deadlines of the operations in flight (`perform`).
    let deadlines = DeadlineSweeper()
    /// Point reads of connections that arrive together share a statement.
    let connectionReads: StatementBatcher<AllRequests, ConnectionID, Connection?>
    /// Updates without a role change that arrive together share a statement and a commit.
    let connectionUpdates: StatementBatcher<AllRequests, UpdateConnections.Update, UpdateOutcome>
    /// Creates into one account that arrive together share a statement and a commit: one
    /// batch per account at a time, since each holds the account's counter row until its
    /// commit.
    let accountCreates: StatementBatcher<AccountID, CreateConnections.Create, CreateOutcome>
    /// The migrations this open applied, oldest first; empty when the schema was current.
    public let appliedAtOpen: [String]

    /// The migrations this version knows, oldest first.
    public static var knownMigrations: [String] { PostgresMigrations.names }

    /// A store over a pool that is not running yet; see `withRunningStore`.
    init(settings: PostgresSettings, logger: Logger, appliedAtOpen: [String]) {
        self.settings = settings
        self.logger = logger
        self.appliedAtOpen = appliedAtOpen
        // Half the pool at most for each batched kind, so that lists, keyed creates and
        // history keep connections; a request waits for its batch as long as for a connection.
        let waitLimit = TimeAmount(settings.poolWaitTimeout)
        connectionReads = StatementBatcher(
            maximumInFlight: settings.maximumConnections / 2, maximumBatch: 256, waitLimit: waitLimit, deadlines: deadlines)
        connectionUpdates = StatementBatcher(
            maximumInFlight: settings.maximumConnections / 2, maximumBatch: 128, waitLimit: waitLimit, deadlines: deadlines)
        accountCreates = StatementBatcher(maximumInFlight: 1, maximumBatch: 128, waitLimit: waitLimit, deadlines: deadlines)
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: settings.clientTLS)
        configuration.options.maximumConnections = settings.maximumConnections
        configuration.options.connectTimeout = settings.operationTimeout
        configuration.options.additionalStartupParameters = Self.sessionParameters(settings)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Opens the store, sets up or upgrades its schema as `migrations` allows, runs `body`,
    /// and closes the pool after it.
    ///
    /// Migrations run on a connection of their own before the pool serves anything, so an
    /// unreachable or misconfigured database fails here, at once, with the server's reason.
    /// Throws `SchemaMismatch` when the policy refuses the schema (the database is then left
    /// as it was), `StoreError` when the database cannot be used, and whatever `body` throws.
    public static func withRunningStore<T>(
        settings: PostgresSettings, logger: Logger, migrations policy: MigrationPolicy = .upgrade,
        _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let applied = try await PostgresMigrations.apply(settings: settings, policy: policy, logger: logger)
        let store = PostgresStore(settings: settings, logger: logger, appliedAtOpen: applied)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer {
                group.cancelAll()
                store.deadlines.stop()
            }
            return try await body(store)
        }
    }

    /// Runs one database operation on a pooled connection, translating every failure into a
    /// `StoreError`, within two deadlines timed apart.
    ///
    /// The wait for a pooled connection has its own deadline (`poolWaitTimeout`): a request
    /// that gets no connection in time is answered 503 `unavailable` and, because a lease
    /// granted after that runs nothing, has sent nothing. The operation's deadline
    /// (`operationTimeout`) starts when it has its connection; the server's own
    /// `statement_timeout` is 80% of it, so a statement that is merely slow or blocked is
    /// ended and reported by the server first (a definite failure). Only a server that stops
    /// answering (a partition, a frozen host) reaches the client's deadline: that connection
    /// is closed, because a statement sent to a server that vanished without a reset would
    /// hold it for as long as TCP retransmits, and the caller is answered at once. For a
    /// `writing` operation the write may still apply after that, so that answer is
    /// `outcomeUnknown`; the same holds when the connection breaks after the write was sent.
    func perform<T: Sendable>(writing: Bool = false, _ operation: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(StoreError) -> T
    {
        let client = self.client
        let deadlines = self.deadlines
        let poolWait = settings.poolWaitTimeout
        let timeout = settings.operationTimeout
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let answer = AnswerOnce(continuation)
            let work = Task {
                do {
                    let value = try await client.withConnection { connection in
                        try answer.attach(connection)
                        let deadline = deadlines.add(in: TimeAmount(timeout)) {
                            let failure: StoreError =
                                writing
                                ? .outcomeUnknown("no answer from PostgreSQL within \(timeout) of sending a write")
                                : .unavailable("no answer from PostgreSQL within \(timeout)")
                            if answer.resume(.failure(failure)) { answer.closeAttachedConnection() }
                        }
                        defer {
                            deadlines.remove(deadline)
                            answer.detach()
                        }
                        do {
                            return try await operation(connection)
                        } catch {
                            throw translate(sentError: error, writing: writing)
                        }
                    }
                    answer.resume(.success(value))
                } catch {
                    answer.resume(.failure(translate(error)))
                }
            }
            let poolDeadline = deadlines.add(in: TimeAmount(poolWait)) {
                let failure = StoreError.unavailable("no pooled PostgreSQL connection within \(poolWait); nothing was sent")
                if answer.resumeIfNeverAttached(.failure(failure)) { work.cancel() }
            }
            answer.onResume { deadlines.remove(poolDeadline) }
        }
        return try result.get()
    }

    /// Runs `body` in one transaction on one pooled connection; transactions here all write.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(StoreError) -> T
    {
        let logger = self.logger
        return try await perform(writing: true) { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    /// Server-side limits for every session, so that a statement stuck behind a lock ends on
    /// the server too. They are shorter than the operation's deadline, which starts when the
    /// operation has its connection, so that a statement the client was told failed (503) has
    /// been stopped by the server before it could still apply, unless the server itself
    /// stopped answering (then the client says `outcome_unknown`).
    static func sessionParameters(_ settings: PostgresSettings) -> [(String, String)] {
        let serverLimit = max(1, settings.operationTimeout.wholeMilliseconds * 8 / 10)
        return [
            ("application_name", "aws-connections"),
            // The quota counter and the compare-and-writes rely on READ COMMITTED re-checking a
            // row after waiting for its lock; a database whose default is stricter would turn
            // one account's concurrent creates into serialization failures.
            ("default_transaction_isolation", "read committed"),
            ("statement_timeout", "\(serverLimit)"),
            ("lock_timeout", "\(serverLimit)"),
            ("idle_in_transaction_session_timeout", "\(settings.operationTimeout.wholeMilliseconds * 2)"),
        ]
    }
}

extension PostgresSettings {
    /// libpq's meanings: `prefer` and `require` encrypt without checking the certificate (so
    /// a self-signed server works, as with psql), except that `require` with a root
    /// certificate checks the chain; `verify-ca` checks the chain, `verify-full` the host name too.
    var certificateVerification: CertificateVerification {
        switch tls {
        case .disable, .prefer: .none
        case .require: rootCertificatePath == nil ? .none : .noHostnameVerification
        case .verifyCA: .noHostnameVerification
        case .verifyFull: .fullVerification
        }
    }

    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = certificateVerification
        if certificateVerification != .none, let rootCertificatePath {
            configuration.trustRoots = .file(rootCertificatePath)
        }
        return configuration
    }

    /// The pool's TLS. Never `prefer` for a checking mode: a server that offers no TLS, or a
    /// certificate that fails the check, must stop the connection, not downgrade it.
    var clientTLS: PostgresClient.Configuration.TLS {
        switch tls {
        case .disable: .disable
        case .prefer: .prefer(tlsConfiguration)
        case .require, .verifyCA, .verifyFull: .require(tlsConfiguration)
        }
    }

    /// The start-up connection's TLS. It is built first, so a root certificate file that
    /// cannot be used is reported as that, before the pool would fail on every connection.
    func connectionTLS() throws(StoreError) -> PostgresConnection.Configuration.TLS {
        if certificateVerification != .none, let rootCertificatePath {
            guard FileManager.default.isReadableFile(atPath: rootCertificatePath) else {
                throw .failed("sslrootcert '\(rootCertificatePath)' does not exist or cannot be read")
            }
            let roots = try? NIOSSLCertificate.fromPEMFile(rootCertificatePath)
            guard let roots, !roots.isEmpty else {
                throw .failed("sslrootcert '\(rootCertificatePath)' holds no PEM certificate")
            }
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tlsConfiguration)
        } catch {
            throw .failed("cannot set up TLS for sslmode=\(tls.rawValue): \(error)")
        }
        return switch tls {
        case .disable: .disable
        case .prefer: .prefer(context)
        case .require, .verifyCA, .verifyFull: .require(context)
        }
    }

    /// Why connecting failed, worded for the operator when TLS was the reason: which check
    /// failed against which roots, and what to change.
    func connectFailureDetail(_ error: any Error) -> String {
        guard let tlsError = Self.tlsFailure(in: error) else { return translate(error).detail }
        let roots =
            rootCertificatePath.map { "the CA certificates in sslrootcert '\($0)'" } ?? "the system's trust store"
        if let extra = tlsError as? NIOSSLExtraError, extra == .failedToValidateHostname {
            // NIOSSL's own text names no host for an IP address ("<none>"): ours does.
            return "TLS: the server's certificate is not valid for host '\(host)' (sslmode=\(tls.rawValue) checks the "
                + "host name; connect by a name or address the certificate lists, or use sslmode=verify-ca)"
        }
        // BoringSSL's text says only CERTIFICATE_VERIFY_FAILED, not which check failed.
        if certificateVerification != .none, String(describing: tlsError).contains("CERTIFICATE_VERIFY_FAILED") {
            let hint =
                rootCertificatePath == nil
                ? "give the server's CA with sslrootcert=PATH" : "check that the file holds the CA that signed it"
            return "TLS: the certificate of '\(host)' could not be verified against \(roots) "
                + "(sslmode=\(tls.rawValue)): it is signed by another CA, self-signed, expired or not yet valid; \(hint)"
        }
        return "TLS with '\(host)' failed (sslmode=\(tls.rawValue)): \(tlsError)"
    }

    /// The NIOSSL error behind a connection failure, if any; postgres-nio wraps it.
    private static func tlsFailure(in error: any Error) -> (any Error)? {
        switch error {
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError: error
        case let error as PSQLError: error.underlying.flatMap(tlsFailure(in:))
        default: nil
        }
    }
}

/// Resumes a continuation exactly once, from whichever of the operation and its deadline
/// finishes first, and knows the connection the operation is using meanwhile.
private final class AnswerOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, StoreError>, Never>?
        var afterResume: (@Sendable () -> Void)?
        var connection: PostgresConnection?
        /// Whether the operation ever had its connection (and so may have sent something).
        var attached = false
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<Result<T, StoreError>, Never>) {
        state = Mutex(State(continuation: continuation))
    }

    /// Resumes if nobody has yet; true when this call did.
    @discardableResult
    func resume(_ result: Result<T, StoreError>) -> Bool {
        resume(result, onlyIfNeverAttached: false)
    }

    /// Runs `action` once resumed (at once if that already happened).
    func onResume(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state in
            if state.continuation == nil { return true }
            state.afterResume = action
            return false
        }
        if runNow { action() }
    }

    /// Records the leased connection; throws if the caller was already answered, so that a
    /// lease granted after the deadline runs nothing.
    func attach(_ connection: PostgresConnection) throws {
        try state.withLock { state in
            if state.continuation == nil { throw CancellationError() }
            state.connection = connection
            state.attached = true
        }
    }

    /// Resumes only while the operation has not had a connection: the pool-wait deadline,
    /// which must not answer for an operation that may already have sent its statements.
    func resumeIfNeverAttached(_ result: Result<T, StoreError>) -> Bool {
        resume(result, onlyIfNeverAttached: true)
    }

    private func resume(_ result: Result<T, StoreError>, onlyIfNeverAttached: Bool) -> Bool {
        let (continuation, afterResume) = state.withLock {
            state -> (CheckedContinuation<Result<T, StoreError>, Never>?, (@Sendable () -> Void)?) in
            if onlyIfNeverAttached && state.attached { return (nil, nil) }
            let taken = (state.continuation, state.afterResume)
            state.continuation = nil
            state.afterResume = nil
            return taken
        }
        guard let continuation else { return false }
        continuation.resume(returning: result)
        afterResume?()
        return true
    }

    func detach() {
        state.withLock { $0.connection = nil }
    }

    /// Closes the connection the operation still holds, if any.
    func closeAttachedConnection() {
        let connection = state.withLock { state in
            let connection = state.connection
            state.connection = nil
            return connection
        }
        connection?.close().whenComplete { _ in }
    }
}
