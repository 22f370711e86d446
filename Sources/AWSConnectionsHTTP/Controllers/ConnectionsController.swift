public import AWSConnectionsCore
public import Hummingbird

/// The five calls of the AWS private connections API.
///
/// Each handler follows the contract's check order: scope (403), media type (415),
/// size (413), body (400), existence (404), ownership (403), version (409). Authentication
/// (401) has already happened in `APIKeyAuthMiddleware`.
public struct ConnectionsController: Sendable {
    let store: any ConnectionStore

    public init(store: any ConnectionStore) {
        self.store = store
    }

    public func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.post(use: create)
        group.get(use: list)
        group.get(":\(Routes.itemParameter)", use: get)
        group.put(":\(Routes.itemParameter)", use: update)
        group.delete(":\(Routes.itemParameter)", use: delete)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.write)
        let new = try ConnectionRules.newConnection(from: try await RequestBody.json(request))
        let now = Timestamp.now()
        let connection = try await store.create(
            Connection(creating: new, account: caller.accountID, at: now, id: .generate(at: now)))
        var response = Self.json(ConnectionJSON.encode(connection), status: .created)
        response.headers[.location] = "\(Routes.collectionPath)/\(connection.id.rawValue)"
        return response
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.read)
        return Self.json(ConnectionJSON.encodeList(try await store.list(account: caller.accountID)))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.read)
        let id = try Self.connectionID(context)
        guard let connection = try await store.get(id: id) else { throw Problem.connectionNotFound(id.rawValue) }
        guard connection.accountID == caller.accountID else { throw Problem.forbidden() }
        return Self.json(ConnectionJSON.encode(connection))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.write)
        let changes = try ConnectionRules.changes(from: try await RequestBody.json(request))
        let id = try Self.connectionID(context)
        switch try await store.update(id: id, account: caller.accountID, changes: changes, at: .now()) {
        case .updated(let connection):
            return Self.json(ConnectionJSON.encode(connection))
        case .notFound:
            throw Problem.connectionNotFound(id.rawValue)
        case .forbidden:
            throw Problem.forbidden()
        case .versionConflict(let current):
            throw Problem.versionConflict(sent: changes.expectedVersion, current: current)
        }
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.write)
        let id = try Self.connectionID(context)
        switch try await store.delete(id: id, account: caller.accountID) {
        case .deleted:
            return Response(status: .noContent)
        case .notFound:
            throw Problem.connectionNotFound(id.rawValue)
        case .forbidden:
            throw Problem.forbidden()
        }
    }

    /// The path's id; a malformed one cannot exist, so it is a 404 like any unknown id.
    private static func connectionID(_ context: AppRequestContext) throws -> ConnectionID {
        let raw = context.parameters.get(Routes.itemParameter) ?? ""
        guard let id = ConnectionID(raw) else { throw Problem.connectionNotFound(raw) }
        return id
    }

    private static func json(_ body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
