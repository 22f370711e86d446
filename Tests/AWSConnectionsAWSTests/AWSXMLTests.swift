import AWSConnectionsCore
import Testing

@testable import AWSConnectionsAWS

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("AWS XML answers")
struct AWSXMLTests {
    /// `[code, message]`, comparable in one expectation.
    func error(_ body: String) -> [String]? {
        AWSXML.error(in: Array(body.utf8)).map { [$0.code, $0.message] }
    }

    @Test("S3's error at the root")
    func s3Error() {
        let body = """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>\
            <Key>a.mp4</Key><RequestId>R</RequestId></Error>
            """
        #expect(error(body) == ["NoSuchKey", "The specified key does not exist."])
    }

    @Test("STS's error under ErrorResponse, and moto's under ErrorResponse/Errors")
    func stsErrors() {
        let aws = """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error>
                <Type>Sender</Type>
                <Code>AccessDenied</Code>
                <Message>User: arn:aws:iam::123456789012:user/p is not authorized to perform: sts:AssumeRole</Message>
              </Error>
              <RequestId>4e1d-…</RequestId>
            </ErrorResponse>
            """
        #expect(
            error(aws) == [
                "AccessDenied", "User: arn:aws:iam::123456789012:user/p is not authorized to perform: sts:AssumeRole",
            ])

        let moto = """
            <ErrorResponse><Errors><Error><Type>Sender</Type><Code>ValidationError</Code>\
            <Message>1 validation error detected</Message></Error></Errors><RequestId>x</RequestId></ErrorResponse>
            """
        #expect(error(moto) == ["ValidationError", "1 validation error detected"])
    }

    @Test("a Code outside any Error does not count; a missing Message is empty")
    func codeOutsideError() {
        let body = "<Result><Code>200</Code><Error><Code>SlowDown</Code></Error></Result>"
        #expect(error(body) == ["SlowDown", ""])
        #expect(error("<Result><Code>X</Code></Result>") == nil)
    }

    @Test("prefixes, CDATA, entities and surrounding whitespace")
    func textForms() {
        let body = """
            <s:Error xmlns:s="urn:x"><s:Code>
              Internal&amp;Error
            </s:Code><s:Message><![CDATA[a < b]]></s:Message></s:Error>
            """
        #expect(error(body) == ["Internal&Error", "a < b"])
    }

    @Test(
        "not XML, empty, or truncated: no error document",
        arguments: [
            "", "Service Unavailable", "{\"code\":\"x\"}", "<Error><Code>Access",
        ])
    func notXML(body: String) {
        #expect(error(body) == nil)
    }

    @Test("an element with children is not a text element")
    func nestedNotText() {
        let body = "<Error><Code><Inner>x</Inner></Code><Message>m</Message></Error>"
        #expect(AWSXML.firstTexts(named: ["Code", "Message"], in: Array(body.utf8)) == ["Message": "m"])
    }

    @Test("AssumeRole's credentials are read from the Credentials element")
    func assumeRoleResult() {
        let body = """
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleResult>
                <SourceIdentity>s</SourceIdentity>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>ARO:s</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>ASIAEXAMPLE</AccessKeyId>
                  <SecretAccessKey>secret/+=</SecretAccessKey>
                  <SessionToken>token==</SessionToken>
                  <Expiration>2026-12-03T10:00:00Z</Expiration>
                </Credentials>
                <PackedPolicySize>6</PackedPolicySize>
              </AssumeRoleResult>
              <ResponseMetadata><RequestId>c6104cbe</RequestId></ResponseMetadata>
            </AssumeRoleResponse>
            """
        let credentials = STSClient.credentials(in: Array(body.utf8))
        #expect(
            credentials
                == AWSCredentials(
                    accessKeyID: "ASIAEXAMPLE", secretAccessKey: "secret/+=", sessionToken: "token==",
                    expiration: AWSISO8601.parse("2026-12-03T10:00:00Z")))
        let withoutToken = body.replacing("<SessionToken>token==</SessionToken>", with: "")
        #expect(STSClient.credentials(in: Array(withoutToken.utf8)) == nil)
    }

    @Test("a failed XML answer: AWS's code, else one from the status")
    func responseErrors() {
        func response(_ status: Int, _ body: String, headers: [(name: String, value: String)] = []) -> AWSResponse {
            AWSResponse(status: status, headers: headers, body: Array(body.utf8))
        }
        #expect(
            response(403, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
                .xmlError(redacting: []) == .service(code: "AccessDenied", message: "Access Denied", status: 403))
        #expect(
            response(404, "").xmlError(codeWithoutDocument: "NoSuchKey", redacting: [])
                == .service(code: "NoSuchKey", message: "AWS answered HTTP 404 without an error document.", status: 404)
        )
        #expect(response(503, "busy").xmlError(redacting: []).code == "ServiceUnavailable")
        #expect(response(418, "").xmlError(redacting: []).code == "HTTP418")
        let redirect = response(
            301, "<Error><Code>PermanentRedirect</Code><Message>Use the right endpoint.</Message></Error>",
            headers: [("X-Amz-Bucket-Region", "eu-west-1")])
        #expect(redirect.xmlError(redacting: []).message == "Use the right endpoint. The bucket is in eu-west-1.")
    }

    @Test("messages never carry the secrets that were sent, nor control characters")
    func redaction() {
        let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
        let body = "<Error><Code>SignatureDoesNotMatch</Code><Message>bad \(secret)\t\nend</Message></Error>"
        let error = AWSResponse(status: 403, headers: [], body: Array(body.utf8))
            .xmlError(redacting: [secret, ""])
        #expect(error == .service(code: "SignatureDoesNotMatch", message: "bad <redacted>  end", status: 403))
        #expect(!String(describing: error).contains(secret))
    }

    @Test("failed exchanges: timeouts and unreachable hosts")
    func callErrors() {
        #expect(AWSTransport.callError(CancellationError(), host: "h") == .timeout)
        #expect(
            AWSTransport.callError(errno: ECONNREFUSED, host: "127.0.0.1:9")
                == .unreachable("connection refused to 127.0.0.1:9"))
        #expect(AWSTransport.callError(errno: ECONNRESET, host: "h") == .unreachable("connection reset by h"))
        #expect(AWSTransport.callError(errno: ETIMEDOUT, host: "h") == .timeout)
        #expect(AWSTransport.callError(errno: ENETUNREACH, host: "h") == .unreachable("no route to h"))
        struct Unknown: Error {}
        #expect(AWSTransport.callError(Unknown(), host: "h") == .unreachable("cannot connect to h"))
        #expect(AWSCallError.timeout.code == "timeout")
        #expect(AWSCallError.unreachable("x").code == "unreachable")
        #expect(AWSCallError.service(code: "AccessDenied", message: "", status: 403).message.contains("403"))
    }
}

