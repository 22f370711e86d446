import AWSConnectionsCore
import Foundation
import Logging
import Testing

@testable import AWSConnectionsAWS

@Suite("Shared credential files and the credential chain's settings")
struct CredentialFilesTests {
    @Test("INI: sections, comments, whitespace, case of keys, trailing comments, nested blocks")
    func iniParsing() {
        let text = """
            # leading comment
            ; another
            [default]
            aws_access_key_id=AKIADEFAULT
              AWS_Secret_Access_Key   =   secret/with+chars=  ; trailing comment
            region = us-east-1 # comment
            hash = a#b

            [ spaced ]\r
            key = value\r
            [profile dev]
            s3 =
              addressing_style = path
              aws_access_key_id = NESTED
            aws_access_key_id = AKIADEV
            no equals sign here
            = no key
            [default]
            aws_session_token = later
            [broken
            ignored = yes
            """
        let document = INIDocument(parsing: text)
        #expect(
            document["default"] == [
                "aws_access_key_id": "AKIADEFAULT", "aws_secret_access_key": "secret/with+chars=",
                "region": "us-east-1",
                "hash": "a#b", "aws_session_token": "later",
            ])
        #expect(document["spaced"] == ["key": "value"])
        #expect(document["profile dev"] == ["s3": "", "aws_access_key_id": "AKIADEV"])
        #expect(document.sections.count == 3)
        #expect(INIDocument(parsing: "").sections.isEmpty)
        #expect(INIDocument(parsing: "key = before any section").sections.isEmpty)
    }

    @Test("profile sections: [NAME] in credentials, [profile NAME] in config, [default] in both")
    func profileSections() {
        let credentials = INIDocument(
            parsing: """
                [default]
                aws_access_key_id = AKIACREDS
                [dev]
                aws_access_key_id = AKIADEVCREDS
                aws_secret_access_key = devsecret
                [profile dev]
                aws_access_key_id = WRONG
                """)
        let config = INIDocument(
            parsing: """
                [default]
                aws_access_key_id = AKIACONFIG
                aws_secret_access_key = configsecret
                region = eu-west-1
                [dev]
                aws_access_key_id = NOT_A_PROFILE_IN_CONFIG
                [profile   prod]
                aws_access_key_id = AKIAPROD
                aws_secret_access_key = prodsecret
                aws_session_token = prodtoken
                """)
        // The credentials file wins key by key; the config fills in the rest.
        #expect(
            SharedCredentialFiles.lookup(profile: "default", credentials: credentials, config: config)
                == .found(AWSCredentials(accessKeyID: "AKIACREDS", secretAccessKey: "configsecret")))
        #expect(
            SharedCredentialFiles.lookup(profile: "dev", credentials: credentials, config: config)
                == .found(AWSCredentials(accessKeyID: "AKIADEVCREDS", secretAccessKey: "devsecret")))
        #expect(
            SharedCredentialFiles.lookup(profile: "prod", credentials: nil, config: config)
                == .found(
                    AWSCredentials(accessKeyID: "AKIAPROD", secretAccessKey: "prodsecret", sessionToken: "prodtoken")))
        #expect(
            SharedCredentialFiles.lookup(profile: "dev", credentials: nil, config: config)
                == .notFound("no profile dev"))
        #expect(SharedCredentialFiles.lookup(profile: "x", credentials: nil, config: nil) == .notFound("no profile x"))
    }

    @Test("[profile default] in config wins over [default]")
    func profileDefault() {
        let config = INIDocument(
            parsing: """
                [profile default]
                aws_access_key_id = AKIAPROFILEDEFAULT
                [default]
                aws_access_key_id = AKIADEFAULT
                aws_secret_access_key = s
                """)
        #expect(
            SharedCredentialFiles.lookup(profile: "default", credentials: nil, config: config)
                == .found(AWSCredentials(accessKeyID: "AKIAPROFILEDEFAULT", secretAccessKey: "s")))
    }

    @Test("roles, SSO and credential_process are reported as unsupported, never used as static keys")
    func unsupportedProfiles() {
        for key in ["role_arn", "source_profile", "sso_session", "sso_start_url", "credential_source"] {
            let config = INIDocument(
                parsing: """
                    [profile p]
                    aws_access_key_id = AKIA
                    aws_secret_access_key = s
                    \(key) = x
                    """)
            let lookup = SharedCredentialFiles.lookup(profile: "p", credentials: nil, config: config)
            guard case .unsupported(let reason) = lookup else {
                Issue.record("\(key): \(lookup)")
                continue
            }
            #expect(reason.contains(key))
            #expect(reason.contains("not support"))
        }
        let process = INIDocument(parsing: "[profile p]\ncredential_process = /bin/get-keys\n")
        guard
            case .unsupported(let reason) = SharedCredentialFiles.lookup(
                profile: "p", credentials: nil, config: process)
        else {
            Issue.record("credential_process should be unsupported")
            return
        }
        #expect(reason.contains("credential_process"))
        // Static keys in the credentials file come before credential_process, as in botocore.
        let keys = INIDocument(parsing: "[p]\naws_access_key_id = AKIA\naws_secret_access_key = s\n")
        #expect(
            SharedCredentialFiles.lookup(profile: "p", credentials: keys, config: process)
                == .found(AWSCredentials(accessKeyID: "AKIA", secretAccessKey: "s")))
    }

    @Test("half a key pair is not found, and says which half")
    func partialKeys() {
        let onlyID = INIDocument(parsing: "[default]\naws_access_key_id = AKIA\n")
        #expect(
            SharedCredentialFiles.lookup(profile: "default", credentials: onlyID, config: nil)
                == .notFound("profile default has aws_access_key_id but no aws_secret_access_key"))
        let region = INIDocument(parsing: "[default]\nregion = us-east-1\n")
        #expect(
            SharedCredentialFiles.lookup(profile: "default", credentials: nil, config: region)
                == .notFound("profile default has no aws_access_key_id"))
    }

    @Test("file locations and profile from the environment")
    func locations() {
        #expect(
            SharedCredentialFiles.locations(environment: ["HOME": "/home/u"])
                == .init(
                    profile: "default", credentialsPath: "/home/u/.aws/credentials", configPath: "/home/u/.aws/config"))
        #expect(
            SharedCredentialFiles.locations(environment: [
                "HOME": "/home/u", "AWS_PROFILE": "dev", "AWS_SHARED_CREDENTIALS_FILE": "~/creds",
                "AWS_CONFIG_FILE": "/etc/aws/config",
            ]) == .init(profile: "dev", credentialsPath: "/home/u/creds", configPath: "/etc/aws/config"))
        #expect(
            SharedCredentialFiles.locations(environment: ["AWS_PROFILE": ""])
                == .init(profile: "default", credentialsPath: nil, configPath: nil))
    }

    @Test("files are read from where the environment points")
    func loadFromFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aws-credential-files-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = folder.appendingPathComponent("credentials")
        try Data("[work]\naws_access_key_id = AKIAWORK\naws_secret_access_key = worksecret\n".utf8).write(
            to: credentials)
        let loaded = SharedCredentialFiles.load(environment: [
            "AWS_PROFILE": "work", "AWS_SHARED_CREDENTIALS_FILE": credentials.path,
            "AWS_CONFIG_FILE": folder.appendingPathComponent("missing").path,
        ])
        #expect(loaded.lookup == .found(AWSCredentials(accessKeyID: "AKIAWORK", secretAccessKey: "worksecret")))
        let none = SharedCredentialFiles.load(environment: ["HOME": folder.appendingPathComponent("nowhere").path])
        #expect(none.lookup == .notFound("no shared credentials or config file"))
    }

    @Test("environment keys: both or neither")
    func environmentKeys() throws {
        #expect(
            try EnvironmentCredentials.read([
                "AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s", "AWS_SESSION_TOKEN": "t",
                "AWS_CREDENTIAL_EXPIRATION": "2026-12-03T10:00:00Z",
            ]).get()
                == AWSCredentials(
                    accessKeyID: "AKIA", secretAccessKey: "s", sessionToken: "t",
                    expiration: AWSISO8601.parse("2026-12-03T10:00:00Z")))
        #expect(throws: CredentialSourceFailure.self) {
            try EnvironmentCredentials.read(["AWS_ACCESS_KEY_ID": "AKIA"]).get()
        }
        #expect(throws: CredentialSourceFailure.self) {
            try EnvironmentCredentials.read(["AWS_ACCESS_KEY_ID": " ", "AWS_SECRET_ACCESS_KEY": "s"]).get()
        }
    }

    @Test("web identity: both variables needed; region and session name defaults")
    func webIdentity() {
        let now = Timestamp(millisecondsSinceEpoch: 42)
        #expect(WebIdentitySettings(environment: ["AWS_ROLE_ARN": "arn"], now: now) == nil)
        let settings = WebIdentitySettings(
            environment: ["AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t"],
            now: now)
        #expect(settings?.region == "us-east-1")
        #expect(settings?.sessionName == "aws-connections-42")
        let named = WebIdentitySettings(
            environment: [
                "AWS_ROLE_ARN": "a", "AWS_WEB_IDENTITY_TOKEN_FILE": "/t", "AWS_ROLE_SESSION_NAME": "s",
                "AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "cn-north-1",
            ], now: now)
        #expect(named?.region == "cn-north-1")
        #expect(named?.sessionName == "s")
    }

    @Test("container endpoint: relative URI wins; plain http only to loopback or the ECS/EKS agent")
    func container() throws {
        #expect(ContainerSettings.from([:]) == nil)
        let relative = try #require(
            try ContainerSettings.from([
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/abc",
                "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:9/x",
                "AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok",
            ])?.get())
        #expect(relative.url.hostWithPort == "169.254.170.2")
        #expect(relative.url.path == "/v2/credentials/abc")
        #expect(relative.displayURI == "http://169.254.170.2/v2/credentials/…")
        #expect(relative.token == "tok")

        for allowed in [
            "http://127.0.0.1:8080/creds?id=1", "http://localhost/creds", "http://[::1]:9/c",
            "http://169.254.170.23/v1/credentials",
            "https://credentials.example.com/c",
        ] {
            #expect(
                (try? ContainerSettings.from(["AWS_CONTAINER_CREDENTIALS_FULL_URI": allowed])?.get()) != nil,
                "\(allowed)")
        }
        let withQuery = try #require(
            try ContainerSettings.from(["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:8080/creds?id=a%20b&x"]
            )?.get())
        #expect(withQuery.displayURI == "http://127.0.0.1:8080/creds")
        #expect(
            ContainerSettings.decodedQuery(withQuery.url.query).map { [$0.name, $0.value] } == [
                ["id", "a b"], ["x", ""],
            ])
        for refused in ["http://10.0.0.1/creds", "http://example.com/creds", "ftp://127.0.0.1/x", "127.0.0.1/x"] {
            #expect(throws: CredentialSourceFailure.self, "\(refused)") {
                try ContainerSettings.from(["AWS_CONTAINER_CREDENTIALS_FULL_URI": refused])?.get()
            }
        }
    }

    @Test("instance metadata: disabled, configured endpoint, IPv6 mode")
    func instanceMetadata() throws {
        #expect(InstanceMetadataSettings.from(["AWS_EC2_METADATA_DISABLED": "TRUE"]) == nil)
        let standard = try #require(try InstanceMetadataSettings.from([:])?.get())
        #expect(standard.endpoint == AWSEndpoint(scheme: "http", host: "169.254.169.254", isCustom: false))
        let ipv6 = try #require(
            try InstanceMetadataSettings.from(["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE": "IPv6"])?.get())
        #expect(ipv6.endpoint.host == "[fd00:ec2::254]")
        let local = try #require(
            try InstanceMetadataSettings.from(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "http://127.0.0.1:1338/"])?.get())
        #expect(local.endpoint == AWSEndpoint(scheme: "http", host: "127.0.0.1:1338", isCustom: true))
        #expect(throws: CredentialSourceFailure.self) {
            try InstanceMetadataSettings.from(["AWS_EC2_METADATA_SERVICE_ENDPOINT": "169.254.169.254"])?.get()
        }
    }

    @Test("container and instance metadata JSON")
    func jsonCredentials() throws {
        let body = """
            {"Code":"Success","LastUpdated":"2026-12-03T04:00:00Z","Type":"AWS-HMAC","AccessKeyId":"ASIAJSON",
             "SecretAccessKey":"jsonsecret","Token":"jsontoken","Expiration":"2026-12-03T10:00:00Z"}
            """
        #expect(
            try JSONCredentials.parse(Array(body.utf8), tokenField: "Token", from: "here")
                == AWSCredentials(
                    accessKeyID: "ASIAJSON", secretAccessKey: "jsonsecret", sessionToken: "jsontoken",
                    expiration: AWSISO8601.parse("2026-12-03T10:00:00Z")))
        for bad in [
            "[]", "not json", "{\"Code\":\"Failure\"}", "{\"AccessKeyId\":\"A\"}",
            "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"S\",\"Expiration\":\"tomorrow\"}",
        ] {
            #expect(throws: CredentialSourceFailure.self, "\(bad)") {
                try JSONCredentials.parse(Array(bad.utf8), tokenField: "Token", from: "here")
            }
        }
        let failure = AWSResponse(
            status: 400, headers: [], body: Array(#"{"code":"InvalidIdQuery","message":"bad id"}"#.utf8))
        #expect(
            JSONCredentials.error(in: failure, redacting: [])
                == .service(code: "InvalidIdQuery", message: "bad id", status: 400))
    }

    @Test("renewal five minutes before expiry")
    func renewalWindow() {
        let expiration = Timestamp(millisecondsSinceEpoch: 10_000_000)
        let temporary = AWSCredentials(
            accessKeyID: "A", secretAccessKey: "S", sessionToken: "T", expiration: expiration)
        #expect(!AWSCredentialChain.needsRenewal(temporary, now: expiration.subtracting(.seconds(301))))
        #expect(AWSCredentialChain.needsRenewal(temporary, now: expiration.subtracting(.seconds(300))))
        #expect(!AWSCredentialChain.hasExpired(temporary, now: expiration.subtracting(.milliseconds(1))))
        #expect(AWSCredentialChain.hasExpired(temporary, now: expiration))
        let longTerm = AWSCredentials(accessKeyID: "A", secretAccessKey: "S")
        #expect(!AWSCredentialChain.needsRenewal(longTerm, now: Timestamp(millisecondsSinceEpoch: .max)))
    }

    @Test("the chain stops at environment keys, and reports every source when none gives keys")
    func chainWithoutNetwork() async throws {
        var logger = Logger(label: "aws-credential-chain-tests")
        logger.logLevel = .critical
        let endpoints = AWSEndpoints(environment: [:])

        let fromEnvironment = AWSCredentialChain(
            environment: ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "envsecret"], endpoints: endpoints,
            timeout: .seconds(1), logger: logger)
        #expect(await fromEnvironment.resolveSource() == .environment)
        #expect(
            try await fromEnvironment.credentials()
                == AWSCredentials(accessKeyID: "AKIAENV", secretAccessKey: "envsecret"))

        // Nothing configured, no files, and instance metadata off: no network call is made.
        let nothing = AWSCredentialChain(
            environment: ["HOME": "/nonexistent-home", "AWS_EC2_METADATA_DISABLED": "true"], endpoints: endpoints,
            timeout: .seconds(1), logger: logger)
        #expect(await nothing.resolveSource() == nil)
        do {
            _ = try await nothing.credentials()
            Issue.record("expected notFound")
        } catch let error as AWSCredentialsError {
            guard case .notFound(let tried) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(tried.count == 5)
            #expect(tried.first == "environment (AWS_ACCESS_KEY_ID is not set)")
            #expect(tried.last == "instance metadata (AWS_EC2_METADATA_DISABLED is true)")
        }
    }

    @Test("descriptions never carry secrets")
    func descriptions() {
        #expect(
            AWSCredentialSource.container(uri: "http://169.254.170.2/v2/credentials/x").description.contains(
                "169.254.170.2"))
        #expect(AWSCredentialSource.sharedFiles(profile: "dev").description == "shared credentials files, profile dev")
        let credentials = AWSCredentials(
            accessKeyID: "AKIA", secretAccessKey: "supersecretvalue", sessionToken: "supersecrettoken")
        let error = AWSCredentialsError.notFound(tried: ["environment (AWS_ACCESS_KEY_ID is not set)"])
        #expect(!"\(credentials) \(error)".contains("supersecret"))
    }
}
