import AWSConnectionsCore
import AsyncHTTPClient
import NIOCore
import NIOHTTP1

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// An answer read whole: status, headers, and at most `AWSTransport.bodyLimit` bytes of body
/// (a longer body is cut there, which leaves it unparsable rather than holding memory).
struct AWSResponse: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    var isSuccess: Bool { (200..<300).contains(status) }

    /// The first value of a header, by case-insensitive name.
    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The error an unsuccessful XML answer stands for (STS, S3).
    ///
    /// AWS's own `Code` and `Message` when the body has an `<Error>`; otherwise a code from
    /// the status (`codeWithoutDocument` first: S3 answers some 404s with no body at all).
    /// `secrets` (the keys and tokens the call sent) are blanked out of the message in case a
    /// stand-in echoes them; AWS itself never does.
    func xmlError(codeWithoutDocument: String? = nil, redacting secrets: [String]) -> AWSCallError {
        if let error = AWSXML.error(in: body) {
            var message = error.message
            // S3 names the bucket's real region only in a header; it is the useful half of the answer.
            if let region = header("x-amz-bucket-region"), !region.isEmpty,
                ["PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException"]
                    .contains(error.code)
            {
                message += (message.isEmpty ? "" : " ") + "The bucket is in \(region)."
            }
            return .service(
                code: AWSTransport.customerSafe(error.code, redacting: secrets),
                message: AWSTransport.customerSafe(message, redacting: secrets), status: status)
        }
        let code = codeWithoutDocument ?? AWSTransport.code(forStatus: status)
        return .service(code: code, message: "AWS answered HTTP \(status) without an error document.", status: status)
    }
}

/// The one place that sends requests to AWS and to credential endpoints.
///
/// Every call has one deadline for the whole exchange, body included: AsyncHTTPClient's own
/// deadline stops at the response head, so a server that sends headers and then stalls would
/// otherwise hold the call until the client's read timeout.
struct AWSTransport: Sendable {
    /// More than any answer the platform reads (credentials, an error, one listed key, one byte).
    static let bodyLimit = 1 << 20
    /// Added after signing, as the SDKs do, so a proxy that rewrites it cannot break a signature.
    static let userAgent = "aws-connections"

    var httpClient: HTTPClient
    var timeout: Duration
    var metrics: AWSCallMetrics

    init(httpClient: HTTPClient, timeout: Duration, metrics: AWSCallMetrics = .off) {
        self.httpClient = httpClient
        self.timeout = timeout
        self.metrics = metrics
    }

    /// Sends `request` to `scheme://request.host`, signed by `signer` when one is given, and
    /// counts it under `action` when one is given.
    ///
    /// Any HTTP status is returned; only the exchange failing throws (`timeout`, `unreachable`).
    func send(_ request: SignableRequest, scheme: String, signer: SigV4Signer? = nil, action: AWSAction? = nil)
        async throws(AWSCallError) -> AWSResponse
    {
        guard let action else { return try await exchange(request, scheme: scheme, signer: signer) }
        let start = ContinuousClock.now
        do {
            let response = try await exchange(request, scheme: scheme, signer: signer)
            let ok = response.isSuccess || (action == .getObject && response.status == 416)
            metrics.record(action, outcome: ok ? "ok" : "error", elapsed: ContinuousClock.now - start)
            return response
        } catch {
            let outcome = if case .timeout = error { "timeout" } else { "unreachable" }
            metrics.record(action, outcome: outcome, elapsed: ContinuousClock.now - start)
            throw error
        }
    }

    private func exchange(_ request: SignableRequest, scheme: String, signer: SigV4Signer?) async throws(AWSCallError)
        -> AWSResponse
    {
        guard !request.host.isEmpty else {
            throw .unreachable("no valid endpoint URL is configured for this call")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: request.host)
        for header in request.headers { headers.add(name: header.name, value: header.value) }
        if let signer {
            for header in signer.signatureHeaders(for: request, at: .now()) {
                headers.replaceOrAdd(name: header.name, value: header.value)
            }
        }
        headers.add(name: "User-Agent", value: Self.userAgent)

        var httpRequest = HTTPClientRequest(
            url: "\(scheme)://\(request.host)\(request.path)\(Self.queryString(request.query))")
        httpRequest.method = HTTPMethod(rawValue: request.method)
        httpRequest.headers = headers
        if !request.body.isEmpty {
            httpRequest.body = .bytes(request.body)
        }

        let prepared = httpRequest
        let client = httpClient
        let timeout = timeout
        let outcome: Result<AWSResponse, any Error>? = await withTaskGroup(of: Result<AWSResponse, any Error>?.self) {
            group in
            group.addTask {
                do {
                    return .success(
                        try await Self.exchange(prepared, client: client, deadline: .now() + TimeAmount(timeout)))
                } catch {
                    return .failure(error)
                }
            }
            group.addTask {
                // Ends early (and yields nil all the same) when the exchange wins and cancels it.
                try? await Task.sleep(for: timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .success(let response)?: return response
        case .failure(let error)?: throw Self.callError(error, host: request.host)
        // The deadline came first, or the caller was cancelled: either way no answer in time.
        case nil: throw .timeout
        }
    }

    private static func exchange(_ request: HTTPClientRequest, client: HTTPClient, deadline: NIODeadline) async throws
        -> AWSResponse
    {
        let response = try await client.execute(request, deadline: deadline)
        var body: [UInt8] = []
        for try await buffer in response.body {
            let room = bodyLimit - body.count
            if buffer.readableBytes > room {
                body.append(contentsOf: buffer.readableBytesView.prefix(room))
                break
            }
            body.append(contentsOf: buffer.readableBytesView)
        }
        return AWSResponse(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) }, body: body)
    }

