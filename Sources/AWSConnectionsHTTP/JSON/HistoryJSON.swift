import AWSConnectionsCore
import NIOCore

/// The body of `GET …/{id}/history`.
enum HistoryJSON {
    /// `{"connectionId": …, "Items": [entry…]}`, oldest entry first.
    static func encode(connectionID: ConnectionID, entries: [HistoryEntry]) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + entries.count * 256)
        writer.beginObject()
        writer.key("connectionId")
        writer.string(connectionID.rawValue)
        writer.key("Items")
        writer.beginArray()
        for entry in entries {
            write(entry, to: &writer)
        }
        writer.endArray()
        writer.endObject()
        return writer.buffer
    }

    private static func write(_ entry: HistoryEntry, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("version")
        writer.integer(entry.version)
        writer.key("changedDate")
        writer.timestamp(entry.changedDate)
        writer.key("keyId")
        if let keyID = entry.keyID { writer.string(keyID.rawValue) } else { writer.null() }
        writer.key("change")
        writer.string(entry.kind.rawValue)
        writer.key("changes")
        writer.beginObject()
        for change in entry.changes {
            writer.dynamicKey(change.field)
            writer.beginObject()
            writer.key("old")
            write(change.old, to: &writer)
            writer.key("new")
            write(change.new, to: &writer)
            writer.endObject()
        }
        writer.endObject()
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
