import Hummingbird

/// The API's paths, in one place for the router and for 405 answers.
enum Routes {
    static let collectionPath = "/pictoryapis/v1/awsconnections"
    static var base: RouterPath { RouterPath(collectionPath) }
    static let itemParameter = "connectionid"
    static let historySegment = "history"
    /// Where each problem `type` is described: `/problems/<code>`.
    static let problemsPrefix = "/problems/"

    /// Methods served at `path`, for a 405's `Allow` header; empty when the path is unknown.
    static func allowedMethods(forPath path: String) -> [HTTPRequest.Method] {
        var trimmed = path[...]
        if trimmed.count > 1, trimmed.last == "/" { trimmed = trimmed.dropLast() }
        if trimmed == collectionPath {
            return [.get, .post]
        }
        if trimmed == OpenAPIRoute.path {
            return [.get]
        }
        if trimmed.hasPrefix(problemsPrefix) {
            let code = trimmed.dropFirst(problemsPrefix.count)
            return ProblemCatalog.entry(for: String(code)) == nil ? [] : [.get]
        }
        let prefix = collectionPath + "/"
        guard trimmed.hasPrefix(prefix) else { return [] }
        let rest = trimmed.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        if rest.count == 1 {
            return [.get, .put, .delete]
        }
        if rest.count == 2, !rest[0].isEmpty, rest[1] == historySegment {
            return [.get]
        }
        return []
    }
}
