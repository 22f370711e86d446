public import AsyncHTTPClient
public import Foundation
import HTTPTypes
import NIOCore
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime

/// A client of the AWS connections API.
///
/// ```swift
/// let client = ConnectionsClient(endpoint: URL(string: "http://127.0.0.1:8080")!, apiKey: key)
/// let created = try await client.createConnection(
///     NewConnection(name: "media", awsAccountId: "123456789012", awsRegion: "us-east-1"))
/// for try await connection in client.connections() { print(connection.name) }
/// ```
///
/// Every answer of 400 or more is thrown as an `APIProblem`; a request whose connection failed
/// or that got 503 is sent again as `RetryPolicy` says; creates carry an `Idempotency-Key`,
/// the same on every retry.
public struct ConnectionsClient: Sendable {
    public struct Configuration: Sendable {
        public var retry: RetryPolicy
        /// The longest one send may take, answer included.
        public var timeout: Duration
        /// The HTTP client to send with; by default one the SDK shares across the process.
        public var httpClient: HTTPClient

        public init(
            retry: RetryPolicy = RetryPolicy(), timeout: Duration = .seconds(30),
            httpClient: HTTPClient = ConnectionsClient.sharedHTTPClient
        ) {
            self.retry = retry
            self.timeout = timeout
            self.httpClient = httpClient
        }
    }

    /// The server's address, without the API's path (`http://127.0.0.1:8080`).
    public let endpoint: URL
    private let client: Client

    public init(endpoint: URL, apiKey: String, configuration: Configuration = Configuration()) {
        self.endpoint = endpoint
        let nanoseconds = configuration.timeout.components.seconds * 1_000_000_000
            + configuration.timeout.components.attoseconds / 1_000_000_000
        client = Client(
            serverURL: endpoint,
            // The server writes dates with milliseconds.
            configuration: OpenAPIRuntime.Configuration(dateTranscoder: .iso8601WithFractionalSeconds),
            transport: AsyncHTTPClientTransport(
                configuration: .init(client: configuration.httpClient, timeout: .nanoseconds(nanoseconds))),
            middlewares: [
                ProblemMiddleware(), APIKeyMiddleware(apiKey: apiKey), IfMatchMiddleware(),
                RetryMiddleware(policy: configuration.retry),
            ])
    }

    /// The HTTP client every `ConnectionsClient` uses unless given another, for the life of
    /// the process (as `HTTPClient.shared` is). Unlike `.shared`, it fails a request whose
    /// connection cannot be made at once, rather than trying to connect again until the
    /// request's deadline: `RetryPolicy` decides about retries, with its own pauses.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(10)
        // A request that waits for a free connection longer than the connect timeout fails;
        // AsyncHTTPClient's default of 8 connections per host made 10 concurrent calls to a
        // busy server fail that way.
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 64
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A fresh idempotency key: a random UUID.
    public static func newIdempotencyKey() -> String {
        UUID().uuidString.lowercased()
    }

    // MARK: Connections

    /// Creates a connection. Retries of this call send the same `idempotencyKey`, so the
    /// connection is created once however many sends it takes; pass a key of your own to make
    /// retries of your own (across restarts, say) just as safe.
    public func createConnection(_ new: NewConnection, idempotencyKey: String = newIdempotencyKey()) async throws -> Connection {
        // The document lists the regions, so the generated body can only hold a listed one: an
        // unknown region gets, without a request, the problem the server would answer.
        guard let region = Components.Schemas.AwsRegion(rawValue: new.awsRegion) else {
            throw APIProblem(
                status: 400, code: "validation_failed", title: "Validation failed",
                detail: "The request body has 1 invalid field (checked by the client before sending).", requestId: "",
                errors: [.init(field: "awsRegion", code: "invalid_region", message: "awsRegion is not a known AWS region code")])
        }
        let output = try await call {
            try await client.createConnection(
                headers: .init(idempotencyKey: idempotencyKey),
                body: .json(
                    .init(
                        name: new.name, description: new.description, awsAccountId: new.awsAccountId,
                        awsRegion: region, roleArn: new.roleArn, enabled: new.enabled)))
        }
        guard case .created(let created) = output else { throw unexpected(output) }
        return Connection(try created.body.json)
    }

