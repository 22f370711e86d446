import AWSConnectionsAWS
import AWSConnectionsCore
import Testing

/// AWS's own worked examples, written down as facts: the signing documentation's IAM and S3
/// examples, and cases from the SigV4 test suite AWS's SDKs share (awslabs/aws-c-auth,
/// `tests/aws-signing-test-suite/v4/`).
@Suite("SigV4: AWS's documented examples")
struct SigV4DocumentedExamplesTests {
    /// 2015-08-30T12:36:00Z, the suite's and the IAM example's instant.
    static let suiteTime = Timestamp(millisecondsSinceEpoch: 1_440_938_160_000)
    /// 2013-05-24T00:00:00Z, the S3 examples' instant.
    static let s3Time = Timestamp(millisecondsSinceEpoch: 1_369_353_600_000)

    static let suiteCredentials = AWSCredentials(
        accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let s3Credentials = AWSCredentials(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    @Test("IAM ListUsers, the signing documentation's GET example")
    func iamListUsers() {
        let signer = SigV4Signer(credentials: Self.suiteCredentials, region: "us-east-1", service: "iam")
        let request = SignableRequest(
            method: "GET", host: "iam.amazonaws.com", path: "/",
            query: [("Action", "ListUsers"), ("Version", "2010-05-08")],
            headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")])

        #expect(signer.canonicalRequest(for: request, at: Self.suiteTime) == """
            GET
            /
            Action=ListUsers&Version=2010-05-08
            content-type:application/x-www-form-urlencoded; charset=utf-8
            host:iam.amazonaws.com
            x-amz-date:20150830T123600Z

            content-type;host;x-amz-date
            e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            """)
        let headers = signer.signatureHeaders(for: request, at: Self.suiteTime)
        #expect(headers.map(\.name) == ["X-Amz-Date", "Authorization"])
        #expect(value(of: "X-Amz-Date", in: headers) == "20150830T123600Z")
        #expect(value(of: "Authorization", in: headers) == """
            AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
            SignedHeaders=content-type;host;x-amz-date, \
            Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7
            """)
    }

    @Test("S3 presigned GET of examplebucket/test.txt for 86400 seconds")
    func s3PresignedGet() {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let request = SignableRequest(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt")
        let url = signer.presignedURL(for: request, scheme: "https", expiresIn: 86400, at: Self.s3Time)
        #expect(url == """
            https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256\
            &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request\
            &X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host\
            &X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404
            """)
        #expect(signer.canonicalRequest(forPresigning: request, expiresIn: 86400, at: Self.s3Time) == """
            GET
            /test.txt
            X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host
            host:examplebucket.s3.amazonaws.com

            host
            UNSIGNED-PAYLOAD
            """)
    }

    /// The S3 documentation's header-signed examples (GET Object with a range, PUT Object,
    /// GET Bucket lifecycle, GET Bucket with a query).
    @Test("S3 header-signed examples", arguments: [
        S3Example(
            name: "GET Object", method: "GET", path: "/test.txt", headers: [("Range", "bytes=0-9")],
            signedHeaders: "host;range;x-amz-content-sha256;x-amz-date",
            signature: "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"),
        // The example sends Date as well as X-Amz-Date and signs both: the signer signs a
        // caller's Date as given (botocore would re-format it and drop X-Amz-Date).
        S3Example(
            name: "PUT Object", method: "PUT", path: "/test%24file.text",
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            body: Array("Welcome to Amazon S3.".utf8),
            signedHeaders: "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            signature: "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"),
        S3Example(
            name: "GET Bucket lifecycle", method: "GET", path: "/", query: [("lifecycle", "")],
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"),
        S3Example(
            name: "GET Bucket (list objects)", method: "GET", path: "/", query: [("max-keys", "2"), ("prefix", "J")],
            signedHeaders: "host;x-amz-content-sha256;x-amz-date",
            signature: "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"),
    ])
    func s3HeaderSigned(_ example: S3Example) {
        let signer = SigV4Signer(credentials: Self.s3Credentials, region: "us-east-1", service: "s3")
        let request = SignableRequest(
            method: example.method, host: "examplebucket.s3.amazonaws.com", path: example.path,
            query: example.query, headers: example.headers, body: example.body)
        let headers = signer.signatureHeaders(for: request, at: Self.s3Time)
        #expect(headers.map(\.name) == ["X-Amz-Date", "X-Amz-Content-SHA256", "Authorization"])
        #expect(value(of: "Authorization", in: headers) == """
            AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
            SignedHeaders=\(example.signedHeaders), Signature=\(example.signature)
            """)
    }

    @Test("aws-c-auth signing suite, header-signed", arguments: SuiteCase.all)
    func suite(_ suiteCase: SuiteCase) {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: suiteCase.sessionToken)
        let signer = SigV4Signer(
            credentials: credentials, region: "us-east-1", service: "service",
            canonicalPath: suiteCase.normalized ? .normalizedAndEncoded : .asSent)
        let request = SignableRequest(
            method: suiteCase.method, host: "example.amazonaws.com", path: suiteCase.path,
            query: suiteCase.query, headers: suiteCase.headers, body: suiteCase.body)
        let headers = signer.signatureHeaders(for: request, at: Self.suiteTime)

        #expect(value(of: "X-Amz-Date", in: headers) == "20150830T123600Z")
        #expect(value(of: "X-Amz-Security-Token", in: headers) == suiteCase.sessionToken)
        #expect(value(of: "Authorization", in: headers) == """
            AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, \
            SignedHeaders=\(suiteCase.signedHeaders), Signature=\(suiteCase.signature)
            """)
    }

    /// The suite's query-signed variants sign the empty body's hash (its "service" is not S3)
    /// and list X-Amz-Expires after X-Amz-SignedHeaders; the URL order does not enter the
    /// signature, which is what is compared.
    @Test("aws-c-auth signing suite, query-signed", arguments: [
        (nil, "e93c787ed7f371d5c6b165c1b38ede9550f4dce4144713e844b25b7192d3865d"),
        ("6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267", "7ff2b50b376cb4d151970630573d6291dc128cc5c2a12ffb237f73cc53f67b6c"),
    ] as [(String?, String)])
    func suiteQuerySigned(sessionToken: String?, signature: String) {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: sessionToken)
        let signer = SigV4Signer(credentials: credentials, region: "us-east-1", service: "service")
        let request = SignableRequest(method: "GET", host: "example.amazonaws.com", path: "/")
        let url = signer.presignedURL(for: request, scheme: "https", expiresIn: 3600, at: Self.suiteTime)
        #expect(url.hasSuffix("&X-Amz-Signature=\(signature)"))
        #expect(url.contains("&X-Amz-Security-Token=") == (sessionToken != nil))
    }
}

private func value(of name: String, in headers: [(name: String, value: String)]) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
}

struct S3Example: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var path: String
    var query: [(name: String, value: String)] = []
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var signedHeaders: String
    var signature: String

    var testDescription: String { name }
}

/// One directory of the suite: its `request.txt` as a `SignableRequest`, and the signed
/// headers and signature of its `header-canonical-request.txt` / `header-signature.txt`.
///
/// The suite's request lines carry paths unencoded ("/example space/", "/ሴ"). Its normalized
/// cases (`"normalize": true`, the rule for every service but S3) are given those paths as
/// they are, which the signer encodes once, as aws-c-auth and botocore do. Its unnormalized
/// cases are S3's rule, the path exactly as sent, so they are given the path as it goes on the
/// wire ("/example%20space/").
struct SuiteCase: Sendable, CustomTestStringConvertible {
    var name: String
    var method = "GET"
    var path = "/"
    var normalized = true
    var query: [(name: String, value: String)] = []
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var sessionToken: String?
    var signedHeaders = "host;x-amz-date"
    var signature: String

    var testDescription: String { name }

    static let unreserved = "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    static let stsToken = """
        AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeo\
        IYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5V\
        SXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc\
        8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==
        """
    /// The form bodies' SHA-256: the suite's form cases sign X-Amz-Content-SHA256 (its
    /// `sign_body`), which a caller of a non-S3 signer passes as a header.
    static let formBodyHash = "9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e"
    static let formSignedHeaders = "content-length;content-type;host;x-amz-content-sha256;x-amz-date"

    static let all: [SuiteCase] = [
        SuiteCase(name: "get-vanilla", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            name: "get-vanilla-query-order-key-case", query: [("Param2", "value2"), ("Param1", "value1")],
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        // Sorted by encoded name: %E1%88%B4 before Param, though ሴ sorts after it decoded.
        SuiteCase(
            name: "get-vanilla-query-order-encoded",
            query: [("Param-3", "Value3"), ("Param", "Value2"), ("ሴ", "Value1")],
            signature: "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
        SuiteCase(
            name: "get-vanilla-query-unreserved", query: [(unreserved, unreserved)],
            signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
        SuiteCase(
            name: "get-vanilla-utf8-query", query: [("ሴ", "bar")],
            signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        SuiteCase(
            name: "get-vanilla-empty-query-key", query: [("Param1", "value1")],
            signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
        SuiteCase(
            name: "get-unreserved", path: "/" + unreserved,
            signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"),
        SuiteCase(
            name: "get-utf8", path: "/ሴ",
            signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"),
        SuiteCase(
            name: "get-space-normalized", path: "/example space/",
            signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        SuiteCase(
            name: "get-space-unnormalized", path: "/example%20space/", normalized: false,
            signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"),
        SuiteCase(
            name: "get-slash-normalized", path: "//",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            name: "get-slash-unnormalized", path: "//", normalized: false,
            signature: "c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e"),
        SuiteCase(
            name: "get-slashes-normalized", path: "//example//",
            signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"),
        SuiteCase(
            name: "get-slashes-unnormalized", path: "//example//", normalized: false,
            signature: "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5"),
        SuiteCase(
            name: "get-slash-dot-slash-normalized", path: "/./",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            name: "get-slash-dot-slash-unnormalized", path: "/./", normalized: false,
            signature: "68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145"),
        SuiteCase(
            name: "get-slash-pointless-dot-normalized", path: "/./example",
            signature: "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5"),
        SuiteCase(
            name: "get-slash-pointless-dot-unnormalized", path: "/./example", normalized: false,
            signature: "beb03f223f7deae4146464f06e29eebbee9c8afbe15c290cf07aa8b119e14cff"),
        SuiteCase(
            name: "get-relative-normalized", path: "/example/..",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            name: "get-relative-unnormalized", path: "/example/..", normalized: false,
            signature: "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282"),
        SuiteCase(
            name: "get-relative-relative-normalized", path: "/example1/example2/../..",
            signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        SuiteCase(
            name: "get-relative-relative-unnormalized", path: "/example1/example2/../..", normalized: false,
            signature: "dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b"),
        SuiteCase(
            name: "get-header-value-trim", headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
            signedHeaders: "host;my-header1;my-header2;x-amz-date",
            signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        SuiteCase(
            name: "get-header-key-duplicate",
            headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
            signedHeaders: "host;my-header1;x-amz-date",
            signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        SuiteCase(
            name: "get-header-value-order",
            headers: [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")],
            signedHeaders: "host;my-header1;x-amz-date",
            signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
        // An obsolete folded header: the line breaks and indents collapse to single spaces.
        SuiteCase(
            name: "get-header-value-multiline", headers: [("My-Header1", "value1\n  value2\n     value3")],
            signedHeaders: "host;my-header1;x-amz-date",
            signature: "cfd34249e4b1c8d6b91ef74165d41a32e5fab3306300901bb65a51a73575eefd"),
        SuiteCase(
            name: "get-vanilla-with-session-token",
            sessionToken: "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267",
            signedHeaders: "host;x-amz-date;x-amz-security-token",
            signature: "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"),
        SuiteCase(
            name: "post-vanilla", method: "POST",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        SuiteCase(
            name: "post-vanilla-query", method: "POST", query: [("Param1", "value1")],
            signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
        SuiteCase(
            name: "post-header-key-sort", method: "POST", headers: [("My-Header1", "value1")],
            signedHeaders: "host;my-header1;x-amz-date",
            signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
        SuiteCase(
            name: "post-header-value-case", method: "POST", headers: [("My-Header1", "VALUE1")],
            signedHeaders: "host;my-header1;x-amz-date",
            signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
        SuiteCase(
            name: "post-x-www-form-urlencoded", method: "POST",
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "13"),
                ("X-Amz-Content-SHA256", formBodyHash),
            ],
            body: Array("Param1=value1".utf8), signedHeaders: formSignedHeaders,
            signature: "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b"),
        SuiteCase(
            name: "post-x-www-form-urlencoded-parameters", method: "POST",
            headers: [
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Content-Length", "13"),
                ("X-Amz-Content-SHA256", formBodyHash),
            ],
            body: Array("Param1=value1".utf8), signedHeaders: formSignedHeaders,
            signature: "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422"),
        SuiteCase(
            name: "post-sts-header-before", method: "POST", sessionToken: stsToken,
            signedHeaders: "host;x-amz-date;x-amz-security-token",
            signature: "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead"),
        // The suite adds the token after signing ("omit_session_token"), so the signature is
        // post-vanilla's. This signer always signs a token it has, as botocore does; the
        // equivalent is to sign without one and add X-Amz-Security-Token afterwards.
        SuiteCase(
            name: "post-sts-header-after", method: "POST",
            signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    ]
}
