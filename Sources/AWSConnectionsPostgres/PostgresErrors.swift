import AWSConnectionsCore
import PostgresNIO

/// Maps postgres-nio and server failures to `StoreError`.
///
/// "Unavailable" (the client gets 503 and may retry) covers everything that says the
/// database cannot be reached or cannot work right now: no connection, a closed
/// connection, a full pool, a timeout, a server shutting down or out of resources, a
/// serialization failure or deadlock, a read-only server during a failover. Anything else
/// (a constraint the code should have prevented, a decoding mismatch) is a failure.
func translate(_ error: any Error) -> StoreError {
    switch error {
    case let error as StoreError:
        return error
    case let error as PostgresTransactionError:
        // The first failure is the one that matters; a failed rollback after it adds nothing.
        let cause = error.beginError ?? error.closureError ?? error.commitError ?? error.rollbackError
        return cause.map(translate) ?? .failed("transaction failed")
    case let error as PSQLError:
        return translate(error)
    case is PostgresDecodingError:
        return .failed("unexpected column type: \(String(reflecting: error))")
    case is CancellationError:
        return .unavailable("cancelled")
    default:
        // Pool errors (circuit breaker open, pool shut down) and socket errors.
        return .unavailable(String(describing: error))
    }
}

/// A failure of an operation that had its connection and may have sent its statements. A
/// write whose failure the server did not report itself (the connection broke, the task was
/// cancelled) may have been applied: its outcome is unknown. What the server reports is a
/// statement it did not apply; a transaction it did not commit is rolled back.
func translate(sentError error: any Error, writing: Bool) -> StoreError {
    let translated = translate(error)
    guard writing, translated.isUnavailable, !isReportedByServer(error) else { return translated }
    return .outcomeUnknown(translated.detail)
}

private func isReportedByServer(_ error: any Error) -> Bool {
    switch error {
    case let error as PostgresTransactionError:
        let cause = error.beginError ?? error.closureError ?? error.commitError ?? error.rollbackError
        return cause.map(isReportedByServer) ?? false
    case let error as PSQLError:
        return error.code == .server
    case let error as StoreError:
        // Thrown by the operation's own code, which decides only on what the server returned.
        return !error.isOutcomeUnknown
    default:
        return false
    }
}

private func translate(_ error: PSQLError) -> StoreError {
    switch error.code {
    case .server:
        let state = error.serverInfo?[.sqlState] ?? "?????"
        let message = "\(state) \(error.serverInfo?[.message] ?? "")"
        return isTransient(sqlState: state) ? .unavailable(message) : .failed(message)
    case .messageDecodingFailure, .unexpectedBackendMessage, .invalidCommandTag, .tooManyParameters:
        return .failed(String(reflecting: error))
    default:
        let underlying = error.underlying.map { String(describing: $0) } ?? ""
        return .unavailable("\(error.code) \(underlying)")
    }
}

/// SQLSTATE classes and codes after which the same request may succeed later.
func isTransient(sqlState: String) -> Bool {
    let transientClasses: Set<Substring> = [
        "08",  // connection exception
        "40",  // transaction rollback: serialization failure, deadlock
        "53",  // insufficient resources: disk full, out of memory, too many connections
        "57",  // operator intervention: statement timeout, admin shutdown, cannot connect now
        "58",  // system error: I/O error
    ]
    let transientCodes: Set<String> = [
        "55P03",  // lock_not_available (lock_timeout)
        "25006",  // read_only_sql_transaction: a standby during failover
    ]
    return transientClasses.contains(sqlState.prefix(2)) || transientCodes.contains(sqlState)
}
