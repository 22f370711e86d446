import AWSConnectionsCore
import Hummingbird

/// The list call's query parameters: `limit`, `nextToken`, `enabled`, `name`.
///
/// Without `limit` the call returns every matching connection, as the vendor's does.
/// Unknown parameters are ignored (clients add cache-busters); a known one with a bad
/// value is a 400 naming it.
struct ListParameters {
    static let maximumLimit = 1000

    var query = ConnectionListQuery()

    init(_ request: Request) throws {
        let parameters = QueryParameters(request)
        var errors: [FieldError] = []
        if let text = parameters.get("limit") {
            query.limit = Self.limit(text, errors: &errors)
        }
        if let token = parameters.get("nextToken") {
            if let position = Self.position(fromToken: token) {
                query.after = position
            } else {
                errors.append(Self.badNextToken)
            }
        }
        if let text = parameters.get("enabled") {
            switch text {
            case "true": query.enabled = true
            case "false": query.enabled = false
            default: errors.append(.init(field: "enabled", code: .invalidType, message: "enabled must be true or false"))
            }
        }
        if let name = parameters.get("name") {
            query.name = name
        }
        guard errors.isEmpty else { throw Problem.validation(ValidationError(errors: errors)) }
    }

    /// `limit` as a page size from 1 to `maximumLimit`, else nil with its error added. Shared
    /// with the history's pages, so both calls accept and refuse the same values.
    static func limit(_ text: String, errors: inout [FieldError]) -> Int? {
        if let limit = text.asciiDigitsValue, (1...Int64(maximumLimit)).contains(limit) { return Int(limit) }
        errors.append(
            .init(field: "limit", code: .outOfRange, message: "limit must be a whole number from 1 to \(maximumLimit)"))
        return nil
    }

    /// The error for a `nextToken` that is not one the call returned.
    static let badNextToken = FieldError(
        field: "nextToken", code: .invalidFormat, message: "nextToken must be a NextToken this API returned")

    /// Opaque to clients: the position (creation time and id) of the last connection sent.
    static func token(after position: ListPosition) -> String {
        "\(position.createdDate.millisecondsSinceEpoch).\(position.id.rawValue)"
    }

    private static func position(fromToken token: String) -> ListPosition? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 15, let milliseconds = parts[0].asciiDigitsValue,
            let id = ConnectionID(String(parts[1]))
        else { return nil }
        return ListPosition(createdDate: Timestamp(millisecondsSinceEpoch: milliseconds), id: id)
    }
}
