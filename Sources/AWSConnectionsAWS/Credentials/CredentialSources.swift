import AWSConnectionsCore
import Foundation

/// Why one source of the chain gave no credentials: shown in `AWSCredentialsError` and logs,
/// so it names variables, files and hosts, never a value that is a secret.
struct CredentialSourceFailure: Error, Sendable, Equatable {
    var reason: String
}

// MARK: - Environment

enum EnvironmentCredentials {
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`, with `AWS_SESSION_TOKEN` and
    /// `AWS_CREDENTIAL_EXPIRATION` when set.
    static func read(_ environment: [String: String]) -> Result<AWSCredentials, CredentialSourceFailure> {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.strippingASCIIWhitespace, !value.isEmpty else { return nil }
            return value
        }
        switch (value("AWS_ACCESS_KEY_ID"), value("AWS_SECRET_ACCESS_KEY")) {
        case (let id?, let secret?):
            return .success(
                AWSCredentials(
                    accessKeyID: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"),
                    expiration: value("AWS_CREDENTIAL_EXPIRATION").flatMap(AWSISO8601.parse)))
        case (_?, nil):
            return .failure(
                CredentialSourceFailure(reason: "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not"))
        case (nil, _?):
            return .failure(
                CredentialSourceFailure(reason: "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"))
        case (nil, nil):
            return .failure(CredentialSourceFailure(reason: "AWS_ACCESS_KEY_ID is not set"))
        }
    }
}

// MARK: - Web identity

/// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`: EKS service accounts (IRSA) and other OIDC setups.
struct WebIdentitySettings: Sendable, Equatable {
    var roleARN: String
    var tokenFile: String
    var sessionName: String
    var region: String

    /// Nil unless both variables are set. The region is `AWS_REGION`, else `AWS_DEFAULT_REGION`,
    /// else us-east-1, as in the SDKs.
    init?(environment: [String: String], now: Timestamp) {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.strippingASCIIWhitespace, !value.isEmpty else { return nil }
            return value
        }
        guard let roleARN = value("AWS_ROLE_ARN"), let tokenFile = value("AWS_WEB_IDENTITY_TOKEN_FILE") else {
            return nil
        }
        self.roleARN = roleARN
        self.tokenFile = tokenFile
        self.sessionName = value("AWS_ROLE_SESSION_NAME") ?? "aws-connections-\(now.millisecondsSinceEpoch)"
        self.region = value("AWS_REGION") ?? value("AWS_DEFAULT_REGION") ?? "us-east-1"
    }

    /// Reads the token file again each time: the orchestrator rotates it (hourly on EKS).
    func fetch(sts: STSClient) async throws(CredentialSourceFailure) -> AWSCredentials {
        guard let data = FileManager.default.contents(atPath: tokenFile) else {
            throw CredentialSourceFailure(reason: "cannot read AWS_WEB_IDENTITY_TOKEN_FILE \(tokenFile)")
        }
        let token = String(decoding: data, as: UTF8.self).strippingASCIIWhitespace
        guard !token.isEmpty else {
            throw CredentialSourceFailure(reason: "AWS_WEB_IDENTITY_TOKEN_FILE \(tokenFile) is empty")
        }
        do {
            return try await sts.assumeRoleWithWebIdentity(
                roleARN: roleARN, sessionName: sessionName, webIdentityToken: token, region: region)
        } catch {
            throw CredentialSourceFailure(reason: "STS AssumeRoleWithWebIdentity failed: \(error)")
        }
    }
}

// MARK: - Container

/// The ECS task role or EKS Pod Identity endpoint.
struct ContainerSettings: Sendable, Equatable {
    /// The ECS agent's address, which relative URIs are relative to.
    static let ecsHost = "http://169.254.170.2"

    var url: EndpointURL
    var tokenFile: String?
    var token: String?
    /// The URI for logs and `AWSCredentialSource`: never the query, and for a relative URI not
    /// its last segment, the per-task id that ECS puts there and that anyone in the task's
    /// network could exchange for its credentials.
    var displayURI: String

