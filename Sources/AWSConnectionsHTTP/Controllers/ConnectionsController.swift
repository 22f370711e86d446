import AWSConnectionsAPI
public import AWSConnectionsCore
import Hummingbird

/// The five calls of the AWS private connections API.
///
/// Each handler follows the contract's check order: scope (403), media type (415),
/// size (413), body and preconditions (400), existence (404), ownership (403), version
/// (409, or 412 when `If-Match` named it). Authentication (401) has already happened in
/// `APIKeyAuthMiddleware`. Responses that carry one connection carry its `ETag`.
public struct ConnectionsController: Sendable {
    let store: any ConnectionStore
    /// The same store when it writes list pages as JSON itself (PostgreSQL), found once here
    /// rather than by a cast on every list.
    let jsonPages: (any ConnectionJSONPages)?
    let policy: ServicePolicy
    /// Told when a connection's role may no longer be used as before, to drop its credentials.
    let roleAccess: any RoleAccess

    public init(store: any ConnectionStore, policy: ServicePolicy, roleAccess: any RoleAccess = UnconfiguredRoleAccess()) {
        self.store = store
        self.jsonPages = store as? any ConnectionJSONPages
        self.policy = policy
        self.roleAccess = roleAccess
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.write)
        let new = try ConnectionRules.newConnection(
            from: try await RequestBody.json(request), defaultRoleName: policy.defaultRoleName)
        let idempotencyKey = try IdempotencyKey.parse(request)
        let now = Timestamp.now()
        let connection = Connection(creating: new, account: caller.accountID, at: now, id: .generate(at: now))
        let body = ConnectionJSON.encode(connection)
        let record = idempotencyKey.map {
            IdempotentCreate(key: $0, fingerprint: new.fingerprint, response: Array(buffer: body), now: now)
        }
        let outcome = try await store.create(
            connection, by: caller.keyID, quota: policy.connectionQuota, idempotency: record)
        switch outcome {
        case .created:
            return Self.created(id: connection.id, body: body)
        case .replayed(let id, let response):
            var replay = Self.created(id: id, body: ByteBuffer(bytes: response))
            replay.headers[IdempotencyKey.replayedHeader] = "true"
            return replay
        case .keyReused:
            throw Problem(
                .idempotencyKeyReused,
                detail: "This Idempotency-Key was used in the last 24 hours with a different request. Use a new key.")
        case .quotaExceeded(let limit):
            throw Problem.quotaExceeded(limit: limit)
        }
    }

    /// 201 with Location and ETag; a created connection is always at version 1.
    private static func created(id: ConnectionID, body: ByteBuffer) -> Response {
        Response(
            status: .created,
            headers: [
                .contentType: "application/json", .eTag: Preconditions.entityTag(version: 1),
                .location: "\(APIOperation.collectionPath)/\(id.rawValue)",
            ],
            body: .init(byteBuffer: body))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.read)
        let query = try ListParameters(request).query
        guard let limit = query.limit else {
            return try await wholeList(account: caller.accountID, query: query)
        }
        let page = try await page(account: caller.accountID, query: query, limit: limit)
        let nextToken = page.hasMore ? page.last.map(ListParameters.token(after:)) : nil
        return Self.json(ConnectionJSON.encodeList(page.items, nextToken: nextToken))
    }

    /// A page of the list: at most `limit` connections, whether more follow, and where the
    /// page ends.
    struct Page {
        var items: ConnectionJSON.ListItems
        var hasMore: Bool
        var last: ListPosition?
    }

    /// Reads a page as JSON when the store writes it (PostgreSQL), else as connections (one
    /// more than asked tells whether another page exists).
    func page(account: AccountID, query: ConnectionListQuery, limit: Int) async throws -> Page {
        if let jsonPages {
            let page = try await jsonPages.jsonPage(account: account, query: query, limit: limit)
            return Page(items: .encoded(page.items), hasMore: page.hasMore, last: page.last)
        }
        var query = query
        query.limit = limit + 1
        var connections = try await store.list(account: account, query: query)
        let hasMore = connections.count > limit
        if hasMore {
            connections.removeLast(connections.count - limit)
        }
        return Page(
            items: .connections(connections), hasMore: hasMore,
            last: connections.last.map { ListPosition(createdDate: $0.createdDate, id: $0.id) })
    }

    /// Connections read and written per part of a list answer without `limit`.
    static let listPartSize = 1_000

    /// The vendor's answer without `limit`: every connection, in one answer.
    ///
    /// Read and written a part at a time (keyset pages of `listPartSize`), so that an account
    /// of 10,000 connections holds one part in memory rather than every row, its JSON and the
    /// answer at once. A list that fits in one part is one ordinary answer; a longer one is
    /// sent chunked as it is read. Each part is read after the one before, so a connection
    /// created meanwhile may appear at the end and one deleted meanwhile may be missing, but
    /// none appears twice and none that exists throughout is missed. A failure before the
    /// first part is a problem answer; after it, the connection is closed mid-answer, which
    /// every client sees as an incomplete body rather than a short list.
    func wholeList(account: AccountID, query: ConnectionListQuery) async throws -> Response {
        let first = try await page(account: account, query: query, limit: Self.listPartSize)
        guard first.hasMore else {
            return Self.json(ConnectionJSON.encodeList(first.items))
        }
        let body = ResponseBody { writer in
            var part = first
            var partQuery = query
            var isFirst = true
            while true {
                try await writer.write(ConnectionJSON.encodeListPart(part.items, isFirst: isFirst))
                isFirst = false
                guard part.hasMore, let last = part.last else { break }
                partQuery.after = last
                part = try await page(account: account, query: partQuery, limit: Self.listPartSize)
            }
            try await writer.write(ConnectionJSON.listEnd)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.read)
        let id = try Self.connectionID(context)
        guard let connection = try await store.get(id: id) else { throw Problem.connectionNotFound(id.rawValue) }
        guard connection.accountID == caller.accountID else { throw Problem.forbidden() }
        if Preconditions.ifNoneMatchMatches(request, version: connection.version) {
            return Response(
                status: .notModified, headers: [.eTag: Preconditions.entityTag(version: connection.version)])
        }
        return Self.json(connection)
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.write)
        let body = try await RequestBody.json(request)
        let versionFromIfMatch = try Preconditions.ifMatchVersion(request)
        let changes = try ConnectionRules.changes(from: body, versionFromIfMatch: versionFromIfMatch)
        let id = try Self.connectionID(context)
        if let roleARN = changes.roleARN {
            try await checkRoleARN(roleARN, of: id, caller: caller)
        }
        switch try await store.update(id: id, account: caller.accountID, changes: changes, by: caller.keyID, at: .now()) {
        case .updated(let connection):
            if changes.roleARN != nil || changes.enabled != nil {
                await roleAccess.forget(id)
            }
            return Self.json(connection)
        case .notFound:
            throw Problem.connectionNotFound(id.rawValue)
        case .forbidden:
            throw Problem.forbidden()
        case .versionConflict(let current) where versionFromIfMatch != nil:
            throw Problem.preconditionFailed(sent: changes.expectedVersion, current: current)
        case .versionConflict(let current):
            throw Problem.versionConflict(sent: changes.expectedVersion, current: current)
        }
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.write)
        let expectedVersion = try Preconditions.ifMatchVersion(request)
        let id = try Self.connectionID(context)
        let outcome = try await store.delete(
            id: id, account: caller.accountID, expectedVersion: expectedVersion, by: caller.keyID, at: .now())
        switch outcome {
        case .deleted:
            await roleAccess.forget(id)
            return Response(status: .noContent)
        case .notFound:
            throw Problem.connectionNotFound(id.rawValue)
        case .forbidden:
            throw Problem.forbidden()
        case .versionConflict(let current):
            throw Problem.preconditionFailed(sent: expectedVersion ?? 0, current: current)
        }
    }

    /// A page of a connection's versions, oldest first; a deleted one's stays readable for the
    /// policy's retention. Paged by version, so an answer is bounded however long the history.
    @Sendable func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.read)
        let parameters = try HistoryParameters(request)
        let id = try Self.connectionID(context)
        // One more than asked tells whether another page exists.
        var page = try await store.history(id: id, after: parameters.after, limit: parameters.limit + 1)
        // Decided by the newest record, not the page: a page past the end, or one before a
        // delete past its retention, must answer as the first page would.
        guard let latest = page.latest, policy.showsHistory([latest], now: .now()) else {
            throw Problem.connectionNotFound(id.rawValue)
        }
        guard latest.accountID == caller.accountID else { throw Problem.forbidden() }
        var nextToken: String?
        if page.records.count > parameters.limit {
            page.records.removeLast(page.records.count - parameters.limit)
            nextToken = page.records.last.map(HistoryParameters.token(after:))
        }
        return Self.json(HistoryJSON.encode(connectionID: id, entries: page.entries, nextToken: nextToken))
    }

    /// A new `roleArn` must name the connection's own account and partition. Both are
    /// immutable, so reading them before the write cannot race it; a connection that is not
    /// there or not the caller's is left to the update to report.
    private func checkRoleARN(_ roleARN: RoleARN, of id: ConnectionID, caller: Caller) async throws {
        guard let stored = try await store.get(id: id), stored.accountID == caller.accountID else { return }
        if let mismatch = ConnectionRules.checkRoleARN(
            roleARN, awsAccountID: stored.fields.awsAccountID, awsRegion: stored.fields.awsRegion)
        {
            throw Problem.validation(ValidationError(errors: [mismatch]))
        }
    }

    /// The path's id; a malformed one cannot exist, so it is a 404 like any unknown id.
    static func connectionID(_ context: AppRequestContext) throws -> ConnectionID {
        let raw = context.parameters.get(APIOperation.connectionIDParameter) ?? ""
        guard let id = ConnectionID(raw) else { throw Problem.connectionNotFound(raw) }
        return id
    }

    private static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }

    /// One connection, with its version as the entity tag.
    private static func json(_ connection: Connection, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json", .eTag: Preconditions.entityTag(version: connection.version)],
            body: .init(byteBuffer: ConnectionJSON.encode(connection)))
    }
}
