import Foundation
import OpenAPIRuntime

// From the generated types (internal to this module) to the public models.

extension Connection {
    init(_ generated: Components.Schemas.Connection) {
        self.init(
            connectionId: generated.connectionId, name: generated.name, description: generated.description,
            awsAccountId: generated.awsAccountId, awsRegion: generated.awsRegion.rawValue, roleArn: generated.roleArn,
            externalId: generated.externalId, type: generated._type.rawValue, enabled: generated.enabled,
            createdDate: generated.createdDate, updatedDate: generated.updatedDate, version: generated.version)
    }
}

extension HistoryEntry {
    init(_ generated: Components.Schemas.HistoryEntry) {
        func change(_ value: Components.Schemas.StringChange?) -> FieldChange<String>? {
            value.map { FieldChange(old: $0.old, new: $0.new) }
        }
        let changes = generated.changes
        self.init(
            version: generated.version.value1, changedDate: generated.changedDate, keyId: generated.keyId,
            change: Change(rawValue: generated.change.rawValue) ?? .updated,
            changes: Changes(
                name: change(changes.name), description: change(changes.description),
                awsAccountId: change(changes.awsAccountId), awsRegion: change(changes.awsRegion),
                roleArn: change(changes.roleArn), externalId: change(changes.externalId),
                enabled: changes.enabled.map { FieldChange(old: $0.old, new: $0.new) }))
    }
}

extension RoleSetup {
    init(_ generated: Components.Schemas.RoleSetup) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        self.init(
            connectionId: generated.connectionId, roleArn: generated.roleArn, externalId: generated.externalId,
            principalArn: generated.principalArn, trustPolicy: try encoder.encode(generated.trustPolicy),
            permissionsPolicy: try encoder.encode(generated.permissionsPolicy),
            cloudFormationTemplate: try encoder.encode(generated.cloudFormationTemplate))
    }
}

extension Verification {
    init(_ generated: Components.Schemas.Verification) {
        self.init(
            connectionId: generated.connectionId, roleArn: generated.roleArn,
            status: Status(rawValue: generated.status.rawValue) ?? .failed, checkedDate: generated.checkedDate,
            steps: generated.steps.map {
                Step(
                    step: $0.step.rawValue, status: Step.Status(rawValue: $0.status.rawValue) ?? .failed, code: $0.code,
                    message: $0.message, durationMs: $0.durationMs)
            })
    }
}
