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
        let parameters = request.uri.queryParameters
        var errors: [FieldError] = []
        if let text = parameters.get("limit") {
            if let limit = text.asciiDigitsValue, (1...Int64(Self.maximumLimit)).contains(limit) {
                query.limit = Int(limit)
            } else {
                errors.append(
                    .init(field: "limit", code: .outOfRange, message: "limit must be a whole number from 1 to \(Self.maximumLimit)"))
            }
        }
        if let token = parameters.get("nextToken") {
            if let position = Self.position(fromToken: token) {
                query.after = position
            } else {
                errors.append(
                    .init(field: "nextToken", code: .invalidFormat, message: "nextToken must be a NextToken this API returned"))
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

    /// Opaque to clients: the position (creation time and id) of the last connection sent.
    static func token(after connection: Connection) -> String {
        "\(connection.createdDate.millisecondsSinceEpoch).\(connection.id.rawValue)"
    }

    private static func position(fromToken token: String) -> ListPosition? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 15, let milliseconds = parts[0].asciiDigitsValue,
            let id = ConnectionID(String(parts[1]))
        else { return nil }
        return ListPosition(createdDate: Timestamp(millisecondsSinceEpoch: milliseconds), id: id)
    }
}
