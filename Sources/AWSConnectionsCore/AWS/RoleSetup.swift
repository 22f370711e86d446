/// What a customer deploys in their AWS account so that the platform can read their media
/// through one connection: the trust policy, the permissions policy and a CloudFormation
/// template that makes the role with both (`GET …/setup`).
public struct RoleSetup: Sendable {
    public var connection: Connection
    /// The platform's IAM principal, which the role trusts.
    public var principalARN: String
    /// The buckets the role may read; empty for every bucket.
    public var buckets: [String]

    public init(connection: Connection, principalARN: String, buckets: [String]) {
        self.connection = connection
        self.principalARN = principalARN
        self.buckets = buckets
    }

    static let policyVersion = JSONDocument.string("2012-10-17")
    /// The logical id of the role in the template.
    static let roleResource = "MediaAccessRole"

    /// `Allow` the principal `sts:AssumeRole`, only with this connection's external id.
    public var trustPolicy: JSONDocument {
        .object([
            ("Version", Self.policyVersion),
            (
                "Statement",
                .array([
                    .object([
                        ("Effect", .string("Allow")),
                        ("Principal", .object([("AWS", .string(principalARN))])),
                        ("Action", .string("sts:AssumeRole")),
                        (
                            "Condition",
                            .object([
                                ("StringEquals", .object([("sts:ExternalId", .string(connection.fields.externalID))]))
                            ])
                        ),
                    ])
                ])
            ),
        ])
    }

    /// Read-only S3: objects, listing and bucket location, of the given buckets or of all.
    public var permissionsPolicy: JSONDocument {
        let partition = AWSPartition(region: connection.fields.awsRegion).rawValue
        let names = buckets.isEmpty ? ["*"] : buckets
        let bucketARNs = names.map { JSONDocument.string("arn:\(partition):s3:::\($0)") }
        let objectARNs = names.map { JSONDocument.string("arn:\(partition):s3:::\($0)/*") }
        return .object([
            ("Version", Self.policyVersion),
            (
                "Statement",
                .array([
                    .object([
                        ("Sid", .string("ReadObjects")),
                        ("Effect", .string("Allow")),
                        ("Action", .array([.string("s3:GetObject")])),
                        ("Resource", .array(objectARNs)),
                    ]),
                    .object([
                        ("Sid", .string("ListBuckets")),
                        ("Effect", .string("Allow")),
                        ("Action", .array([.string("s3:ListBucket"), .string("s3:GetBucketLocation")])),
                        ("Resource", .array(bucketARNs)),
                    ]),
                ])
            ),
        ])
    }

    /// A template making the role named by `roleArn` (path and name) with both policies inline,
    /// and giving its ARN as the output `RoleArn`.
    public var cloudFormationTemplate: JSONDocument {
        let role = RoleARN(connection.fields.roleARN)
        return .object([
            ("AWSTemplateFormatVersion", .string("2010-09-09")),
            (
                "Description",
                .string("IAM role through which \(principalARN) reads media for connection \(connection.id.rawValue)")
            ),
            (
                "Resources",
                .object([
                    (
                        Self.roleResource,
                        .object([
                            ("Type", .string("AWS::IAM::Role")),
                            (
                                "Properties",
                                .object([
                                    ("RoleName", .string(role?.name ?? RoleARN.defaultRoleName)),
                                    ("Path", .string(role?.path ?? "/")),
                                    ("Description", .string("Read-only media access for connection \(connection.id.rawValue)")),
                                    ("AssumeRolePolicyDocument", trustPolicy),
                                    (
                                        "Policies",
                                        .array([
                                            .object([
                                                ("PolicyName", .string("media-read")),
                                                ("PolicyDocument", permissionsPolicy),
                                            ])
                                        ])
                                    ),
                                ])
                            ),
                        ])
                    )
                ])
            ),
            (
                "Outputs",
                .object([
                    (
                        "RoleArn",
                        .object([
                            ("Description", .string("Give this ARN to the connection as roleArn (it already is).")),
                            ("Value", .object([("Fn::GetAtt", .array([.string(Self.roleResource), .string("Arn")]))])),
                        ])
                    )
                ])
            ),
        ])
    }
}

/// S3's rules for bucket names (general purpose buckets), so that `setup` never writes a
/// policy for a bucket that cannot exist.
public enum S3BucketName {
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 3, bytes.count <= 63 else { return false }
        func isLowerAlnum(_ b: UInt8) -> Bool {
            (b >= UInt8(ascii: "a") && b <= UInt8(ascii: "z")) || (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
        }
        guard isLowerAlnum(bytes.first!), isLowerAlnum(bytes.last!) else { return false }
        guard bytes.allSatisfy({ isLowerAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else {
            return false
        }
        if name.contains("..") { return false }
        // Not formatted as an IP address.
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isNumber) }) { return false }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) { return false }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(suffix) {
            return false
        }
        return true
    }
}

/// S3's rule for object keys: 1 to 1,024 bytes of UTF-8.
public enum S3ObjectKey {
    public static let maxLength = 1024

    public static func isValid(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= maxLength
    }
}
