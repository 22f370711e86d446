/// One problem with one field of a request body.
public struct FieldError: Sendable, Equatable {
    /// The JSON member name, exactly as the client spelled it.
    public var field: String
    /// A stable machine-readable code, see `FieldError.Code`.
    public var code: String
    /// A sentence for humans.
    public var message: String

    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code.rawValue
        self.message = message
    }

    /// The per-field codes a client can rely on.
    public enum Code: String, Sendable {
        case required
        case invalidType = "invalid_type"
        case tooShort = "too_short"
        case tooLong = "too_long"
        case invalidFormat = "invalid_format"
        case invalidCharacter = "invalid_character"
        case invalidRegion = "invalid_region"
        case outOfRange = "out_of_range"
        case immutableField = "immutable_field"
        case unknownField = "unknown_field"
        /// `roleArn` names another AWS account than the connection's `awsAccountId`.
        case accountMismatch = "account_mismatch"
        /// `roleArn`'s partition is not the one of the connection's `awsRegion`.
        case partitionMismatch = "partition_mismatch"
        /// `key` was sent without the `bucket` it is in.
        case requiresBucket = "requires_bucket"
        /// The body's `version` and the `If-Match` header name different versions.
        case ifMatchMismatch = "if_match_mismatch"
    }
}

/// A request body that parsed as JSON but breaks one or more rules.
///
/// It lists the first `listedMax` broken rules and counts all of them: a body of thousands of
/// unknown members must not turn into an answer thousands of errors long.
public struct ValidationError: Error, Sendable, Equatable {
    /// How many field errors a problem lists at most.
    public static let listedMax = 20

    /// The first `listedMax` errors, sorted by field name (ties keep their order), so a client
    /// reads the same list whatever order the rules ran in.
    public var errors: [FieldError]
    /// How many errors there are in all, listed or not.
    public var totalCount: Int
    /// The problem's top-level code: the most specific kind among all the errors.
    ///
    /// An immutable field wins over everything (the client tried to change what cannot change),
    /// then an unknown field (most likely a typo), then generic `validation_failed`.
    public var problemCode: String

    public init(errors: [FieldError]) {
        let sorted = errors.enumerated()
            .sorted { ($0.element.field, $0.offset) < ($1.element.field, $1.offset) }
            .map(\.element)
        self.errors = Array(sorted.prefix(Self.listedMax))
        self.totalCount = sorted.count
        if sorted.contains(where: { $0.code == FieldError.Code.immutableField.rawValue }) {
            problemCode = FieldError.Code.immutableField.rawValue
        } else if sorted.contains(where: { $0.code == FieldError.Code.unknownField.rawValue }) {
            problemCode = FieldError.Code.unknownField.rawValue
        } else {
            problemCode = "validation_failed"
        }
    }
}

/// The body is JSON but not an object.
public struct BodyShapeError: Error, Sendable, Equatable {
    public var reason: String
}
