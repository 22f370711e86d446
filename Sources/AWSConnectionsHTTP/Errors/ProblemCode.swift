public import AWSConnectionsAPI
public import HTTPTypes

/// Every problem `code` the API can return: the `ProblemCode` enum of `openapi.json`, generated.
///
/// The document is the one list of codes. A code added there fails the build until the
/// switches below give it a status and a title; a code removed there fails the build
/// wherever it is still thrown.
public typealias ProblemCode = Components.Schemas.ProblemCode

extension ProblemCode {
    /// The status of every problem with this code (`bad_request` aside, which carries the
    /// status the HTTP layer chose).
    public var status: HTTPResponse.Status {
        switch self {
        case .invalidJson, .validationFailed, .immutableField, .unknownField, .badRequest, .invalidIfMatch,
            .invalidIdempotencyKey, .bodyIncomplete:
            .badRequest
        case .missingApiKey, .invalidApiKey, .expiredApiKey, .invalidMetricsToken: .unauthorized
        case .insufficientScope, .forbidden: .forbidden
        case .connectionNotFound, .notFound: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .rateLimited: .tooManyRequests
        case .versionConflict, .connectionDisabled: .conflict
        case .preconditionFailed: .preconditionFailed
        case .requestTimeout: .requestTimeout
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .idempotencyKeyReused, .quotaExceeded, .assumeRoleFailed: .unprocessableContent
        case .internalError: .internalServerError
        case .storeUnavailable, .outcomeUnknown, .awsNotConfigured, .awsUnavailable, .notReady: .serviceUnavailable
        }
    }

    /// A short, fixed summary (RFC 9457 `title`) and what the code means, served at `/problems/<code>`.
    public var meaning: (title: String, description: String) {
        switch self {
        case .invalidJson:
            ("Invalid JSON", "The body is empty, is not UTF-8 JSON, or is JSON but not an object.")
        case .validationFailed:
            ("Validation failed", "One or more fields break the rules; `errors` lists each as {field, code, message}.")
        case .immutableField:
            ("Immutable field", "The body sets a field the server owns or that cannot change after create; nothing was changed.")
        case .unknownField:
            ("Unknown field", "The body has a field this call does not know (often a typo such as `enable`); nothing was changed.")
        case .badRequest:
            ("Bad request", "The request is malformed at the HTTP level.")
        case .missingApiKey:
            ("Missing API key", "No Authorization header was sent.")
        case .invalidApiKey:
            ("Invalid API key", "The key is malformed, unknown or revoked.")
        case .expiredApiKey:
            ("Expired API key", "The key had an expiry (`keys create --expires-in`), or was rotated and its overlap is over; use the key that replaced it or ask for a new one.")
        case .invalidMetricsToken:
            ("Invalid metrics token", "`GET /metrics` needs `Authorization: Bearer <token>` with the token the server was started with (`--metrics-token`). Not an API call: API keys are not accepted there.")
        case .insufficientScope:
            ("Insufficient scope", "The key lacks the scope this call needs (connections:read, connections:write or media:read).")
        case .forbidden:
            ("Forbidden", "The connection belongs to another account.")
        case .connectionNotFound:
            ("Connection not found", "No connection has this id: it never existed, was deleted, or the id is malformed.")
        case .notFound:
            ("Not found", "No route has this path.")
        case .methodNotAllowed:
            ("Method not allowed", "The path exists but not with this method; `Allow` lists the methods it takes.")
        case .versionConflict:
            ("Version conflict", "The `version` sent is not the stored one; `currentVersion` carries it. Nothing was changed.")
        case .preconditionFailed:
            ("Precondition failed", "`If-Match` names a version that is not the stored one; `currentVersion` carries it. Nothing was changed.")
        case .invalidIfMatch:
            ("Invalid If-Match", "`If-Match` must be `*` or one entity tag as `ETag` gives it, such as `\"3\"`.")
        case .invalidIdempotencyKey:
            ("Invalid Idempotency-Key", "`Idempotency-Key` must be one value of 1 to 255 visible ASCII characters.")
        case .idempotencyKeyReused:
            ("Idempotency key reused", "The `Idempotency-Key` was used in the last 24 hours with a different request; nothing was created.")
        case .quotaExceeded:
            ("Quota exceeded", "The account already holds as many connections as its quota allows; `limit` gives the quota.")
        case .payloadTooLarge:
            ("Payload too large", "The body is over 64 KiB.")
        case .bodyIncomplete:
            ("Body incomplete", "The connection ended before the whole request body arrived; nothing was changed.")
        case .requestTimeout:
            ("Request timeout", "The request, head and body, did not arrive whole within the server's request timeout (30 s by default); nothing was changed and the connection is closed.")
        case .unsupportedMediaType:
            ("Unsupported media type", "POST and PUT need `Content-Type: application/json` (a utf-8 charset parameter is fine).")
        case .internalError:
            ("Internal error", "A bug on the server; the request id finds it in the log.")
        case .storeUnavailable:
            ("Store unavailable", "The database cannot be reached right now; retry after the `Retry-After` seconds.")
        case .outcomeUnknown:
            ("Outcome unknown", "A create, update or delete was sent to the database and no answer came in time: it may or may not have been applied. Retry a create with the same `Idempotency-Key` and an update or delete with `If-Match` (or the same `version`), which apply at most once, or read the connection to see.")
        case .awsNotConfigured:
            ("AWS not configured", "The server has no principal ARN, or no AWS credentials, so it cannot use customers' roles; `detail` names what is missing. The operator must configure it.")
        case .awsUnavailable:
            ("AWS unavailable", "AWS did not answer in time or could not be reached; retry after the `Retry-After` seconds.")
        case .connectionDisabled:
            ("Connection disabled", "The connection is disabled, so the platform makes no AWS call for it. Enable it to read its media.")
        case .rateLimited:
            ("Rate limited", "The key made more requests than this server allows it (`--rate-limit` a second, bursts of `--rate-burst`); retry after the `Retry-After` seconds. `RateLimit` and `RateLimit-Policy` on every answer tell how much is left.")
        case .notReady:
            ("Not ready", "The server should get no traffic now: it is draining after SIGTERM, or its database did not answer or lacks a schema step; `detail` says which. A load balancer's next probe asks again.")
        case .assumeRoleFailed:
            ("Assume role failed", "AWS refused to let the platform assume the connection's role; `awsCode` is AWS's error code. POST …/verify tells which check fails.")
        }
    }
}
