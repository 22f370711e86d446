public import AWSConnectionsCore
import Crypto
import Synchronization

/// AWS Signature Version 4, written against botocore's `auth.py`: for the same request,
/// credentials and time it produces byte-for-byte what botocore's `SigV4Auth` (any service but
/// S3), `S3SigV4Auth` (service "s3") and `S3SigV4QueryAuth` (presigned URLs) produce.
///
/// Cheap to copy and safe to share between tasks; one signer per set of credentials, region and
/// service lets the day's signing key be derived once instead of on every request.
public struct SigV4Signer: Sendable {
    /// How the canonical request's path is formed from the path as sent.
    public enum CanonicalPath: Sendable, Equatable {
        /// The path exactly as sent: S3's rule, and the signing suite's "unnormalized" cases.
        case asSent
        /// Dot segments and empty segments removed, then percent-encoded once more, so `%20` is
        /// signed as `%2520`: what every AWS service but S3 expects.
        case normalizedAndEncoded
    }

    public let credentials: AWSCredentials
    public let region: String
    public let service: String
    public let canonicalPath: CanonicalPath

    /// botocore's S3 signer sends the payload hash as `X-Amz-Content-SHA256` (S3 requires it)
    /// and presigns with `UNSIGNED-PAYLOAD`; the generic signer does neither.
    private let isS3: Bool
    /// `/region/service/aws4_request`, the credential scope after the date.
    private let scopeSuffix: [UInt8]
    /// The same, percent-encoded for `X-Amz-Credential`, after the encoded access key id.
    private let encodedCredentialPrefix: [UInt8]
    private let encodedScopeSuffix: [UInt8]
    /// Session tokens run to a kilobyte or more; encoding one on every presign would be waste.
    private let encodedSessionToken: [UInt8]?
    private let signingKeys: SigningKeyCache

    /// A signer with the canonical path rule of `service`: as sent for "s3", normalized and
    /// encoded again for every other service.
    public init(credentials: AWSCredentials, region: String, service: String) {
        self.init(
            credentials: credentials,
            region: region,
            service: service,
            canonicalPath: service == "s3" ? .asSent : .normalizedAndEncoded
        )
    }

    public init(credentials: AWSCredentials, region: String, service: String, canonicalPath: CanonicalPath) {
        self.credentials = credentials
        self.region = region
        self.service = service
        self.canonicalPath = canonicalPath
        self.isS3 = service == "s3"
        var suffix: [UInt8] = [SigV4Encoding.slash]
        suffix.append(contentsOf: region.utf8)
        suffix.append(SigV4Encoding.slash)
        suffix.append(contentsOf: service.utf8)
        suffix.append(contentsOf: "/aws4_request".utf8)
        self.scopeSuffix = suffix
        var prefix: [UInt8] = []
        SigV4Encoding.appendEncoded(credentials.accessKeyID.utf8, to: &prefix)
        SigV4Encoding.appendEncoded([SigV4Encoding.slash], to: &prefix)
        self.encodedCredentialPrefix = prefix
        var encodedSuffix: [UInt8] = []
        SigV4Encoding.appendEncoded(suffix, to: &encodedSuffix)
        self.encodedScopeSuffix = encodedSuffix
        self.encodedSessionToken = credentials.sessionToken.map { token in
            var encoded: [UInt8] = []
            SigV4Encoding.appendEncoded(token.utf8, to: &encoded)
            return encoded
        }
        var secret = Array("AWS4".utf8)
        secret.append(contentsOf: credentials.secretAccessKey.utf8)
        self.signingKeys = SigningKeyCache(secret: secret, region: Array(region.utf8), service: Array(service.utf8))
    }

    // MARK: - Header signing

