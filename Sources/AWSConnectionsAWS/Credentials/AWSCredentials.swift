public import AWSConnectionsCore

/// An AWS access key: the platform's own, or a customer role's temporary one.
///
/// Its description never shows the secret or the session token, so a credential that reaches
/// a log line or an error message by mistake gives nothing away.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    /// Present for temporary credentials (STS, web identity, containers, instance metadata).
    public var sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    public var expiration: Timestamp?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Timestamp? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    public var description: String {
        "AWSCredentials(accessKeyID: \(accessKeyID), secret: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
    }

    public var debugDescription: String { description }
}
