import Logging

/// One logging setup for every subcommand: human-readable key=value lines on stderr.
enum LogSetup {
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "aws-connections")
        logger.logLevel = level
        return logger
    }
}
