import AWSConnectionsAWS
import AWSConnectionsCore
import Foundation
import Testing

/// `S3Client.presignedGetURL` against botocore's S3 presigner (`generate_presigned_url('get_object')`)
/// on generated buckets, keys, regions and endpoint overrides: `Tests/aws-peers/s3_presign_cases.py`.
///
/// The other test here hands the signer a finished request; this one also covers what S3Client
/// builds before signing: the key's and bucket's percent-encoding, virtual-hosted or path-style,
/// the regional host (with `.amazonaws.com.cn` in China) and an `AWS_ENDPOINT_URL_S3` override.
/// The URL botocore makes with the same addressing style must be the same string; against
/// botocore's other configurations URLs are compared parsed: scheme, host and path exactly, the
/// query as a multiset of its encoded `name=value` parts.
extension SigV4BotocoreTests {
    @Test("S3Client's presigned GET URLs match botocore's S3 presigner on every generated case")
    func s3PresignedURLsMatchBotocore() throws {
        let output = try Self.runGenerator("s3_presign_cases.py")
        let generated = try JSONDecoder().decode(GeneratedS3Presigns.self, from: output)
        #expect(generated.cases.count >= 100)

        var mismatches: [String] = []
        var virtualHosted = 0
        var pathStyle = 0
        var overridden = 0
        var botocoreGlobalEndpoint = 0
        for generatedCase in generated.cases {
            let outcome = Self.compare(generatedCase)
            if let mismatch = outcome.mismatch { mismatches.append(mismatch) }
            if outcome.virtualHosted { virtualHosted += 1 } else { pathStyle += 1 }
            if generatedCase.endpoint != nil { overridden += 1 }
            if outcome.botocoreDefaultUsesGlobalEndpoint { botocoreGlobalEndpoint += 1 }
        }
        #expect(
            mismatches.isEmpty,
            """
            \(mismatches.count) of \(generated.cases.count) presigned URLs differ from botocore \(generated.botocore) \
            (seed \(generated.seed)); the first:
            \(mismatches.first ?? "")
            """)
        // The generator must keep producing every kind of case, or a part of the comparison goes quiet.
        #expect(virtualHosted >= 20 && pathStyle >= 20, "virtual-hosted \(virtualHosted), path-style \(pathStyle)")
        #expect(overridden >= 20 && overridden <= generated.cases.count - 20, "with an endpoint override: \(overridden)")
        #expect(botocoreGlobalEndpoint >= 10, "botocore default's global-endpoint cases: \(botocoreGlobalEndpoint)")
        #expect(generated.cases.contains { $0.credentials.sessionToken?.isEmpty == false })
        #expect(generated.cases.contains { $0.credentials.sessionToken == nil })
    }

    struct S3PresignOutcome {
        var mismatch: String?
        var virtualHosted: Bool
        /// botocore's defaults gave the legacy global endpoint where S3Client used the regional one.
        var botocoreDefaultUsesGlobalEndpoint = false
    }

    static func compare(_ generated: GeneratedS3Presign) -> S3PresignOutcome {
        let environment = generated.endpoint.map { ["AWS_ENDPOINT_URL_S3": $0] } ?? [:]
        let client = S3Client(endpoints: AWSEndpoints(environment: environment), timeout: .seconds(1))
        let ours = client.presignedGetURL(
            bucket: generated.bucket, key: generated.key, region: generated.region,
            credentials: AWSCredentials(
                accessKeyID: generated.credentials.accessKeyID,
                secretAccessKey: generated.credentials.secretAccessKey,
                sessionToken: generated.credentials.sessionToken),
            expiresIn: generated.expires, at: Timestamp(millisecondsSinceEpoch: generated.epochMilliseconds))
        guard let oursParts = PresignedURLParts(ours) else {
            return S3PresignOutcome(mismatch: report(generated, "S3Client's URL does not parse", ours, ""), virtualHosted: false)
        }
        let virtualHosted = oursParts.host.hasPrefix(generated.bucket + ".")
        var outcome = S3PresignOutcome(virtualHosted: virtualHosted)

        // 1. The same addressing style, set explicitly in botocore's config: encoding, host and
        // signature, and here byte for byte, since both put the query parameters in the same order.
        let sameStyle = virtualHosted ? generated.botocore.virtual : generated.botocore.path
        guard ours == sameStyle else {
            let onlyOrder = PresignedURLParts(sameStyle) == oursParts
            outcome.mismatch = report(
                generated,
                "differs from botocore with addressing_style='\(virtualHosted ? "virtual" : "path")'"
                    + (onlyOrder ? " (only in the order of the query parameters)" : ""),
                ours, sameStyle)
            return outcome
        }

        // 2. The choice of style. On AWS's endpoints, botocore's `virtual` is "virtual-hosted when
        // the name can be a DNS label under *.s3.<region>…, else path-style" (dots, capitals,
        // underscores, length, hyphen at an end), the rule S3Client follows. With an endpoint
        // override S3Client is always path-style (local stand-ins have no wildcard DNS), which is
        // also what botocore's default `auto` does with an `endpoint_url`.
        let choice = generated.endpoint == nil ? generated.botocore.virtual : generated.botocore.default
        guard PresignedURLParts(choice) == oursParts else {
            outcome.mismatch = report(
                generated,
                generated.endpoint == nil
                    ? "addressing style differs from botocore's addressing_style='virtual' (which falls back to path-style)"
                    : "differs from botocore's default addressing with an endpoint override",
                ours, choice)
            return outcome
        }

        // 3. botocore's defaults (`addressing_style='auto'`). The one documented difference: in
        // the `aws` partition its presigner asks for the legacy global endpoint
        // (`_should_use_global_endpoint` in botocore/signers.py), so virtual-hosted URLs go to
        // `<bucket>.s3.amazonaws.com` in every region, and path-style ones to `s3.amazonaws.com`
        // in us-east-1 (`us_east_1_regional_endpoint` defaults to `legacy`) and, elsewhere, for
        // the path-style names that are still valid host labels (capitals, fewer than 3
        // characters; not dots, underscores or an edge hyphen). S3Client deliberately uses the
        // regional endpoint `s3.<region>.amazonaws.com`, which AWS documents and the other SDKs
        // use. Only that exact host difference is excused, and then only the signature (which
        // covers the host) may differ too; check 1 has already held the whole URL to botocore
        // with the regional endpoint.
        guard let defaultParts = PresignedURLParts(generated.botocore.default) else {
            outcome.mismatch = report(generated, "botocore's default URL does not parse", ours, generated.botocore.default)
            return outcome
        }
        if defaultParts == oursParts { return outcome }
        let regional = "s3.\(generated.region).amazonaws.com"
        let awsPartition = !generated.region.hasPrefix("cn-") && !generated.region.hasPrefix("us-gov-")
        let globalHost: String? =
            generated.endpoint != nil || !awsPartition ? nil
            : oursParts.host == "\(generated.bucket).\(regional)" ? "\(generated.bucket).s3.amazonaws.com"
            : oursParts.host == regional ? "s3.amazonaws.com"
            : nil
        if let globalHost, defaultParts.host == globalHost, defaultParts.withoutSignature == oursParts.withoutSignature.withHost(globalHost) {
            outcome.botocoreDefaultUsesGlobalEndpoint = true
            return outcome
        }
        outcome.mismatch = report(
            generated, "differs from botocore's defaults other than by its global endpoint", ours, generated.botocore.default)
        return outcome
    }

    static func report(_ generated: GeneratedS3Presign, _ what: String, _ ours: String, _ theirs: String) -> String {
        """
        case \(generated.name) \(what): bucket \(generated.bucket.debugDescription), key \(generated.key.debugDescription), \
        region \(generated.region), endpoint \(generated.endpoint ?? "AWS"), \(generated.time), expires \(generated.expires)
        --- S3Client
        \(ours)
        --- botocore
        \(theirs)
        """
    }
}

