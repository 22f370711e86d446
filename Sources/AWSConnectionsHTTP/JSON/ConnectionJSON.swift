import AWSConnectionsAPI
import AWSConnectionsCore
import NIOCore

/// The JSON shape of a connection, in the contract's member order.
///
/// Members are named by the types generated from `openapi.json`, and each is written by an
/// exhaustive switch: a member added to or removed from the document's `Connection` fails
/// the build here until the writer agrees with it.
enum ConnectionJSON {
    typealias Member = Components.Schemas.Connection.CodingKeys
    typealias ListMember = Components.Schemas.ConnectionList.CodingKeys

    /// The contract's order (`OpenAPITests` checks that every documented member is sent).
    static let members: [Member] = [
        .connectionId, .name, .description, .awsAccountId, .awsRegion, .roleArn, .externalId, ._type, .enabled,
        .createdDate, .updatedDate, .version,
    ]

    /// Each member's `"name":`, encoded once: a list of 1,000 writes ten thousand of them.
    private static let encodedMembers = members.map { JSONWriter.encodedKey($0.stringValue) }

    /// A generous per-item size guess so a list rarely reallocates.
    private static let approximateSize = 384

    static func encode(_ connection: Connection) -> ByteBuffer {
        var writer = JSONWriter(capacity: approximateSize)
        write(connection, to: &writer)
        return writer.buffer
    }

    /// `{"Items": [...]}`, the list call's body, with `"NextToken"` when another page exists.
    static func encodeList(_ connections: [Connection], nextToken: String? = nil) -> ByteBuffer {
        encodeList(.connections(connections), nextToken: nextToken)
    }

    static func encodeList(_ items: ListItems, nextToken: String? = nil) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + items.approximateSize)
        beginList(&writer)
        write(items, to: &writer)
        writer.endArray()
        if let nextToken {
            writer.key(ListMember.nextToken)
            writer.string(nextToken)
        }
        writer.endObject()
        return writer.buffer
    }

    /// A part of a list answer written in parts: the first part opens the document and its
    /// array; each later one continues the array; `listEnd` closes both.
    static func encodeListPart(_ items: ListItems, isFirst: Bool) -> ByteBuffer {
        var writer = JSONWriter(capacity: 64 + items.approximateSize)
        if isFirst {
            beginList(&writer)
        } else {
            writer.continueAfterValue()
        }
        write(items, to: &writer)
        return writer.buffer
    }

    /// The connections of a list page: read as connections, or written as this JSON by the
    /// store itself (`ConnectionJSONPages`, whose output `ListJSONTests` holds to `write`'s).
    enum ListItems {
        case connections([Connection])
        case encoded([UInt8])

        var approximateSize: Int {
            switch self {
            case .connections(let connections): connections.count * ConnectionJSON.approximateSize
            case .encoded(let bytes): bytes.count
            }
        }
    }

    private static func write(_ items: ListItems, to writer: inout JSONWriter) {
        switch items {
        case .connections(let connections):
            for connection in connections {
                write(connection, to: &writer)
            }
        case .encoded(let bytes):
            writer.encodedValues(bytes)
        }
    }

    /// The end of a list answer written in parts (`encodeListPart`).
    static let listEnd = ByteBuffer(string: "]}")

    /// `{"Items":[`, the start of every list answer.
    private static func beginList(_ writer: inout JSONWriter) {
        writer.beginObject()
        writer.key(ListMember.items)
        writer.beginArray()
    }

    static func write(_ connection: Connection, to writer: inout JSONWriter) {
        writer.beginObject()
        for (member, encoded) in zip(members, encodedMembers) {
            writer.key(encoded: encoded)
            switch member {
            case .connectionId: writer.string(connection.id.rawValue)
            case .name: writer.string(connection.fields.name)
            case .description: writer.string(connection.fields.description)
            case .awsAccountId: writer.string(connection.fields.awsAccountID)
            case .awsRegion: writer.string(connection.fields.awsRegion)
            case .roleArn: writer.string(connection.fields.roleARN)
            case .externalId: writer.string(connection.fields.externalID)
            case ._type: writer.string(Connection.type)
            case .enabled: writer.bool(connection.fields.enabled)
            case .createdDate: writer.timestamp(connection.createdDate)
            case .updatedDate: writer.timestamp(connection.updatedDate)
            case .version: writer.integer(connection.version)
            }
        }
        writer.endObject()
    }
}