@Suite("ISO 8601 times")
struct ISO8601Tests {
    @Test(
        "AWS's forms and RFC 3339 variants",
        arguments: [
            ("2026-12-03T10:00:00Z", "2026-12-03T10:00:00.000Z"),
            ("2026-12-03T10:00:00.5Z", "2026-12-03T10:00:00.500Z"),
            ("2026-12-03T10:00:00.123456789Z", "2026-12-03T10:00:00.123Z"),
            ("2026-12-03t10:00:00z", "2026-12-03T10:00:00.000Z"),
            ("2026-12-03 10:00:00Z", "2026-12-03T10:00:00.000Z"),
            ("2026-12-03T12:30:00+02:30", "2026-12-03T10:00:00.000Z"),
            ("2026-12-03T05:00:00-0500", "2026-12-03T10:00:00.000Z"),
            ("2026-12-03T00:30:00+01:00", "2026-12-02T23:30:00.000Z"),
            ("2024-02-29T23:59:59.999Z", "2024-02-29T23:59:59.999Z"),
            ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000Z"),
            ("1969-12-31T23:59:59Z", "1969-12-31T23:59:59.000Z"),
            (" 2000-03-01T00:00:00Z\n", "2000-03-01T00:00:00.000Z"),
        ])
    func parses(text: String, rfc3339: String) {
        #expect(AWSISO8601.parse(text)?.rfc3339 == rfc3339)
    }

    @Test(
        "rejects what is not a complete time",
        arguments: [
            "", "2026-12-03", "2026-12-03T10:00:00", "2026-12-03T10:00Z", "2026-13-01T00:00:00Z",
            "2025-02-29T00:00:00Z",
            "2026-12-03T24:00:00Z", "2026-12-03T10:00:00.Z", "2026-12-03T10:00:00ZZ", "2026-12-03T10:00:00+5",
            "26-12-03T10:00:00Z", "2026-12-03T10:00:00 Z", "１９７０-01-01T00:00:00Z",
        ])
    func rejects(text: String) {
        #expect(AWSISO8601.parse(text) == nil)
    }

    @Test("agrees with Timestamp's formatting over many instants")
    func roundTrip() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let timestamp = Timestamp(
                millisecondsSinceEpoch: Int64.random(in: -86_400_000_000...4_102_444_800_000, using: &generator))
            #expect(AWSISO8601.parse(timestamp.rfc3339) == timestamp)
        }
    }
}
