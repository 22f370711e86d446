/// The field rules of the contract, applied to untyped JSON so every violation is reported.
public enum ConnectionRules {
    public static let nameMaxLength = 100
    public static let descriptionMaxLength = 500
    /// Limits in UTF-8 bytes besides the limits in characters: one character may carry any
    /// number of combining marks, so without them one "character" could fill the whole body.
    /// Real text stays far below (the longest emoji sequences are under 40 bytes a character).
    public static let nameMaxBytes = 4096
    public static let descriptionMaxBytes = 16384

    /// Fields a client may send when creating.
    static let createFields: Set<String> = ["name", "description", "awsAccountId", "awsRegion", "roleArn", "enabled"]
    /// Fields a client may send when updating.
    static let updateFields: Set<String> = ["name", "description", "roleArn", "enabled", "version"]
    /// Fields of the resource the server owns; sending one is `immutable_field`, not `unknown_field`.
    static let serverManagedOnCreate: Set<String> = [
        "connectionId", "type", "externalId", "createdDate", "updatedDate", "version",
    ]
    static let immutableOnUpdate: Set<String> = [
        "awsAccountId", "awsRegion", "externalId", "connectionId", "type", "createdDate", "updatedDate",
    ]

    /// Validates a create body; a connection without `roleArn` gets the default role of its
    /// account and partition, named `defaultRoleName`, and every connection a new external id.
    public static func newConnection(from body: JSONValue, defaultRoleName: String = RoleARN.defaultRoleName) throws
        -> NewConnection
    {
        let members = try objectMembers(body)
        var errors = unexpectedFields(
            in: members, allowed: createFields, immutable: serverManagedOnCreate,
            immutableMessage: "is set by the server and cannot be sent when creating a connection")

        let name = requiredName(members, errors: &errors)
        let description = optionalDescription(members, errors: &errors) ?? ""
        let enabled = optionalBool("enabled", members, errors: &errors) ?? true

        var awsAccountID = ""
        switch members["awsAccountId"] {
        case nil, .null?:
            errors.append(.init(field: "awsAccountId", code: .required, message: "awsAccountId is required"))
        case .string(let value)?:
            if value.utf8.count == 12, value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
                awsAccountID = value
            } else {
                errors.append(
                    .init(field: "awsAccountId", code: .invalidFormat, message: "awsAccountId must be exactly 12 digits"))
            }
        case let other?:
            errors.append(typeError("awsAccountId", expected: "a string of 12 digits", got: other))
        }

        var awsRegion = ""
        switch members["awsRegion"] {
        case nil, .null?:
            errors.append(.init(field: "awsRegion", code: .required, message: "awsRegion is required"))
        case .string(let value)?:
            if AWSRegion.isValid(value) {
                awsRegion = value
            } else {
                errors.append(
                    .init(
                        field: "awsRegion", code: .invalidRegion,
                        message: "awsRegion must be an AWS region code such as us-east-1"))
            }
        case let other?:
            errors.append(typeError("awsRegion", expected: "a string", got: other))
        }

        var roleARN = optionalRoleARN(members, errors: &errors)
        if let arn = roleARN, !awsAccountID.isEmpty, !awsRegion.isEmpty,
            let mismatch = checkRoleARN(arn, awsAccountID: awsAccountID, awsRegion: awsRegion)
        {
            errors.append(mismatch)
            roleARN = nil
        }

