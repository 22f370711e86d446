import AWSConnectionsCore
import AWSConnectionsTestSupport
import Foundation
import Logging
import Testing

@testable import AWSConnectionsAWS

/// The credential chain end to end: every source that calls the network calls a real loopback
/// peer, moto's STS or `metadata_server.py`, whose request counts show what the chain asked.
/// Each test has peers of its own, since counts are compared.
@Suite("The credential chain against loopback peers")
struct CredentialChainTests {
    static let logger: Logger = {
        var logger = Logger(label: "test")
        // Sources passed over are logged as warnings, which would bury a failure's output.
        logger.logLevel = .critical
        return logger
    }()

    /// A chain on `environment` alone, after checking that nothing in it can leave loopback: a
    /// mistake in a test must fail that test, not send a request to AWS or to 169.254.169.254.
    /// With instance metadata off and no endpoint given, the endpoint is a closed loopback port,
    /// so that a chain that ignored `AWS_EC2_METADATA_DISABLED` would fail here, not ask EC2.
    static func chain(_ environment: [String: String]) throws -> AWSCredentialChain {
        var environment = environment
        // The SDKs' one second is for a real instance; a peer on a host busy with the whole
        // test suite may need longer.
        if environment["AWS_METADATA_SERVICE_TIMEOUT"] == nil { environment["AWS_METADATA_SERVICE_TIMEOUT"] = "10" }
        let endpointVariable = "AWS_EC2_METADATA_SERVICE_ENDPOINT"
        if environment["AWS_EC2_METADATA_DISABLED"] == "true" && environment[endpointVariable] == nil {
            environment[endpointVariable] = "http://127.0.0.1:\(try MisbehavingEndpoint.closedPort())"
        }
        func isLoopback(_ name: String) -> Bool { environment[name]?.hasPrefix("http://127.0.0.1:") ?? false }
        try #require(
            environment["AWS_EC2_METADATA_DISABLED"] == "true" || environment[endpointVariable] != nil,
            "instance metadata must be off or on a loopback peer")
        for name in [endpointVariable, "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS", "AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        where environment[name] != nil {
            try #require(isLoopback(name), "\(name) must be a loopback peer")
        }
        // Relative URIs go to the ECS agent's address, never a loopback peer.
        try #require(environment["AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"] == nil)
        if environment["AWS_ROLE_ARN"] != nil || environment["AWS_WEB_IDENTITY_TOKEN_FILE"] != nil {
            try #require(
                isLoopback("AWS_ENDPOINT_URL_STS") || isLoopback("AWS_ENDPOINT_URL"), "STS must be a loopback peer")
        }
        try #require(environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] == nil)
        // Without HOME no default ~/.aws file is read: shared files only where a test wrote them.
        try #require(environment["HOME"] == nil)
        // 30 s per call for the same reason: moto's STS, in Python, on a machine running the
        // whole suite once took over 5 s, and the chain then rightly moved on to the next source.
        return AWSCredentialChain(
            environment: environment, endpoints: AWSEndpoints(environment: environment), timeout: .seconds(30),
            logger: logger)
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "credential-chain-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// A credentials file whose default profile has the key `AKIASHARED0000000001`.
    static let defaultProfile = "[default]\naws_access_key_id = AKIASHARED0000000001\naws_secret_access_key = s\n"

    static func write(_ text: String, to file: URL) throws {
        try Data(text.utf8).write(to: file)
    }

    /// What `credentials()` threw, when it was `notFound`.
    static func notFoundReasons(_ chain: AWSCredentialChain) async -> [String]? {
        do {
            let credentials = try await chain.credentials()
            Issue.record("expected notFound, got \(credentials)")
        } catch AWSCredentialsError.notFound(let tried) {
            return tried
        } catch {
            Issue.record("expected notFound, got \(error)")
        }
        return nil
    }

    // MARK: - Web identity on moto

    static let fixtureCredentials = ["accessKeyId": "AKIAFIXTURE000000001", "secretAccessKey": "fixture-secret"]

    /// Creates `name` on moto trusting an OIDC provider, as an EKS service account's role does.
    ///
    /// moto without authentication evaluates no trust policy and checks no token (AWS verifies
    /// the token's signature and audience against the provider), so the token here is any text;
    /// the peer does refuse a role that does not exist, as AWS does.
    static func makeWebIdentityRole(_ name: String, on moto: AWSPeer) async throws -> String {
        let trust: [String: Any] = [
            "Version": "2012-10-17",
            "Statement": [
                [
                    "Effect": "Allow",
                    "Principal": ["Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.example.com"],
                    "Action": "sts:AssumeRoleWithWebIdentity",
                ] as [String: Any]
            ],
        ]
        let created = try await moto.fixture("role", ["name": name, "trust": trust, "credentials": fixtureCredentials])
        return try #require(created["arn"] as? String)
    }

    /// The ARN moto says `credentials` belong to (GetCallerIdentity with boto3).
    ///
    /// moto finds the caller from the access key id alone, without checking the signature as
    /// AWS does: this shows the key is one moto issued for the role and session, not the secret.
    static func callerARN(_ credentials: AWSCredentials, on moto: AWSPeer) async throws -> String {
        let script = """
            import sys, boto3
            endpoint, key, secret, token = sys.argv[1:5]
            sts = boto3.client("sts", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=key,
                               aws_secret_access_key=secret, aws_session_token=token)
            print(sts.get_caller_identity()["Arn"])
            """
        let output = try await runPython([
            "-c", script, moto.endpoint, credentials.accessKeyID, credentials.secretAccessKey,
            credentials.sessionToken ?? "",
        ])
        return output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Environment

    @Test("environment keys, with the session token")
    func environment() async throws {
        let chain = try Self.chain([
            "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00001", "AWS_SECRET_ACCESS_KEY": "environment-secret",
            "AWS_SESSION_TOKEN": "environment-token", "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(await chain.resolveSource() == .environment)
        #expect(
            try await chain.credentials()
                == AWSCredentials(
                    accessKeyID: "AKIAENVIRONMENT00001", secretAccessKey: "environment-secret",
                    sessionToken: "environment-token"))
    }

    @Test("an empty environment value counts as unset")
    func emptyEnvironmentValues() async throws {
        let withoutToken = try Self.chain([
            "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00001", "AWS_SECRET_ACCESS_KEY": "environment-secret",
            "AWS_SESSION_TOKEN": "", "AWS_EC2_METADATA_DISABLED": "true",
        ])
        // An empty token sent as X-Amz-Security-Token would make AWS refuse long-term keys.
        #expect(try await withoutToken.credentials().sessionToken == nil)

        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentialsFile = directory.appendingPathComponent("credentials")
        try Self.write(Self.defaultProfile, to: credentialsFile)
        let emptyKeys = try Self.chain([
            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
            "AWS_SHARED_CREDENTIALS_FILE": credentialsFile.path, "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(await emptyKeys.resolveSource() == .sharedFiles(profile: "default"))
        #expect(try await emptyKeys.credentials().accessKeyID == "AKIASHARED0000000001")
    }

    // MARK: - Shared files

    @Test("shared files: the default profile, the credentials file winning over the config file")
    func sharedFilesDefaultProfile() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentialsFile = directory.appendingPathComponent("credentials")
        let configFile = directory.appendingPathComponent("config")
        try Self.write(
            """
            [default]
            aws_access_key_id = AKIACREDENTIALSFILE1
            aws_secret_access_key = credentials-file-secret
            [other]
            aws_access_key_id = AKIAOTHER00000000001
            aws_secret_access_key = other-secret
            """, to: credentialsFile)
        try Self.write(
            """
            [default]
            region = eu-west-1
            aws_access_key_id = AKIACONFIGFILE000001
            aws_secret_access_key = config-file-secret
            aws_session_token = config-file-token
            """, to: configFile)
        let chain = try Self.chain([
            "AWS_SHARED_CREDENTIALS_FILE": credentialsFile.path, "AWS_CONFIG_FILE": configFile.path,
            "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(await chain.resolveSource() == .sharedFiles(profile: "default"))
        // Key by key, as the SDKs merge the two files: the token only the config file has is kept.
        #expect(
            try await chain.credentials()
                == AWSCredentials(
                    accessKeyID: "AKIACREDENTIALSFILE1", secretAccessKey: "credentials-file-secret",
                    sessionToken: "config-file-token"))
    }

    @Test("shared files: AWS_PROFILE names [NAME] in credentials or [profile NAME] in config")
    func sharedFilesNamedProfile() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentialsFile = directory.appendingPathComponent("credentials")
        let configFile = directory.appendingPathComponent("config")
        try Self.write(
            """
            [default]
            aws_access_key_id = AKIADEFAULT000000001
            aws_secret_access_key = default-secret
            [work]
            aws_access_key_id = AKIAWORK000000000001
            aws_secret_access_key = work-secret
            """, to: credentialsFile)
        try Self.write(
            """
            [dev]
            aws_access_key_id = AKIANOTAPROFILE00001
            aws_secret_access_key = not-a-profile-in-config
            [profile dev]
            aws_access_key_id = AKIADEV0000000000001
            aws_secret_access_key = dev-secret
            """, to: configFile)
        func chain(profile: String) throws -> AWSCredentialChain {
            try Self.chain([
                "AWS_PROFILE": profile, "AWS_SHARED_CREDENTIALS_FILE": credentialsFile.path,
                "AWS_CONFIG_FILE": configFile.path, "AWS_EC2_METADATA_DISABLED": "true",
            ])
        }

        let work = try chain(profile: "work")
        #expect(await work.resolveSource() == .sharedFiles(profile: "work"))
        #expect(
            try await work.credentials()
                == AWSCredentials(accessKeyID: "AKIAWORK000000000001", secretAccessKey: "work-secret"))

        let dev = try chain(profile: "dev")
        #expect(await dev.resolveSource() == .sharedFiles(profile: "dev"))
        #expect(
            try await dev.credentials()
                == AWSCredentials(accessKeyID: "AKIADEV0000000000001", secretAccessKey: "dev-secret"))

        let missing = try chain(profile: "missing")
        #expect(await missing.resolveSource() == nil)
        #expect(await Self.notFoundReasons(missing)?.contains { $0.contains("no profile missing") } == true)
    }

    @Test("shared files: a profile that assumes a role is passed over, its static keys unused")
    func sharedFilesRoleProfile() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let configFile = directory.appendingPathComponent("config")
        try Self.write(
            """
            [profile deploy]
            role_arn = arn:aws:iam::123456789012:role/deploy
            aws_access_key_id = AKIASOURCEKEYS000001
            aws_secret_access_key = source-secret
            """, to: configFile)
        let chain = try Self.chain([
            "AWS_PROFILE": "deploy", "AWS_CONFIG_FILE": configFile.path, "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(await chain.resolveSource() == nil)
        #expect(await Self.notFoundReasons(chain)?.contains { $0.contains("role_arn") } == true)
    }

    // MARK: - Web identity

    @Test(
        "web identity: AssumeRoleWithWebIdentity on STS gives temporary credentials, fetched once",
        arguments: ["AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"])
    func webIdentity(endpointVariable: String) async throws {
        let moto = try await AWSPeer.moto()
        defer { moto.stop() }
        let roleARN = try await Self.makeWebIdentityRole("service-account", on: moto)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try Self.write("eyJhbGciOiJSUzI1NiJ9.service-account-token.signature", to: tokenFile)
        let chain = try Self.chain([
            "AWS_ROLE_ARN": roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile.path,
            "AWS_ROLE_SESSION_NAME": "chain-test-session", endpointVariable: moto.endpoint,
            "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(try await moto.counts()["AssumeRoleWithWebIdentity"] == 0)

        #expect(await chain.resolveSource() == .webIdentity(roleARN: roleARN))
        let credentials = try await chain.credentials()
        #expect(try await moto.counts()["AssumeRoleWithWebIdentity"] == 1)
        #expect(credentials.accessKeyID.hasPrefix("ASIA"))
        #expect(!(credentials.sessionToken ?? "").isEmpty)
        let expiration = try #require(credentials.expiration)
        #expect(expiration > Timestamp.now())
        #expect(
            try await Self.callerARN(credentials, on: moto)
                == "arn:aws:sts::123456789012:assumed-role/service-account/chain-test-session")

        #expect(try await chain.credentials() == credentials)
        #expect(try await moto.counts()["AssumeRoleWithWebIdentity"] == 1)
    }

    @Test("web identity: a role STS refuses gives no credentials")
    func webIdentityRefused() async throws {
        let moto = try await AWSPeer.moto()
        defer { moto.stop() }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try Self.write("eyJhbGciOiJSUzI1NiJ9.service-account-token.signature", to: tokenFile)
        // No such role: AWS answers AccessDenied (moto on its own would hand out credentials).
        let chain = try Self.chain([
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/missing", "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile.path,
            "AWS_ENDPOINT_URL_STS": moto.endpoint, "AWS_EC2_METADATA_DISABLED": "true",
        ])
        let tried = await Self.notFoundReasons(chain)
        #expect(
            tried?.contains { $0.hasPrefix("web identity") && $0.contains("AccessDenied") } == true, "\(tried ?? [])")
        #expect(try await moto.counts()["AssumeRoleWithWebIdentity"] == 1)
    }

    // MARK: - Container

    @Test("container endpoint with AWS_CONTAINER_AUTHORIZATION_TOKEN")
    func containerToken() async throws {
        let peer = try await AWSPeer.metadata(
            accessKeyID: "ASIACONTAINER0000001", secretAccessKey: "container-secret", sessionToken: "container-token",
            containerToken: "pod-identity-token")
        defer { peer.stop() }
        let chain = try Self.chain([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(peer.endpoint)/container-credentials/v1?id=task",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "pod-identity-token", "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(await chain.resolveSource() == .container(uri: "\(peer.endpoint)/container-credentials/v1"))
        let credentials = try await chain.credentials()
        #expect(credentials.accessKeyID == "ASIACONTAINER0000001")
        #expect(credentials.secretAccessKey == "container-secret")
        #expect(credentials.sessionToken == "container-token")
        #expect(credentials.expiration != nil)
        let counts = try await peer.counts()
        #expect(counts["container"] == 1, "\(counts)")
        #expect(counts["unauthorized"] == 0, "\(counts)")
    }

    @Test("container endpoint with AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE, which wins over the variable")
    func containerTokenFile() async throws {
        let peer = try await AWSPeer.metadata(
            accessKeyID: "ASIACONTAINER0000001", secretAccessKey: "container-secret", sessionToken: "container-token",
            containerToken: "rotated-pod-identity-token")
        defer { peer.stop() }
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("eks-pod-identity-token")
        try Self.write("rotated-pod-identity-token", to: tokenFile)
        // The SDKs read the file first when both are set; the variable here would be refused.
        let chain = try Self.chain([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(peer.endpoint)/container-credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile.path,
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "stale-token", "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(await chain.resolveSource() == .container(uri: "\(peer.endpoint)/container-credentials"))
        #expect(try await chain.credentials().accessKeyID == "ASIACONTAINER0000001")
        let counts = try await peer.counts()
        #expect(counts["container"] == 1, "\(counts)")
        #expect(counts["unauthorized"] == 0, "\(counts)")
    }

    @Test("container endpoint: a wrong token is refused and gives no credentials")
    func containerWrongToken() async throws {
        let peer = try await AWSPeer.metadata(
            accessKeyID: "ASIACONTAINER0000001", secretAccessKey: "container-secret", sessionToken: "container-token",
            containerToken: "pod-identity-token")
        defer { peer.stop() }
        let chain = try Self.chain([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(peer.endpoint)/container-credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong-token", "AWS_EC2_METADATA_DISABLED": "true",
        ])
        let tried = await Self.notFoundReasons(chain)
        #expect(tried?.contains { $0.hasPrefix("container endpoint") } == true, "\(tried ?? [])")
        // The reason names the endpoint, never the token it sent.
        #expect(tried?.contains { $0.contains("wrong-token") } == false)
        let counts = try await peer.counts()
        #expect(counts["unauthorized"] == 1, "\(counts)")
        #expect(counts["container"] == 0, "\(counts)")
    }

    // MARK: - Instance metadata

    /// The metadata peer's counts after one IMDSv2 fetch and nothing else.
    static let oneInstanceMetadataFetch = [
        "token": 1, "role-name": 1, "credentials": 1, "container": 0, "unauthorized": 0,
    ]

    @Test("IMDSv2: a session token first, then the role name, then its credentials")
    func instanceMetadata() async throws {
        let peer = try await AWSPeer.metadata(
            accessKeyID: "ASIAINSTANCE00000001", secretAccessKey: "instance-secret", sessionToken: "instance-token")
        defer { peer.stop() }
        let chain = try Self.chain(["AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.endpoint])
        #expect(await chain.resolveSource() == .instanceMetadata(endpoint: peer.endpoint))
        let credentials = try await chain.credentials()
        #expect(credentials.accessKeyID == "ASIAINSTANCE00000001")
        #expect(credentials.secretAccessKey == "instance-secret")
        #expect(credentials.sessionToken == "instance-token")
        #expect(credentials.expiration != nil)
        // The peer answers a metadata read without a session token 401, counted as unauthorized:
        // none means each read came after the PUT and carried its token.
        #expect(try await peer.counts() == Self.oneInstanceMetadataFetch)
    }

    @Test("AWS_METADATA_SERVICE_TIMEOUT sets the instance metadata timeout in seconds; one second without it; nonsense is refused")
    func instanceMetadataTimeout() throws {
        func timeout(_ value: String?) -> Result<Duration, CredentialSourceFailure>? {
            var environment = ["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:9"]
            environment["AWS_METADATA_SERVICE_TIMEOUT"] = value
            return InstanceMetadataSettings.from(environment).map { $0.map(\.timeout) }
        }
        #expect(try timeout(nil)?.get() == .seconds(1))
        #expect(try timeout("3")?.get() == .seconds(3))
        #expect(try timeout(" 2.5 ")?.get() == .milliseconds(2_500))
        for nonsense in ["abc", "0", "-1", "1e9"] {
            #expect(throws: CredentialSourceFailure.self) { try timeout(nonsense)?.get() }
        }
    }

    @Test("AWS_EC2_METADATA_DISABLED=true: instance metadata is never asked")
    func instanceMetadataDisabled() async throws {
        let peer = try await AWSPeer.metadata(
            accessKeyID: "ASIAINSTANCE00000001", secretAccessKey: "instance-secret", sessionToken: "instance-token")
        defer { peer.stop() }
        let chain = try Self.chain([
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.endpoint, "AWS_EC2_METADATA_DISABLED": "true",
        ])
        #expect(await chain.resolveSource() == nil)
        #expect(await Self.notFoundReasons(chain)?.last == "instance metadata (AWS_EC2_METADATA_DISABLED is true)")
        let counts = try await peer.counts()
        #expect(counts.values.reduce(0, +) == 0, "\(counts)")
    }

    // MARK: - The chain

    @Test("precedence: environment, shared files, web identity, container, instance metadata")
    func precedence() async throws {
        let moto = try await AWSPeer.moto()
        defer { moto.stop() }
        let metadata = try await AWSPeer.metadata(
            accessKeyID: "ASIAINSTANCE00000001", secretAccessKey: "instance-secret", sessionToken: "instance-token",
            containerToken: "pod-identity-token")
        defer { metadata.stop() }
        // One peer answers both: its container credentials are told apart by the counts.
        let roleARN = try await Self.makeWebIdentityRole("service-account", on: moto)
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        try Self.write("eyJhbGciOiJSUzI1NiJ9.service-account-token.signature", to: tokenFile)
        let credentialsFile = directory.appendingPathComponent("credentials")
        try Self.write(Self.defaultProfile, to: credentialsFile)

        var environment = [
            "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT00001", "AWS_SECRET_ACCESS_KEY": "environment-secret",
            "AWS_SHARED_CREDENTIALS_FILE": credentialsFile.path,
            "AWS_ROLE_ARN": roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile.path,
            "AWS_ENDPOINT_URL_STS": moto.endpoint,
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(metadata.endpoint)/container-credentials",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN": "pod-identity-token",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": metadata.endpoint,
        ]
        func expectCalls(
            webIdentity: Int, container: Int, instanceMetadata: Int,
            sourceLocation: SourceLocation = #_sourceLocation
        ) async throws {
            let sts = try await moto.counts()
            let peer = try await metadata.counts()
            #expect(sts["AssumeRoleWithWebIdentity"] == webIdentity, "\(sts)", sourceLocation: sourceLocation)
            #expect(peer["container"] == container, "\(peer)", sourceLocation: sourceLocation)
            #expect(peer["token"] == instanceMetadata, "\(peer)", sourceLocation: sourceLocation)
            #expect(peer["credentials"] == instanceMetadata, "\(peer)", sourceLocation: sourceLocation)
        }

        let all = try Self.chain(environment)
        #expect(await all.resolveSource() == .environment)
        #expect(try await all.credentials().accessKeyID == "AKIAENVIRONMENT00001")
        try await expectCalls(webIdentity: 0, container: 0, instanceMetadata: 0)

        environment["AWS_ACCESS_KEY_ID"] = nil
        environment["AWS_SECRET_ACCESS_KEY"] = nil
        let shared = try Self.chain(environment)
        #expect(await shared.resolveSource() == .sharedFiles(profile: "default"))
        #expect(try await shared.credentials().accessKeyID == "AKIASHARED0000000001")
        try await expectCalls(webIdentity: 0, container: 0, instanceMetadata: 0)

        environment["AWS_SHARED_CREDENTIALS_FILE"] = nil
        let webIdentity = try Self.chain(environment)
        #expect(await webIdentity.resolveSource() == .webIdentity(roleARN: roleARN))
        #expect(try await webIdentity.credentials().accessKeyID.hasPrefix("ASIA"))
        try await expectCalls(webIdentity: 1, container: 0, instanceMetadata: 0)

        environment["AWS_ROLE_ARN"] = nil
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = nil
        let container = try Self.chain(environment)
        #expect(await container.resolveSource() == .container(uri: "\(metadata.endpoint)/container-credentials"))
        #expect(try await container.credentials().accessKeyID == "ASIAINSTANCE00000001")
        try await expectCalls(webIdentity: 1, container: 1, instanceMetadata: 0)

        environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = nil
        let instance = try Self.chain(environment)
        #expect(await instance.resolveSource() == .instanceMetadata(endpoint: metadata.endpoint))
        #expect(try await instance.credentials().accessKeyID == "ASIAINSTANCE00000001")
        try await expectCalls(webIdentity: 1, container: 1, instanceMetadata: 1)
    }

    @Test("a second call is served from the cache")
    func cached() async throws {
        let peer = try await AWSPeer.metadata(
            accessKeyID: "ASIAINSTANCE00000001", secretAccessKey: "instance-secret", sessionToken: "instance-token")
        defer { peer.stop() }
        let instance = try Self.chain(["AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.endpoint])
        let first = try await instance.credentials()
        #expect(try await instance.credentials() == first)
        #expect(await instance.resolveSource() == .instanceMetadata(endpoint: peer.endpoint))
        var counts = try await peer.counts()
        #expect(counts["token"] == 1 && counts["role-name"] == 1 && counts["credentials"] == 1, "\(counts)")

        let container = try Self.chain([
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "\(peer.endpoint)/container-credentials",
            "AWS_EC2_METADATA_DISABLED": "true",
        ])
        let fromContainer = try await container.credentials()
        #expect(try await container.credentials() == fromContainer)
        counts = try await peer.counts()
        #expect(counts["container"] == 1, "\(counts)")
    }

    @Test("many concurrent calls on a cold chain make one fetch")
    func singleFlight() async throws {
        let peer = try await AWSPeer.metadata(
            accessKeyID: "ASIAINSTANCE00000001", secretAccessKey: "instance-secret", sessionToken: "instance-token")
        defer { peer.stop() }
        let chain = try Self.chain(["AWS_EC2_METADATA_SERVICE_ENDPOINT": peer.endpoint])
        let results = try await withThrowingTaskGroup(of: AWSCredentials.self) { group in
            for _ in 0..<50 { group.addTask { try await chain.credentials() } }
            return try await group.reduce(into: [AWSCredentials]()) { $0.append($1) }
        }
        #expect(results.count == 50)
        #expect(Set(results.map(\.accessKeyID)) == ["ASIAINSTANCE00000001"])
        #expect(try await peer.counts() == Self.oneInstanceMetadataFetch)
    }

    @Test("nothing found: notFound, and the next call looks again")
    func nothingFound() async throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let credentialsFile = directory.appendingPathComponent("credentials")
        let chain = try Self.chain([
            "AWS_SHARED_CREDENTIALS_FILE": credentialsFile.path, "AWS_EC2_METADATA_DISABLED": "true",
        ])
        let tried = await Self.notFoundReasons(chain)
        let sources = ["environment", "shared files", "web identity", "container endpoint", "instance metadata"]
        #expect(tried?.count == sources.count, "\(tried ?? [])")
        for (reason, source) in zip(tried ?? [], sources) {
            #expect(reason.hasPrefix(source), "\(tried ?? [])")
        }
        #expect(await chain.resolveSource() == nil)

        // A failure is not remembered: the file written since is found.
        try Self.write(Self.defaultProfile, to: credentialsFile)
        #expect(await chain.resolveSource() == .sharedFiles(profile: "default"))
        #expect(try await chain.credentials().accessKeyID == "AKIASHARED0000000001")
    }
}
