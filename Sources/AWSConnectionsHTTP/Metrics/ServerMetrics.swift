import AWSConnectionsCore
public import CoreMetrics
import HTTPTypes
import Prometheus

/// What the server counts and times, recorded through swift-metrics into one Prometheus
/// registry that `GET /metrics` writes out.
///
/// Each server has its own registry and passes its factory to whatever records, rather than
/// bootstrapping swift-metrics' process-wide factory: a process (a test run) may hold many
/// servers, and each page must show its own server's figures only.
public final class ServerMetrics: Sendable {
    /// Written out by `GET /metrics`; nil when metrics are off.
    private let registry: PrometheusCollectorRegistry?
    /// The factory every other part (the store, the AWS clients) records through.
    public let factory: any MetricsFactory

    struct RequestKey: Hashable, Sendable {
        var route: String
        var method: String
        var status: Int
    }
    struct RouteKey: Hashable, Sendable {
        var route: String
        var method: String
    }

    let requests: MetricCache<RequestKey, CoreMetrics.Counter>
    let requestDuration: MetricCache<RouteKey, Timer>
    let rateLimited: CoreMetrics.Counter
    /// Made for every outcome up front: read on every keyed request, without a lock.
    let keyChecks: [KeyCheck: CoreMetrics.Counter]

    /// How a request's API key fared.
    enum KeyCheck: String, CaseIterable, Sendable {
        case authenticated, missing, invalid, expired
    }

    /// Latency buckets from half a millisecond: most answers here take one or two.
    static let durationBuckets: [Duration] = [
        .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
        .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
    ]

    /// Metrics kept in a Prometheus registry.
    public static func prometheus() -> ServerMetrics {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = durationBuckets
        return ServerMetrics(registry: registry, factory: factory)
    }

    /// Nothing recorded, no `/metrics` route.
    public static func off() -> ServerMetrics {
        ServerMetrics(registry: nil, factory: NOOPMetricsHandler.instance)
    }

    private init(registry: PrometheusCollectorRegistry?, factory: any MetricsFactory) {
        self.registry = registry
        self.factory = factory
        requests = MetricCache { key in
            CoreMetrics.Counter(
                label: "http_requests_total",
                dimensions: [("route", key.route), ("method", key.method), ("status", String(key.status))],
                factory: factory)
        }
        requestDuration = MetricCache { key in
            Timer(
                label: "http_request_duration_seconds", dimensions: [("route", key.route), ("method", key.method)],
                factory: factory)
        }
        rateLimited = CoreMetrics.Counter(label: "rate_limited_requests_total", factory: factory)
        keyChecks = Dictionary(
            uniqueKeysWithValues: KeyCheck.allCases.map { check in
                (
                    check,
                    CoreMetrics.Counter(
                        label: "api_key_checks_total", dimensions: [("outcome", check.rawValue)], factory: factory)
                )
            })
    }

    public var isOn: Bool { registry != nil }

    /// A path no route matches, as the `route` label says it.
    static let unmatchedRoute = "unmatched"
    /// A client may send any token as a method; others are counted as `other`, so that no
    /// client can add series.
    static let knownMethods: Set<HTTPRequest.Method> = [.get, .head, .post, .put, .patch, .delete, .options]

    /// Counts one answered request and times it, by the route template the router matched
    /// (`/pictoryapis/v1/awsconnections/{connectionid}`), never the path sent, so the number of
    /// series stays fixed however many ids are asked for.
    func recordRequest(method: HTTPRequest.Method, route: String?, status: Int, elapsed: Duration) {
        guard isOn else { return }
        // The router names an unmatched path "NotFound"; a label that is plainly not a path is clearer.
        let route = route.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? Self.unmatchedRoute
        let method = Self.knownMethods.contains(method) ? method.rawValue : "other"
        requests[RequestKey(route: route, method: method, status: status)].increment()
        requestDuration[RouteKey(route: route, method: method)].record(elapsed)
    }

    /// The registry in Prometheus' text exposition format.
    func exposition() -> [UInt8] {
        registry?.emitToBuffer() ?? []
    }
}
