import Logging

/// One logging setup for every subcommand: logfmt lines on stderr.
enum LogSetup {
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { _ in LogfmtLogHandler(level: level) }
        var logger = Logger(label: "aws-connections")
        logger.logLevel = level
        return logger
    }
}
