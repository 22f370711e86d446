import AWSConnectionsCore
public import AsyncHTTPClient
public import Logging
import Synchronization

/// The platform's own credentials from the standard AWS chain, in the SDKs' order: environment,
/// shared files, web identity, container endpoint, EC2 instance metadata.
///
/// The first source that gives credentials is remembered; its temporary credentials are cached
/// and renewed from it five minutes before they expire. One fetch runs at a time: callers that
/// arrive during it wait for its result instead of starting their own. If a renewal fails while
/// the old credentials still have time left, they are kept and the renewal is tried again 30
/// seconds later. Nothing here logs or describes a secret key or token.
public final class AWSCredentialChain: AWSCredentialProvider {
    /// How long before expiry temporary credentials are renewed, as the SDKs do.
    static let refreshMargin: Duration = .seconds(300)
    /// After a failed renewal, how long the still-valid credentials are handed out before the
    /// next try, so that callers do not each wait for a source that is down.
    static let retryDelay: Duration = .seconds(30)

    private let environment: [String: String]
    private let endpoints: AWSEndpoints
    private let httpClient: HTTPClient
    private let timeout: Duration
    private let logger: Logger
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var current: Resolved?
        var inFlight: Task<Resolved, any Error>?
        /// Set after a failed renewal: no new try before then.
        var retryAfter: Timestamp?
    }

    /// A source that gave credentials, what it gave, and how to ask it again.
    struct Resolved: Sendable {
        var source: AWSCredentialSource
        var renewal: Renewal
        var credentials: AWSCredentials
    }

    enum Renewal: Sendable {
        /// Long-term keys, or temporary ones the chain cannot renew (environment, shared files).
        case none
        case webIdentity(WebIdentitySettings)
        case container(ContainerSettings)
        case instanceMetadata(InstanceMetadataSettings)
    }

    /// - Parameters:
    ///   - timeout: per call to STS and to a container endpoint; instance metadata calls get at
    ///     most one second each.
    public init(
        environment: [String: String], httpClient: HTTPClient = .aws, endpoints: AWSEndpoints, timeout: Duration,
        logger: Logger
    ) {
        self.environment = environment
        self.httpClient = httpClient
        self.endpoints = endpoints
        self.timeout = timeout
        self.logger = logger
    }

    /// The source the platform's credentials come from: the remembered one, or the first of the
    /// chain that gives credentials now (then remembered). Nil when none does; the next call
    /// tries again.
    public func resolveSource() async -> AWSCredentialSource? {
        do {
            return try await current().source
        } catch {
            logger.warning("No AWS credentials for the platform", metadata: ["reason": "\(error)"])
            return nil
        }
    }

    /// Cached credentials, renewed first when they expire within five minutes.
    ///
    /// Throws `AWSCredentialsError.notFound` when no source gives any, and
    /// `AWSCredentialsError.refreshFailed` when the remembered source cannot renew expired ones.
    public func credentials() async throws -> AWSCredentials {
        try await current().credentials
    }

    private func current() async throws -> Resolved {
        enum Next {
            case ready(Resolved)
            case wait(Task<Resolved, any Error>)
        }
        let now = Timestamp.now()
        let next: Next = state.withLock { state in
            if let current = state.current {
                let inRetryDelay = state.retryAfter.map { now < $0 } ?? false
                if !Self.needsRenewal(current.credentials, now: now)
                    || (inRetryDelay && !Self.hasExpired(current.credentials, now: now))
                {
                    return .ready(current)
                }
            }
            if let inFlight = state.inFlight { return .wait(inFlight) }
            // Unstructured so that one caller being cancelled does not fail the others waiting.
            let task = Task { try await self.fetch() }
            state.inFlight = task
            return .wait(task)
        }
        switch next {
        case .ready(let resolved): return resolved
        case .wait(let task): return try await task.value
        }
    }

    static func needsRenewal(_ credentials: AWSCredentials, now: Timestamp) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return now >= expiration.subtracting(refreshMargin)
    }

    static func hasExpired(_ credentials: AWSCredentials, now: Timestamp) -> Bool {
        guard let expiration = credentials.expiration else { return false }
        return now >= expiration
    }

    /// Runs as the one in-flight fetch; clears itself from the state when done.
    private func fetch() async throws -> Resolved {
        let previous = state.withLock { $0.current }
        do {
            let resolved: Resolved
            if let previous {
                resolved = try await renew(previous)
            } else {
                resolved = try await resolveChain()
            }
            state.withLock { state in
                state.current = resolved
                state.inFlight = nil
                state.retryAfter = nil
            }
            return resolved
        } catch {
            let now = Timestamp.now()
            state.withLock { state in
                state.inFlight = nil
                state.retryAfter = Timestamp(
                    millisecondsSinceEpoch: now.millisecondsSinceEpoch + Self.retryDelay.wholeMilliseconds)
            }
            guard let previous else { throw error }
            let reason = (error as? CredentialSourceFailure)?.reason ?? "\(error)"
            if !Self.hasExpired(previous.credentials, now: now) {
                logger.warning(
                    "Could not renew the platform's AWS credentials; using the current ones until they expire",
                    metadata: ["source": "\(previous.source)", "reason": "\(reason)"])
                return previous
            }
            logger.error(
                "The platform's AWS credentials expired and could not be renewed",
                metadata: ["source": "\(previous.source)", "reason": "\(reason)"])
            throw AWSCredentialsError.refreshFailed(source: previous.source, reason: reason)
        }
    }

    private func renew(_ previous: Resolved) async throws(CredentialSourceFailure) -> Resolved {
        var renewed = previous
        switch previous.renewal {
        case .none:
            if Self.hasExpired(previous.credentials, now: .now()) {
                throw CredentialSourceFailure(reason: "the credentials have expired and this source cannot renew them")
            }
            return previous
        case .webIdentity(let settings):
            renewed.credentials = try await settings.fetch(sts: stsClient)
        case .container(let settings):
            renewed.credentials = try await settings.fetch(
                transport: AWSTransport(httpClient: httpClient, timeout: timeout))
        case .instanceMetadata(let settings):
            renewed.credentials = try await settings.fetch(transport: instanceMetadataTransport(settings))
        }
        logger.debug("Renewed the platform's AWS credentials", metadata: ["source": "\(previous.source)"])
        return renewed
    }

    private var stsClient: STSClient { STSClient(httpClient: httpClient, endpoints: endpoints, timeout: timeout) }

    private func instanceMetadataTransport(_ settings: InstanceMetadataSettings) -> AWSTransport {
        AWSTransport(httpClient: httpClient, timeout: min(timeout, settings.timeout))
    }

    /// Each source in turn; the first that gives credentials wins. A source that is configured
    /// but fails is logged and passed over, as in the SDKs' default chains.
    private func resolveChain() async throws -> Resolved {
        var tried: [String] = []
        func skip(_ name: String, _ reason: String, configured: Bool) {
            tried.append("\(name) (\(reason))")
            if configured {
                logger.warning(
                    "AWS credential source passed over", metadata: ["source": "\(name)", "reason": "\(reason)"])
            } else {
                logger.debug(
                    "AWS credential source not configured", metadata: ["source": "\(name)", "reason": "\(reason)"])
            }
        }
        func found(_ resolved: Resolved) -> Resolved {
            logger.debug("Using AWS credentials", metadata: ["source": "\(resolved.source)"])
            return resolved
        }

        switch EnvironmentCredentials.read(environment) {
        case .success(let credentials):
            return found(Resolved(source: .environment, renewal: .none, credentials: credentials))
        case .failure(let failure):
            skip("environment", failure.reason, configured: failure.reason != "AWS_ACCESS_KEY_ID is not set")
        }

        let shared = SharedCredentialFiles.load(environment: environment)
        let sharedName = "shared files, profile \(shared.locations.profile)"
        switch shared.lookup {
        case .found(let credentials):
            return found(
                Resolved(
                    source: .sharedFiles(profile: shared.locations.profile), renewal: .none, credentials: credentials))
        case .unsupported(let reason):
            skip(sharedName, reason, configured: true)
        case .notFound(let reason):
            skip(sharedName, reason, configured: environment["AWS_PROFILE"] != nil)
        }

        if let settings = WebIdentitySettings(environment: environment, now: .now()) {
            do {
                let credentials = try await settings.fetch(sts: stsClient)
                return found(
                    Resolved(
                        source: .webIdentity(roleARN: settings.roleARN), renewal: .webIdentity(settings),
                        credentials: credentials))
            } catch {
                skip("web identity", error.reason, configured: true)
            }
        } else {
            skip("web identity", "AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE are not both set", configured: false)
        }

        switch ContainerSettings.from(environment) {
        case .success(let settings)?:
            do {
                let credentials = try await settings.fetch(
                    transport: AWSTransport(httpClient: httpClient, timeout: timeout))
                return found(
                    Resolved(
                        source: .container(uri: settings.displayURI), renewal: .container(settings),
                        credentials: credentials))
            } catch {
                skip("container endpoint", error.reason, configured: true)
            }
        case .failure(let failure)?:
            skip("container endpoint", failure.reason, configured: true)
        case nil:
            skip(
                "container endpoint",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and AWS_CONTAINER_CREDENTIALS_FULL_URI are not set",
                configured: false)
        }

        switch InstanceMetadataSettings.from(environment) {
        case .success(let settings)?:
            do {
                let credentials = try await settings.fetch(transport: instanceMetadataTransport(settings))
                return found(
                    Resolved(
                        source: .instanceMetadata(endpoint: settings.endpoint.description),
                        renewal: .instanceMetadata(settings), credentials: credentials))
            } catch {
                // Off EC2 this is the normal outcome, not worth a warning.
                skip("instance metadata", error.reason, configured: settings.endpoint.isCustom)
            }
        case .failure(let failure)?:
            skip("instance metadata", failure.reason, configured: true)
        case nil:
            skip("instance metadata", "AWS_EC2_METADATA_DISABLED is true", configured: false)
        }

        throw AWSCredentialsError.notFound(tried: tried)
    }
}
