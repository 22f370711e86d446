import AWSConnectionsAWS
import AWSConnectionsCore
import CoreMetrics
import Foundation
import Logging

/// Chooses how `serve` uses customers' roles, and says so in the log at start.
enum RoleAccessSetup {
    /// Without a principal ARN: `UnconfiguredRoleAccess`, and no credential source is even
    /// looked for (so not the instance-metadata address either). With one: the standard chain's
    /// first source that gives credentials, named in the log (never a secret).
    static func make(settings: Settings, metrics: any MetricsFactory, logger: Logger) async -> any RoleAccess {
        let principalARN = settings[\AWSSettings.principalARN]
        guard !principalARN.isEmpty else {
            logger.info(
                "AWS is not configured: no principal ARN (--aws-principal-arn); setup, verify and presign answer 503 aws_not_configured"
            )
            return UnconfiguredRoleAccess()
        }
        let environment = ProcessInfo.processInfo.environment
        let endpoints = AWSEndpoints(environment: environment)
        let timeout = settings[\AWSSettings.timeout]
        let chain = AWSCredentialChain(environment: environment, endpoints: endpoints, timeout: timeout, logger: logger)
        if let source = await chain.resolveSource() {
            logger.info(
                "AWS configured",
                metadata: ["principal_arn": .string(principalARN), "credentials": .string(source.description)])
        } else {
            logger.warning(
                "AWS principal ARN set but no credentials found (environment, shared files, web identity, container, instance metadata); verify and presign answer 503 aws_not_configured",
                metadata: ["principal_arn": .string(principalARN)])
        }
        return AWSRoleAccess(
            principalARN: principalARN, platformCredentials: chain, endpoints: endpoints, timeout: timeout,
            metrics: AWSCallMetrics(factory: metrics))
    }
}