    // MARK: - Encoding

    /// RFC 3986 percent-encoding of UTF-8 bytes: unreserved characters kept, `/` kept too when
    /// `keepingSlash` (object keys in paths), upper-case hex, the form SigV4 signs.
    static func percentEncode(_ text: String, keepingSlash: Bool = false) -> String {
        let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.append(byte)
            case UInt8(ascii: "/") where keepingSlash:
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `?name=value&…` with each part percent-encoded, or `""` without parameters.
    static func queryString(_ query: [(name: String, value: String)]) -> String {
        guard !query.isEmpty else { return "" }
        return "?" + formEncode(query)
    }

    /// `name=value&…`, each part percent-encoded: a query string, or an STS form body.
    static func formEncode(_ parameters: [(name: String, value: String)]) -> String {
        parameters.map { "\(percentEncode($0.name))=\(percentEncode($0.value))" }.joined(separator: "&")
    }

    // MARK: - Errors

    /// What a customer may read of a text AWS sent: no echoed secret, no control characters,
    /// not more than a paragraph.
    static func customerSafe(_ text: String, redacting secrets: [String]) -> String {
        var result = text
        // Short values could match ordinary words; real keys and tokens are far longer.
        for secret in secrets where secret.utf8.count >= 8 {
            result = result.replacing(secret, with: "<redacted>")
        }
        result = String(result.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
        let limit = 1000
        if result.count > limit { result = String(result.prefix(limit)) + "…" }
        return result.strippingASCIIWhitespace
    }

    /// AWS's name for a status when the answer has no error document.
    static func code(forStatus status: Int) -> String {
        switch status {
        case 301: "PermanentRedirect"
        case 307: "TemporaryRedirect"
        case 400: "BadRequest"
        case 401: "Unauthorized"
        case 403: "AccessDenied"
        case 404: "NotFound"
        case 405: "MethodNotAllowed"
        case 409: "Conflict"
        case 412: "PreconditionFailed"
        case 416: "InvalidRange"
        case 429: "Throttling"
        case 500: "InternalError"
        case 503: "ServiceUnavailable"
        default: "HTTP\(status)"
        }
    }

    /// Maps a failed exchange to `timeout` or `unreachable` with a short reason naming `host`.
    ///
    /// The reason is built here from what kind of failure it was, never copied from the
    /// underlying error, whose text may quote the request.
    static func callError(_ error: any Error, host: String) -> AWSCallError {
        if error is CancellationError { return .timeout }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout, .cancelled, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                return .timeout
            case .remoteConnectionClosed:
                return .unreachable("connection closed by \(host)")
            case .redirectLimitReached, .redirectCycleDetected:
                return .unreachable("\(host) redirected too many times")
            default:
                return .unreachable("invalid HTTP exchange with \(host)")
            }
        }
        if let error = error as? ChannelError {
            switch error {
            case .connectTimeout: return .timeout
            default: return .unreachable("connection closed by \(host)")
            }
        }
        if error is HTTPParserError {
            return .unreachable("invalid HTTP answer from \(host)")
        }
        if let ioError = findIOError(in: error, depth: 0) {
            return callError(errno: ioError.errnoCode, host: host)
        }
        // NIOPosix and NIOSSL are not dependencies of this module, so their errors are known
        // by their documented descriptions and type names.
        if String(describing: error).hasPrefix("DNS error") {
            return .unreachable("cannot resolve \(host)")
        }
        let typeName = String(reflecting: type(of: error))
        if typeName.contains("SSL") || typeName.contains("TLS") {
            return .unreachable("TLS handshake with \(host) failed")
        }
        return .unreachable("cannot connect to \(host)")
    }

    static func callError(errno: CInt, host: String) -> AWSCallError {
        switch errno {
        case ECONNREFUSED: .unreachable("connection refused to \(host)")
        case ECONNRESET, EPIPE: .unreachable("connection reset by \(host)")
        case ETIMEDOUT: .timeout
        case EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL: .unreachable("no route to \(host)")
        default: .unreachable("cannot connect to \(host)")
        }
    }

    /// A connection error is an `IOError` inside NIOPosix's connection error, one per address tried.
    private static func findIOError(in value: Any, depth: Int) -> IOError? {
        if let ioError = value as? IOError { return ioError }
        guard depth < 4 else { return nil }
        for child in Mirror(reflecting: value).children {
            if let found = findIOError(in: child.value, depth: depth + 1) { return found }
        }
        return nil
    }
}
