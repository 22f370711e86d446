import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@Suite("ETag, If-Match and If-None-Match")
struct ConditionalRequestTests {
    private func path(_ id: String) -> String { "\(collectionPath)/\(id)" }

    @Test("create, get and update carry the version as a strong ETag", arguments: StoreKind.all)
    func etags(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let created = try await client.create(
                key: world.alpha, body: #"{"name":"n","awsAccountId":"123456789012","awsRegion":"us-east-1"}"#)
            #expect(created.headers[.eTag] == #""1""#)
            let id = try #require(try created.json()["connectionId"] as? String)
            #expect(try await client.get(key: world.alpha, id: id).headers[.eTag] == #""1""#)
            let updated = try await client.update(key: world.alpha, id: id, body: #"{"name":"m","version":1}"#)
            #expect(updated.headers[.eTag] == #""2""#)
            #expect(try await client.get(key: world.alpha, id: id).headers[.eTag] == #""2""#)
        }
    }

    @Test("If-None-Match with the current tag (strong, weak or *) is 304 with no body; after a change it is 200", arguments: StoreKind.all)
    func ifNoneMatch(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            for tag in [#""1""#, #"W/"1""#, "*", #""7", "1""#] {
                let cached = try await client.send(.get, path(id), key: world.alpha, headers: [.ifNoneMatch: tag])
                #expect(cached.status == .notModified, "If-None-Match: \(tag)")
                #expect(cached.bodyText.isEmpty)
                #expect(cached.headers[.eTag] == #""1""#)
            }
            _ = try await client.update(key: world.alpha, id: id, body: #"{"name":"m","version":1}"#)
            let stale = try await client.send(.get, path(id), key: world.alpha, headers: [.ifNoneMatch: #""1""#])
            #expect(stale.status == .ok)
            #expect(try stale.json()["version"] as? Int == 2)
            // Ownership still comes first: another account learns nothing from a 304.
            let other = try await client.send(.get, path(id), key: world.beta, headers: [.ifNoneMatch: "*"])
            #expect(other.status == .forbidden)
        }
    }

    @Test("PUT with If-Match alone applies at that version; a stale one is 412 with currentVersion and changes nothing", arguments: StoreKind.all)
    func putIfMatch(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let applied = try await client.send(
                .put, path(id), key: world.alpha, body: #"{"name":"a"}"#, headers: [.ifMatch: #""1""#])
            #expect(applied.status == .ok)
            #expect(try applied.json()["version"] as? Int == 2)

            let stale = try await client.send(
                .put, path(id), key: world.alpha, body: #"{"name":"b"}"#, headers: [.ifMatch: #""1""#])
            #expect(stale.status == .preconditionFailed)
            #expect(try stale.problemCode() == "precondition_failed")
            #expect(try stale.json()["currentVersion"] as? Int == 2)
            #expect(try await client.get(key: world.alpha, id: id).json()["name"] as? String == "a")

            // Without If-Match the contract's 409 is unchanged.
            let conflict = try await client.update(key: world.alpha, id: id, body: #"{"name":"c","version":1}"#)
            #expect(conflict.status == .conflict)
        }
    }

    @Test("If-Match and body version must agree; a malformed If-Match is 400; * leaves the body's version in charge", arguments: StoreKind.all)
    func ifMatchRules(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            let disagree = try await client.send(
                .put, path(id), key: world.alpha, body: #"{"name":"a","version":1}"#, headers: [.ifMatch: #""2""#])
            #expect(disagree.status == .badRequest)
            #expect(try disagree.errorFields() == ["version"])
            for bad in [#"W/"1""#, "1", #""1", "2""#, #""abc""#, #""0""#, #""+1""#] {
                let response = try await client.send(
                    .put, path(id), key: world.alpha, body: #"{"name":"a","version":1}"#, headers: [.ifMatch: bad])
                #expect(response.status == .badRequest, "If-Match: \(bad)")
                #expect(try response.problemCode() == "invalid_if_match")
            }
            let agree = try await client.send(
                .put, path(id), key: world.alpha, body: #"{"name":"a","version":1}"#, headers: [.ifMatch: #""1""#])
            #expect(agree.status == .ok)
            let any = try await client.send(
                .put, path(id), key: world.alpha, body: #"{"name":"b","version":2}"#, headers: [.ifMatch: "*"])
            #expect(any.status == .ok)
            let anyWithoutVersion = try await client.send(
                .put, path(id), key: world.alpha, body: #"{"name":"c"}"#, headers: [.ifMatch: "*"])
            #expect(anyWithoutVersion.status == .badRequest)
            #expect(try await client.get(key: world.alpha, id: id).json()["version"] as? Int == 3)
        }
    }

    @Test("DELETE with a stale If-Match is 412 and keeps the connection; with the current one it deletes", arguments: StoreKind.all)
    func deleteIfMatch(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let id = try await client.createConnectionID(key: world.alpha)
            _ = try await client.update(key: world.alpha, id: id, body: #"{"name":"m","version":1}"#)
            let stale = try await client.send(.delete, path(id), key: world.alpha, headers: [.ifMatch: #""1""#])
            #expect(stale.status == .preconditionFailed)
            #expect(try stale.json()["currentVersion"] as? Int == 2)
            #expect(try await client.get(key: world.alpha, id: id).status == .ok)
            let foreign = try await client.send(.delete, path(id), key: world.beta, headers: [.ifMatch: #""2""#])
            #expect(foreign.status == .forbidden)
            let deleted = try await client.send(.delete, path(id), key: world.alpha, headers: [.ifMatch: #""2""#])
            #expect(deleted.status == .noContent)
            #expect(try await client.get(key: world.alpha, id: id).status == .notFound)
            let gone = try await client.send(.delete, path(id), key: world.alpha, headers: [.ifMatch: #""2""#])
            #expect(gone.status == .notFound)
        }
    }

    @Test("concurrent DELETEs and PUTs with If-Match at the same version: exactly one wins", arguments: StoreKind.all)
    func racingConditionalWrites(store: StoreKind) async throws {
        try await withApp(store, .live) { world, client in
            let port = try #require(client.port)
            let id = try await client.createConnectionID(key: world.alpha)
            let statuses = try await withLiveClients(count: 16, port: port) { index, live in
                var headers: HTTPFields = [.authorization: world.alpha, .ifMatch: #""1""#]
                if index % 2 == 0 {
                    return try await live.execute(.init(self.path(id), method: .delete, headers: headers)).status
                }
                headers[.contentType] = "application/json"
                return try await live.execute(
                    .init(self.path(id), method: .put, headers: headers, body: ByteBuffer(string: #"{"name":"p\#(index)"}"#))
                ).status
            }
            #expect(statuses.filter { $0 == .ok || $0 == .noContent }.count == 1)
            #expect(statuses.allSatisfy { [.ok, .noContent, .preconditionFailed, .notFound].contains($0) })
        }
    }
}
