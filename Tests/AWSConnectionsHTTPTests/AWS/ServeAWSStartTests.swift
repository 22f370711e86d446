import AWSConnectionsTestSupport
import Foundation
import Testing

/// What `serve` finds and says about AWS at start, as an operator sees it: the real
/// executable, its log on stderr, and loopback peers for every endpoint it could call.
@Suite("serve: AWS at start")
struct ServeAWSStartTests {
    /// An environment in which no credential source but the ones a test adds can answer, and
    /// nothing can leave loopback: an empty HOME (no shared files), instance metadata off.
    static func isolatedEnvironment(home: URL) -> [String: String] {
        [
            "HOME": home.path, "AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "",
            "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_ROLE_ARN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": "", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
            "AWS_SHARED_CREDENTIALS_FILE": home.appendingPathComponent("none").path,
            "AWS_CONFIG_FILE": home.appendingPathComponent("none").path,
            "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
        ]
    }

    static func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-aws-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(directory)
    }

    @Test("with a principal ARN and environment credentials, the log names the source and the principal, never the secret")
    func environmentCredentials() async throws {
        try await Self.withTemporaryDirectory { directory in
            var environment = Self.isolatedEnvironment(home: directory)
            environment["AWS_ACCESS_KEY_ID"] = "AKIAEXAMPLEPLATFORM1"
            environment["AWS_SECRET_ACCESS_KEY"] = "platformSecretThatMustNeverBeLogged0000001"
            let principal = "arn:aws:iam::111122223333:role/media-reader"
            let (server, _) = try await ServerProcess.serve(
                database: "sqlite:" + directory.appendingPathComponent("db.sqlite").path,
                extra: ["--aws-principal-arn", principal], environment: environment)
            #expect(server.standardError.contains("AWS configured"))
            #expect(server.standardError.contains(principal))
            #expect(server.standardError.contains("environment"))
            #expect(!server.standardError.contains("platformSecretThatMustNeverBeLogged0000001"))
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
        }
    }

    @Test("without a principal ARN, the log says AWS is not configured and no credential source is asked, IMDS included")
    func notConfiguredAsksNothing() async throws {
        let metadata = try await AWSPeer.metadata(accessKeyID: "AKIAIMDS", secretAccessKey: "imds-secret", sessionToken: "imds-token")
        defer { metadata.stop() }
        try await Self.withTemporaryDirectory { directory in
            var environment = Self.isolatedEnvironment(home: directory)
            // Instance metadata on and pointed at the peer: a server that looked would be seen.
            environment["AWS_EC2_METADATA_DISABLED"] = ""
            environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadata.endpoint
            environment["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = "\(metadata.endpoint)/container-credentials"
            let (server, _) = try await ServerProcess.serve(
                database: "sqlite:" + directory.appendingPathComponent("db.sqlite").path, environment: environment)
            #expect(server.standardError.contains("AWS is not configured"))
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
            let counts = try await metadata.counts()
            #expect(counts.values.reduce(0, +) == 0, "\(counts)")
        }
    }

    @Test("with a principal ARN and instance metadata (IMDSv2), serve finds its credentials there")
    func instanceMetadataCredentials() async throws {
        let metadata = try await AWSPeer.metadata(accessKeyID: "AKIAIMDS", secretAccessKey: "imds-secret-value", sessionToken: "imds-session-token-value")
        defer { metadata.stop() }
        try await Self.withTemporaryDirectory { directory in
            var environment = Self.isolatedEnvironment(home: directory)
            environment["AWS_EC2_METADATA_DISABLED"] = ""
            environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = metadata.endpoint
            let (server, _) = try await ServerProcess.serve(
                database: "sqlite:" + directory.appendingPathComponent("db.sqlite").path,
                extra: ["--aws-principal-arn", "arn:aws:iam::111122223333:role/media-reader"], environment: environment)
            #expect(server.standardError.contains("AWS configured"))
            #expect(server.standardError.contains(metadata.endpoint))
            #expect(!server.standardError.contains("imds-secret-value"))
            #expect(!server.standardError.contains("imds-session-token-value"))
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
            #expect(try await metadata.counts()["token"] ?? 0 >= 1)
        }
    }

    @Test("with a principal ARN but no credentials, the log warns and names the sources tried")
    func principalWithoutCredentials() async throws {
        try await Self.withTemporaryDirectory { directory in
            let (server, _) = try await ServerProcess.serve(
                database: "sqlite:" + directory.appendingPathComponent("db.sqlite").path,
                extra: ["--aws-principal-arn", "arn:aws:iam::111122223333:role/media-reader"],
                environment: Self.isolatedEnvironment(home: directory))
            #expect(server.standardError.contains("no credentials found"))
            server.signal(SIGTERM)
            #expect(try await server.waitForExit() == 0)
        }
    }
}