    /// The headers to add to `request`: X-Amz-Date, X-Amz-Security-Token (when the credentials
    /// have one), X-Amz-Content-SHA256 (service "s3" only), Authorization. Same result as
    /// botocore's SigV4Auth (service != "s3") / S3SigV4Auth (service == "s3") for the same
    /// request, credentials and time.
    ///
    /// They replace any header of the same name in `request.headers`: those are left out of the
    /// signature, as botocore deletes them before signing (a retry's stale Authorization, say).
    /// For services other than S3, a caller's X-Amz-Content-SHA256 is signed as given and taken
    /// as the payload hash, as in botocore: that is how to sign `UNSIGNED-PAYLOAD`.
    /// A caller's `Date` header is the one exception to matching botocore: botocore then signs a
    /// re-formatted Date instead of X-Amz-Date, while this signer always adds X-Amz-Date (which
    /// AWS prefers) and signs the caller's Date as given.
    public func signatureHeaders(for request: SignableRequest, at date: Timestamp) -> [(name: String, value: String)] {
        let parts = headerSigningParts(for: request, at: date)
        let signature = signature(of: parts.canonicalRequest, time: parts.time)

        var authorization: [UInt8] = []
        authorization.reserveCapacity(160 + parts.signedHeaders.count)
        authorization.append(contentsOf: "AWS4-HMAC-SHA256 Credential=".utf8)
        authorization.append(contentsOf: credentials.accessKeyID.utf8)
        authorization.append(SigV4Encoding.slash)
        appendScope(time: parts.time, to: &authorization)
        authorization.append(contentsOf: ", SignedHeaders=".utf8)
        authorization.append(contentsOf: parts.signedHeaders)
        authorization.append(contentsOf: ", Signature=".utf8)
        authorization.append(contentsOf: signature)

        var headers: [(name: String, value: String)] = [("X-Amz-Date", String(decoding: parts.time.stamp, as: UTF8.self))]
        if let token = parts.sessionToken {
            headers.append(("X-Amz-Security-Token", token))
        }
        if isS3 {
            headers.append(("X-Amz-Content-SHA256", String(decoding: parts.payloadHash, as: UTF8.self)))
        }
        headers.append(("Authorization", String(decoding: authorization, as: UTF8.self)))
        return headers
    }

    /// The canonical request `signatureHeaders(for:at:)` signs, to compare with the one AWS
    /// returns in a SignatureDoesNotMatch error.
    public func canonicalRequest(for request: SignableRequest, at date: Timestamp) -> String {
        String(decoding: headerSigningParts(for: request, at: date).canonicalRequest, as: UTF8.self)
    }

    private struct HeaderSigningParts {
        var time: SigningTime
        var canonicalRequest: [UInt8]
        var signedHeaders: [UInt8]
        var payloadHash: [UInt8]
        var sessionToken: String?
    }

    private func headerSigningParts(for request: SignableRequest, at date: Timestamp) -> HeaderSigningParts {
        let time = SigningTime(date)
        // botocore adds the token header only for a non-empty token (`if credentials.token:`),
        // but puts it in a presigned URL whenever it is not None.
        let sessionToken = credentials.sessionToken.flatMap { $0.isEmpty ? nil : $0 }

        // botocore's generic signer takes a caller's X-Amz-Content-SHA256 as the payload hash
        // (how a caller signs UNSIGNED-PAYLOAD); its S3 signer replaces the header with the
        // body's hash.
        let payloadHash: [UInt8]
        if !isS3, let given = Self.firstValue(of: "x-amz-content-sha256", in: request.headers) {
            payloadHash = Array(given.utf8)
        } else {
            payloadHash = Self.sha256Hex(request.body)
        }

        var headers = CanonicalHeaders(capacity: request.headers.count + 4)
        for (index, header) in request.headers.enumerated() {
            let name = header.name.lowercased()
            if Self.unsignedHeaders.contains(name) { continue }
            switch name {
            case "host", "authorization", "x-amz-date":
                continue
            case "x-amz-security-token" where sessionToken != nil:
                continue
            case "x-amz-content-sha256" where isS3:
                continue
            default:
                headers.append(name: name, value: header.value, order: index)
            }
        }
        let order = request.headers.count
        headers.append(name: "host", value: request.host, order: order)
        headers.append(name: "x-amz-date", value: String(decoding: time.stamp, as: UTF8.self), order: order + 1)
        if let sessionToken {
            headers.append(name: "x-amz-security-token", value: sessionToken, order: order + 2)
        }
        if isS3 {
            headers.append(name: "x-amz-content-sha256", value: String(decoding: payloadHash, as: UTF8.self), order: order + 3)
        }
        let rendered = headers.render()

        var query = EncodedQuery(capacity: 64)
        for parameter in request.query {
            query.append(name: parameter.name, value: parameter.value)
        }

        let canonical = canonicalRequest(request, query: query, headers: rendered, payload: payloadHash)
        return HeaderSigningParts(
            time: time,
            canonicalRequest: canonical,
            signedHeaders: rendered.signed,
            payloadHash: payloadHash,
            sessionToken: sessionToken
        )
    }

    // MARK: - Presigned URLs

