public import AWSConnectionsCore
public import AsyncHTTPClient
import Logging

/// `RoleAccess` on real AWS: STS to assume a connection's role, S3 to check and presign reads.
///
/// The platform's own credentials come from `platformCredentials` (the standard chain); a
/// role's credentials are cached per connection (`RoleCredentialCache`).
public final class AWSRoleAccess: RoleAccess {
    /// Seconds a role session lasts: STS's default, and the most every role allows.
    static let sessionDuration = 3600

    public let principalARN: String?
    let platformCredentials: any AWSCredentialProvider
    let sts: STSClient
    let s3: S3Client
    let cache: RoleCredentialCache

    public init(
        principalARN: String, platformCredentials: any AWSCredentialProvider, endpoints: AWSEndpoints,
        timeout: Duration, httpClient: HTTPClient = .aws, metrics: AWSCallMetrics = .off
    ) {
        self.principalARN = principalARN
        self.platformCredentials = platformCredentials
        self.sts = STSClient(httpClient: httpClient, endpoints: endpoints, timeout: timeout, metrics: metrics)
        self.s3 = S3Client(httpClient: httpClient, endpoints: endpoints, timeout: timeout, metrics: metrics)
        self.cache = RoleCredentialCache(metrics: metrics)
    }

    /// The name the customer's CloudTrail shows for the platform's sessions on this connection.
    static func sessionName(for connection: Connection) -> String {
        // RoleSessionName allows 2-64 of [\w+=,.@-]; a connection id is of those characters.
        String("aws-connections-\(connection.id.rawValue)".prefix(64))
    }

    public func verify(_ connection: Connection, bucket: String?, key: String?) async throws(RoleAccessError)
        -> [VerificationStep]
    {
        let platform = try await ownCredentials()
        let region = connection.fields.awsRegion
        var steps: [VerificationStep] = []

        var roleCredentials: AWSCredentials?
        steps.append(
            await Self.step(.assumeRole) { () async throws(AWSCallError) in
                roleCredentials = try await sts.assumeRole(
                    roleARN: connection.fields.roleARN, externalID: connection.fields.externalID,
                    sessionName: Self.sessionName(for: connection), durationSeconds: 900, region: region,
                    credentials: platform)
            })
        guard let roleCredentials else {
            return steps + [.skipped(.externalIDEnforced), .skipped(.listBucket), .skipped(.readObject)]
        }

        steps.append(await externalIDEnforcedStep(connection, platform: platform))
        if let bucket {
            steps.append(
                await Self.step(.listBucket) { () async throws(AWSCallError) in
                    try await s3.listOneObject(bucket: bucket, region: region, credentials: roleCredentials)
                })
        } else {
            steps.append(.skipped(.listBucket))
        }
        if let bucket, let key {
            steps.append(
                await Self.step(.readObject) { () async throws(AWSCallError) in
                    try await s3.readFirstByte(bucket: bucket, key: key, region: region, credentials: roleCredentials)
                })
        } else {
            steps.append(.skipped(.readObject))
        }
        return steps
    }

    /// `AssumeRole` without the external id must be refused: AWS accepting it means anyone who
    /// can make the platform act could reach this role (the confused-deputy problem).
    private func externalIDEnforcedStep(_ connection: Connection, platform: AWSCredentials) async -> VerificationStep {
        let clock = ContinuousClock()
        let start = clock.now
        let outcome: Result<AWSCredentials, AWSCallError>
        do {
            outcome = .success(
                try await sts.assumeRole(
                    roleARN: connection.fields.roleARN, externalID: nil, sessionName: Self.sessionName(for: connection),
                    durationSeconds: 900, region: connection.fields.awsRegion, credentials: platform))
        } catch {
            outcome = .failure(error)
        }
        let duration = (clock.now - start).wholeMilliseconds
        switch outcome {
        case .success:
            return VerificationStep(
                step: .externalIDEnforced, status: .failed, code: nil,
                message:
                    "AWS let the platform assume the role without the external id: add the condition StringEquals sts:ExternalId to the role's trust policy (GET …/setup shows it).",
                durationMilliseconds: duration)
        case .failure(.service(let code, let message, let status)) where status == 403 || code == "AccessDenied":
            return VerificationStep(
                step: .externalIDEnforced, status: .ok, code: code, message: message, durationMilliseconds: duration)
        case .failure(let error):
            return VerificationStep(
                step: .externalIDEnforced, status: .failed, code: error.code, message: error.message,
                durationMilliseconds: duration)
        }
    }

