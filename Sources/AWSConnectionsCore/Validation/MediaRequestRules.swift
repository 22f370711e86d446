/// The rules of the bodies and queries of `setup`, `verify` and `presign`.
public enum MediaRequestRules {
    /// `presign`'s `expiresIn` bounds and default, in seconds.
    public static let expiresInRange: ClosedRange<Int64> = 1...3600
    public static let defaultExpiresIn = 900

    /// What `POST …/presign` asks for.
    public struct Presign: Sendable, Equatable {
        public var bucket: String
        public var key: String
        public var expiresIn: Int
    }

    /// What `POST …/verify` asks to check beyond the role; both nil for the role alone.
    public struct VerifyTarget: Sendable, Equatable {
        public var bucket: String?
        public var key: String?

        public init(bucket: String? = nil, key: String? = nil) {
            self.bucket = bucket
            self.key = key
        }
    }

    /// `setup`'s repeatable `bucket` query parameter: every value a bucket name.
    public static func setupBuckets(_ values: [String]) throws(ValidationError) -> [String] {
        let errors = values.filter { !S3BucketName.isValid($0) }.map { value in
            FieldError(field: "bucket", code: .invalidFormat, message: bucketMessage(value))
        }
        guard errors.isEmpty else { throw ValidationError(errors: errors) }
        // The policy lists each bucket once, in the order first asked for.
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// A verify body: none, `{}`, `{"bucket": …}` or `{"bucket": …, "key": …}`.
    public static func verifyTarget(from body: JSONValue?) throws -> VerifyTarget {
        guard let body else { return VerifyTarget() }
        let members = try objectMembers(body)
        var errors = unknownMembers(members, allowed: ["bucket", "key"])
        let bucket = bucketMember(members, required: false, errors: &errors)
        let key = keyMember(members, required: false, errors: &errors)
        if key != nil, bucket == nil, !errors.contains(where: { $0.field == "bucket" }) {
            errors.append(FieldError(field: "key", code: .requiresBucket, message: "key needs the bucket it is in"))
        }
        guard errors.isEmpty else { throw ValidationError(errors: errors) }
        return VerifyTarget(bucket: bucket, key: key)
    }

    /// A presign body: `bucket` and `key` required, `expiresIn` 1–3600 seconds (default 900).
    public static func presign(from body: JSONValue) throws -> Presign {
        let members = try objectMembers(body)
        var errors = unknownMembers(members, allowed: ["bucket", "key", "expiresIn"])
        let bucket = bucketMember(members, required: true, errors: &errors)
        let key = keyMember(members, required: true, errors: &errors)
        var expiresIn = defaultExpiresIn
        switch members["expiresIn"] {
        case nil, .null?:
            break
        case .integer(let value)? where expiresInRange.contains(value):
            expiresIn = Int(value)
        case .integer?:
            errors.append(
                FieldError(
                    field: "expiresIn", code: .outOfRange,
                    message: "expiresIn must be from \(expiresInRange.lowerBound) to \(expiresInRange.upperBound) seconds"))
        case let other?:
            errors.append(
                FieldError(
                    field: "expiresIn", code: .invalidType,
                    message: "expiresIn must be a whole number of seconds, not a \(other.typeName)"))
        }
        guard errors.isEmpty, let bucket, let key else { throw ValidationError(errors: errors) }
        return Presign(bucket: bucket, key: key, expiresIn: expiresIn)
    }

    private static func objectMembers(_ body: JSONValue) throws -> [String: JSONValue] {
        guard case .object(let members) = body else {
            throw BodyShapeError(reason: "the body must be a JSON object, not \(body.typeName == "null" ? "null" : "a " + body.typeName)")
        }
        return members
    }

    private static func unknownMembers(_ members: [String: JSONValue], allowed: Set<String>) -> [FieldError] {
        members.keys.sorted().filter { !allowed.contains($0) }.map {
            FieldError(field: $0, code: .unknownField, message: "\($0) is not a field of this call")
        }
    }

    private static func bucketMember(_ members: [String: JSONValue], required: Bool, errors: inout [FieldError])
        -> String?
    {
        switch members["bucket"] {
        case nil, .null?:
            if required { errors.append(FieldError(field: "bucket", code: .required, message: "bucket is required")) }
        case .string(let value)?:
            if S3BucketName.isValid(value) { return value }
            errors.append(FieldError(field: "bucket", code: .invalidFormat, message: bucketMessage(value)))
        case let other?:
            errors.append(
                FieldError(field: "bucket", code: .invalidType, message: "bucket must be a string, not a \(other.typeName)"))
        }
        return nil
    }

    private static func keyMember(_ members: [String: JSONValue], required: Bool, errors: inout [FieldError]) -> String? {
        switch members["key"] {
        case nil, .null?:
            if required { errors.append(FieldError(field: "key", code: .required, message: "key is required")) }
        case .string(let value)?:
            if S3ObjectKey.isValid(value) { return value }
            errors.append(
                FieldError(
                    field: "key", code: value.isEmpty ? .tooShort : .tooLong,
                    message: "key must be 1 to \(S3ObjectKey.maxLength) bytes of UTF-8"))
        case let other?:
            errors.append(
                FieldError(field: "key", code: .invalidType, message: "key must be a string, not a \(other.typeName)"))
        }
        return nil
    }

    private static func bucketMessage(_ value: String) -> String {
        "bucket '\(value.prefix(70))' is not an S3 bucket name (3-63 of a-z 0-9 . -, starting and ending with a letter or digit)"
    }
}
