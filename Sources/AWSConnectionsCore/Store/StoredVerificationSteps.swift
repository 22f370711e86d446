/// A verification's steps as `connection_verifications.steps` holds them: a JSON array of
/// `{"step", "status", "code"?, "message"?, "durationMs"}`, the step and status by their raw
/// values. A shape of the store's own, not the API's, so that the API can change without a
/// migration of stored results. Both stores keep it in a text column.
public enum StoredVerificationSteps {
    private enum Member: String, CodingKey {
        case step, status, code, message, durationMs
    }

    public static func encode(_ steps: [VerificationStep]) -> String {
        var writer = JSONWriter(capacity: 2 + steps.count * 96)
        writer.beginArray()
        for step in steps {
            writer.beginObject()
            writer.key(Member.step)
            writer.string(step.step.rawValue)
            writer.key(Member.status)
            writer.string(step.status.rawValue)
            if let code = step.code {
                writer.key(Member.code)
                writer.string(code)
            }
            if let message = step.message {
                writer.key(Member.message)
                writer.string(message)
            }
            writer.key(Member.durationMs)
            writer.integer(step.durationMilliseconds)
            writer.endObject()
        }
        writer.endArray()
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    public static func decode(_ text: String) throws(StoreError) -> [VerificationStep] {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text.utf8)
        } catch {
            throw .failed("stored verification steps are not JSON: \(error.reason)")
        }
        guard case .array(let items) = value else {
            throw .failed("stored verification steps are not an array")
        }
        var steps: [VerificationStep] = []
        steps.reserveCapacity(items.count)
        for item in items {
            guard case .object(let members) = item,
                case .string(let name)? = members[Member.step.rawValue], let step = VerificationStep.Name(rawValue: name),
                case .string(let status)? = members[Member.status.rawValue],
                let status = VerificationStep.Status(rawValue: status),
                case .integer(let duration)? = members[Member.durationMs.rawValue]
            else {
                throw .failed("a stored verification step is not one this server writes")
            }
            steps.append(
                VerificationStep(
                    step: step, status: status, code: try optionalString(.code, members),
                    message: try optionalString(.message, members), durationMilliseconds: duration))
        }
        return steps
    }

    private static func optionalString(_ member: Member, _ members: [String: JSONValue]) throws(StoreError) -> String? {
        switch members[member.rawValue] {
        case nil: return nil
        case .string(let value)?: return value
        default: throw .failed("a stored verification step's \(member.rawValue) is not a string")
        }
    }
}
