import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Hummingbird
import HummingbirdTesting

/// The application over an already-open store (used when reopening a database file).
///
/// The idle timeout is ten minutes, not the service's minute: under the whole suite a test's
/// own connection can sit unused for over a minute while its other clients seed data, and a
/// server closing it then fails the test with "I/O on closed channel". The idle timeout has
/// its own test against the real executable.
func buildTestApplication(store: any ServiceStore, policy: ServicePolicy = ServicePolicy()) -> some ApplicationProtocol {
    buildApplication(
        connections: store, keys: store, policy: policy, host: "127.0.0.1", port: 0, idleTimeout: .seconds(600),
        logger: testLogger)
}

extension TestWorld {
    func makeApplication(policy: ServicePolicy = ServicePolicy()) -> some ApplicationProtocol {
        buildTestApplication(store: store, policy: policy)
    }
}

/// Runs `body` against the real router on a fresh database of `kind`.
func withApp(
    _ kind: StoreKind,
    _ setup: TestingSetup = .router,
    policy: ServicePolicy = ServicePolicy(),
    _ body: @Sendable (TestWorld, any TestClientProtocol) async throws -> Void
) async throws {
    try await withWorld(kind) { world in
        try await world.makeApplication(policy: policy).test(setup) { client in
            try await body(world, client)
        }
    }
}
