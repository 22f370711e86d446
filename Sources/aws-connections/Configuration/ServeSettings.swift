import AWSConnectionsCore
import AWSConnectionsHTTP
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
        help: "Seconds a connection may send nothing, even in the middle of a request body, before it is closed; also the most a request's head may take to arrive whole, however its bytes trickle.")
    let requestTimeout = Setting<Int>.integer(
        "requestTimeout", default: 30, in: 1...3_600, valueName: "seconds",
        help: "Seconds a request's body may take to arrive whole after its head, however its bytes trickle; then 408 request_timeout and the connection is closed.")
    let maxConnections = Setting<Int>.integer(
        "maxConnections", default: 1_000, in: 1...1_000_000, valueName: "count",
        help: "Most client connections open at once; further ones wait in the listen backlog until one closes.")
    let rateLimit = Setting<Int>.integer(
        "rateLimit", default: Int(RateLimit.defaultRequestsPerSecond), in: 0...1_000_000, valueName: "requests",
        help: "Requests a second one API key may make on this server (sustained); 0 turns rate limiting off. Over it: 429 rate_limited with Retry-After.")
    let rateBurst = Setting<Int>.integer(
        "rateBurst", default: RateLimit.defaultBurst, in: 1...1_000_000, valueName: "requests",
        help: "Requests one API key may make at once after a quiet spell (the token bucket's size).")
    let metrics = Setting<String>.text(
        "metrics", default: "on", valueName: "on|off",
        help: "GET /metrics: request, store, key, rate-limit and AWS figures in Prometheus' text format; off records nothing and serves no /metrics.",
        choices: ["on", "off"])
    let metricsToken = Setting<String>(
        key: "metricsToken", valueName: "token",
        help: "When set, GET /metrics answers only Authorization: Bearer <token> (401 invalid_metrics_token otherwise). API keys are never accepted there.",
        defaultValue: "", isSecret: true, rule: "text", parse: { $0 })
    let drainDelay = Setting<Int>.integer(
        "drainDelay", default: 5, in: 0...3_600, valueName: "seconds",
        help: "Seconds from SIGTERM to closing the listener, during which /readyz answers 503 while requests are still served, so that a load balancer stops sending first. SIGINT stops at once.")
    let shutdownTimeout = Setting<Int>.integer(
        "shutdownTimeout", default: 30, in: 1...86_400, valueName: "seconds",
        help: "Seconds the shutdown (after SIGINT, or SIGTERM's drain delay) waits for in-flight requests before cutting them and exiting 1.")
    let connectionQuota = Setting<Int>.integer(
        "connectionQuota", default: ServicePolicy.defaultConnectionQuota, in: 1...1_000_000_000, valueName: "count",
        help: "Most connections one account may hold.")
    // Bounded so that the retention in milliseconds cannot overflow.
    let historyRetentionDays = Setting<Int>.integer(
        "historyRetentionDays", default: 30, in: 0...36_500, valueName: "days",
        help: "Days a deleted connection's history stays readable; an hourly housekeeping task then removes it.")
    let historyKeepVersions = Setting<Int>.integer(
        "historyKeepVersions", default: HistoryCap.defaultKeepVersions, in: 0...1_000_000, valueName: "count",
        help: "Versions of a live connection's history always kept (the newest); older ones go once also past --history-keep-days, removed by the hourly housekeeping. 0 keeps every version for ever.")
    let historyKeepDays = Setting<Int>.integer(
        "historyKeepDays", default: 30, in: 0...36_500, valueName: "days",
        help: "Days every version of a live connection's history is kept, however many there are.")
    // One key for a repeatable flag: swift-configuration gathers `--trusted-proxy A --trusted-proxy B`
    // (and a file's array) into one list, read here as comma-separated text like the variable's.
    let trustedProxies = Setting<TrustedProxies>(
        key: "trustedProxy", valueName: "address-or-cidr",
        help:
            "A proxy or load balancer (an IP address or CIDR block) whose X-Forwarded-For the request log believes; repeat the flag, or separate with commas. Without it the log's client is always the TCP peer.",
        defaultValue: TrustedProxies(), isSecret: false,
        rule: "IP addresses or CIDR blocks separated by commas, such as 10.0.0.0/8,192.0.2.1",
        parse: { TrustedProxies(parsing: $0) })

    init() {}
}
