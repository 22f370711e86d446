public import Foundation

// The SDK's public models: what the API's JSON says, in Swift types that belong to this
// library rather than to the generator (whose names follow the document's structure and may
// change with it). Each encodes to the API's own member names, in the API's order, so a tool
// can print what the server sent.

/// A connection as the API returns it.
public struct Connection: Codable, Hashable, Sendable {
    public var connectionId: String
    public var name: String
    public var description: String
    public var awsAccountId: String
    public var awsRegion: String
    /// The IAM role the platform assumes for this connection.
    public var roleArn: String
    /// The value the role's trust policy must require as `sts:ExternalId`.
    public var externalId: String
    /// Always `AWS`.
    public var type: String
    public var enabled: Bool
    public var createdDate: Date
    public var updatedDate: Date
    /// Starts at 1 and grows by one with each update; an update must name the current one.
    public var version: Int

    public init(
        connectionId: String, name: String, description: String, awsAccountId: String, awsRegion: String,
        roleArn: String, externalId: String, type: String = "AWS", enabled: Bool, createdDate: Date,
        updatedDate: Date, version: Int
    ) {
        self.connectionId = connectionId
        self.name = name
        self.description = description
        self.awsAccountId = awsAccountId
        self.awsRegion = awsRegion
        self.roleArn = roleArn
        self.externalId = externalId
        self.type = type
        self.enabled = enabled
        self.createdDate = createdDate
        self.updatedDate = updatedDate
        self.version = version
    }
}

/// What `createConnection` sends. Members left nil take the server's defaults: an empty
/// description, enabled, and the default role of the account and region's partition.
public struct NewConnection: Hashable, Sendable {
    public var name: String
    public var awsAccountId: String
    public var awsRegion: String
    public var description: String?
    public var enabled: Bool?
    public var roleArn: String?

    public init(
        name: String, awsAccountId: String, awsRegion: String, description: String? = nil, enabled: Bool? = nil,
        roleArn: String? = nil
    ) {
        self.name = name
        self.awsAccountId = awsAccountId
        self.awsRegion = awsRegion
        self.description = description
        self.enabled = enabled
        self.roleArn = roleArn
    }
}

/// What `updateConnection` changes; nil members keep their stored values.
public struct ConnectionChanges: Hashable, Sendable {
    public var name: String?
    public var description: String?
    public var enabled: Bool?
    public var roleArn: String?

    public init(name: String? = nil, description: String? = nil, enabled: Bool? = nil, roleArn: String? = nil) {
        self.name = name
        self.description = description
        self.enabled = enabled
        self.roleArn = roleArn
    }
}

/// One page of the list.
public struct ConnectionPage: Codable, Hashable, Sendable {
    public var items: [Connection]
    /// Present when more connections follow: pass it back as `nextToken`.
    public var nextToken: String?

    public init(items: [Connection], nextToken: String?) {
        self.items = items
        self.nextToken = nextToken
    }

    enum CodingKeys: String, CodingKey {
        case items = "Items"
        case nextToken = "NextToken"
    }
}

/// One change of a field: its value before and after (nil where there was none).
public struct FieldChange<Value: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    public var old: Value?
    public var new: Value?

    public init(old: Value?, new: Value?) {
        self.old = old
        self.new = new
    }
}

/// One entry of a connection's history.
public struct HistoryEntry: Codable, Hashable, Sendable {
    public enum Change: String, Codable, Hashable, Sendable {
        case created, updated, deleted
    }

    /// The fields an entry changed; a `created` entry lists every field with `old` nil.
    public struct Changes: Codable, Hashable, Sendable {
        public var name: FieldChange<String>?
        public var description: FieldChange<String>?
        public var awsAccountId: FieldChange<String>?
        public var awsRegion: FieldChange<String>?
        public var roleArn: FieldChange<String>?
        public var externalId: FieldChange<String>?
        public var enabled: FieldChange<Bool>?

