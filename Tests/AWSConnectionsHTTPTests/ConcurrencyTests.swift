import AWSConnectionsCore
import AWSConnectionsSQLite
import AWSConnectionsTestSupport
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
            let id = try await client.createConnectionID(key: world.alpha)
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
                try await client.createConnectionID(key: world.alpha),
                try await client.createConnectionID(key: world.alpha),
            ]
            let iterations = 25
            let results = try await withLiveClients(count: 16, port: port) { index, live in
                try await readModifyWrite(live, index: index, ids: ids, iterations: iterations, key: world.alpha)
            }
            try await expectNoLostUpdate(results, ids: ids, requests: 16 * iterations) { id in
                try await client.get(key: world.alpha, id: id).json()["version"] as? Int
            }
        }
    }

    @Test(
        "gets of many ids at once each answer their own connection, 403 or 404, and a get after an update sees it",
        arguments: StoreKind.all)
    func concurrentGets(store: StoreKind) async throws {
        // On PostgreSQL, gets that arrive together share one statement (ConnectionReadBatcher):
        // each answer must still be its own id's, and a read asked after a write completed
        // must see that write.
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            var created: [String] = []
            for index in 0..<16 {
                created.append(
                    try #require(try await client.createConnection(key: world.alpha, name: "own \(index)")["connectionId"] as? String))
            }
            var othersCreated: [String] = []
            for _ in 0..<4 {
                othersCreated.append(try await client.createConnectionID(key: world.beta))
            }
            let own = created
            let others = othersCreated
            let unknown = (0..<4).map { "2026010100000000\($0)aaaaaaaaaaaaaaa" }
            let targets = own + others + unknown
            let mismatches = try await withLiveClients(count: 32, port: port) { index, live in
                var mismatches: [String] = []
                for iteration in 0..<15 {
                    if index < own.count, iteration % 5 == 0 {
                        // This client's own connection: write, then read it back at once.
                        let id = own[index]
                        let version = iteration / 5 + 1
                        let name = "own \(index) v\(version + 1)"
                        let put = try await live.call(
                            .put, "\(collectionPath)/\(id)", key: world.alpha, body: #"{"name":"\#(name)","version":\#(version)}"#)
                        guard put.status == .ok else {
                            mismatches.append("update of \(id): \(put.status)")
                            continue
                        }
                        let read = try await live.call(.get, "\(collectionPath)/\(id)", key: world.alpha).json()
                        if read["name"] as? String != name || read["version"] as? Int != version + 1 {
                            mismatches.append("read after update of \(id): \(read)")
                        }
                        continue
                    }
                    let id = targets[(index * 7 + iteration) % targets.count]
                    let response = try await live.call(.get, "\(collectionPath)/\(id)", key: world.alpha)
                    switch response.status {
                    case .ok where own.contains(id):
                        if try response.json()["connectionId"] as? String != id { mismatches.append("\(id) answered \(response.bodyText)") }
                    case .forbidden where others.contains(id), .notFound where unknown.contains(id):
                        break
                    default:
                        mismatches.append("\(id): \(response.status) \(response.bodyText)")
                    }
                }
                return mismatches
            }
            #expect(mismatches.flatMap { $0 } == [])
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
