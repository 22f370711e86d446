/// Every problem `code` the API can return, with its status and meaning.
///
/// The single list behind problem titles and `GET /problems/{code}`, which is what each
/// problem's `type` points at.
public enum ProblemCatalog {
    public struct Entry: Sendable {
        public let code: String
        public let status: Int
        public let title: String
        public let description: String
    }

    public static let entries: [Entry] = [
        .init(
            code: "invalid_json", status: 400, title: "Invalid JSON",
            description: "The body is empty, is not UTF-8 JSON, or is JSON but not an object."),
        .init(
            code: "validation_failed", status: 400, title: "Validation failed",
            description: "One or more fields break the rules; `errors` lists each as {field, code, message}."),
        .init(
            code: "immutable_field", status: 400, title: "Immutable field",
            description: "The body sets a field the server owns or that cannot change after create; nothing was changed."),
        .init(
            code: "unknown_field", status: 400, title: "Unknown field",
            description: "The body has a field this call does not know (often a typo such as `enable`); nothing was changed."),
        .init(
            code: "bad_request", status: 400, title: "Bad request",
            description: "The request is malformed at the HTTP level."),
        .init(
            code: "missing_api_key", status: 401, title: "Missing API key",
            description: "No Authorization header was sent."),
        .init(
            code: "invalid_api_key", status: 401, title: "Invalid API key",
            description: "The key is malformed, unknown or revoked."),
        .init(
            code: "insufficient_scope", status: 403, title: "Insufficient scope",
            description: "The key lacks the scope this call needs (connections:read or connections:write)."),
        .init(
            code: "forbidden", status: 403, title: "Forbidden",
            description: "The connection belongs to another account."),
        .init(
            code: "connection_not_found", status: 404, title: "Connection not found",
            description: "No connection has this id: it never existed, was deleted, or the id is malformed."),
        .init(code: "not_found", status: 404, title: "Not found", description: "No route has this path."),
        .init(
            code: "method_not_allowed", status: 405, title: "Method not allowed",
            description: "The path exists but not with this method; `Allow` lists the methods it takes."),
        .init(
            code: "version_conflict", status: 409, title: "Version conflict",
            description: "The `version` sent is not the stored one; `currentVersion` carries it. Nothing was changed."),
        .init(
            code: "precondition_failed", status: 412, title: "Precondition failed",
            description: "`If-Match` names a version that is not the stored one; `currentVersion` carries it. Nothing was changed."),
        .init(
            code: "invalid_if_match", status: 400, title: "Invalid If-Match",
            description: "`If-Match` must be `*` or one entity tag as `ETag` gives it, such as `\"3\"`."),
        .init(
            code: "invalid_idempotency_key", status: 400, title: "Invalid Idempotency-Key",
            description: "`Idempotency-Key` must be one value of 1 to 255 visible ASCII characters."),
        .init(
            code: "idempotency_key_reused", status: 422, title: "Idempotency key reused",
            description: "The `Idempotency-Key` was used in the last 24 hours with a different request; nothing was created."),
        .init(
            code: "quota_exceeded", status: 422, title: "Quota exceeded",
            description: "The account already holds as many connections as its quota allows; `limit` gives the quota."),
        .init(
            code: "payload_too_large", status: 413, title: "Payload too large",
            description: "The body is over 64 KiB."),
        .init(
            code: "unsupported_media_type", status: 415, title: "Unsupported media type",
            description: "POST and PUT need `Content-Type: application/json` (a utf-8 charset parameter is fine)."),
        .init(
            code: "internal_error", status: 500, title: "Internal error",
            description: "A bug on the server; the request id finds it in the log."),
        .init(
            code: "store_unavailable", status: 503, title: "Store unavailable",
            description: "The database cannot be reached right now; retry after the `Retry-After` seconds."),
    ]

    private static let byCode: [String: Entry] = Dictionary(uniqueKeysWithValues: entries.map { ($0.code, $0) })

    public static func entry(for code: String) -> Entry? {
        byCode[code]
    }
}