    /// A query-signed URL (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
    /// X-Amz-SignedHeaders, X-Amz-Security-Token when present, X-Amz-Signature), as botocore's
    /// S3SigV4QueryAuth / generate_presigned_url makes it. `scheme` is "https" or "http".
    ///
    /// The URL is `scheme://host/path?query` with the request's own parameters first, in the
    /// order given, then the signing parameters in botocore's order. The payload is
    /// `UNSIGNED-PAYLOAD` for S3; other services sign the body's hash, as botocore's
    /// SigV4QueryAuth does. AWS accepts `seconds` from 1 to 604800 (seven days).
    ///
    /// Headers in `request.headers` are signed too and listed in X-Amz-SignedHeaders (botocore
    /// does the same), so whoever uses the URL must send them; leave them empty for a URL that
    /// needs nothing but the host.
    ///
    /// Unlike botocore, repeated query names are kept: botocore's presigner passes the query
    /// through a dictionary, so it keeps one value per name and signs a URL that no longer says
    /// what the caller asked for.
    public func presignedURL(for request: SignableRequest, scheme: String, expiresIn seconds: Int, at date: Timestamp) -> String {
        let parts = presignParts(for: request, expiresIn: seconds, at: date)
        let signature = signature(of: parts.canonicalRequest, time: parts.time)

        var url: [UInt8] = []
        url.reserveCapacity(scheme.utf8.count + request.host.utf8.count + request.path.utf8.count + parts.query.bytes.count + 128)
        url.append(contentsOf: scheme.utf8)
        url.append(contentsOf: "://".utf8)
        url.append(contentsOf: request.host.utf8)
        if request.path.isEmpty {
            url.append(SigV4Encoding.slash)
        } else {
            url.append(contentsOf: request.path.utf8)
        }
        url.append(UInt8(ascii: "?"))
        parts.query.appendInOrder(to: &url)
        url.append(contentsOf: "&X-Amz-Signature=".utf8)
        url.append(contentsOf: signature)
        return String(decoding: url, as: UTF8.self)
    }

    /// The canonical request `presignedURL(for:scheme:expiresIn:at:)` signs.
    public func canonicalRequest(forPresigning request: SignableRequest, expiresIn seconds: Int, at date: Timestamp) -> String {
        String(decoding: presignParts(for: request, expiresIn: seconds, at: date).canonicalRequest, as: UTF8.self)
    }

    private struct PresignParts {
        var time: SigningTime
        var query: EncodedQuery
        var canonicalRequest: [UInt8]
    }

    private func presignParts(for request: SignableRequest, expiresIn seconds: Int, at date: Timestamp) -> PresignParts {
        let time = SigningTime(date)

        // botocore's query signer keeps every header of the request and only drops the
        // form content type its own serializer adds by default; when the first Content-Type
        // is that one, `del` removes every Content-Type.
        var headers = CanonicalHeaders(capacity: request.headers.count + 1)
        let dropsContentType = Self.firstValue(of: "content-type", in: request.headers) == "application/x-www-form-urlencoded; charset=utf-8"
        for (index, header) in request.headers.enumerated() {
            let name = header.name.lowercased()
            if Self.unsignedHeaders.contains(name) || name == "host" { continue }
            if dropsContentType && name == "content-type" { continue }
            headers.append(name: name, value: header.value, order: index)
        }
        headers.append(name: "host", value: request.host, order: request.headers.count)
        let rendered = headers.render()

        var query = EncodedQuery(capacity: 256 + (encodedSessionToken?.count ?? 0))
        for parameter in request.query {
            query.append(name: parameter.name, value: parameter.value)
        }
        query.append(encodedName: "X-Amz-Algorithm", encodedValue: "AWS4-HMAC-SHA256".utf8)
        var credential = encodedCredentialPrefix
        credential.append(contentsOf: time.stamp[0..<8])
        credential.append(contentsOf: encodedScopeSuffix)
        query.append(encodedName: "X-Amz-Credential", encodedValue: credential)
        query.append(encodedName: "X-Amz-Date", encodedValue: time.stamp)
        query.append(encodedName: "X-Amz-Expires", encodedValue: String(seconds).utf8)
        var signedHeaders: [UInt8] = []
        SigV4Encoding.appendEncoded(rendered.signed, to: &signedHeaders)
        query.append(encodedName: "X-Amz-SignedHeaders", encodedValue: signedHeaders)
        if let encodedSessionToken {
            query.append(encodedName: "X-Amz-Security-Token", encodedValue: encodedSessionToken)
        }

        // As in botocore, a caller's X-Amz-Content-SHA256 header is the payload hash here too.
        let payload: [UInt8]
        if let given = Self.firstValue(of: "x-amz-content-sha256", in: request.headers) {
            payload = Array(given.utf8)
        } else if isS3 {
            payload = Array("UNSIGNED-PAYLOAD".utf8)
        } else {
            payload = Self.sha256Hex(request.body)
        }

        let canonical = canonicalRequest(request, query: query, headers: rendered, payload: payload)
        return PresignParts(time: time, query: query, canonicalRequest: canonical)
    }

