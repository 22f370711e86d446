import AWSConnectionsAPI
import AWSConnectionsCore
import HTTPTypes
import NIOCore

/// The JSON body of a problem (RFC 9457 members plus `code`, `requestId` and extensions),
/// and of a problem type. Members are named by the types generated from `openapi.json`.
enum ProblemJSON {
    typealias Member = Components.Schemas.Problem.CodingKeys
    typealias FieldMember = Components.Schemas.FieldError.CodingKeys
    typealias TypeMember = Components.Schemas.ProblemType.CodingKeys

    static let members: [Member] = [._type, .title, .status, .detail, .code, .requestId, .limit, .currentVersion, .awsCode, .errors, .errorCount]

    static func encode(_ problem: Problem, requestID: String) -> ByteBuffer {
        var writer = JSONWriter(capacity: 256 + problem.errors.count * 128)
        writer.beginObject()
        for member in members {
            switch member {
            case ._type: writer.key(member); writer.string(problem.type)
            case .title: writer.key(member); writer.string(problem.title)
            case .status: writer.key(member); writer.integer(problem.status.code)
            case .detail: writer.key(member); writer.string(problem.detail)
            case .code: writer.key(member); writer.string(problem.code.rawValue)
            case .requestId: writer.key(member); writer.string(requestID)
            case .limit:
                guard let limit = problem.limit else { continue }
                writer.key(member)
                writer.integer(limit)
            case .currentVersion:
                guard let currentVersion = problem.currentVersion else { continue }
                writer.key(member)
                writer.integer(currentVersion)
            case .awsCode:
                guard let awsCode = problem.awsCode else { continue }
                writer.key(member)
                writer.string(awsCode)
            case .errors:
                guard !problem.errors.isEmpty else { continue }
                writer.key(member)
                writer.beginArray()
                for error in problem.errors {
                    writer.beginObject()
                    writer.key(FieldMember.field)
                    writer.string(error.field)
                    writer.key(FieldMember.code)
                    writer.string(error.code)
                    writer.key(FieldMember.message)
                    writer.string(error.message)
                    writer.endObject()
                }
                writer.endArray()
            case .errorCount:
                guard let errorCount = problem.errorCount, !problem.errors.isEmpty else { continue }
                writer.key(member)
                writer.integer(errorCount)
            }
        }
        writer.endObject()
        return writer.buffer
    }

    /// One code's description, served at the problem's `type` path.
    static func encode(_ code: ProblemCode) -> ByteBuffer {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.key(TypeMember.code)
        writer.string(code.rawValue)
        writer.key(TypeMember.status)
        writer.integer(code.status.code)
        writer.key(TypeMember.title)
        writer.string(code.meaning.title)
        writer.key(TypeMember.description)
        writer.string(code.meaning.description)
        writer.endObject()
        return writer.buffer
    }
}
