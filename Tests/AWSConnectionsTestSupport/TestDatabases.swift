import Foundation

/// Runs `body` with the `--database` URL of a new, empty database of `kind`, removed afterwards.
public func withDatabaseURL<T>(_ kind: StoreKind, _ body: (String) async throws -> T) async throws -> T {
    switch kind {
    case .sqlite:
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aws-connections-process-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body("sqlite:" + directory.appendingPathComponent("db.sqlite").path)
    case .postgres:
        return try await TestPostgres.withDatabase(body)
    }
}