    // MARK: - Shared pieces

    /// Never signed, as in botocore's SIGNED_HEADERS_BLACKLIST: hop-by-hop headers and the
    /// ones clients and proxies rewrite.
    private static let unsignedHeaders: Set<String> = [
        "connection", "expect", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
        "trailer", "transfer-encoding", "upgrade", "user-agent", "x-amzn-trace-id",
    ]

    /// The first value of a header, untrimmed: botocore reads `request.headers[name]`, which
    /// is the first of several and case-insensitive.
    private static func firstValue(of lowercasedName: String, in headers: [(name: String, value: String)]) -> String? {
        for header in headers where header.name.utf8.count == lowercasedName.utf8.count && header.name.lowercased() == lowercasedName {
            return header.value
        }
        return nil
    }

    private static func sha256Hex(_ body: [UInt8]) -> [UInt8] {
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        appendSHA256Hex(of: body, to: &hex)
        return hex
    }

    /// Through `update(bufferPointer:)`: `SHA256.hash(data:)` walks a `DataProtocol`'s regions
    /// generically, unspecialized across the module boundary.
    private static func appendSHA256Hex(of bytes: [UInt8], to out: inout [UInt8]) {
        var hasher = SHA256()
        bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        hasher.finalize().withUnsafeBytes { SigV4Encoding.appendHex($0, to: &out) }
    }

    /// The canonical request, header-signed or presigned alike: method, URI, query, headers,
    /// signed header names and payload hash, each on its own line.
    private func canonicalRequest(
        _ request: SignableRequest, query: EncodedQuery, headers: (canonical: [UInt8], signed: [UInt8]),
        payload: [UInt8]
    ) -> [UInt8] {
        var canonical: [UInt8] = []
        canonical.reserveCapacity(256 + request.path.utf8.count + query.bytes.count + headers.canonical.count)
        appendCanonicalMethodAndPath(request, to: &canonical)
        query.appendCanonical(to: &canonical)
        canonical.append(UInt8(ascii: "\n"))
        canonical.append(contentsOf: headers.canonical)
        canonical.append(UInt8(ascii: "\n"))
        canonical.append(contentsOf: headers.signed)
        canonical.append(UInt8(ascii: "\n"))
        canonical.append(contentsOf: payload)
        return canonical
    }

    /// `METHOD\nURI\n`, the method upper-cased as botocore does.
    private func appendCanonicalMethodAndPath(_ request: SignableRequest, to out: inout [UInt8]) {
        for byte in request.method.utf8 {
            out.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte)
        }
        out.append(UInt8(ascii: "\n"))
        if request.path.isEmpty {
            out.append(SigV4Encoding.slash)
        } else {
            switch canonicalPath {
            case .asSent:
                out.append(contentsOf: request.path.utf8)
            case .normalizedAndEncoded:
                // botocore: quote(normalize_url_path(path), safe='/~'). Encoding what is already
                // encoded is deliberate: AWS's non-S3 services sign the path encoded twice. A path
                // given unencoded (the signing suite's "/example space/", "/ሴ") is thus encoded
                // once, as botocore and aws-c-auth do with it.
                let normalized = SigV4Encoding.removeDotSegments(Array(request.path.utf8))
                if normalized.isEmpty {
                    out.append(SigV4Encoding.slash)
                } else {
                    SigV4Encoding.appendEncoded(normalized, keepingSlash: true, to: &out)
                }
            }
        }
        out.append(UInt8(ascii: "\n"))
    }

    /// `yyyyMMdd/region/service/aws4_request`.
    private func appendScope(time: SigningTime, to out: inout [UInt8]) {
        out.append(contentsOf: time.stamp[0..<8])
        out.append(contentsOf: scopeSuffix)
    }

    /// The hex HMAC of the string to sign, with the day's signing key.
    private func signature(of canonicalRequest: [UInt8], time: SigningTime) -> [UInt8] {
        var stringToSign: [UInt8] = []
        stringToSign.reserveCapacity(160 + scopeSuffix.count)
        stringToSign.append(contentsOf: "AWS4-HMAC-SHA256\n".utf8)
        stringToSign.append(contentsOf: time.stamp)
        stringToSign.append(UInt8(ascii: "\n"))
        appendScope(time: time, to: &stringToSign)
        stringToSign.append(UInt8(ascii: "\n"))
        Self.appendSHA256Hex(of: canonicalRequest, to: &stringToSign)

        var mac = signingKeys.keyedHMAC(for: time)
        stringToSign.withUnsafeBytes { mac.update(data: $0) }
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        mac.finalize().withUnsafeBytes { SigV4Encoding.appendHex($0, to: &hex) }
        return hex
    }
}

