/// A JSON tree whose objects keep their members in the order written.
///
/// For the documents the API hands to people (IAM policies, CloudFormation templates), where a
/// reader expects `Version` before `Statement`; `JSONValue`'s objects are dictionaries.
public indirect enum JSONDocument: Sendable, Equatable {
    case string(String)
    case array([JSONDocument])
    case object([(String, JSONDocument)])

    public static func == (lhs: JSONDocument, rhs: JSONDocument) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func write(to writer: inout JSONWriter) {
        switch self {
        case .string(let text):
            writer.string(text)
        case .array(let items):
            writer.beginArray()
            for item in items { item.write(to: &writer) }
            writer.endArray()
        case .object(let members):
            writer.beginObject()
            for (name, value) in members {
                writer.dynamicKey(name)
                value.write(to: &writer)
            }
            writer.endObject()
        }
    }

    /// The member `name` of an object; nil for anything else.
    public subscript(name: String) -> JSONDocument? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == name }?.1
    }
}
