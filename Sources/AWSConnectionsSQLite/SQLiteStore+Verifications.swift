public import AWSConnectionsCore
import GRDB

extension SQLiteStore {
    public func saveVerification(_ verification: Verification) async throws -> Bool {
        let steps = StoredVerificationSteps.encode(verification.steps)
        return try await write { db in
            // The connection's current role is the condition, in the statement that writes,
            // so a result of a role replaced meanwhile is never kept. The SELECT needs its
            // WHERE for SQLite to read the upsert: without one, ON would start a join's constraint.
            try db.cachedStatement(
                sql: """
                    INSERT INTO connection_verifications (connection_id, role_arn, status, checked_at, steps)
                    SELECT id, role_arn, ?, ?, ? FROM connections WHERE id = ? AND role_arn = ?
                    ON CONFLICT (connection_id) DO UPDATE
                        SET role_arn = excluded.role_arn, status = excluded.status, checked_at = excluded.checked_at,
                            steps = excluded.steps
                    """
            ).execute(arguments: [
                verification.status.rawValue, verification.checkedDate?.millisecondsSinceEpoch, steps,
                verification.connectionID.rawValue, verification.roleARN,
            ])
            return db.changesCount > 0
        }
    }

    public func verification(id: ConnectionID) async throws -> Verification? {
        // Through GRDB's reader pool, off the event loop: the steps are a JSON document to parse.
        do {
            return try await pool.read { db in
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: "SELECT role_arn, status, checked_at, steps FROM connection_verifications WHERE connection_id = ?",
                        arguments: [id.rawValue])
                else { return nil }
                let status: String = row["status"]
                guard let status = Verification.Status(rawValue: status) else {
                    throw StoreError.failed("a verification has the unknown status '\(status)'")
                }
                let checkedAt: Int64? = row["checked_at"]
                return Verification(
                    connectionID: id, roleARN: row["role_arn"], status: status,
                    checkedDate: checkedAt.map(Timestamp.init(millisecondsSinceEpoch:)),
                    steps: try StoredVerificationSteps.decode(row["steps"]))
            }
        } catch {
            throw translate(error)
        }
    }
}
