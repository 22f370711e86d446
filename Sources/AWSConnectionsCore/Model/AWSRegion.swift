/// Every AWS region code a connection may name, in one place.
///
/// The API rejects anything else at create, so a typo such as `us-est-1` is caught before the
/// platform ever tries to assume a role there. Source: AWS's "Region billing codes" page of
/// the global-infrastructure guide; add new regions here as AWS opens them.
public enum AWSRegion {
    /// Commercial regions (partition `aws`).
    public static let commercial: [String] = [
        "af-south-1",
        "ap-east-1", "ap-east-2",
        "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
        "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
        "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
        "ca-central-1", "ca-west-1",
        "eu-central-1", "eu-central-2",
        "eu-north-1",
        "eu-south-1", "eu-south-2",
        "eu-west-1", "eu-west-2", "eu-west-3",
        "il-central-1",
        "me-central-1", "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ]

    /// China regions (partition `aws-cn`).
    public static let china: [String] = ["cn-north-1", "cn-northwest-1"]

    /// AWS GovCloud (US) regions (partition `aws-us-gov`).
    public static let govCloud: [String] = ["us-gov-east-1", "us-gov-west-1"]

    /// All valid codes.
    public static let all: Set<String> = Set(commercial + china + govCloud)

    /// Whether `code` is a real region code (exact, lower-case match).
    public static func isValid(_ code: String) -> Bool {
        all.contains(code)
    }
}
