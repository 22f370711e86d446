public import AWSConnectionsCore
public import AsyncHTTPClient

/// The S3 reads a verification makes, and presigned `GET` URLs for a customer's objects.
public struct S3Client: Sendable {
    private let transport: AWSTransport
    private let endpoints: AWSEndpoints

    public init(
        httpClient: HTTPClient = .aws, endpoints: AWSEndpoints, timeout: Duration, metrics: AWSCallMetrics = .off
    ) {
        self.transport = AWSTransport(httpClient: httpClient, timeout: timeout, metrics: metrics)
        self.endpoints = endpoints
    }

    /// `ListObjectsV2` for at most one key: succeeds when `credentials` may list the bucket.
    public func listOneObject(bucket: String, region: String, credentials: AWSCredentials) async throws(AWSCallError) {
        let address = objectAddress(bucket: bucket, key: nil, region: region)
        let request = SignableRequest(
            method: "GET", host: address.host, path: address.path, query: [("list-type", "2"), ("max-keys", "1")])
        let response = try await send(
            request, action: .listObjectsV2, scheme: address.scheme, region: region, credentials: credentials)
        guard response.isSuccess else {
            throw response.xmlError(
                codeWithoutDocument: response.status == 404 ? "NoSuchBucket" : nil, redacting: secrets(credentials))
        }
    }

    /// `GetObject` of the first byte only: succeeds when `credentials` may read the object.
    ///
    /// An empty object answers `InvalidRange` (416), which S3 only sends after the read was
    /// authorised, so it counts as readable.
    public func readFirstByte(bucket: String, key: String, region: String, credentials: AWSCredentials)
        async throws(AWSCallError)
    {
        let address = objectAddress(bucket: bucket, key: key, region: region)
        let request = SignableRequest(
            method: "GET", host: address.host, path: address.path, headers: [("Range", "bytes=0-0")])
        let response = try await send(
            request, action: .getObject, scheme: address.scheme, region: region, credentials: credentials)
        if response.isSuccess || response.status == 416 { return }
        throw response.xmlError(
            codeWithoutDocument: response.status == 404 ? "NoSuchKey" : nil, redacting: secrets(credentials))
    }

    /// A URL that lets its holder `GET` the object until `expiresIn` seconds after `at`.
    public func presignedGetURL(
        bucket: String, key: String, region: String, credentials: AWSCredentials, expiresIn: Int, at: Timestamp
    ) -> String {
        let address = objectAddress(bucket: bucket, key: key, region: region)
        let signer = SigV4Signer(credentials: credentials, region: region, service: "s3")
        return signer.presignedURL(
            for: SignableRequest(method: "GET", host: address.host, path: address.path), scheme: address.scheme,
            expiresIn: expiresIn, at: at)
    }

    private func send(
        _ request: SignableRequest, action: AWSAction, scheme: String, region: String, credentials: AWSCredentials
    ) async throws(AWSCallError) -> AWSResponse {
        let signer = SigV4Signer(credentials: credentials, region: region, service: "s3")
        return try await transport.send(request, scheme: scheme, signer: signer, action: action)
    }

    private func secrets(_ credentials: AWSCredentials) -> [String] {
        [credentials.secretAccessKey, credentials.sessionToken ?? ""]
    }

    /// Where a bucket, or an object in it, is: scheme, `Host` and the percent-encoded path,
    /// which is also exactly the path that is signed.
    struct Address: Equatable {
        var scheme: String
        var host: String
        var path: String
    }

    func objectAddress(bucket: String, key: String?, region: String) -> Address {
        let endpoint = endpoints.s3(region: region)
        let keyPath = key.map { "/" + AWSTransport.percentEncode($0, keepingSlash: true) } ?? ""
        if Self.usesPathStyle(bucket: bucket, endpoint: endpoint) {
            return Address(
                scheme: endpoint.scheme, host: endpoint.host,
                path: endpoint.basePath + "/" + AWSTransport.percentEncode(bucket) + keyPath)
        }
        return Address(
            scheme: endpoint.scheme, host: "\(bucket).\(endpoint.host)", path: keyPath.isEmpty ? "/" : keyPath)
    }

    /// Path-style (`host/bucket/key`) for a custom endpoint (local stand-ins have no wildcard
    /// DNS) and for names that cannot be a DNS label under the TLS certificate's `*.s3…`
    /// (a dot, or a legacy name with capitals or underscores); virtual-hosted otherwise, as AWS asks.
    static func usesPathStyle(bucket: String, endpoint: AWSEndpoint) -> Bool {
        if endpoint.isCustom { return true }
        let utf8 = bucket.utf8
        guard (3...63).contains(utf8.count), utf8.first != UInt8(ascii: "-"), utf8.last != UInt8(ascii: "-") else {
            return true
        }
        return !utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
    }
}
