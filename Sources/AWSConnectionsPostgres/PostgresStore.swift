import AWSConnectionsCore
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

    /// A store over a pool that is not running yet; see `withRunningStore`.
    init(settings: PostgresSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: Self.clientTLS(settings.tls))
        configuration.options.maximumConnections = settings.maximumConnections
        configuration.options.connectTimeout = settings.operationTimeout
        configuration.options.additionalStartupParameters = Self.sessionParameters(settings)
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
    }

    /// Opens the store, applies pending migrations, runs `body`, and closes the pool after it.
    ///
    /// Migrations run on a connection of their own before the pool serves anything, so an
    /// unreachable or misconfigured database fails here, at once, with the server's reason.
    public static func withRunningStore<T>(
        settings: PostgresSettings, logger: Logger, _ body: (PostgresStore) async throws -> T
    ) async throws -> T {
        let store = PostgresStore(settings: settings, logger: logger)
        try await PostgresMigrations.apply(settings: settings, logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await store.client.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }

    /// Runs one database operation on a pooled connection, bounded by the operation
    /// timeout, translating every failure into a `StoreError`.
    ///
    /// The operation runs in its own task, and the caller is answered at the deadline
    /// whatever that task is doing. A deadline that passes while waiting for a pooled
    /// connection cancels the wait; one that passes mid-statement closes that connection,
    /// because a statement sent to a server that vanished without a reset (a partition, a
    /// failover) would otherwise hold its connection for as long as TCP retransmits, and
    /// enough of them would empty the pool for good. The pool replaces closed connections.
    func perform<T: Sendable>(_ operation: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(StoreError) -> T
    {
        let client = self.client
        let timeout = settings.operationTimeout
        let result: Result<T, StoreError> = await withCheckedContinuation { continuation in
            let answer = AnswerOnce(continuation)
            let work = Task {
                do {
                    let value = try await client.withConnection { connection in
                        try answer.attach(connection)
                        defer { answer.detach() }
                        return try await operation(connection)
                    }
                    answer.resume(.success(value))
                } catch {
                    answer.resume(.failure(translate(error)))
                }
            }
            let deadline = Self.timerLoop.scheduleTask(in: TimeAmount(timeout)) {
                if answer.resume(.failure(.unavailable("no answer from PostgreSQL within \(timeout)"))) {
                    work.cancel()
                    answer.closeAttachedConnection()
                }
            }
            answer.onResume { deadline.cancel() }
        }
        return try result.get()
    }

    /// Runs `body` in one transaction on one pooled connection.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T)
        async throws(StoreError) -> T
    {
        let logger = self.logger
        return try await perform { connection in
            try await connection.withTransaction(logger: logger) { connection in try await body(connection) }
        }
    }

    private static let timerLoop = MultiThreadedEventLoopGroup.singleton.any()

    static func clientTLS(_ mode: PostgresSettings.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(mode.tlsConfiguration)
        case .require, .verifyFull: .require(mode.tlsConfiguration)
        }
    }

    /// Server-side limits for every session, so that a statement stuck behind a lock ends on
    /// the server too. They are shorter than the request deadline (which also counts the
    /// wait for a pooled connection), so that a statement the client was told failed (503)
    /// has normally been stopped by the server before it could still apply.
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

extension PostgresSettings.TLSMode {
    /// libpq's meanings: `prefer` and `require` encrypt without checking the certificate
    /// (as psql does, so a self-signed server works); `verify-full` checks the chain and the host name.
    var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if self != .verifyFull { configuration.certificateVerification = .none }
        return configuration
    }
}

/// Resumes a continuation exactly once, from whichever of the operation and its deadline
/// finishes first, and knows the connection the operation is using meanwhile.
private final class AnswerOnce<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Result<T, StoreError>, Never>?
        var afterResume: (@Sendable () -> Void)?
        var connection: PostgresConnection?
    }

    private let state: Mutex<State>

    init(_ continuation: CheckedContinuation<Result<T, StoreError>, Never>) {
        state = Mutex(State(continuation: continuation))
    }

    /// Resumes if nobody has yet; true when this call did.
    @discardableResult
    func resume(_ result: Result<T, StoreError>) -> Bool {
        let (continuation, afterResume) = state.withLock { state in
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
        }
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
