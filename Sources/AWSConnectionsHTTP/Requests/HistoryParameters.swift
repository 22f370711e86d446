import AWSConnectionsCore
import Hummingbird

/// The history call's query parameters: `limit` and `nextToken`, parsed as the list's are.
///
/// Unlike the list, the history call is our own, so it has no all-at-once answer to keep:
/// without `limit` it is one page of `defaultLimit`, and no history is ever read whole.
struct HistoryParameters {
    static let defaultLimit = 100

    var limit = defaultLimit
    /// Only entries with a version after this one.
    var after: Int64?

    init(_ request: Request) throws {
        let parameters = QueryParameters(request)
        var errors: [FieldError] = []
        if let text = parameters.get("limit"), let limit = ListParameters.limit(text, errors: &errors) {
            self.limit = limit
        }
        if let token = parameters.get("nextToken") {
            if let version = Self.version(fromToken: token) {
                after = version
            } else {
                errors.append(ListParameters.badNextToken)
            }
        }
        guard errors.isEmpty else { throw Problem.validation(ValidationError(errors: errors)) }
    }

    /// Opaque to clients: the version of the last entry sent.
    static func token(after record: HistoryRecord) -> String {
        String(record.version)
    }

    /// At most 18 digits, as the document's pattern says, so every token it allows parses.
    private static func version(fromToken token: String) -> Int64? {
        guard token.utf8.count <= 18 else { return nil }
        return token.asciiDigitsValue
    }
}