/// The signing instant as `yyyyMMdd'T'HHmmss'Z'`; milliseconds are dropped, as botocore's
/// strftime drops microseconds.
struct SigningTime {
    var stamp: [UInt8]
    /// yyyyMMdd as a number, to key the signing-key cache without comparing strings.
    var day: Int

    init(_ date: Timestamp) {
        let c = date.components
        var stamp = [UInt8](repeating: UInt8(ascii: "0"), count: 16)
        func put(_ value: Int, _ width: Int, at offset: Int) {
            var rest = value
            for position in stride(from: offset + width - 1, through: offset, by: -1) {
                stamp[position] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest % 10)
                rest /= 10
            }
        }
        put(c.year, 4, at: 0)
        put(c.month, 2, at: 4)
        put(c.day, 2, at: 6)
        stamp[8] = UInt8(ascii: "T")
        put(c.hour, 2, at: 9)
        put(c.minute, 2, at: 11)
        put(c.second, 2, at: 13)
        stamp[15] = UInt8(ascii: "Z")
        self.stamp = stamp
        self.day = c.year * 10_000 + c.month * 100 + c.day
    }
}

/// Lower-cased headers with their trimmed values, sorted by name into the canonical block.
struct CanonicalHeaders {
    private var entries: [(name: String, value: String, order: Int)] = []

    init(capacity: Int) {
        entries.reserveCapacity(capacity)
    }

    mutating func append(name: String, value: String, order: Int) {
        entries.append((name, value, order))
    }

    /// `name:value\n` per name, values of a repeated name joined with `,` in the order given
    /// (not sorted: the suite's get-header-value-order), and the `;`-joined signed list.
    func render() -> (canonical: [UInt8], signed: [UInt8]) {
        // Names compare by UTF-8 bytes, which is code point order, as Python's sort; `order`
        // keeps repeated names in request order whatever the sort's stability.
        let sorted = entries.sorted { a, b in
            if a.name != b.name { return a.name.utf8.lexicographicallyPrecedes(b.name.utf8) }
            return a.order < b.order
        }
        var canonical: [UInt8] = []
        canonical.reserveCapacity(sorted.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 })
        var signed: [UInt8] = []
        var previous: String?
        for entry in sorted {
            if entry.name == previous {
                canonical.append(UInt8(ascii: ","))
            } else {
                if previous != nil {
                    canonical.append(UInt8(ascii: "\n"))
                    signed.append(UInt8(ascii: ";"))
                }
                canonical.append(contentsOf: entry.name.utf8)
                canonical.append(UInt8(ascii: ":"))
                signed.append(contentsOf: entry.name.utf8)
                previous = entry.name
            }
            SigV4Encoding.appendTrimmed(entry.value, to: &canonical)
        }
        if previous != nil { canonical.append(UInt8(ascii: "\n")) }
        return (canonical, signed)
    }
}

/// The last day's signing key, as an HMAC already keyed with it. Deriving the key costs four
/// HMACs and keying one pads and hashes the key twice, together more than signing itself;
/// both only change when the UTC date does. Copies of the keyed HMAC are independent (its
/// digest state is copy-on-write), so each signature updates its own.
final class SigningKeyCache: Sendable {
    private let secret: [UInt8]
    private let region: [UInt8]
    private let service: [UInt8]
    private let latest = Mutex<(day: Int, mac: HMAC<SHA256>)?>(nil)

    init(secret: [UInt8], region: [UInt8], service: [UInt8]) {
        self.secret = secret
        self.region = region
        self.service = service
    }

    func keyedHMAC(for time: SigningTime) -> HMAC<SHA256> {
        let day = time.day
        if let cached = latest.withLock({ entry in entry?.day == day ? entry?.mac : nil }) {
            return cached
        }
        let dateKey = HMAC<SHA256>.authenticationCode(for: time.stamp[0..<8], using: SymmetricKey(data: secret))
        let regionKey = HMAC<SHA256>.authenticationCode(for: region, using: SymmetricKey(data: dateKey))
        let serviceKey = HMAC<SHA256>.authenticationCode(for: service, using: SymmetricKey(data: regionKey))
        let signingKey = HMAC<SHA256>.authenticationCode(for: Array("aws4_request".utf8), using: SymmetricKey(data: serviceKey))
        let mac = HMAC<SHA256>(key: SymmetricKey(data: signingKey))
        latest.withLock { $0 = (day, mac) }
        return mac
    }
}
