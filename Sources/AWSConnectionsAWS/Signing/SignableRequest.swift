/// An HTTP request as it will be sent, for signing.
public struct SignableRequest: Sendable {
    /// "GET", "POST", ...; signed upper-cased.
    public var method: String
    /// As in the Host header, with ":port" when not the scheme's default. Signed as given, so
    /// pass it lower-cased, as HTTP clients send it.
    public var host: String
    /// The path exactly as sent on the wire, already percent-encoded, e.g. "/bucket/a%20b.txt".
    /// Empty means "/".
    public var path: String
    /// Decoded names and values, in the order they are sent. The signer encodes them per SigV4
    /// (RFC 3986 unreserved characters kept, everything else `%XX`) for the canonical query and,
    /// when presigning, for the URL.
    public var query: [(name: String, value: String)]
    /// Headers to sign besides host, which the signer takes from `host`: a `Host` entry here is
    /// ignored. `User-Agent`, `Expect`, `X-Amzn-Trace-Id` and the hop-by-hop headers are never
    /// signed, since proxies and HTTP clients change them on the way.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String,
        host: String,
        path: String,
        query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [],
        body: [UInt8] = []
    ) {
        self.method = method
        self.host = host
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }
}
