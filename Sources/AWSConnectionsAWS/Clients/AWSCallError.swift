/// Why a call to AWS (or to a credential endpoint) did not succeed, in terms a customer may see.
///
/// It carries only AWS's error code and message, a status, or a short reason naming the host:
/// never a request header, a signature or a credential, so its description is safe in logs
/// and in the steps of a verification.
public enum AWSCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// AWS answered with an error: `AccessDenied`, `NoSuchBucket`, `InvalidClientTokenId`…
    case service(code: String, message: String, status: Int)
    /// No complete answer within the call's time limit.
    case timeout
    /// No answer at all: refused, unresolvable, TLS failure, reset. The reason is short and
    /// names the host, such as `connection refused to 127.0.0.1:9`.
    case unreachable(String)

    /// AWS's error code, or `timeout` / `unreachable`.
    public var code: String {
        switch self {
        case .service(let code, _, _): code
        case .timeout: "timeout"
        case .unreachable: "unreachable"
        }
    }

    /// One sentence for a customer.
    public var message: String {
        switch self {
        case .service(_, let message, let status):
            message.isEmpty ? "AWS answered HTTP \(status) without an error message." : message
        case .timeout:
            "AWS did not answer within the time allowed."
        case .unreachable(let reason):
            reason
        }
    }

    public var description: String {
        switch self {
        case .service(let code, _, let status): "AWS error \(code) (HTTP \(status)): \(message)"
        case .timeout: "timeout: \(message)"
        case .unreachable(let reason): "unreachable: \(reason)"
        }
    }
}
