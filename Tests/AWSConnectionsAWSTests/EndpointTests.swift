import Testing

@testable import AWSConnectionsAWS

@Suite("AWS endpoints")
struct EndpointTests {
    @Test(
        "AWS's own regional endpoints, with .amazonaws.com.cn in China",
        arguments: [
            ("us-east-1", "sts.us-east-1.amazonaws.com", "s3.us-east-1.amazonaws.com"),
            ("eu-west-3", "sts.eu-west-3.amazonaws.com", "s3.eu-west-3.amazonaws.com"),
            ("us-gov-west-1", "sts.us-gov-west-1.amazonaws.com", "s3.us-gov-west-1.amazonaws.com"),
            ("cn-north-1", "sts.cn-north-1.amazonaws.com.cn", "s3.cn-north-1.amazonaws.com.cn"),
            ("cn-northwest-1", "sts.cn-northwest-1.amazonaws.com.cn", "s3.cn-northwest-1.amazonaws.com.cn"),
        ])
    func standard(region: String, sts: String, s3: String) {
        let endpoints = AWSEndpoints(environment: [:])
        #expect(endpoints.sts(region: region) == AWSEndpoint(scheme: "https", host: sts, isCustom: false))
        #expect(endpoints.s3(region: region) == AWSEndpoint(scheme: "https", host: s3, isCustom: false))
        #expect(endpoints.invalidVariables.isEmpty)
    }

    @Test("AWS_ENDPOINT_URL serves every service; a service's own variable wins")
    func overrides() {
        let general = AWSEndpoints(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:4566"])
        let local = AWSEndpoint(scheme: "http", host: "127.0.0.1:4566", isCustom: true)
        #expect(general.sts(region: "eu-west-1") == local)
        #expect(general.s3(region: "cn-north-1") == local)

        let specific = AWSEndpoints(environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
            "AWS_ENDPOINT_URL_STS": "http://localhost:5000/",
            "AWS_ENDPOINT_URL_S3": "https://S3.Example.com:443/prefix/",
        ])
        #expect(
            specific.sts(region: "us-east-1") == AWSEndpoint(scheme: "http", host: "localhost:5000", isCustom: true))
        #expect(
            specific.s3(region: "us-east-1")
                == AWSEndpoint(scheme: "https", host: "s3.example.com", basePath: "/prefix", isCustom: true))

        let onlyS3 = AWSEndpoints(environment: ["AWS_ENDPOINT_URL_S3": "http://[::1]:9000"])
        #expect(onlyS3.s3(region: "us-east-1") == AWSEndpoint(scheme: "http", host: "[::1]:9000", isCustom: true))
        #expect(onlyS3.sts(region: "us-east-1").host == "sts.us-east-1.amazonaws.com")
    }

    @Test("empty variables are unset; AWS_IGNORE_CONFIGURED_ENDPOINT_URLS turns them off")
    func ignored() {
        let empty = AWSEndpoints(environment: ["AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_STS": "  "])
        #expect(!empty.sts(region: "us-east-1").isCustom)
        let off = AWSEndpoints(environment: [
            "AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE",
        ])
        #expect(
            off.s3(region: "us-west-2")
                == AWSEndpoint(scheme: "https", host: "s3.us-west-2.amazonaws.com", isCustom: false))
    }

    @Test(
        "a variable that is not a URL never falls back to AWS",
        arguments: [
            "localhost:4566", "ftp://example.com", "http://", "http://user:pass@host", "http://host:99999",
            "http://host?x=1", "http://[::1",
        ])
    func invalid(value: String) {
        let endpoints = AWSEndpoints(environment: ["AWS_ENDPOINT_URL_S3": value])
        #expect(endpoints.invalidVariables == ["AWS_ENDPOINT_URL_S3"])
        let s3 = endpoints.s3(region: "us-east-1")
        #expect(s3.isCustom)
        #expect(s3.host.isEmpty)
    }

    @Test("default ports are dropped from the host, others kept")
    func ports() {
        #expect(AWSEndpoint(url: "http://example.com:80")?.host == "example.com")
        #expect(AWSEndpoint(url: "https://example.com:443")?.host == "example.com")
        #expect(AWSEndpoint(url: "http://example.com:443")?.host == "example.com:443")
        #expect(AWSEndpoint(url: "HTTP://Example.COM:8080/a/b//")?.description == "http://example.com:8080/a/b")
    }

    @Test("S3: virtual-hosted on AWS, path-style on custom endpoints and for names that are not DNS labels")
    func s3Addressing() {
        let aws = S3Client(endpoints: AWSEndpoints(environment: [:]), timeout: .seconds(1))
        #expect(
            aws.objectAddress(bucket: "media", key: "videos/a b+c.mp4", region: "eu-west-1")
                == S3Client.Address(
                    scheme: "https", host: "media.s3.eu-west-1.amazonaws.com", path: "/videos/a%20b%2Bc.mp4"))
        #expect(
            aws.objectAddress(bucket: "media", key: nil, region: "cn-north-1")
                == S3Client.Address(scheme: "https", host: "media.s3.cn-north-1.amazonaws.com.cn", path: "/"))
        #expect(
            aws.objectAddress(bucket: "my.media", key: "ключ/é~_-.", region: "us-east-1")
                == S3Client.Address(
                    scheme: "https", host: "s3.us-east-1.amazonaws.com",
                    path: "/my.media/%D0%BA%D0%BB%D1%8E%D1%87/%C3%A9~_-."))
        #expect(aws.objectAddress(bucket: "Legacy_Bucket", key: nil, region: "us-east-1").path == "/Legacy_Bucket")

        let local = S3Client(
            endpoints: AWSEndpoints(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:9000/base"]),
            timeout: .seconds(1))
        #expect(
            local.objectAddress(bucket: "media", key: "a/b?c#d%", region: "us-east-1")
                == S3Client.Address(scheme: "http", host: "127.0.0.1:9000", path: "/base/media/a/b%3Fc%23d%25"))
    }

    @Test("query and form encoding keep only RFC 3986 unreserved characters")
    func encoding() {
        #expect(AWSTransport.percentEncode("a-b_c.d~e f/g+h=i&j") == "a-b_c.d~e%20f%2Fg%2Bh%3Di%26j")
        #expect(AWSTransport.percentEncode("x/y z", keepingSlash: true) == "x/y%20z")
        #expect(
            AWSTransport.formEncode([("RoleArn", "arn:aws:iam::123456789012:role/r"), ("ExternalId", "a b")])
                == "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fr&ExternalId=a%20b")
        #expect(AWSTransport.queryString([]) == "")
        #expect(AWSTransport.queryString([("list-type", "2"), ("max-keys", "1")]) == "?list-type=2&max-keys=1")
    }
}
