public import AsyncHTTPClient

/// The two STS calls the platform makes, over STS's query protocol (a form POST answered in XML).
public struct STSClient: Sendable {
    static let apiVersion = "2011-06-15"

    private let transport: AWSTransport
    private let endpoints: AWSEndpoints

    public init(
        httpClient: HTTPClient = .aws, endpoints: AWSEndpoints, timeout: Duration, metrics: AWSCallMetrics = .off
    ) {
        self.transport = AWSTransport(httpClient: httpClient, timeout: timeout, metrics: metrics)
        self.endpoints = endpoints
    }

    /// Temporary credentials for `roleARN`, asked for with `credentials` (the platform's own).
    ///
    /// `externalID` nil sends no `ExternalId`, which a role that requires one must refuse.
    public func assumeRole(
        roleARN: String, externalID: String?, sessionName: String, durationSeconds: Int = 3600, region: String,
        credentials: AWSCredentials
    ) async throws(AWSCallError) -> AWSCredentials {
        var parameters: [(name: String, value: String)] = [
            ("Action", "AssumeRole"), ("Version", Self.apiVersion), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName), ("DurationSeconds", String(durationSeconds)),
        ]
        if let externalID { parameters.append(("ExternalId", externalID)) }
        let signer = SigV4Signer(credentials: credentials, region: region, service: "sts")
        return try await call(
            parameters, action: .assumeRole, region: region, signer: signer,
            secrets: [credentials.secretAccessKey, credentials.sessionToken ?? ""])
    }

    /// Temporary credentials for `roleARN` in exchange for an OIDC token (EKS, GitHub Actions…).
    ///
    /// Unsigned, as AWS documents: the token is the proof of identity.
    public func assumeRoleWithWebIdentity(
        roleARN: String, sessionName: String, webIdentityToken: String, region: String
    )
        async throws(AWSCallError) -> AWSCredentials
    {
        let parameters: [(name: String, value: String)] = [
            ("Action", "AssumeRoleWithWebIdentity"), ("Version", Self.apiVersion), ("RoleArn", roleARN),
            ("RoleSessionName", sessionName), ("WebIdentityToken", webIdentityToken),
        ]
        return try await call(
            parameters, action: .assumeRoleWithWebIdentity, region: region, signer: nil, secrets: [webIdentityToken])
    }

    private func call(
        _ parameters: [(name: String, value: String)], action: AWSAction, region: String, signer: SigV4Signer?,
        secrets: [String]
    ) async throws(AWSCallError) -> AWSCredentials {
        let endpoint = endpoints.sts(region: region)
        let request = SignableRequest(
            method: "POST", host: endpoint.host, path: endpoint.basePath + "/",
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(AWSTransport.formEncode(parameters).utf8))
        let response = try await transport.send(request, scheme: endpoint.scheme, signer: signer, action: action)
        guard response.isSuccess else {
            throw response.xmlError(redacting: secrets)
        }
        guard let credentials = Self.credentials(in: response.body) else {
            throw .service(
                code: "MalformedResponse", message: "STS answered without readable credentials.",
                status: response.status)
        }
        return credentials
    }

    /// The `<Credentials>` of an `AssumeRole…Result`; nil unless all four fields are there.
    static func credentials(in body: [UInt8]) -> AWSCredentials? {
        guard
            let texts = AWSXML.firstTexts(
                named: ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"], inside: "Credentials", in: body
            ),
            let accessKeyID = texts["AccessKeyId"], !accessKeyID.isEmpty,
            let secret = texts["SecretAccessKey"], !secret.isEmpty,
            let token = texts["SessionToken"], !token.isEmpty,
            let expiration = texts["Expiration"].flatMap(AWSISO8601.parse)
        else { return nil }
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token, expiration: expiration)
    }
}
