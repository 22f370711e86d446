import AWSConnectionsCore
import Hummingbird

/// The calls that use a connection's role in the customer's AWS account: the setup to deploy,
/// a verify of the role, its last result, and presigned reads of media.
///
/// Each reads the connection first and answers 404/403 as the connection calls do; only then
/// does anything touch AWS, so no AWS call is ever made for another account's connection.
struct RoleController: Sendable {
    let store: any ConnectionStore
    let roleAccess: any RoleAccess

    @Sendable func setup(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.read)
        let buckets = try MediaRequestRules.setupBuckets(QueryParameters(request).getAll("bucket"))
        let connection = try await ownedConnection(context, caller: caller)
        guard let principalARN = roleAccess.principalARN else {
            throw Problem.roleAccess(.notConfigured(missing: UnconfiguredRoleAccess.missing))
        }
        return Self.json(RoleJSON.encode(RoleSetup(connection: connection, principalARN: principalARN, buckets: buckets)))
    }

    @Sendable func verify(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.write)
        let target = try MediaRequestRules.verifyTarget(from: try await RequestBody.optionalJSON(request))
        let connection = try await ownedConnection(context, caller: caller)
        // No AWS call is ever made for a disabled connection, a check included.
        guard connection.fields.enabled else { throw Problem.connectionDisabled(connection.id) }
        let steps: [VerificationStep]
        do {
            steps = try await roleAccess.verify(connection, bucket: target.bucket, key: target.key)
        } catch {
            throw Problem.roleAccess(error)
        }
        let verification = Verification(connection: connection, checkedDate: .now(), steps: steps)
        // Not kept when the role changed (or the connection went) meanwhile: the result is of a
        // role the connection no longer names, and the client still gets what it asked for.
        _ = try await store.saveVerification(verification)
        return Self.json(RoleJSON.encode(verification))
    }

    @Sendable func verification(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.read)
        let connection = try await ownedConnection(context, caller: caller)
        var verification = try await store.verification(id: connection.id)
        if verification?.roleARN != connection.fields.roleARN { verification = nil }
        return Self.json(RoleJSON.encode(verification ?? .unverified(connection)))
    }

    @Sendable func presign(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireScope(.mediaRead)
        let asked = try MediaRequestRules.presign(from: try await RequestBody.json(request))
        let connection = try await ownedConnection(context, caller: caller)
        guard connection.fields.enabled else {
            await roleAccess.forget(connection.id)
            throw Problem.connectionDisabled(connection.id)
        }
        do {
            let presigned = try await roleAccess.presign(
                connection, bucket: asked.bucket, key: asked.key, expiresIn: asked.expiresIn)
            return Self.json(RoleJSON.encode(presigned))
        } catch {
            throw Problem.roleAccess(error)
        }
    }

    /// The path's connection, if it exists and is the caller's.
    private func ownedConnection(_ context: AppRequestContext, caller: Caller) async throws -> Connection {
        let id = try ConnectionsController.connectionID(context)
        guard let connection = try await store.get(id: id) else { throw Problem.connectionNotFound(id.rawValue) }
        guard connection.accountID == caller.accountID else { throw Problem.forbidden() }
        return connection
    }

    private static func json(_ body: ByteBuffer) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
    }
}