    /// One page of the list: at most `limit` connections (all of them without a limit),
    /// starting after `nextToken`, filtered by `enabled` and exact `name` when given.
    public func listConnections(
        limit: Int? = nil, nextToken: String? = nil, enabled: Bool? = nil, name: String? = nil
    ) async throws -> ConnectionPage {
        let output = try await call {
            try await client.listConnections(query: .init(limit: limit, nextToken: nextToken, enabled: enabled, name: name))
        }
        guard case .ok(let ok) = output else { throw unexpected(output) }
        let list = try ok.body.json
        return ConnectionPage(items: list.items.map(Connection.init), nextToken: list.nextToken)
    }

    /// Every connection that passes the filters, fetched a page of `pageSize` at a time as the
    /// sequence is iterated.
    public func connections(enabled: Bool? = nil, name: String? = nil, pageSize: Int = 100) -> Pages<Connection> {
        Pages { token in
            let page = try await listConnections(limit: pageSize, nextToken: token, enabled: enabled, name: name)
            return (page.items, page.nextToken)
        }
    }

    public func getConnection(id: String) async throws -> Connection {
        let output = try await call { try await client.getConnection(path: .init(connectionid: id)) }
        guard case .ok(let ok) = output else { throw unexpected(output) }
        return Connection(try ok.body.json)
    }

    /// Updates a connection: the members of `changes` that are not nil, the rest kept.
    ///
    /// With a `version`, the update applies only to that version (else `APIProblem` 409
    /// `version_conflict` with `currentVersion`). Without one, the connection is read first
    /// and its current version is used; if another update lands between the read and the
    /// write, the read and the write are tried again, up to three times in all.
    public func updateConnection(id: String, _ changes: ConnectionChanges, version: Int? = nil) async throws -> Connection {
        var attempts = 0
        while true {
            attempts += 1
            var expected = version
            var name = changes.name
            if expected == nil || name == nil {
                let current = try await getConnection(id: id)
                if expected == nil { expected = current.version }
                if name == nil { name = current.name }
            }
            do {
                return try await update(id: id, changes, name: name!, version: expected!)
            } catch let problem as APIProblem where problem.code == "version_conflict" && version == nil && attempts < 3 {
                continue
            }
        }
    }

    private func update(id: String, _ changes: ConnectionChanges, name: String, version: Int) async throws -> Connection {
        let output = try await call {
            try await client.updateConnection(
                path: .init(connectionid: id),
                body: .json(
                    .init(
                        name: name, description: changes.description, enabled: changes.enabled,
                        roleArn: changes.roleArn, version: version)))
        }
        guard case .ok(let ok) = output else { throw unexpected(output) }
        return Connection(try ok.body.json)
    }

    /// Deletes a connection; with a `version`, only that version of it (else `APIProblem` 412
    /// `precondition_failed` with `currentVersion`).
    public func deleteConnection(id: String, version: Int? = nil) async throws {
        let output = try await IfMatchMiddleware.$entityTag.withValue(version.map { "\"\($0)\"" }) {
            try await call { try await client.deleteConnection(path: .init(connectionid: id)) }
        }
        guard case .noContent = output else { throw unexpected(output) }
    }

    // MARK: History

    /// One page of a connection's history, oldest first.
    public func history(id: String, limit: Int? = nil, nextToken: String? = nil) async throws -> HistoryPage {
        let output = try await call {
            try await client.getConnectionHistory(path: .init(connectionid: id), query: .init(limit: limit, nextToken: nextToken))
        }
        guard case .ok(let ok) = output else { throw unexpected(output) }
        let page = try ok.body.json
        return HistoryPage(connectionId: page.connectionId, items: page.items.map(HistoryEntry.init), nextToken: page.nextToken)
    }

