/// The AWS partition a region belongs to: the second field of every ARN in it.
public enum AWSPartition: String, Sendable, CaseIterable {
    case aws
    case china = "aws-cn"
    case govCloud = "aws-us-gov"

    public init(region: String) {
        if region.hasPrefix("cn-") {
            self = .china
        } else if region.hasPrefix("us-gov-") {
            self = .govCloud
        } else {
            self = .aws
        }
    }
}

/// The ARN of the IAM role a connection's platform assumes: `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
public struct RoleARN: Sendable, Equatable, CustomStringConvertible {
    public var partition: AWSPartition
    public var accountID: String
    /// `/` or `/segment/…/`, as IAM writes paths.
    public var path: String
    public var name: String

    /// The role name a connection gets when created without `roleArn`.
    public static let defaultRoleName = "aws-connections-media-access"
    /// IAM's limit on a role name's length.
    public static let nameMaxLength = 64
    /// IAM's limit on a path's length.
    public static let pathMaxLength = 512

    public init(partition: AWSPartition, accountID: String, path: String = "/", name: String) {
        self.partition = partition
        self.accountID = accountID
        self.path = path
        self.name = name
    }

    /// The default role of a connection in `region` of `accountID`.
    public init(defaultFor accountID: String, region: String, roleName: String) {
        self.init(partition: AWSPartition(region: region), accountID: accountID, name: roleName)
    }

    /// Parses an IAM role ARN; nil when `text` is not one (IAM's character rules for names and paths).
    public init?(_ text: String) {
        let fields = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == "arn", let partition = AWSPartition(rawValue: String(fields[1])),
            fields[2] == "iam", fields[3].isEmpty, fields[4].utf8.count == 12,
            fields[4].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            fields[5].hasPrefix("role/")
        else { return nil }
        let resource = fields[5].dropFirst("role/".count)
        let lastSlash = resource.lastIndex(of: "/")
        let name = lastSlash.map { resource[resource.index(after: $0)...] } ?? resource
        let path = lastSlash.map { "/" + resource[...$0] } ?? "/"
        guard Self.isValidName(name), Self.isValidPath(path) else { return nil }
        self.init(partition: partition, accountID: String(fields[4]), path: String(path), name: String(name))
    }

    public var description: String {
        "arn:\(partition.rawValue):iam::\(accountID):role\(path)\(name)"
    }

    /// IAM's rule for role names: 1–64 of `[A-Za-z0-9+=,.@_-]`.
    public static func isValidName<S: StringProtocol>(_ name: S) -> Bool {
        let utf8 = name.utf8
        return !utf8.isEmpty && utf8.count <= nameMaxLength && utf8.allSatisfy(isNameByte)
    }

    /// IAM's rule for paths: `/`, or `/` + printable ASCII segments + `/`, at most 512 characters.
    static func isValidPath<S: StringProtocol>(_ path: S) -> Bool {
        let utf8 = Array(path.utf8)
        guard utf8.first == UInt8(ascii: "/"), utf8.last == UInt8(ascii: "/"), utf8.count <= pathMaxLength else {
            return false
        }
        // Printable ASCII without spaces; no empty segment (`//`), which IAM refuses.
        var previous: UInt8 = 0
        for byte in utf8 {
            guard byte > 0x20, byte < 0x7F, !(byte == UInt8(ascii: "/") && previous == UInt8(ascii: "/")) else {
                return false
            }
            previous = byte
        }
        return true
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "+"), UInt8(ascii: "="), UInt8(ascii: ","), UInt8(ascii: "."), UInt8(ascii: "@"),
            UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

/// The secret-less shared value that a customer's trust policy requires of every `AssumeRole`
/// the platform makes for one connection, so that no other customer of the platform can make
/// the platform act on this customer's role (the confused-deputy problem).
public enum ExternalID {
    /// Generated length: 40 base62 characters, about 238 bits (STS accepts 2–1224 characters).
    public static let length = 40

    /// A new external id from the system CSPRNG.
    public static func generate() -> String {
        String(decoding: RandomBase62.bytes(count: length), as: UTF8.self)
    }
}
