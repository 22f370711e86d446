import AWSConnectionsHTTP
import AWSConnectionsSQLite
import Hummingbird
import Logging

/// The application over an already-open store (used when reopening a database file).
func buildTestApplication(store: SQLiteStore) -> some ApplicationProtocol {
    var logger = Logger(label: "aws-connections-tests")
    logger.logLevel = .warning
    return buildApplication(connections: store, keys: store, host: "127.0.0.1", port: 0, logger: logger)
}