    /// Nil when neither `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` nor `…_FULL_URI` is set; the
    /// relative one wins, as in the SDKs. A full URI must be `https`, or `http` to a loopback
    /// address or to the ECS / EKS agent: the SDKs refuse to send the authorization token in
    /// clear anywhere else.
    static func from(_ environment: [String: String]) -> Result<ContainerSettings, CredentialSourceFailure>? {
        func value(_ name: String) -> String? {
            guard let value = environment[name]?.strippingASCIIWhitespace, !value.isEmpty else { return nil }
            return value
        }
        let url: EndpointURL
        let displayURI: String
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            guard let parsed = EndpointURL(ecsHost + (relative.hasPrefix("/") ? "" : "/") + relative) else {
                return .failure(
                    CredentialSourceFailure(reason: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI is not a URI path"))
            }
            url = parsed
            let segments = parsed.path.split(separator: "/")
            displayURI = ecsHost + segments.dropLast().map { "/" + $0 }.joined() + (segments.isEmpty ? "" : "/…")
        } else if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
            guard let parsed = EndpointURL(full) else {
                return .failure(
                    CredentialSourceFailure(reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI is not an http(s) URL"))
            }
            guard parsed.scheme == "https" || isAllowedPlainHTTPHost(parsed.bareHost) else {
                return .failure(
                    CredentialSourceFailure(
                        reason: "AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, "
                            + "or http to a loopback address or the ECS/EKS agent"))
            }
            url = parsed
            displayURI = "\(parsed.scheme)://\(parsed.hostWithPort)\(parsed.path)"
        } else {
            return nil
        }
        return .success(
            ContainerSettings(
                url: url, tokenFile: value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                token: value("AWS_CONTAINER_AUTHORIZATION_TOKEN"), displayURI: displayURI))
    }

    static func isAllowedPlainHTTPHost(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "169.254.170.2" || host == "169.254.170.23"
            || host == "fd00:ec2::23"
        {
            return true
        }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    func fetch(transport: AWSTransport) async throws(CredentialSourceFailure) -> AWSCredentials {
        var authorization: String?
        // The token file is read again each time: EKS Pod Identity rotates it.
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw CredentialSourceFailure(reason: "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile)")
            }
            authorization = String(decoding: data, as: UTF8.self).strippingASCIIWhitespace
        } else {
            authorization = token
        }
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if let authorization, !authorization.isEmpty {
            guard !authorization.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
                throw CredentialSourceFailure(reason: "the container authorization token contains a line break")
            }
            headers.append(("Authorization", authorization))
        }
        let request = SignableRequest(
            method: "GET", host: url.hostWithPort, path: url.path.isEmpty ? "/" : url.path,
            query: Self.decodedQuery(url.query), headers: headers)
        let secrets = [authorization ?? ""]
        let response: AWSResponse
        do {
            response = try await transport.send(request, scheme: url.scheme)
        } catch {
            throw CredentialSourceFailure(reason: "\(displayURI): \(error)")
        }
        guard response.isSuccess else {
            throw CredentialSourceFailure(
                reason: "\(displayURI): \(JSONCredentials.error(in: response, redacting: secrets))")
        }
        return try JSONCredentials.parse(response.body, tokenField: "Token", from: displayURI)
    }

    /// Splits `a=b&c=d` into decoded pairs, which `AWSTransport` encodes again the same way.
    static func decodedQuery(_ query: String) -> [(name: String, value: String)] {
        guard !query.isEmpty else { return [] }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            return (name, value)
        }
    }
}

// MARK: - Instance metadata

/// EC2 instance metadata, IMDSv2 only: a session token first, then the role's credentials.
struct InstanceMetadataSettings: Sendable, Equatable {
    static let defaultEndpoint = "http://169.254.169.254"
    static let ipv6Endpoint = "http://[fd00:ec2::254]"
    /// Six hours, the most IMDS grants; one token serves the three calls of one refresh.
    static let tokenTTLSeconds = "21600"
    /// Long enough for a real instance, short enough that a laptop or a container without
    /// IMDS does not hold up the server's start; the SDKs' default.
    static let defaultTimeout: Duration = .seconds(1)

    var endpoint: AWSEndpoint
    /// Per call: `AWS_METADATA_SERVICE_TIMEOUT` seconds, as the SDKs read it, else one second.
    var timeout: Duration = defaultTimeout

    /// Nil when `AWS_EC2_METADATA_DISABLED` is `true`. The endpoint is
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else the IPv6 one when
    /// `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE` is `IPv6`, else the IPv4 one.
    static func from(_ environment: [String: String]) -> Result<InstanceMetadataSettings, CredentialSourceFailure>? {
        if environment["AWS_EC2_METADATA_DISABLED"]?.strippingASCIIWhitespace.lowercased() == "true" { return nil }
        let configured = environment["AWS_EC2_METADATA_SERVICE_ENDPOINT"]?.strippingASCIIWhitespace ?? ""
        let text: String
        if !configured.isEmpty {
            text = configured
        } else if environment["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"]?.lowercased() == "ipv6" {
            text = ipv6Endpoint
        } else {
            text = defaultEndpoint
        }
        guard let endpoint = AWSEndpoint(url: text, isCustom: !configured.isEmpty) else {
            return .failure(CredentialSourceFailure(reason: "AWS_EC2_METADATA_SERVICE_ENDPOINT is not an http(s) URL"))
        }
        var timeout = defaultTimeout
        if let text = environment["AWS_METADATA_SERVICE_TIMEOUT"]?.strippingASCIIWhitespace, !text.isEmpty {
            guard let seconds = Double(text), seconds > 0, seconds <= 3600 else {
                return .failure(CredentialSourceFailure(reason: "AWS_METADATA_SERVICE_TIMEOUT is not a number of seconds"))
            }
            timeout = .milliseconds(Int64(seconds * 1000))
        }
        return .success(InstanceMetadataSettings(endpoint: endpoint, timeout: timeout))
    }

