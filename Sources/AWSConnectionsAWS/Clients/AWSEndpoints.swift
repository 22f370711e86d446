/// Where one AWS service is reached: `scheme://host` plus an optional path prefix.
public struct AWSEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// `https`, or `http` for a local stand-in.
    public var scheme: String
    /// Lower-cased, `:port` appended only when it is not the scheme's default; IPv6 literals in brackets.
    public var host: String
    /// `""`, or a prefix such as `/aws` without a trailing slash, put before every request path.
    public var basePath: String
    /// Whether an `AWS_ENDPOINT_URL…` variable chose it rather than AWS's own naming.
    public var isCustom: Bool

    public init(scheme: String, host: String, basePath: String = "", isCustom: Bool) {
        self.scheme = scheme
        self.host = host
        self.basePath = basePath
        self.isCustom = isCustom
    }

    /// Parses an endpoint URL such as `http://127.0.0.1:4566` or `https://s3.example.com/prefix/`;
    /// nil unless it is an absolute `http`/`https` URL without credentials, query or fragment.
    public init?(url text: String, isCustom: Bool = true) {
        guard let url = EndpointURL(text), url.query.isEmpty else { return nil }
        var path = url.path
        while path.hasSuffix("/") { path.removeLast() }
        self.init(scheme: url.scheme, host: url.hostWithPort, basePath: path, isCustom: isCustom)
    }

    public var description: String { "\(scheme)://\(host)\(basePath)" }
}

/// The endpoints the AWS SDKs would pick for STS and S3, from the same environment variables.
///
/// A service-specific `AWS_ENDPOINT_URL_<SERVICE>` beats the general `AWS_ENDPOINT_URL`, and
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` turns both off, as in the SDKs. An endpoint
/// variable that is set but is not a URL is never replaced by AWS's real endpoint, so a
/// mistyped local stand-in cannot send calls to AWS: its endpoint has an empty host, the call
/// fails as unreachable, and `invalidVariables` names it for a start-up check.
public struct AWSEndpoints: Sendable, Equatable {
    private var general: AWSEndpoint?
    private var stsOverride: AWSEndpoint?
    private var s3Override: AWSEndpoint?
    /// Endpoint variables that are set but could not be read as an `http`/`https` URL.
    public private(set) var invalidVariables: [String] = []

    public init(environment: [String: String]) {
        let ignored = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
        func endpoint(_ name: String, into invalid: inout [String]) -> AWSEndpoint? {
            guard !ignored, let raw = environment[name]?.strippingASCIIWhitespace, !raw.isEmpty else { return nil }
            if let parsed = AWSEndpoint(url: raw) { return parsed }
            invalid.append(name)
            return AWSEndpoint(scheme: "https", host: "", isCustom: true)
        }
        var invalid: [String] = []
        general = endpoint("AWS_ENDPOINT_URL", into: &invalid)
        stsOverride = endpoint("AWS_ENDPOINT_URL_STS", into: &invalid)
        s3Override = endpoint("AWS_ENDPOINT_URL_S3", into: &invalid)
        invalidVariables = invalid
    }

    /// STS's regional endpoint, which the SDKs use by default now instead of the global one.
    public func sts(region: String) -> AWSEndpoint {
        stsOverride ?? general ?? Self.standard(service: "sts", region: region)
    }

    /// S3's regional endpoint; buckets are addressed on top of it by `S3Client`.
    public func s3(region: String) -> AWSEndpoint {
        s3Override ?? general ?? Self.standard(service: "s3", region: region)
    }

    static func standard(service: String, region: String) -> AWSEndpoint {
        AWSEndpoint(scheme: "https", host: "\(service).\(region).\(dnsSuffix(region: region))", isCustom: false)
    }

    /// The DNS suffix of the region's partition: China has its own domain.
    static func dnsSuffix(region: String) -> String {
        region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    }
}

/// An absolute `http`/`https` URL split the way endpoint variables and credential URIs need it.
///
/// Hand-parsed so that the host comes out exactly as it goes into the `Host` header and the
/// signature (lower-cased, default port dropped, IPv6 brackets kept), which Foundation's `URL`
/// leaves to its caller, and so that this module's endpoint code needs no Foundation.
struct EndpointURL: Sendable, Equatable {
    var scheme: String
    /// Without port; IPv6 literals keep their brackets.
    var host: String
    var port: Int?
    /// As written (already percent-encoded), `""` when absent.
    var path: String
    /// After `?`, as written, `""` when absent.
    var query: String

    init?(_ text: String) {
        guard let separator = text.firstRange(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard scheme == "http" || scheme == "https" else { return nil }
        var rest = text[separator.upperBound...]
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var pathAndQuery = rest[authorityEnd...]
        // User information in an endpoint would be a credential in a log line; no SDK sends it.
        guard !authority.isEmpty, !authority.contains("@"), !authority.contains(where: \.isWhitespace) else {
            return nil
        }
        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty, !host.contains(":") || host.hasPrefix("[") else { return nil }
        var port: Int?
        if let portText, !portText.isEmpty {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(portText),
                (1...65535).contains(value)
            else {
                return nil
            }
            port = value
        }
        var query = Substring("")
        if let question = pathAndQuery.firstIndex(of: "?") {
            query = pathAndQuery[pathAndQuery.index(after: question)...]
            pathAndQuery = pathAndQuery[..<question]
        }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.path = String(pathAndQuery)
        self.query = String(query)
    }

    var defaultPort: Int { scheme == "https" ? 443 : 80 }

    /// `host`, or `host:port` when the port is not the scheme's default: what `Host` carries.
    var hostWithPort: String {
        guard let port, port != defaultPort else { return host }
        return "\(host):\(port)"
    }

    /// The host without IPv6 brackets, for address checks.
    var bareHost: String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}

extension String {
    /// Without leading and trailing spaces, tabs, carriage returns and newlines.
    var strippingASCIIWhitespace: String {
        let bytes = utf8
        func isSpace(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
                || byte == UInt8(ascii: "\n")
        }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(Substring(bytes[first...last]))
    }
}
