import HTTPTypes
import HummingbirdTesting
import Testing

/// What one client saw in its read-modify-write loop.
struct ReadModifyWriteResult: Sendable {
    struct Success: Sendable {
        let id: String
        let sent: Int
        let answered: Int
        /// The name this write set.
        let name: String
    }

    var successes: [Success] = []
    var conflicts = 0
    var serverErrors = 0
}

/// GET a connection, PUT it back renamed with the version read; `iterations` times, cycling
/// through `ids` from an offset of `index` so that clients collide.
func readModifyWrite(
    _ live: TestClient, index: Int, ids: [String], iterations: Int, key: String
) async throws -> ReadModifyWriteResult {
    var result = ReadModifyWriteResult()
    for iteration in 0..<iterations {
        let id = ids[(index + iteration) % ids.count]
        let path = "\(collectionPath)/\(id)"
        let version = try await live.call(.get, path, key: key).json()["version"] as? Int ?? 0
        let name = "client \(index) pass \(iteration)"
        let body = #"{"name":"\#(name)","version":\#(version)}"#
        let response = try await live.call(.put, path, key: key, body: body)
        switch response.status.code {
        case 200: result.successes.append(
            .init(id: id, sent: version, answered: try response.json()["version"] as? Int ?? -1, name: name))
        case 409: result.conflicts += 1
        case 500...: result.serverErrors += 1
        default: break
        }
    }
    return result
}

/// No 5xx, every request a 200 or a 409, every success one version up, no version answered
/// twice (two writers winning from one version), and each final version equal to
/// 1 + the successes on it.
func expectNoLostUpdate(
    _ results: [ReadModifyWriteResult], ids: [String], requests: Int,
    finalVersion: (String) async throws -> Int?
) async throws {
    #expect(results.map(\.serverErrors).reduce(0, +) == 0)
    #expect(results.map { $0.successes.count + $0.conflicts }.reduce(0, +) == requests)
    let successes = results.flatMap(\.successes)
    #expect(successes.allSatisfy { $0.answered == $0.sent + 1 })
    for id in ids {
        let answered = successes.filter { $0.id == id }.map(\.answered).sorted()
        #expect(answered == Array(2..<(2 + answered.count)))
        #expect(try await finalVersion(id) == 1 + answered.count)
        #expect(answered.count > 0)
    }
}