        public init(
            name: FieldChange<String>? = nil, description: FieldChange<String>? = nil,
            awsAccountId: FieldChange<String>? = nil, awsRegion: FieldChange<String>? = nil,
            roleArn: FieldChange<String>? = nil, externalId: FieldChange<String>? = nil,
            enabled: FieldChange<Bool>? = nil
        ) {
            self.name = name
            self.description = description
            self.awsAccountId = awsAccountId
            self.awsRegion = awsRegion
            self.roleArn = roleArn
            self.externalId = externalId
            self.enabled = enabled
        }
    }

    public var version: Int
    public var changedDate: Date
    /// The id of the key that made the change (never the key).
    public var keyId: String?
    public var change: Change
    public var changes: Changes

    public init(version: Int, changedDate: Date, keyId: String?, change: Change, changes: Changes) {
        self.version = version
        self.changedDate = changedDate
        self.keyId = keyId
        self.change = change
        self.changes = changes
    }
}

/// One page of a connection's history, oldest first.
public struct HistoryPage: Codable, Hashable, Sendable {
    public var connectionId: String
    public var items: [HistoryEntry]
    public var nextToken: String?

    public init(connectionId: String, items: [HistoryEntry], nextToken: String?) {
        self.connectionId = connectionId
        self.items = items
        self.nextToken = nextToken
    }

    enum CodingKeys: String, CodingKey {
        case connectionId
        case items = "Items"
        case nextToken = "NextToken"
    }
}

/// What the customer deploys in their AWS account for a connection. The three documents are
/// JSON objects, kept as their JSON text.
public struct RoleSetup: Hashable, Sendable {
    public var connectionId: String
    public var roleArn: String
    public var externalId: String
    public var principalArn: String
    /// The role's trust policy, as JSON.
    public var trustPolicy: Data
    /// The role's permissions policy, as JSON.
    public var permissionsPolicy: Data
    /// A CloudFormation template that makes the role, as JSON.
    public var cloudFormationTemplate: Data

    public init(
        connectionId: String, roleArn: String, externalId: String, principalArn: String, trustPolicy: Data,
        permissionsPolicy: Data, cloudFormationTemplate: Data
    ) {
        self.connectionId = connectionId
        self.roleArn = roleArn
        self.externalId = externalId
        self.principalArn = principalArn
        self.trustPolicy = trustPolicy
        self.permissionsPolicy = permissionsPolicy
        self.cloudFormationTemplate = cloudFormationTemplate
    }
}

/// The result of a verify of a connection's role.
public struct Verification: Codable, Hashable, Sendable {
    public enum Status: String, Codable, Hashable, Sendable {
        case verified, failed, unverified
    }

    /// One check of a verify.
    public struct Step: Codable, Hashable, Sendable {
        public enum Status: String, Codable, Hashable, Sendable {
            case ok, failed, skipped
        }

        /// `assume_role`, `external_id_enforced`, `list_bucket` or `read_object`.
        public var step: String
        public var status: Status
        /// AWS's error code, or the server's, when the step did not pass.
        public var code: String?
        public var message: String?
        public var durationMs: Int

        public init(step: String, status: Status, code: String?, message: String?, durationMs: Int) {
            self.step = step
            self.status = status
            self.code = code
            self.message = message
            self.durationMs = durationMs
        }
    }

    public var connectionId: String
    public var roleArn: String
    public var status: Status
    /// Nil when the role was never verified.
    public var checkedDate: Date?
    public var steps: [Step]

    public init(connectionId: String, roleArn: String, status: Status, checkedDate: Date?, steps: [Step]) {
        self.connectionId = connectionId
        self.roleArn = roleArn
        self.status = status
        self.checkedDate = checkedDate
        self.steps = steps
    }
}

/// A presigned S3 URL. It carries a session token: treat it as a secret until it expires.
public struct PresignedURL: Codable, Hashable, Sendable {
    public var url: String
    /// Always `GET`.
    public var method: String
    public var expiresDate: Date

    public init(url: String, method: String = "GET", expiresDate: Date) {
        self.url = url
        self.method = method
        self.expiresDate = expiresDate
    }
}