    func fetch(transport: AWSTransport) async throws(CredentialSourceFailure) -> AWSCredentials {
        let place = endpoint.description
        func get(_ path: String, method: String = "GET", headers: [(name: String, value: String)], secrets: [String])
            async throws(CredentialSourceFailure) -> AWSResponse
        {
            let request = SignableRequest(
                method: method, host: endpoint.host, path: endpoint.basePath + path, headers: headers)
            let response: AWSResponse
            do {
                response = try await transport.send(request, scheme: endpoint.scheme)
            } catch {
                throw CredentialSourceFailure(reason: "\(place): \(error)")
            }
            guard response.isSuccess else {
                if response.status == 404, path.hasPrefix("/latest/meta-data/iam/security-credentials/") {
                    throw CredentialSourceFailure(reason: "\(place): no IAM role is attached to this instance")
                }
                throw CredentialSourceFailure(
                    reason: "\(place): \(JSONCredentials.error(in: response, redacting: secrets))")
            }
            return response
        }

        let tokenResponse = try await get(
            "/latest/api/token", method: "PUT",
            headers: [("X-aws-ec2-metadata-token-ttl-seconds", Self.tokenTTLSeconds)],
            secrets: [])
        let token = String(decoding: tokenResponse.body, as: UTF8.self).strippingASCIIWhitespace
        guard !token.isEmpty, !token.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else {
            throw CredentialSourceFailure(reason: "\(place): no usable IMDSv2 session token")
        }
        let tokenHeader = [(name: "X-aws-ec2-metadata-token", value: token)]
        let rolesResponse = try await get(
            "/latest/meta-data/iam/security-credentials/", headers: tokenHeader, secrets: [token])
        let roleName =
            String(decoding: rolesResponse.body, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first.map { String($0).strippingASCIIWhitespace }
            ?? ""
        guard !roleName.isEmpty else {
            throw CredentialSourceFailure(reason: "\(place): no IAM role is attached to this instance")
        }
        let credentialsResponse = try await get(
            "/latest/meta-data/iam/security-credentials/" + AWSTransport.percentEncode(roleName), headers: tokenHeader,
            secrets: [token])
        return try JSONCredentials.parse(credentialsResponse.body, tokenField: "Token", from: place)
    }
}

// MARK: - JSON answers

/// The JSON that container endpoints and instance metadata answer with:
/// `{"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "Code"?}`.
enum JSONCredentials {
    static func parse(_ body: [UInt8], tokenField: String, from source: String) throws(CredentialSourceFailure)
        -> AWSCredentials
    {
        guard case .object(let object)? = try? JSONValue.parse(body) else {
            throw CredentialSourceFailure(reason: "\(source): the answer is not a JSON object")
        }
        func string(_ name: String) -> String? {
            guard case .string(let value)? = object[name], !value.isEmpty else { return nil }
            return value
        }
        if let code = string("Code"), code != "Success" {
            throw CredentialSourceFailure(
                reason: "\(source): answered \(AWSTransport.customerSafe(code, redacting: []))")
        }
        guard let accessKeyID = string("AccessKeyId"), let secret = string("SecretAccessKey") else {
            throw CredentialSourceFailure(reason: "\(source): the answer has no AccessKeyId and SecretAccessKey")
        }
        var expiration: Timestamp?
        if let text = string("Expiration") {
            guard let parsed = AWSISO8601.parse(text) else {
                throw CredentialSourceFailure(reason: "\(source): the answer's Expiration is not an ISO 8601 time")
            }
            expiration = parsed
        }
        return AWSCredentials(
            accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: string(tokenField), expiration: expiration)
    }

    /// An unsuccessful JSON answer as a call error: its `code`/`message` (either case) when it
    /// has them, else the status.
    static func error(in response: AWSResponse, redacting secrets: [String]) -> AWSCallError {
        var code = AWSTransport.code(forStatus: response.status)
        var message = ""
        if case .object(let object)? = try? JSONValue.parse(response.body) {
            if case .string(let value)? = object["Code"] ?? object["code"], !value.isEmpty { code = value }
            if case .string(let value)? = object["Message"] ?? object["message"] { message = value }
        }
        return .service(
            code: AWSTransport.customerSafe(code, redacting: secrets),
            message: AWSTransport.customerSafe(message, redacting: secrets), status: response.status)
    }
}
