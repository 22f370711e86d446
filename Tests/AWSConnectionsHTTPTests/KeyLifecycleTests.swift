import AWSConnectionsCore
import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// Keys that expire, and rotation with an overlap, through the real router on both stores and
/// through the CLI against two PostgreSQL replicas.
@Suite("Key lifecycle")
struct KeyLifecycleTests {
    static func expectExpired(_ response: APIResponse, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(response.status == .unauthorized, sourceLocation: sourceLocation)
        #expect(try response.problemCode() == "expired_api_key", "\(response.bodyText)", sourceLocation: sourceLocation)
        #expect(response.headers[.wwwAuthenticate]?.contains(#"error="invalid_token""#) == true, sourceLocation: sourceLocation)
    }

    @Test("a key past its expiry is 401 expired_api_key; one before it works", arguments: StoreKind.all)
    func expiry(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let now = Timestamp.now()
            let lapsed = try await world.store.issueKey(
                account: "alpha", scopes: [.read], expiresAt: now.subtracting(.seconds(1)), at: now)
            let current = try await world.store.issueKey(
                account: "alpha", scopes: [.read], expiresAt: now.adding(.seconds(3600)), at: now)
            try Self.expectExpired(try await client.list(key: lapsed.key.secret))
            #expect(try await client.list(key: current.key.secret).status == .ok)
            let listed = try await world.store.listKeys(account: "alpha")
            #expect(listed.first { $0.id == current.record.id }?.expiresAt == now.adding(.seconds(3600)))
        }
    }

    @Test("rotation: a new key with the same account and scopes works at once; the old one works through the overlap, then is refused within a second", arguments: StoreKind.all)
    func rotation(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let old = try await world.store.issueKey(account: "alpha", scopes: [.read, .write], at: .now())
            let id = try await client.createConnectionID(key: old.key.secret)

            let rotation = try await world.store.rotateKey(old.record.id, overlap: .seconds(3600), successorExpiry: .sameLifetime, at: .now())
            guard case .rotated(let new, let oldKeyExpiresAt) = rotation else {
                throw TestFailure("not rotated: \(rotation)")
            }
            #expect(new.record.account == "alpha" && new.record.scopes == [.read, .write])
            #expect(new.record.rotatedFrom == old.record.id)
            // Same account: it sees and changes what the old key made.
            #expect(try await client.get(key: new.key.secret, id: id).status == .ok)
            #expect(try await client.update(key: new.key.secret, id: id, body: #"{"name":"rotated","version":1}"#).status == .ok)
            #expect(try await client.get(key: old.key.secret, id: id).status == .ok)
            #expect(oldKeyExpiresAt.millisecondsSinceEpoch > Timestamp.now().millisecondsSinceEpoch + 3_500_000)

            let listed = try await world.store.listKeys(account: "alpha")
            #expect(listed.first { $0.id == old.record.id }?.replacedBy == new.record.id)
            #expect(listed.first { $0.id == old.record.id }?.expiresAt == oldKeyExpiresAt)
            #expect(listed.first { $0.id == new.record.id }?.rotatedFrom == old.record.id)

            // A key is rotated once; unknown and revoked keys are not rotated.
            guard case .alreadyRotated(new.record.id) = try await world.store.rotateKey(
                old.record.id, overlap: .seconds(1), successorExpiry: .sameLifetime, at: .now())
            else { throw TestFailure("a second rotation of one key was not refused") }
            guard case .notFound = try await world.store.rotateKey(
                KeyID("key_doesnotexist0000"), overlap: .seconds(1), successorExpiry: .sameLifetime, at: .now())
            else { throw TestFailure("an unknown key was rotated") }
            let revoked = try await world.store.issueKey(account: "alpha", scopes: [.read], at: .now())
            _ = try await world.store.revokeKey(revoked.record.id, at: .now())
            guard case .revoked = try await world.store.rotateKey(
                revoked.record.id, overlap: .seconds(1), successorExpiry: .sameLifetime, at: .now())
            else { throw TestFailure("a revoked key was rotated") }

            // The successor rotated with an overlap already over: it stops within a second
            // though this server has it cached, and its successor works at once.
            #expect(try await client.list(key: new.key.secret).status == .ok)
            let lapsedAt = ContinuousClock.now
            let next = try await world.store.rotateKey(
                new.record.id, overlap: .seconds(1), successorExpiry: .never, at: Timestamp.now().subtracting(.seconds(10)))
            guard case .rotated(let third, _) = next else { throw TestFailure("not rotated: \(next)") }
            try await expectRefusedWithinOneSecond(after: lapsedAt) { try await client.list(key: new.key.secret).status }
            try Self.expectExpired(try await client.list(key: new.key.secret))
            #expect(try await client.list(key: third.key.secret).status == .ok)
        }
    }

    @Test("rotating an expiring key: its own earlier expiry is kept, the successor gets as long a life or the one asked for; an expired key is not rotated", arguments: StoreKind.all)
    func rotatingExpiringKeys(store: StoreKind) async throws {
        try await withApp(store) { world, client in
            let issuedAt = Timestamp.now()
            let tenMinutes = try await world.store.issueKey(
                account: "alpha", scopes: [.read], expiresAt: issuedAt.adding(.seconds(600)), at: issuedAt)
            let rotatedAt = issuedAt.adding(.seconds(60))
            let rotation = try await world.store.rotateKey(
                tenMinutes.record.id, overlap: .seconds(3600), successorExpiry: .sameLifetime, at: rotatedAt)
            guard case .rotated(let successor, let oldKeyExpiresAt) = rotation else {
                throw TestFailure("not rotated: \(rotation)")
            }
            // The overlap would end in an hour; the key's own expiry, nine minutes on, comes first.
            #expect(oldKeyExpiresAt == issuedAt.adding(.seconds(600)))
            #expect(successor.record.expiresAt == rotatedAt.adding(.seconds(600)))
            #expect(try await client.list(key: successor.key.secret).status == .ok)

            let chosen = issuedAt.adding(.seconds(7200))
            guard case .rotated(let third, _) = try await world.store.rotateKey(
                successor.record.id, overlap: .seconds(60), successorExpiry: .at(chosen), at: .now())
            else { throw TestFailure("the successor was not rotated") }
            #expect(third.record.expiresAt == chosen)
            guard case .rotated(let fourth, _) = try await world.store.rotateKey(
                third.record.id, overlap: .seconds(60), successorExpiry: .never, at: .now())
            else { throw TestFailure("the third key was not rotated") }
            #expect(fourth.record.expiresAt == nil)
            let listed = try await world.store.listKeys(account: "alpha")
            #expect(listed.first { $0.id == fourth.record.id }?.expiresAt == nil)
            #expect(listed.first { $0.id == third.record.id }?.expiresAt.map { $0 < chosen } == true)

            let lapsed = try await world.store.issueKey(
                account: "alpha", scopes: [.read], expiresAt: issuedAt.subtracting(.seconds(1)), at: issuedAt)
            guard case .expired(let at) = try await world.store.rotateKey(
                lapsed.record.id, overlap: .seconds(60), successorExpiry: .sameLifetime, at: .now())
            else { throw TestFailure("an expired key was rotated") }
            #expect(at == issuedAt.subtracting(.seconds(1)))
        }
    }

    @Test("CLI on two PostgreSQL replicas: keys create --expires-in and keys rotate --overlap take effect on both within a second; keys list shows expiry, links and last use")
    func cliAcrossReplicas() async throws {
        guard StoreKind.all.contains(.postgres) else { return }
        try await TestPostgres.withDatabase { url in
            let (a, portA) = try await ServerProcess.serve(database: url)
            let (b, portB) = try await ServerProcess.serve(database: url)
            let ports = [portA, portB]
            func statuses(_ key: String) async throws -> [HTTPResponse.Status] {
                var statuses: [HTTPResponse.Status] = []
                for port in ports {
                    statuses.append(try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                        try await client.call(.get, collectionPath, key: key).status
                    })
                }
                return statuses
            }
            /// The wall-clock instant in `text` after `until `, as the CLI prints it, on the
            /// test's monotonic clock.
            func instant(after marker: String, in text: String) throws -> ContinuousClock.Instant {
                let pattern = try Regex("\(marker) ([0-9T:.Z-]+)")
                guard let match = text.firstMatch(of: pattern), let stamp = match.output[1].substring,
                    let date = ISO8601DateFormatter.withFractions.date(from: String(stamp))
                else { throw TestFailure("no '\(marker)' instant in: \(text)") }
                return ContinuousClock.now + .milliseconds(Int64(date.timeIntervalSinceNow * 1000))
            }

            let created = try await ServerProcess.run(
                ["keys", "create", "--account", "acme", "--expires-in", "20s", "--database", url])
            #expect(created.status == 0, "\(created.stderr)")
            let expiring = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let expiresAt = try instant(after: "expiring", in: created.stderr)
            let early = try await statuses(expiring)
            // Accepted before its expiry; a machine too loaded to ask in time proves nothing here.
            if ContinuousClock.now < expiresAt - .seconds(1) { #expect(early == [.ok, .ok]) }

            let issued = try await ServerProcess.run(["keys", "create", "--account", "acme", "--database", url])
            let old = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let oldID = try #require(issued.stderr.firstMatch(of: /key_[a-z0-9]{16}/).map { String($0.output) })
            // Both replicas cache the old key before the rotation.
            #expect(try await statuses(old) == [.ok, .ok])
            let rotated = try await ServerProcess.run(["keys", "rotate", oldID, "--overlap", "5s", "--database", url])
            #expect(rotated.status == 0, "\(rotated.stderr)")
            let new = rotated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(new.hasPrefix("pictai_") && new != old && !rotated.stderr.contains(new))
            let overlapEnds = try instant(after: "keeps working until", in: rotated.stderr)
            #expect(try await statuses(new) == [.ok, .ok])
            let during = try await statuses(old)
            if ContinuousClock.now < overlapEnds - .seconds(1) { #expect(during == [.ok, .ok]) }

            for port in ports {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                    try await expectRefusedWithinOneSecond(after: overlapEnds) {
                        try await client.call(.get, collectionPath, key: old).status
                    }
                    try Self.expectExpired(try await client.call(.get, collectionPath, key: old))
                    try await expectRefusedWithinOneSecond(after: expiresAt) {
                        try await client.call(.get, collectionPath, key: expiring).status
                    }
                    try Self.expectExpired(try await client.call(.get, collectionPath, key: expiring))
                    #expect(try await client.call(.get, collectionPath, key: new).status == .ok)
                }
            }

            let listed = try await ServerProcess.run(["keys", "list", "--account", "acme", "--database", url])
            let lines = listed.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.contains("EXPIRES") == true && lines.first?.contains("REPLACED BY") == true)
            let oldLine = try #require(lines.first { $0.hasPrefix(oldID) })
            let newID = try #require(rotated.stderr.firstMatch(of: /to (key_[a-z0-9]{16})/).map { String($0.output.1) })
            #expect(oldLine.hasSuffix(newID))
            #expect(lines.contains { $0.hasPrefix(newID) && $0.contains(oldID) })
            // The old key was used before the rotation: its last use is shown. Columns are
            // separated by two spaces at least; scopes hold single spaces.
            let header = try #require(lines.first)
            let lastUsedColumn = header.distance(
                from: header.startIndex, to: try #require(header.range(of: "LAST USED")).lowerBound)
            let lastUsed = oldLine.dropFirst(lastUsedColumn).prefix(while: { $0 != " " })
            #expect(lastUsed.hasPrefix("20") && lastUsed.hasSuffix("Z"), "\(oldLine)")
            #expect(!listed.stdout.contains(new) && !listed.stdout.contains(old))

            for server in [a, b] { server.signal(SIGTERM) }
            #expect(try await a.waitForExit() == 0)
            #expect(try await b.waitForExit() == 0)
        }
    }
}
