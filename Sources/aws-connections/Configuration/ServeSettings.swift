import AWSConnectionsCore
import Logging

/// The options of `serve` beyond the database's.
struct ServeSettings: SettingGroup {
    let host = Setting<String>.text("host", default: "127.0.0.1", valueName: "host", help: "Address to listen on.")
    let port = Setting<Int>.integer(
        "port", default: 8080, in: 0...65535, valueName: "port", help: "Port to listen on; 0 picks a free one.")
    let logLevel = Setting<String>.text(
        "logLevel", default: "info", valueName: "level", help: "The least severe log level written.",
        choices: Logger.Level.allCases.map(\.rawValue))
    let idleTimeout = Setting<Int>.integer(
        "idleTimeout", default: 60, in: 1...86_400, valueName: "seconds",
        help: "Seconds a connection may send nothing, even in the middle of a request body, before it is closed.")
    let shutdownTimeout = Setting<Int>.integer(
        "shutdownTimeout", default: 30, in: 1...86_400, valueName: "seconds",
        help: "Seconds SIGINT/SIGTERM waits for in-flight requests before cutting them and exiting 1.")
    let connectionQuota = Setting<Int>.integer(
        "connectionQuota", default: ServicePolicy.defaultConnectionQuota, in: 1...1_000_000_000, valueName: "count",
        help: "Most connections one account may hold.")
    // Bounded so that the retention in milliseconds cannot overflow.
    let historyRetentionDays = Setting<Int>.integer(
        "historyRetentionDays", default: 30, in: 0...36_500, valueName: "days",
        help: "Days a deleted connection's history stays readable; an hourly housekeeping task then removes it.")

    init() {}
}