/// A presigned URL split for comparison: everything exact except the order of query parameters.
struct PresignedURLParts: Equatable {
    var scheme: String
    var host: String
    var path: String
    /// The encoded `name=value` parts, sorted.
    var query: [String]

    init?(_ url: String) {
        guard let separator = url.firstRange(of: "://") else { return nil }
        scheme = String(url[..<separator.lowerBound])
        let rest = url[separator.upperBound...]
        let queryStart = rest.firstIndex(of: "?") ?? rest.endIndex
        let beforeQuery = rest[..<queryStart]
        let pathStart = beforeQuery.firstIndex(of: "/") ?? beforeQuery.endIndex
        host = String(beforeQuery[..<pathStart])
        path = String(beforeQuery[pathStart...])
        let queryText = queryStart == rest.endIndex ? "" : rest[rest.index(after: queryStart)...]
        query = queryText.split(separator: "&", omittingEmptySubsequences: false).map(String.init).sorted()
        guard !host.isEmpty else { return nil }
    }

    var withoutSignature: PresignedURLParts {
        var copy = self
        copy.query.removeAll { $0.hasPrefix("X-Amz-Signature=") }
        return copy
    }

    func withHost(_ host: String) -> PresignedURLParts {
        var copy = self
        copy.host = host
        return copy
    }
}

struct GeneratedS3Presigns: Decodable {
    var botocore: String
    var seed: Int
    var cases: [GeneratedS3Presign]
}

struct GeneratedS3Presign: Decodable {
    struct BotocoreURLs: Decodable {
        /// `addressing_style='virtual'`, regional us-east-1.
        var virtual: String
        /// `addressing_style='path'`, regional us-east-1.
        var path: String
        /// No configuration: `auto`, legacy us-east-1.
        var `default`: String
    }

    var name: String
    var bucket: String
    var key: String
    var region: String
    /// An `AWS_ENDPOINT_URL_S3` value, or nil for AWS's own endpoint.
    var endpoint: String?
    var credentials: GeneratedCase.Credentials
    /// yyyyMMdd'T'HHmmss'Z', for the report; `epochMilliseconds` is what is signed at.
    var time: String
    var epochMilliseconds: Int64
    var expires: Int
    var botocore: BotocoreURLs
}
