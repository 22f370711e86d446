public import AWSConnectionsCore
public import Hummingbird
import CoreMetrics
import HTTPTypes
import Synchronization

/// Resolves `Authorization: <key>` or `Authorization: Bearer <key>` to a `Caller`.
///
/// The key's hash is looked up in the store, through `KeyLookupCache`: a key revoked in the
/// database is refused by this server within half a second. The key itself is hashed and
/// dropped here.
public struct APIKeyAuthMiddleware: RouterMiddleware {
    public typealias Context = AppRequestContext

    /// How stale a key's last-used time may get before a request refreshes it; keeps reads
    /// from turning into writes.
    static let lastUsedPrecisionMilliseconds: Int64 = 60_000

    let keys: any APIKeyStore
    let cache: KeyLookupCache
    let metrics: ServerMetrics
    /// Keys whose last-used write is under way, so a burst of requests with a stale key
    /// produces one write, not one per request.
    private let recordingKeys = RecordingKeys()

    public init(keys: any APIKeyStore, metrics: ServerMetrics = .off()) {
        self.keys = keys
        self.metrics = metrics
        self.cache = KeyLookupCache()
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        // No header, an empty one, or a bare "Bearer" all mean the client sent no key.
        let credential = request.headers[.authorization].map(Self.credential(in:)) ?? ""
        guard !credential.isEmpty else {
            metrics.keyChecks[.missing]?.increment()
            throw Problem.missingAPIKey()
        }
        guard let key = APIKey(credential),
            let caller = try await cache.caller(forKeyHash: key.hash, lookUp: keys.caller(forKeyHash:))
        else {
            metrics.keyChecks[.invalid]?.increment()
            throw Problem.invalidAPIKey()
        }
        let now = Timestamp.now()
        if caller.isExpired(at: now) {
            metrics.keyChecks[.expired]?.increment()
            throw Problem.expiredAPIKey()
        }
        metrics.keyChecks[.authenticated]?.increment()

        context.logFields.keyID.withLock { $0 = caller.keyID }
        recordUseIfStale(caller, now: now)
        var context = context
        context.caller = caller
        return try await next(request, context)
    }

    /// The credential part of the header: what follows an optional case-insensitive `Bearer`
    /// scheme, without surrounding spaces or tabs. Anything else in it stays and makes the key invalid.
    static func credential(in header: String) -> Substring {
        var value = header.trimmingOptionalWhitespace
        let scheme = value.prefix(while: { $0 != " " })
        if scheme.lowercased() == "bearer" {
            value = value.dropFirst(scheme.count).trimmingOptionalWhitespace
        }
        return value
    }

    private func recordUseIfStale(_ caller: Caller, now: Timestamp) {
        if let last = caller.lastUsedAt,
            now.millisecondsSinceEpoch - last.millisecondsSinceEpoch < Self.lastUsedPrecisionMilliseconds
        {
            return
        }
        guard recordingKeys.start(caller.keyID) else { return }
        // Off the request path: a failed bookkeeping write must not fail the call.
        Task { [keys, recordingKeys, cache] in
            if (try? await keys.recordUse(of: caller.keyID, at: now)) != nil {
                cache.recordedUse(of: caller.keyID, at: now)
            }
            recordingKeys.finish(caller.keyID)
        }
    }
}

/// The set of keys with a last-used write in flight.
final class RecordingKeys: Sendable {
    private let keys = Mutex<Set<KeyID>>([])

    /// True if the caller should write (no write for `key` was under way).
    func start(_ key: KeyID) -> Bool {
        keys.withLock { $0.insert(key).inserted }
    }

    func finish(_ key: KeyID) {
        _ = keys.withLock { $0.remove(key) }
    }
}
