import AWSConnectionsHTTP
import AWSConnectionsTestSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// The request log's `client` field, from the real router on a real socket: the TCP peer,
/// or whom a configured trusted proxy says it forwarded for, and nothing else.
@Suite("Request log: the client address")
struct RequestLogTests {
    /// The `client` of the one request line logged for a GET of the collection with `headers`.
    private func loggedClient(trusting proxies: TrustedProxies = TrustedProxies(), headers: HTTPFields = [:]) async throws
        -> String?
    {
        let events = RecordedLogEvents()
        var logger = Logger(label: "request-log-test") { _ in RecordingLogHandler(events) }
        logger.logLevel = .info
        return try await withWorld(.sqlite) { world in
            let app = buildApplication(
                connections: world.store, keys: world.store, trustedProxies: proxies, host: "127.0.0.1", port: 0,
                logger: logger)
            try await app.test(.live) { client in
                let response = try await client.send(.get, collectionPath, key: world.alpha, headers: headers)
                #expect(response.status == .ok)
            }
            let requests = events.all.filter { $0.message == "request" }
            try #require(requests.count == 1, "\(events.all)")
            return requests[0].metadata["client"]
        }
    }

    private static func forwardedFor(_ values: String...) -> HTTPFields {
        var fields = HTTPFields()
        for value in values { fields.append(HTTPField(name: HTTPField.Name("X-Forwarded-For")!, value: value)) }
        return fields
    }

    @Test("the request line carries the TCP peer's address")
    func loopbackPeer() async throws {
        #expect(try await loggedClient() == "127.0.0.1")
    }

    @Test("behind a trusted proxy, the client is the right-most X-Forwarded-For entry that is not a trusted proxy")
    func trustedProxyForwardedFor() async throws {
        let loopback = try #require(TrustedProxies(parsing: "127.0.0.1"))
        #expect(try await loggedClient(trusting: loopback, headers: Self.forwardedFor("203.0.113.7, 127.0.0.1")) == "203.0.113.7")
        // A client's own forged entry left of the real one is not believed.
        #expect(
            try await loggedClient(trusting: loopback, headers: Self.forwardedFor("198.51.100.1, 203.0.113.7")) == "203.0.113.7")
    }

    @Test("without a trusted proxy configured, X-Forwarded-For is ignored")
    func untrustedForwardedFor() async throws {
        #expect(try await loggedClient(headers: Self.forwardedFor("203.0.113.7, 127.0.0.1")) == "127.0.0.1")
        #expect(try await loggedClient(headers: Self.forwardedFor("203.0.113.7")) == "127.0.0.1")
        // A proxy that is trusted but is not the peer gives the header no weight either.
        let elsewhere = try #require(TrustedProxies(parsing: "10.0.0.0/8"))
        #expect(try await loggedClient(trusting: elsewhere, headers: Self.forwardedFor("203.0.113.7")) == "127.0.0.1")
    }

    @Test(
        "a malformed X-Forwarded-For from a trusted proxy falls back to the peer",
        arguments: ["203.0.113.7, not-an-address", "", "203.0.113.7:8080", "[2001:db8::1]", "203.0.113.7,", "999.0.113.7"])
    func malformedForwardedFor(header: String) async throws {
        let loopback = try #require(TrustedProxies(parsing: "127.0.0.1"))
        #expect(try await loggedClient(trusting: loopback, headers: Self.forwardedFor(header)) == "127.0.0.1")
    }
}

@Suite("Trusted proxies: parsing and the right-most rule")
struct TrustedProxiesTests {
    private func address(_ text: String) throws -> IPAddress {
        try #require(IPAddress(text))
    }

    @Test("a list of addresses and CIDR blocks, IPv4 and IPv6, and what it contains")
    func parsingAndContainment() throws {
        let proxies = try #require(TrustedProxies(parsing: "10.0.0.0/8, 192.0.2.10,2001:db8::/32,::1"))
        #expect(proxies.description == "10.0.0.0/8,192.0.2.10,2001:db8::/32,::1")
        for inside in ["10.255.3.4", "192.0.2.10", "2001:db8:ffff::7", "::1", "::ffff:10.1.2.3"] {
            #expect(proxies.contains(try address(inside)), "\(inside)")
        }
        for outside in ["11.0.0.1", "192.0.2.11", "2001:db9::1", "::2", "127.0.0.1"] {
            #expect(!proxies.contains(try address(outside)), "\(outside)")
        }
        // Host bits in a block are the block the prefix names.
        #expect(TrustedProxies(parsing: "10.1.2.3/8")?.description == "10.0.0.0/8")
        #expect(TrustedProxies(parsing: "")?.isEmpty == true)
    }

    @Test("anything but addresses and blocks is refused", arguments: [
        "10.0.0.0/33", "1.2.3", "01.2.3.4", "::1/129", "proxy.example", "10.0.0.1,", "10.0.0.1/", "10.0.0.1/-1", "fe80::1%eth0",
        "10.0.0.1\u{0}",
    ])
    func refused(text: String) {
        #expect(TrustedProxies(parsing: text) == nil)
    }

    @Test("IPv4 peers seen on an IPv6 socket are logged and matched as IPv4")
    func mappedAddresses() throws {
        #expect(try address("::ffff:127.0.0.1").description == "127.0.0.1")
        #expect(try address("2001:DB8:0:0:0:0:0:1").description == "2001:db8::1")
    }

    @Test("the right-most entry that is not a trusted proxy, across several header lines")
    func rightMostRule() throws {
        let proxies = try #require(TrustedProxies(parsing: "10.0.0.0/8"))
        let peer = try address("10.0.0.2")
        #expect(proxies.client(peer: peer, forwardedFor: ["198.51.100.9, 203.0.113.7", "10.0.0.5"]).description == "203.0.113.7")
        // Every hop trusted: the farthest of them.
        #expect(proxies.client(peer: peer, forwardedFor: ["10.9.9.9,10.0.0.5"]).description == "10.9.9.9")
        // No header: the peer.
        #expect(proxies.client(peer: peer, forwardedFor: []).description == "10.0.0.2")
        // Garbage beyond the first untrusted entry is never looked at, so a client cannot hide itself with it.
        #expect(proxies.client(peer: peer, forwardedFor: ["garbage, 203.0.113.7"]).description == "203.0.113.7")
        // An untrusted peer's header is not read at all.
        #expect(proxies.client(peer: try address("203.0.113.50"), forwardedFor: ["198.51.100.9"]).description == "203.0.113.50")
    }
}
