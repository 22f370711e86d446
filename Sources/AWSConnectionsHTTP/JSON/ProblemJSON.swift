import AWSConnectionsCore
import HTTPTypes
import NIOCore

/// The JSON body of a problem (RFC 9457 members plus `code`, `requestId` and extensions).
enum ProblemJSON {
    static func encode(_ problem: Problem, requestID: String) -> ByteBuffer {
        var writer = JSONWriter(capacity: 256 + problem.errors.count * 128)
        writer.beginObject()
        writer.key("type")
        writer.string(problem.type)
        writer.key("title")
        writer.string(problem.title)
        writer.key("status")
        writer.integer(problem.status.code)
        writer.key("detail")
        writer.string(problem.detail)
        writer.key("code")
        writer.string(problem.code)
        writer.key("requestId")
        writer.string(requestID)
        if let limit = problem.limit {
            writer.key("limit")
            writer.integer(limit)
        }
        if let currentVersion = problem.currentVersion {
            writer.key("currentVersion")
            writer.integer(currentVersion)
        }
        if !problem.errors.isEmpty {
            writer.key("errors")
            writer.beginArray()
            for error in problem.errors {
                writer.beginObject()
                writer.key("field")
                writer.string(error.field)
                writer.key("code")
                writer.string(error.code)
                writer.key("message")
                writer.string(error.message)
                writer.endObject()
            }
            writer.endArray()
        }
        writer.endObject()
        return writer.buffer
    }

    /// One catalog entry, served at the problem's `type` path.
    static func encode(_ entry: ProblemCatalog.Entry) -> ByteBuffer {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key("code")
        writer.string(entry.code)
        writer.key("status")
        writer.integer(entry.status)
        writer.key("title")
        writer.string(entry.title)
        writer.key("description")
        writer.string(entry.description)
        writer.endObject()
        return writer.buffer
    }
}
