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
