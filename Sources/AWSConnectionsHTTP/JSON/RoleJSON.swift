import AWSConnectionsAPI
import AWSConnectionsCore
import NIOCore

/// The bodies of `setup`, `verify`, `verification` and `presign`. Members are named by the
/// types generated from `openapi.json`, each written by an exhaustive switch.
enum RoleJSON {
    typealias SetupMember = Components.Schemas.RoleSetup.CodingKeys
    typealias VerificationMember = Components.Schemas.Verification.CodingKeys
    typealias StepMember = Components.Schemas.VerificationStep.CodingKeys
    typealias PresignedMember = Components.Schemas.PresignedUrl.CodingKeys

    static let setupMembers: [SetupMember] = [
        .connectionId, .roleArn, .externalId, .principalArn, .trustPolicy, .permissionsPolicy, .cloudFormationTemplate,
    ]
    static let verificationMembers: [VerificationMember] = [.connectionId, .roleArn, .status, .checkedDate, .steps]
    static let stepMembers: [StepMember] = [.step, .status, .code, .message, .durationMs]
    static let presignedMembers: [PresignedMember] = [.url, .method, .expiresDate]

    static func encode(_ setup: RoleSetup) -> ByteBuffer {
        var writer = JSONWriter(capacity: 4096)
        writer.beginObject()
        for member in setupMembers {
            writer.key(member)
            switch member {
            case .connectionId: writer.string(setup.connection.id.rawValue)
            case .roleArn: writer.string(setup.connection.fields.roleARN)
            case .externalId: writer.string(setup.connection.fields.externalID)
            case .principalArn: writer.string(setup.principalARN)
            case .trustPolicy: setup.trustPolicy.write(to: &writer)
            case .permissionsPolicy: setup.permissionsPolicy.write(to: &writer)
            case .cloudFormationTemplate: setup.cloudFormationTemplate.write(to: &writer)
            }
        }
        writer.endObject()
        return writer.buffer
    }

    static func encode(_ verification: Verification) -> ByteBuffer {
        var writer = JSONWriter(capacity: 256 + verification.steps.count * 160)
        writer.beginObject()
        for member in verificationMembers {
            writer.key(member)
            switch member {
            case .connectionId: writer.string(verification.connectionID.rawValue)
            case .roleArn: writer.string(verification.roleARN)
            case .status: writer.string(verification.status.rawValue)
            case .checkedDate:
                if let date = verification.checkedDate { writer.timestamp(date) } else { writer.null() }
            case .steps:
                writer.beginArray()
                for step in verification.steps { write(step, to: &writer) }
                writer.endArray()
            }
        }
        writer.endObject()
        return writer.buffer
    }

    private static func write(_ step: VerificationStep, to writer: inout JSONWriter) {
        writer.beginObject()
        for member in stepMembers {
            writer.key(member)
            switch member {
            case .step: writer.string(step.step.rawValue)
            case .status: writer.string(step.status.rawValue)
            case .code: if let code = step.code { writer.string(code) } else { writer.null() }
            case .message: if let message = step.message { writer.string(message) } else { writer.null() }
            case .durationMs: writer.integer(step.durationMilliseconds)
            }
        }
        writer.endObject()
    }

    static func encode(_ presigned: PresignedURL) -> ByteBuffer {
        var writer = JSONWriter(capacity: 1024)
        writer.beginObject()
        for member in presignedMembers {
            writer.key(member)
            switch member {
            case .url: writer.string(presigned.url)
            case .method: writer.string("GET")
            case .expiresDate: writer.timestamp(presigned.expiresDate)
            }
        }
        writer.endObject()
        return writer.buffer
    }
}
