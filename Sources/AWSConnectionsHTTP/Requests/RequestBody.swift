import AWSConnectionsCore
import Hummingbird
import NIOCore

/// Reads a JSON request body in the contract's order: media type (415), size (413), JSON (400).
enum RequestBody {
    static let maximumSize = 64 * 1024

    static func json(_ request: Request) async throws -> JSONValue {
        guard isJSON(contentType: request.headers[.contentType]) else { throw Problem.unsupportedMediaType() }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maximumSize {
            throw Problem.payloadTooLarge(limit: maximumSize)
        }
        let buffer = try await collect(request)
        guard buffer.readableBytes > 0 else { throw Problem.invalidJSON("the body is empty") }
        return try JSONValue.parse(buffer.readableBytesView)
    }

    private static func collect(_ request: Request) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: maximumSize)
        } catch is NIOTooManyBytesError {
            throw Problem.payloadTooLarge(limit: maximumSize)
        } catch {
            // The connection ended, or was closed at the request deadline, before the body was
            // whole: logged as such (the client is gone, or already has its 408).
            throw Problem.bodyIncomplete()
        }
    }

    /// A body the call may go without (`POST …/verify`): nil when none was sent (with or
    /// without a JSON `Content-Type`), else read as `json` reads one.
    static func optionalJSON(_ request: Request) async throws -> JSONValue? {
        let contentType = request.headers[.contentType]
        if let contentType, !isJSON(contentType: contentType) { throw Problem.unsupportedMediaType() }
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maximumSize {
            throw Problem.payloadTooLarge(limit: maximumSize)
        }
        let buffer = try await collect(request)
        guard buffer.readableBytes > 0 else { return nil }
        guard contentType != nil else { throw Problem.unsupportedMediaType() }
        return try JSONValue.parse(buffer.readableBytesView)
    }

    /// `application/json`, any case, optionally with parameters; a charset must be UTF-8.
    static func isJSON(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let parts = contentType.split(separator: ";", omittingEmptySubsequences: false)
        guard parts[0].trimmingOptionalWhitespace.lowercased() == "application/json" else { return false }
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            if pair[0].trimmingOptionalWhitespace.lowercased() == "charset" {
                let charset = pair[1].trimmingOptionalWhitespace.lowercased().replacingQuotes()
                guard charset == "utf-8" || charset == "utf8" else { return false }
            }
        }
        return true
    }
}

extension String {
    fileprivate func replacingQuotes() -> String {
        filter { $0 != "\"" }
    }
}
