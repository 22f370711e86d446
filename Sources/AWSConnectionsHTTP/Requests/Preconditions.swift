import AWSConnectionsAPI
import Hummingbird

/// `ETag`, `If-Match` and `If-None-Match` for connections (RFC 9110 §8.8.3, §13.1).
///
/// A connection's entity tag is its version, quoted: `"3"`. Tags are strong: the version
/// changes with every change of the connection, and only then.
enum Preconditions {
    static func entityTag(version: Int64) -> String { "\"\(version)\"" }

    /// The version an `If-Match` header names, or nil when there is no header or it is `*`
    /// (which only asks that the connection exist, as every write checks anyway). Only `*`
    /// or a single strong tag can be honoured by a one-statement compare-and-write; anything
    /// else is refused with a 400 rather than guessed at.
    static func ifMatchVersion(_ request: Request) throws -> Int64? {
        let values = request.headers[values: .ifMatch]
        guard !values.isEmpty else { return nil }
        let tags = listMembers(values)
        if tags == ["*"] { return nil }
        guard tags.count == 1, let version = version(fromStrongTag: tags[0]) else {
            throw Problem(
                .invalidIfMatch,
                detail: #"If-Match must be * or one entity tag as ETag gives it, such as "3"."#)
        }
        return version
    }

    /// Whether `If-None-Match` names the current version (or `*`), making a GET a 304.
    /// Weak comparison, as RFC 9110 asks for `If-None-Match`: `W/"3"` matches `"3"`.
    static func ifNoneMatchMatches(_ request: Request, version: Int64) -> Bool {
        listMembers(request.headers[values: .ifNoneMatch]).contains { tag in
            if tag == "*" { return true }
            let strong = tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag
            return self.version(fromStrongTag: strong) == version
        }
    }

    /// The members of comma-separated header lines, without optional whitespace.
    private static func listMembers(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",") }.map { member in
            String(member.trimmingOptionalWhitespace)
        }
    }

    /// `"12"` → 12; anything else (weak, unquoted, not a positive integer) → nil.
    private static func version(fromStrongTag tag: String) -> Int64? {
        guard tag.count >= 3, tag.hasPrefix("\""), tag.hasSuffix("\"") else { return nil }
        guard let version = tag.dropFirst().dropLast().asciiDigitsValue, version >= 1 else { return nil }
        return version
    }
}
