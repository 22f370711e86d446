import AWSConnectionsAWS
import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import AsyncHTTPClient
import NIOHTTP1
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

/// The account moto puts everything in; connections name it so that their roles live there.
let motoAccount = "123456789012"

/// The platform's credentials as given, never refreshed: the platform's IAM user on moto.
struct FixedCredentials: AWSCredentialProvider {
    let value: AWSCredentials

    func credentials() async throws -> AWSCredentials { value }
}

/// One moto server with IAM authentication on, shared by the tests that only arrange their own
/// roles and buckets (names are unique per test), and the platform's user on it.
enum SharedMoto {
    private static let shared = Once<(AWSPeer, PlatformPrincipal)> {
        let peer = try await AWSPeer.moto(authenticatedAfter: 3)
        return (peer, try await PlatformPrincipal(on: peer))
    }

    static func authenticated() async throws -> (peer: AWSPeer, principal: PlatformPrincipal) {
        try await shared.value()
    }
}

/// Runs a throwing start-up once, whichever caller asks first; the others wait for it.
actor Once<Value: Sendable> {
    private let make: @Sendable () async throws -> Value
    private var task: Task<Value, any Error>?

    init(_ make: @escaping @Sendable () async throws -> Value) {
        self.make = make
    }

    func value() async throws -> Value {
        if let task { return try await task.value }
        let task = Task { try await make() }
        self.task = task
        return try await task.value
    }
}

/// A role access on moto: STS and S3 at `endpoint` (or STS at `stsEndpoint`), signed with the
/// platform's credentials.
func motoRoleAccess(
    principal: PlatformPrincipal, endpoint: String, stsEndpoint: String? = nil, timeout: Duration = .seconds(5),
    metrics: AWSCallMetrics = .off
) -> AWSRoleAccess {
    var environment = ["AWS_ENDPOINT_URL": endpoint]
    if let stsEndpoint { environment["AWS_ENDPOINT_URL_STS"] = stsEndpoint }
    return AWSRoleAccess(
        principalARN: principal.arn,
        platformCredentials: FixedCredentials(
            value: AWSCredentials(accessKeyID: principal.accessKeyID, secretAccessKey: principal.secretAccessKey)),
        endpoints: AWSEndpoints(environment: environment), timeout: timeout, metrics: metrics)
}

/// Runs `body` against the real router on a fresh database of `kind`, using `roleAccess`.
func withRoleApp(
    _ kind: StoreKind, roleAccess: any RoleAccess, logger: Logger = testLogger,
    _ body: @Sendable (TestWorld, any TestClientProtocol) async throws -> Void
) async throws {
    try await withWorld(kind) { world in
        let app = buildApplication(
            connections: world.store, keys: world.store, roleAccess: roleAccess, host: "127.0.0.1", port: 0,
            logger: logger)
        try await app.test(.router) { client in try await body(world, client) }
    }
}

/// As `withRoleApp`, but served on a loopback port, for clients outside the process or with
/// their own HTTP stack (the SDK, the CLI); `body` gets the port.
func withLiveRoleApp(
    _ kind: StoreKind, roleAccess: any RoleAccess, _ body: @Sendable (TestWorld, Int) async throws -> Void
) async throws {
    try await withWorld(kind) { world in
        let app = buildApplication(
            connections: world.store, keys: world.store, roleAccess: roleAccess, host: "127.0.0.1", port: 0,
            logger: testLogger)
        try await app.test(.live) { client in
            guard let port = client.port else { throw TestFailure("a live test client has a port") }
            try await body(world, port)
        }
    }
}

/// A name no other test uses, for roles, buckets and stacks on a shared moto.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
}

/// A trust policy letting `principal` assume the role, with the external-id condition when given.
func trustPolicy(principal: String, externalID: String?) -> [String: Any] {
    var statement: [String: Any] = ["Effect": "Allow", "Principal": ["AWS": principal], "Action": "sts:AssumeRole"]
    if let externalID { statement["Condition"] = ["StringEquals": ["sts:ExternalId": externalID]] }
    return ["Version": "2012-10-17", "Statement": [statement]]
}

/// Read access to one bucket, as `setup`'s permissions policy grants it.
func readPolicy(bucket: String) -> [String: Any] {
    [
        "Version": "2012-10-17",
        "Statement": [
            ["Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::\(bucket)/*"]],
            [
                "Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": ["arn:aws:s3:::\(bucket)"],
            ],
        ],
    ]
}

extension TestClientProtocol {
    /// Creates a connection in moto's account for the role `roleName` and returns its JSON.
    func createMotoConnection(key: String, roleName: String, region: String = "us-east-1") async throws -> [String: Any] {
        try await createConnection(
            key: key, awsAccountId: motoAccount, awsRegion: region,
            extra: #","roleArn":"arn:aws:iam::\#(motoAccount):role/\#(roleName)""#)
    }

    func verify(key: String, id: String, body: String? = nil) async throws -> APIResponse {
        try await send(.post, "\(collectionPath)/\(id)/verify", key: key, body: body)
    }

    func presign(key: String, id: String, bucket: String, objectKey: String, expiresIn: Int? = nil) async throws
        -> APIResponse
    {
        var body: [String: Any] = ["bucket": bucket, "key": objectKey]
        if let expiresIn { body["expiresIn"] = expiresIn }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
        return try await send(.post, "\(collectionPath)/\(id)/presign", key: key, body: text)
    }
}

/// The steps of a verify result by name: (status, code).
func steps(of verification: [String: Any]) -> [String: (status: String, code: String?)] {
    var result: [String: (String, String?)] = [:]
    for step in verification["steps"] as? [[String: Any]] ?? [] {
        result[step["step"] as? String ?? ""] = (step["status"] as? String ?? "", step["code"] as? String)
    }
    return result
}

/// Fetches `url` and returns the status and body bytes.
func fetch(_ url: String) async throws -> (status: Int, body: Data) {
    // The URL exactly as the server wrote it: a client must not re-encode a presigned URL.
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
    let body = try await response.body.collect(upTo: 16 << 20)
    return (Int(response.status.code), Data(body.readableBytesView))
}

/// A key with `media:read` for account alpha.
func mediaKey(_ world: TestWorld) async throws -> String {
    try await world.store.issueKey(account: "alpha", scopes: [.read, .write, .mediaRead], at: .now()).key.secret
}

/// Role credentials moto issued in answer to an AssumeRole.
struct IssuedCredentials: Sendable {
    let accessKeyID: String
    let secretAccessKey: String
    let sessionToken: String
}

extension AWSPeer {
    /// Every credential moto issued for `roleARN`, from the state its server shows at
    /// `/moto-api/data.json`: the one place outside the server under test that knows a role's
    /// secret access key.
    func issuedRoleCredentials(roleARN: String) async throws -> [IssuedCredentials] {
        let answer = try await fetch("\(endpoint)/moto-api/data.json")
        guard answer.status == 200, let state = try JSONSerialization.jsonObject(with: answer.body) as? [String: Any] else {
            throw TestFailure("moto's data.json answered \(answer.status)")
        }
        let assumed = (state["sts"] as? [String: Any])?["AssumedRole"] as? [[String: Any]] ?? []
        return assumed.compactMap { role in
            guard role["role_arn"] as? String == roleARN, let id = role["access_key_id"] as? String,
                let secret = role["secret_access_key"] as? String, let token = role["session_token"] as? String
            else { return nil }
            return IssuedCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
        }
    }
}