        guard errors.isEmpty, let name else { throw ValidationError(errors: errors) }
        let role = roleARN ?? RoleARN(defaultFor: awsAccountID, region: awsRegion, roleName: defaultRoleName)
        return NewConnection(
            name: name, description: description, awsAccountID: awsAccountID, awsRegion: awsRegion,
            roleARN: role.description, externalID: ExternalID.generate(), enabled: enabled)
    }

    /// A role of another account or partition than the connection's, which STS would refuse or
    /// which would let one connection act in an account it does not name.
    public static func checkRoleARN(_ arn: RoleARN, awsAccountID: String, awsRegion: String) -> FieldError? {
        if arn.accountID != awsAccountID {
            return FieldError(
                field: "roleArn", code: .accountMismatch,
                message: "roleArn must be a role in the connection's account \(awsAccountID), not \(arn.accountID)")
        }
        let partition = AWSPartition(region: awsRegion)
        if arn.partition != partition {
            return FieldError(
                field: "roleArn", code: .partitionMismatch,
                message: "roleArn must be in partition \(partition.rawValue), the partition of \(awsRegion)")
        }
        return nil
    }

    /// Validates an update body.
    /// `versionFromIfMatch` is the version an `If-Match` header names: it stands in for an
    /// omitted `version`, and must equal one that is sent.
    public static func changes(from body: JSONValue, versionFromIfMatch: Int64? = nil) throws -> ConnectionChanges {
        let members = try objectMembers(body)
        var errors = unexpectedFields(
            in: members, allowed: updateFields, immutable: immutableOnUpdate,
            immutableMessage: "cannot be changed after the connection is created")

        let name = requiredName(members, errors: &errors)
        let description = optionalDescription(members, errors: &errors)
        let enabled = optionalBool("enabled", members, errors: &errors)
        let roleARN = optionalRoleARN(members, errors: &errors)

        var version: Int64?
        switch members["version"] {
        case nil, .null?:
            if let versionFromIfMatch {
                version = versionFromIfMatch
            } else {
                errors.append(.init(field: "version", code: .required, message: "version is required"))
            }
        case .integer(let value)?:
            if let versionFromIfMatch, value != versionFromIfMatch {
                errors.append(
                    .init(
                        field: "version", code: .ifMatchMismatch,
                        message: "version is \(value) but If-Match names version \(versionFromIfMatch); send one, or both equal"))
            } else if value >= 1 {
                version = value
            } else {
                errors.append(.init(field: "version", code: .outOfRange, message: "version must be 1 or greater"))
            }
        case let other?:
            errors.append(typeError("version", expected: "an integer", got: other))
        }

        guard errors.isEmpty, let name, let version else { throw ValidationError(errors: errors) }
        return ConnectionChanges(
            name: name, description: description, enabled: enabled, roleARN: roleARN, expectedVersion: version)
    }

    // MARK: - Shared field rules

    private static func objectMembers(_ body: JSONValue) throws -> [String: JSONValue] {
        guard case .object(let members) = body else {
            throw BodyShapeError(reason: "the body must be a JSON object, not \(body.typeName == "null" ? "null" : "a " + body.typeName)")
        }
        return members
    }

    /// Immutable and unknown members, in a stable (sorted) order so responses are reproducible.
    private static func unexpectedFields(
        in members: [String: JSONValue], allowed: Set<String>, immutable: Set<String>, immutableMessage: String
    ) -> [FieldError] {
        members.keys.sorted().compactMap { key in
            if allowed.contains(key) { return nil }
            if immutable.contains(key) {
                return FieldError(field: key, code: .immutableField, message: "\(key) \(immutableMessage)")
            }
            return FieldError(field: key, code: .unknownField, message: "\(key) is not a field of this call")
        }
    }

    /// `name`: a string of 1–100 characters once surrounding whitespace is trimmed; returns it trimmed.
    private static func requiredName(_ members: [String: JSONValue], errors: inout [FieldError]) -> String? {
        switch members["name"] {
        case nil, .null?:
            errors.append(.init(field: "name", code: .required, message: "name is required"))
        case .string(let value)?:
            let trimmed = value.trimmingWhitespace()
            if trimmed.utf8.count > nameMaxBytes {
                errors.append(
                    .init(field: "name", code: .tooLong, message: "name must be at most \(nameMaxBytes) bytes of UTF-8"))
            } else if trimmed.isEmpty {
                errors.append(.init(field: "name", code: .tooShort, message: "name must not be empty"))
            } else if trimmed.count > nameMaxLength {
                errors.append(
                    .init(field: "name", code: .tooLong, message: "name must be at most \(nameMaxLength) characters"))
            } else if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                // A name is one line of text; control characters only ever arrive by mistake.
                errors.append(
                    .init(field: "name", code: .invalidCharacter, message: "name must not contain control characters"))
            } else if trimmed.unicodeScalars.contains(where: isHiddenFormatting) {
                // A console shows a name as it is: an override or an invisible character makes it
                // show something else than what it is ("gpj.exe" shown as "exe.jpg").
                errors.append(
                    .init(
                        field: "name", code: .invalidCharacter,
                        message: "name must not contain invisible formatting or bidirectional control characters such as U+202E"))
            } else {
                return trimmed
            }
        case let other?:
            errors.append(typeError("name", expected: "a string", got: other))
        }
        return nil
    }

    private static func optionalDescription(_ members: [String: JSONValue], errors: inout [FieldError]) -> String? {
        switch members["description"] {
        case nil, .null?:
            return nil
        case .string(let value)?:
            if value.unicodeScalars.contains("\u{0}") {
                // SQLite's C API and many clients end strings at NUL; refusing it is the only way not to lose data.
                errors.append(
                    .init(field: "description", code: .invalidCharacter, message: "description must not contain U+0000"))
                return nil
            }
            if value.utf8.count > descriptionMaxBytes {
                errors.append(
                    .init(
                        field: "description", code: .tooLong,
                        message: "description must be at most \(descriptionMaxBytes) bytes of UTF-8"))
                return nil
            }
            if value.count > descriptionMaxLength {
                errors.append(
                    .init(
                        field: "description", code: .tooLong,
                        message: "description must be at most \(descriptionMaxLength) characters"))
                return nil
            }
            return value
        case let other?:
            errors.append(typeError("description", expected: "a string", got: other))
            return nil
        }
    }

    /// `roleArn`: an IAM role ARN; whether it fits the connection is `checkRoleARN`'s question.
    private static func optionalRoleARN(_ members: [String: JSONValue], errors: inout [FieldError]) -> RoleARN? {
        switch members["roleArn"] {
        case nil, .null?:
            return nil
        case .string(let value)?:
            if let arn = RoleARN(value) { return arn }
            errors.append(
                .init(
                    field: "roleArn", code: .invalidFormat,
                    message:
                        "roleArn must be an IAM role ARN, arn:PARTITION:iam::ACCOUNT:role/NAME, the name 1-64 of [A-Za-z0-9+=,.@_-]"
                ))
            return nil
        case let other?:
            errors.append(typeError("roleArn", expected: "a string", got: other))
            return nil
        }
    }

    /// Format characters (Unicode category Cf: bidirectional controls, zero-width spaces, the
    /// byte order mark…), but for the joiners that emoji sequences and several scripts need
    /// (U+200C, U+200D) and the tags of flag sequences (U+E0020–U+E007F).
    public static func isHiddenFormatting(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.properties.generalCategory == .format else { return false }
        switch scalar.value {
        case 0x200C, 0x200D, 0xE0020...0xE007F: return false
        default: return true
        }
    }

    private static func optionalBool(_ field: String, _ members: [String: JSONValue], errors: inout [FieldError]) -> Bool? {
        switch members[field] {
        case nil, .null?:
            return nil
        case .bool(let value)?:
            return value
        case let other?:
            errors.append(typeError(field, expected: "true or false", got: other))
            return nil
        }
    }

    private static func typeError(_ field: String, expected: String, got value: JSONValue) -> FieldError {
        FieldError(field: field, code: .invalidType, message: "\(field) must be \(expected), not a \(value.typeName)")
    }
}

extension String {
    /// Drops leading and trailing Unicode whitespace and newlines (no Foundation needed).
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}
