public import AWSConnectionsCore
import PostgresNIO

extension PostgresStore {
    public func saveVerification(_ verification: Verification) async throws -> Bool {
        let steps = StoredVerificationSteps.encode(verification.steps)
        return try await perform(writing: true) { database in
            // The connection's current role is the condition, in the statement that writes.
            // FOR SHARE waits for an update holding the row and then re-reads it, so a result
            // of a role replaced meanwhile is never kept; and an update that comes second
            // waits for this save, then forgets its row (see `update`).
            let rows = try await database.query(
                """
                INSERT INTO connection_verifications (connection_id, role_arn, status, checked_at, steps)
                SELECT id, role_arn, \(verification.status.rawValue), \(verification.checkedDate?.millisecondsSinceEpoch),
                    \(steps)
                FROM connections WHERE id = \(verification.connectionID.rawValue) AND role_arn = \(verification.roleARN)
                FOR SHARE
                ON CONFLICT (connection_id) DO UPDATE
                    SET role_arn = EXCLUDED.role_arn, status = EXCLUDED.status, checked_at = EXCLUDED.checked_at,
                        steps = EXCLUDED.steps
                RETURNING 1
                """, logger: self.logger)
            var saved = false
            for try await _ in rows { saved = true }
            return saved
        }
    }

    public func verification(id: ConnectionID) async throws -> Verification? {
        try await perform { database in
            let rows = try await database.query(
                """
                SELECT role_arn, status, checked_at, steps FROM connection_verifications
                WHERE connection_id = \(id.rawValue)
                """, logger: self.logger)
            var found: Verification?
            for try await (roleARN, status, checkedAt, steps) in rows.decode((String, String, Int64?, String).self) {
                guard let status = Verification.Status(rawValue: status) else {
                    throw StoreError.failed("a verification has the unknown status '\(status)'")
                }
                found = Verification(
                    connectionID: id, roleARN: roleARN, status: status,
                    checkedDate: checkedAt.map(Timestamp.init(millisecondsSinceEpoch:)),
                    steps: try StoredVerificationSteps.decode(steps))
            }
            return found
        }
    }
}