    /// Runs one check, timing it; an AWS error is the step's failure, not the verify's.
    private static func step(
        _ name: VerificationStep.Name, _ body: () async throws(AWSCallError) -> Void
    ) async -> VerificationStep {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await body()
            return VerificationStep(step: name, status: .ok, durationMilliseconds: (clock.now - start).wholeMilliseconds)
        } catch {
            return VerificationStep(
                step: name, status: .failed, code: error.code, message: error.message,
                durationMilliseconds: (clock.now - start).wholeMilliseconds)
        }
    }

    public func presign(_ connection: Connection, bucket: String, key: String, expiresIn seconds: Int)
        async throws(RoleAccessError) -> PresignedURL
    {
        let now = Timestamp.now()
        let requested = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Int64(seconds) * 1000)
        let credentials: AWSCredentials
        do {
            credentials = try await cache.credentials(for: connection, validUntil: requested, now: now) {
                let platform = try await self.ownCredentials()
                return try await self.assumeForMedia(connection, platform: platform)
            }
        } catch let error as RoleAccessError {
            throw error
        } catch let error as AWSCallError {
            throw Self.presignError(error)
        } catch {
            throw .unavailable(reason: "the role's credentials could not be obtained")
        }
        // A URL never outlives the credentials that sign it.
        let expires = min(requested, credentials.expiration ?? requested)
        let signedSeconds = max(1, Int((expires.millisecondsSinceEpoch - now.millisecondsSinceEpoch) / 1000))
        let url = s3.presignedGetURL(
            bucket: bucket, key: key, region: connection.fields.awsRegion, credentials: credentials,
            expiresIn: signedSeconds, at: now)
        return PresignedURL(
            url: url,
            expiresDate: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + Int64(signedSeconds) * 1000))
    }

    private func assumeForMedia(_ connection: Connection, platform: AWSCredentials) async throws(AWSCallError)
        -> AWSCredentials
    {
        try await sts.assumeRole(
            roleARN: connection.fields.roleARN, externalID: connection.fields.externalID,
            sessionName: Self.sessionName(for: connection), durationSeconds: Self.sessionDuration,
            region: connection.fields.awsRegion, credentials: platform)
    }

    /// A refusal of the role is the customer's to fix: 422. Everything else is not, and is a
    /// 503 that the platform's workers retry: no answer, AWS's own trouble (5xx, and
    /// throttling, which STS answers with HTTP 400), and a refusal of the platform's own
    /// credentials, which only the operator can mend. Blaming the role for those would send the
    /// customer after a policy that is right.
    static func presignError(_ error: AWSCallError) -> RoleAccessError {
        switch error {
        case .service(let code, _, let status) where status == 429 || throttlingCodes.contains(code):
            .unavailable(reason: "AWS throttled the request (\(code)); retry later.")
        case .service(let code, _, _) where platformCredentialCodes.contains(code):
            .unavailable(reason: "AWS refused the platform's own credentials (\(code)); the operator must fix them.")
        case .service(let code, let message, let status) where status < 500:
            .assumeRoleFailed(awsCode: code, message: message)
        case .service, .timeout, .unreachable:
            .unavailable(reason: error.message)
        }
    }

    /// AWS's codes for "too many requests", across STS and the other query APIs.
    static let throttlingCodes: Set = [
        "Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "RequestThrottled",
        "SlowDown",
    ]

    /// AWS's codes for a caller whose own credentials or signature are wrong or expired: the
    /// platform's, since the platform signs `AssumeRole`.
    static let platformCredentialCodes: Set = [
        "InvalidClientTokenId", "SignatureDoesNotMatch", "IncompleteSignature", "ExpiredToken",
        "MissingAuthenticationToken", "InvalidAccessKeyId", "RequestExpired",
    ]

    public func forget(_ id: ConnectionID) async {
        cache.forget(id)
    }

    private func ownCredentials() async throws(RoleAccessError) -> AWSCredentials {
        do {
            return try await platformCredentials.credentials()
        } catch is AWSCredentialsError {
            throw .notConfigured(missing: "the platform's AWS credentials (no source of the standard chain gave any)")
        } catch {
            throw .unavailable(reason: "the platform's own AWS credentials could not be refreshed")
        }
    }
}
