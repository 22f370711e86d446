/// What a key may do. A key holds one or more.
public enum Scope: String, Sendable, CaseIterable, Comparable {
    case read = "connections:read"
    case write = "connections:write"
    /// Presigned reads of a connection's media: for the platform's own media workers, given
    /// only when asked for.
    case mediaRead = "media:read"

    public static func < (lhs: Scope, rhs: Scope) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// Scopes as stored: space-separated, sorted, like OAuth's `scope` parameter.
    public static func serialise(_ scopes: Set<Scope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: " ")
    }

    /// The inverse of `serialise`; unknown words are dropped so an older server never grants them.
    public static func parse(_ text: String) -> Set<Scope> {
        Set(text.split(separator: " ").compactMap { Scope(rawValue: String($0)) })
    }
}
