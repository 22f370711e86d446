import AWSConnectionsCore

/// The AWS side of `serve`: whom customers' roles trust and how long any one AWS call may
/// take (the default role name is a `DatabaseSettings` option: the store's migration uses it). The platform's own credentials come from
/// the standard AWS chain (environment, shared files, web identity, containers, instance
/// metadata), which reads its own variables.
struct AWSSettings: SettingGroup {
    /// Empty when not given.
    let principalARN = Setting<String>.text(
        "aws.principalArn", default: "", valueName: "arn",
        help:
            "The platform's IAM principal that customers' roles trust, e.g. arn:aws:iam::111122223333:role/media-reader. Without it, setup, verify and presign answer 503 aws_not_configured and no AWS endpoint is ever called.",
        rule: "an IAM ARN such as arn:aws:iam::111122223333:role/NAME",
        parse: { text in text.isEmpty || AWSPrincipal.isValid(text) ? text : nil })
    let timeout = Setting<Duration>.seconds(
        "aws.timeout", default: 10, in: 0.1...300, help: "Limit for each call to AWS (STS, S3, credential sources).")

    init() {}
}

/// The shape of an IAM principal ARN: `arn:PARTITION:iam::ACCOUNT:RESOURCE`.
enum AWSPrincipal {
    static func isValid(_ text: String) -> Bool {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return fields.count == 6 && fields[0] == "arn" && AWSPartition(rawValue: String(fields[1])) != nil
            && (fields[2] == "iam" || fields[2] == "sts") && fields[3].isEmpty && fields[4].count == 12
            && fields[4].allSatisfy(\.isNumber) && !fields[5].isEmpty
    }
}
