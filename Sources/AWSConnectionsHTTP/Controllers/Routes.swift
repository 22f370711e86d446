import Hummingbird

/// The API's paths, in one place for the router and for 405 answers.
enum Routes {
    static let collectionPath = "/pictoryapis/v1/awsconnections"
    static var base: RouterPath { RouterPath(collectionPath) }
    static let itemParameter = "connectionid"

    /// Methods served at `path`, for a 405's `Allow` header; empty when the path is unknown.
    static func allowedMethods(forPath path: String) -> [HTTPRequest.Method] {
        var trimmed = path[...]
        if trimmed.count > 1, trimmed.last == "/" { trimmed = trimmed.dropLast() }
        if trimmed == collectionPath {
            return [.get, .post]
        }
        let prefix = collectionPath + "/"
        if trimmed.hasPrefix(prefix), !trimmed.dropFirst(prefix.count).contains("/") {
            return [.get, .put, .delete]
        }
        return []
    }
}
