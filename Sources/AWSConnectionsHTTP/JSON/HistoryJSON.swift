import AWSConnectionsAPI
import AWSConnectionsCore
import NIOCore

/// The body of `GET …/{id}/history`. Members are named by the types generated from
/// `openapi.json`; the changed fields by the document's `changes` members.
enum HistoryJSON {
    typealias Member = Components.Schemas.HistoryEntry.CodingKeys
    typealias HistoryMember = Components.Schemas.ConnectionHistory.CodingKeys
    typealias ChangeMember = Components.Schemas.StringChange.CodingKeys

    static let members: [Member] = [.version, .changedDate, .keyId, .change, .changes]

    /// `{"connectionId": …, "Items": [entry…]}`, oldest entry first, with `"NextToken"` when
    /// another page exists.
    static func encode(connectionID: ConnectionID, entries: [HistoryEntry], nextToken: String? = nil) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + entries.count * 256)
        writer.beginObject()
        writer.key(HistoryMember.connectionId)
        writer.string(connectionID.rawValue)
        writer.key(HistoryMember.items)
        writer.beginArray()
        for entry in entries {
            write(entry, to: &writer)
        }
        writer.endArray()
        if let nextToken {
            writer.key(HistoryMember.nextToken)
            writer.string(nextToken)
        }
        writer.endObject()
        return writer.buffer
    }

    private static func write(_ entry: HistoryEntry, to writer: inout JSONWriter) {
        writer.beginObject()
        for member in members {
            writer.key(member)
            switch member {
            case .version: writer.integer(entry.version)
            case .changedDate: writer.timestamp(entry.changedDate)
            case .keyId:
                if let keyID = entry.keyID { writer.string(keyID.rawValue) } else { writer.null() }
            case .change: writer.string(entry.kind.rawValue)
            case .changes:
                writer.beginObject()
                for change in entry.changes {
                    writer.dynamicKey(change.field)
                    writer.beginObject()
                    writer.key(ChangeMember.old)
                    write(change.old, to: &writer)
                    writer.key(ChangeMember.new)
                    write(change.new, to: &writer)
                    writer.endObject()
                }
                writer.endObject()
            }
        }
        writer.endObject()
    }

    private static func write(_ value: FieldValue?, to writer: inout JSONWriter) {
        switch value {
        case .string(let string): writer.string(string)
        case .bool(let bool): writer.bool(bool)
        case nil: writer.null()
        }
    }
}
