/// What the platform does with a connection's role in the customer's account: check it
/// (`verify`) and read media through it (`presign`).
///
/// A protocol in the domain so that the HTTP layer knows nothing of AWS; the AWS module
/// implements it with real STS and S3 calls.
public protocol RoleAccess: Sendable {
    /// The platform's IAM principal that customers' roles trust; nil when the operator gave none.
    var principalARN: String? { get }

    /// Runs the checks of `POST …/verify` in order. A failed check is a step result, not an
    /// error; the only error is `RoleAccessError.notConfigured`.
    func verify(_ connection: Connection, bucket: String?, key: String?) async throws(RoleAccessError)
        -> [VerificationStep]

    /// A query-signed S3 GET URL for `key` in `bucket`, made with the role's temporary
    /// credentials (cached per connection). The caller has checked that the connection exists,
    /// is the caller's and is enabled.
    func presign(_ connection: Connection, bucket: String, key: String, expiresIn seconds: Int) async throws(RoleAccessError)
        -> PresignedURL

    /// Drops what is cached for the connection `id` (its role's credentials): called when its
    /// `roleArn` or `enabled` changes or it is deleted.
    func forget(_ id: ConnectionID) async
}

/// A URL a media worker fetches directly, and until when it works.
public struct PresignedURL: Sendable, Equatable {
    public var url: String
    public var expiresDate: Timestamp

    public init(url: String, expiresDate: Timestamp) {
        self.url = url
        self.expiresDate = expiresDate
    }
}

/// Why a role could not be used.
public enum RoleAccessError: Error, Sendable, Equatable {
    /// The operator has not configured AWS: `missing` names what ("the principal ARN", "credentials").
    case notConfigured(missing: String)
    /// AWS refused to let the platform assume the role.
    case assumeRoleFailed(awsCode: String, message: String)
    /// AWS could not be reached or did not answer in time.
    case unavailable(reason: String)
}

/// The role access of a server without a principal ARN: every use names what is missing, and
/// nothing looks for credentials or calls AWS.
public struct UnconfiguredRoleAccess: RoleAccess {
    public init() {}

    public var principalARN: String? { nil }

    public func verify(_ connection: Connection, bucket: String?, key: String?) async throws(RoleAccessError)
        -> [VerificationStep]
    {
        throw .notConfigured(missing: Self.missing)
    }

    public func presign(_ connection: Connection, bucket: String, key: String, expiresIn seconds: Int)
        async throws(RoleAccessError) -> PresignedURL
    {
        throw .notConfigured(missing: Self.missing)
    }

    public func forget(_ id: ConnectionID) async {}

    public static let missing = "the principal ARN (--aws-principal-arn or AWS_CONNECTIONS_AWS_PRINCIPAL_ARN)"
}
