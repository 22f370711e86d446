public import Logging

/// Warnings and errors only, so a failing test's output is not buried.
public let testLogger: Logger = {
    var logger = Logger(label: "aws-connections-tests")
    logger.logLevel = .warning
    return logger
}()
