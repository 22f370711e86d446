import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsSQLite
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A real SQLite file in a fresh temporary folder, with keys for two accounts.
struct TestWorld: Sendable {
    let directory: URL
    let databasePath: String
    let store: SQLiteStore
    /// Account "alpha", both scopes.
    let alpha: String
    /// Account "alpha", connections:read only.
    let alphaReader: String
    /// Account "alpha", connections:write only.
    let alphaWriter: String
    /// Account "beta", both scopes.
    let beta: String

    static func make() async throws -> TestWorld {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aws-connections-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent("test.sqlite").path
        let store = try SQLiteStore(path: path)
        let now = Timestamp.now()
        return TestWorld(
            directory: directory,
            databasePath: path,
            store: store,
            alpha: try await store.issueKey(account: "alpha", scopes: [.read, .write], at: now).key.secret,
            alphaReader: try await store.issueKey(account: "alpha", scopes: [.read], at: now).key.secret,
            alphaWriter: try await store.issueKey(account: "alpha", scopes: [.write], at: now).key.secret,
            beta: try await store.issueKey(account: "beta", scopes: [.read, .write], at: now).key.secret
        )
    }

    func makeApplication() -> some ApplicationProtocol {
        buildTestApplication(store: store)
    }

    func removeFiles() {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Runs `body` against the real router on a fresh database.
func withApp(
    _ setup: TestingSetup = .router,
    _ body: @Sendable (TestWorld, any TestClientProtocol) async throws -> Void
) async throws {
    let world = try await TestWorld.make()
    defer { world.removeFiles() }
    try await world.makeApplication().test(setup) { client in
        try await body(world, client)
    }
}
