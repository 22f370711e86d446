public import AWSConnectionsCore
public import Hummingbird
import HTTPTypes
public import NIOCore
import Synchronization

/// The request context of every route: Hummingbird's core storage plus who is calling.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `APIKeyAuthMiddleware`; nil on routes that need no key.
    public var caller: Caller?
    /// Shared with the request-log middleware, which runs outside auth and so cannot see
    /// `caller` on its own copy of the context.
    let logFields = RequestLogFields()
    /// The TCP peer, for the request log's `client`; the channel is only reachable here.
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Bodies over 64 KiB are refused with 413 (Hummingbird's own decoders read this).
    public var maxUploadSize: Int { RequestBody.maximumSize }

    /// The authenticated caller, which routes behind the auth middleware always have.
    func requireCaller() throws -> Caller {
        guard let caller else { throw Problem.missingAPIKey() }
        return caller
    }

    /// Enforces `scope`; 403 `insufficient_scope` otherwise.
    func requireScope(_ scope: Scope) throws -> Caller {
        let caller = try requireCaller()
        guard caller.scopes.contains(scope) else { throw Problem.insufficientScope(scope) }
        return caller
    }
}

/// Per-request facts gathered by inner layers for the one log line written by the outer one.
final class RequestLogFields: Sendable {
    let keyID = Mutex<KeyID?>(nil)
}
