import AWSConnectionsCore
public import CoreMetrics

/// What the platform's AWS calls did: `aws_calls_total{service, action, outcome}` (`ok`, `error`
/// when AWS answered with an error, `timeout`, `unreachable`; a ranged `GetObject` of an empty
/// object, 416, is `ok`, as verify counts it readable), `aws_call_duration_seconds{service,
/// action}`, and `aws_role_credentials_total{source}`: whether a role's credentials came from the
/// cache (`cache`), from a fetch another request had already started (`shared`), or from STS (`sts`).
public struct AWSCallMetrics: Sendable {
    struct CallKey: Hashable, Sendable {
        var action: AWSAction
        var outcome: String
    }

    let calls: MetricCache<CallKey, Counter>
    let durations: MetricCache<AWSAction, Timer>
    let roleCredentials: MetricCache<String, Counter>

    public init(factory: any MetricsFactory) {
        calls = MetricCache { key in
            Counter(
                label: "aws_calls_total",
                dimensions: [("service", key.action.service), ("action", key.action.name), ("outcome", key.outcome)],
                factory: factory)
        }
        durations = MetricCache { action in
            Timer(
                label: "aws_call_duration_seconds", dimensions: [("service", action.service), ("action", action.name)],
                factory: factory)
        }
        roleCredentials = MetricCache { source in
            Counter(label: "aws_role_credentials_total", dimensions: [("source", source)], factory: factory)
        }
    }

    /// Records nothing.
    public static let off = AWSCallMetrics(factory: NOOPMetricsHandler.instance)

    func record(_ action: AWSAction, outcome: String, elapsed: Duration) {
        calls[CallKey(action: action, outcome: outcome)].increment()
        durations[action].record(elapsed)
    }
}

/// One AWS API action, as its service names it.
struct AWSAction: Hashable, Sendable {
    var service: String
    var name: String

    static let assumeRole = AWSAction(service: "sts", name: "AssumeRole")
    static let assumeRoleWithWebIdentity = AWSAction(service: "sts", name: "AssumeRoleWithWebIdentity")
    static let listObjectsV2 = AWSAction(service: "s3", name: "ListObjectsV2")
    static let getObject = AWSAction(service: "s3", name: "GetObject")
}