    /// Every entry of a connection's history, oldest first, a page at a time.
    public func historyEntries(id: String, pageSize: Int = 100) -> Pages<HistoryEntry> {
        Pages { token in
            let page = try await history(id: id, limit: pageSize, nextToken: token)
            return (page.items, page.nextToken)
        }
    }

    // MARK: The AWS side

    /// What the customer deploys for the connection: its role's policies and a
    /// CloudFormation template, allowing reads of `buckets` (every bucket when empty).
    public func setup(id: String, buckets: [String] = []) async throws -> RoleSetup {
        let output = try await call {
            try await client.getConnectionSetup(path: .init(connectionid: id), query: .init(bucket: buckets.isEmpty ? nil : buckets))
        }
        guard case .ok(let ok) = output else { throw unexpected(output) }
        return try RoleSetup(try ok.body.json)
    }

    /// Checks the connection's role step by step; `key` needs `bucket`.
    public func verify(id: String, bucket: String? = nil, key: String? = nil) async throws -> Verification {
        let body: Operations.VerifyConnection.Input.Body? =
            bucket == nil && key == nil ? nil : .json(.init(bucket: bucket, key: key))
        let output = try await call { try await client.verifyConnection(path: .init(connectionid: id), body: body) }
        guard case .ok(let ok) = output else { throw unexpected(output) }
        return Verification(try ok.body.json)
    }

    /// The last verify's result.
    public func verification(id: String) async throws -> Verification {
        let output = try await call { try await client.getConnectionVerification(path: .init(connectionid: id)) }
        guard case .ok(let ok) = output else { throw unexpected(output) }
        return Verification(try ok.body.json)
    }

    /// A presigned URL for an object the connection's role can read; needs a key with the
    /// `media:read` scope. `expiresIn` is in seconds (the server's default is 900).
    public func presign(id: String, bucket: String, key: String, expiresIn: Int? = nil) async throws -> PresignedURL {
        let output = try await call {
            try await client.presignMediaUrl(
                path: .init(connectionid: id), body: .json(.init(bucket: bucket, key: key, expiresIn: expiresIn)))
        }
        guard case .ok(let ok) = output else { throw unexpected(output) }
        let url = try ok.body.json
        return PresignedURL(url: url.url, method: url.method.rawValue, expiresDate: url.expiresDate)
    }

    // MARK: Errors

    /// Runs a generated call, throwing what actually went wrong (the problem, or the
    /// transport's error) rather than the generator's wrapper around it.
    private func call<Output>(_ body: () async throws -> Output) async throws -> Output {
        do {
            return try await body()
        } catch let error as ClientError {
            throw error.underlyingError
        }
    }

    /// An answer the document allows but this version of the SDK does not expect.
    private func unexpected(_ output: some Sendable) -> APIProblem {
        APIProblem(
            status: 0, code: "unexpected_response", title: "Unexpected response",
            detail: "The server's answer was not the one this call expects: \(output)", requestId: "")
    }
}

/// The items of a paged call, each page fetched when the sequence reaches it.
public struct Pages<Element: Sendable>: AsyncSequence, Sendable {
    typealias Fetch = @Sendable (_ nextToken: String?) async throws -> ([Element], String?)
    private let fetch: Fetch

    init(_ fetch: @escaping Fetch) {
        self.fetch = fetch
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(fetch: fetch)
    }

    public struct Iterator: AsyncIteratorProtocol {
        private let fetch: Fetch
        private var buffered: [Element] = []
        private var nextToken: String?
        private var finished = false

        init(fetch: @escaping Fetch) {
            self.fetch = fetch
        }

        public mutating func next() async throws -> Element? {
            while buffered.isEmpty {
                if finished { return nil }
                let (items, token) = try await fetch(nextToken)
                buffered = items.reversed()
                nextToken = token
                finished = token == nil
            }
            return buffered.removeLast()
        }
    }
}
