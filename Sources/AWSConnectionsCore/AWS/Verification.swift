/// The result of `POST …/verify`: whether the platform can use a connection's role, step by step.
///
/// Stored per connection beside it, not in it: a verify changes no field, so it never moves
/// the connection's version nor adds to its history.
public struct Verification: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case verified
        case failed
        /// Never verified, or not since `roleArn` changed.
        case unverified
    }

    public var connectionID: ConnectionID
    /// The role that was checked.
    public var roleARN: String
    public var status: Status
    public var checkedDate: Timestamp?
    public var steps: [VerificationStep]

    public init(connectionID: ConnectionID, roleARN: String, status: Status, checkedDate: Timestamp?, steps: [VerificationStep]) {
        self.connectionID = connectionID
        self.roleARN = roleARN
        self.status = status
        self.checkedDate = checkedDate
        self.steps = steps
    }

    /// What `GET …/verification` answers before any verify of the current role.
    public static func unverified(_ connection: Connection) -> Verification {
        Verification(
            connectionID: connection.id, roleARN: connection.fields.roleARN, status: .unverified, checkedDate: nil,
            steps: [])
    }

    /// The result of `steps`: verified only when none failed.
    public init(connection: Connection, checkedDate: Timestamp, steps: [VerificationStep]) {
        self.init(
            connectionID: connection.id, roleARN: connection.fields.roleARN,
            status: steps.contains { $0.status == .failed } ? .failed : .verified, checkedDate: checkedDate,
            steps: steps)
    }
}

/// One check of a verify, in the order they run.
public struct VerificationStep: Sendable, Equatable {
    public enum Name: String, Sendable, CaseIterable {
        /// STS `AssumeRole` with the connection's external id.
        case assumeRole = "assume_role"
        /// The same without the external id, which must be refused.
        case externalIDEnforced = "external_id_enforced"
        /// `ListObjectsV2` on the bucket asked for.
        case listBucket = "list_bucket"
        /// The first byte of the object asked for.
        case readObject = "read_object"
    }

    public enum Status: String, Sendable, CaseIterable {
        case ok
        case failed
        case skipped
    }

    public var step: Name
    public var status: Status
    /// AWS's error code, `timeout` or `unreachable`; nil when skipped, and when ok but for
    /// `external_id_enforced`, whose ok carries the refusal AWS sent.
    public var code: String?
    public var message: String?
    public var durationMilliseconds: Int64

    public init(step: Name, status: Status, code: String? = nil, message: String? = nil, durationMilliseconds: Int64 = 0) {
        self.step = step
        self.status = status
        self.code = code
        self.message = message
        self.durationMilliseconds = durationMilliseconds
    }

    public static func skipped(_ step: Name) -> VerificationStep {
        VerificationStep(step: step, status: .skipped)
    }
}
