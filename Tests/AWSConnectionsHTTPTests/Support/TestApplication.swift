import AWSConnectionsCore
import AWSConnectionsHTTP
import Hummingbird
import Logging

/// Warnings and errors only, so a failing test's output is not buried.
let testLogger: Logger = {
    var logger = Logger(label: "aws-connections-tests")
    logger.logLevel = .warning
    return logger
}()

/// The application over an already-open store (used when reopening a database file).
func buildTestApplication(store: any ServiceStore, policy: ServicePolicy = ServicePolicy()) -> some ApplicationProtocol {
    buildApplication(connections: store, keys: store, policy: policy, host: "127.0.0.1", port: 0, logger: testLogger)
}
