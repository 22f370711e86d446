import AWSConnectionsCore
import AWSConnectionsSQLite
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Synchronization
import Testing

@Suite("Concurrent writers over real sockets")
struct ConcurrencyTests {
    @Test("32 concurrent PUTs carrying the same version: exactly one 200, the rest 409, final version 2", arguments: StoreKind.all)
    func sameVersionRace(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let id = try #require(try await client.createConnection(key: world.alpha)["connectionId"] as? String)
            let path = "\(collectionPath)/\(id)"
            let statuses = try await withLiveClients(count: 32, port: port) { index, live in
                try await live.call(.put, path, key: world.alpha, body: #"{"name":"writer \#(index)","version":1}"#).status
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 31)
            let final = try await client.get(key: world.alpha, id: id).json()
            #expect(final["version"] as? Int == 2)
            let winner = try #require(statuses.firstIndex(of: .ok))
            #expect(final["name"] as? String == "writer \(winner)")
        }
    }

    @Test("16 clients in read-modify-write loops: every success moves the version by exactly one, none is lost, no 5xx", arguments: StoreKind.all)
    func readModifyWriteLoops(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let ids = [
                try #require(try await client.createConnection(key: world.alpha)["connectionId"] as? String),
                try #require(try await client.createConnection(key: world.alpha)["connectionId"] as? String),
            ]
            let iterations = 25
            // Per client: (id, version sent, version answered) of each 200, the 409 count, the 5xx count.
            let outcomes = try await withLiveClients(count: 16, port: port) { index, live in
                var successes: [(id: String, sent: Int, answered: Int)] = []
                var conflicts = 0
                var serverErrors = 0
                for iteration in 0..<iterations {
                    let id = ids[(index + iteration) % ids.count]
                    let path = "\(collectionPath)/\(id)"
                    let current = try await live.call(.get, path, key: world.alpha).json()
                    let version = current["version"] as? Int ?? 0
                    let body = #"{"name":"client \#(index) pass \#(iteration)","version":\#(version)}"#
                    let response = try await live.call(.put, path, key: world.alpha, body: body)
                    switch response.status.code {
                    case 200: successes.append((id, version, try response.json()["version"] as? Int ?? -1))
                    case 409: conflicts += 1
                    case 500...: serverErrors += 1
                    default: break
                    }
                }
                return (successes, conflicts, serverErrors)
            }
            #expect(outcomes.map(\.2).reduce(0, +) == 0)
            #expect(outcomes.map { $0.0.count + $0.1 }.reduce(0, +) == 16 * iterations)
            let successes = outcomes.flatMap(\.0)
            #expect(successes.allSatisfy { $0.answered == $0.sent + 1 })
            for id in ids {
                // Two writers that both won from the same version would answer the same version twice.
                let answered = successes.filter { $0.id == id }.map(\.answered).sorted()
                #expect(answered == Array(2..<(2 + answered.count)))
                let final = try await client.get(key: world.alpha, id: id).json()
                #expect(final["version"] as? Int == 1 + answered.count)
                #expect(answered.count > 0)
            }
        }
    }

    @Test("concurrent creates from many clients all land, each with a distinct id", arguments: StoreKind.all)
    func concurrentCreates(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let ids = try await withLiveClients(count: 16, port: port) { index, live in
                var ids: [String] = []
                for iteration in 0..<10 {
                    let response = try await live.call(
                        .post, collectionPath, key: world.alpha,
                        body: #"{"name":"c\#(index)-\#(iteration)","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
                    ids.append(try response.json()["connectionId"] as? String ?? "")
                }
                return ids
            }.flatMap { $0 }
            #expect(Set(ids).count == 160)
            let items = try await client.list(key: world.alpha).json()["Items"] as? [[String: Any]] ?? []
            #expect(Set(items.compactMap { $0["connectionId"] as? String }) == Set(ids))
        }
    }
}
