/// Something that hands out the platform's own AWS credentials, refreshed as needed.
public protocol AWSCredentialProvider: Sendable {
    func credentials() async throws -> AWSCredentials
}

/// Where the platform's own credentials came from, for a start-up log line.
///
/// Holds no secret: the web identity source names its role, not its token, and the container
/// source shows its URI without the query and without the per-task id of an ECS relative URI.
public enum AWSCredentialSource: Sendable, Hashable, CustomStringConvertible {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN`).
    case environment
    /// Static keys of a profile in `~/.aws/credentials` or `~/.aws/config`.
    case sharedFiles(profile: String)
    /// STS `AssumeRoleWithWebIdentity` with the token in `AWS_WEB_IDENTITY_TOKEN_FILE`.
    case webIdentity(roleARN: String)
    /// The ECS / EKS Pod Identity credentials endpoint.
    case container(uri: String)
    /// EC2 instance metadata (IMDSv2).
    case instanceMetadata(endpoint: String)

    public var description: String {
        switch self {
        case .environment: "environment variables AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
        case .sharedFiles(let profile): "shared credentials files, profile \(profile)"
        case .webIdentity(let roleARN): "web identity token for role \(roleARN)"
        case .container(let uri): "container credentials endpoint \(uri)"
        case .instanceMetadata(let endpoint): "EC2 instance metadata at \(endpoint)"
        }
    }
}

/// Why the platform has no credentials of its own.
public enum AWSCredentialsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No source of the chain gave credentials: one entry per source tried, with why not.
    case notFound(tried: [String])
    /// The source that gave the current credentials could not renew them, and they have expired.
    case refreshFailed(source: AWSCredentialSource, reason: String)

    public var description: String {
        switch self {
        case .notFound(let tried):
            "no AWS credentials found; tried: \(tried.joined(separator: "; "))"
        case .refreshFailed(let source, let reason):
            "AWS credentials from \(source) expired and could not be renewed: \(reason)"
        }
    }
}
