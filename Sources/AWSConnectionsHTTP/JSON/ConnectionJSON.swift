import AWSConnectionsCore
import NIOCore

/// The JSON shape of a connection, in the contract's field order.
enum ConnectionJSON {
    /// A generous per-item size guess so a list rarely reallocates.
    private static let approximateSize = 384

    static func encode(_ connection: Connection) -> ByteBuffer {
        var writer = JSONWriter(capacity: approximateSize)
        write(connection, to: &writer)
        return writer.buffer
    }

    /// `{"Items": [...]}`, the list call's body, with `"NextToken"` when another page exists.
    static func encodeList(_ connections: [Connection], nextToken: String? = nil) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + connections.count * approximateSize)
        writer.beginObject()
        writer.key("Items")
        writer.beginArray()
        for connection in connections {
            write(connection, to: &writer)
        }
        writer.endArray()
        if let nextToken {
            writer.key("NextToken")
            writer.string(nextToken)
        }
        writer.endObject()
        return writer.buffer
    }

    static func write(_ connection: Connection, to writer: inout JSONWriter) {
        writer.beginObject()
        writer.key("connectionId")
        writer.string(connection.id.rawValue)
        writer.key("name")
        writer.string(connection.name)
        writer.key("description")
        writer.string(connection.description)
        writer.key("awsAccountId")
        writer.string(connection.awsAccountID)
        writer.key("awsRegion")
        writer.string(connection.awsRegion)
        writer.key("type")
        writer.string(Connection.type)
        writer.key("enabled")
        writer.bool(connection.enabled)
        writer.key("createdDate")
        writer.timestamp(connection.createdDate)
        writer.key("updatedDate")
        writer.timestamp(connection.updatedDate)
        writer.key("version")
        writer.integer(connection.version)
        writer.endObject()
    }
}
