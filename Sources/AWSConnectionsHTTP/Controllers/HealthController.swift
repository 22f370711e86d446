import AWSConnectionsCore
import Hummingbird
import NIOCore
import Synchronization

/// Whether this server is draining: set from SIGTERM on, so that `/readyz` turns a load
/// balancer away while the server still answers what it is sent.
public final class Readiness: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    public func startDraining() {
        draining.store(true, ordering: .relaxed)
    }

    public var isDraining: Bool {
        draining.load(ordering: .relaxed)
    }
}

/// `GET /healthz` and `GET /readyz`, without a key and outside the API's base path.
struct HealthController {
    let store: any ConnectionStore
    let readiness: Readiness

    /// The longest `/readyz` waits for the database: probes run every few seconds and must
    /// answer well inside their own timeout (Kubernetes' default is 1 second per probe,
    /// commonly raised to a few).
    static let storeDeadline: Duration = .seconds(2)

    private static let healthy = ByteBuffer(string: #"{"status":"ok"}"#)
    private static let ready = ByteBuffer(string: #"{"status":"ready"}"#)

    /// Alive: no I/O at all, so it fails only when the process cannot answer.
    @Sendable static func health(_ request: Request, context: AppRequestContext) async throws -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: healthy))
    }

    @Sendable func ready(_ request: Request, context: AppRequestContext) async throws -> Response {
        if readiness.isDraining {
            throw Problem.notReady("The server is shutting down: it finishes what it was sent and should get nothing new.")
        }
        let applied: [String]
        do {
            applied = try await Self.withDeadline(Self.storeDeadline) { [store] in try await store.appliedSchemaSteps() }
        } catch is ReadinessTimeout {
            throw Problem.notReady("The database did not answer within \(Self.storeDeadline.components.seconds) seconds.")
        } catch {
            throw Problem.notReady("The database cannot answer: \(error).")
        }
        let missing = store.knownSchemaSteps.filter { !applied.contains($0) }
        if !missing.isEmpty {
            throw Problem.notReady("The database lacks the schema steps \(missing.joined(separator: ", ")).")
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: Self.ready))
    }

    private struct ReadinessTimeout: Error {}

    /// `body`'s result, or `ReadinessTimeout` once `deadline` has passed (the body is then
    /// cancelled and its answer, if one comes, dropped).
    private static func withDeadline<T: Sendable>(
        _ deadline: Duration, _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: deadline)
                throw ReadinessTimeout()
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
