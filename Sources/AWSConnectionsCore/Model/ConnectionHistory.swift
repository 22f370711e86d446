/// What a change did to a connection.
public enum ChangeKind: String, Sendable, CaseIterable {
    case created
    case updated
    case deleted

    /// The kind a store wrote; anything else means the row was not written by this server.
    public init(stored: String) throws(StoreError) {
        guard let kind = ChangeKind(rawValue: stored) else {
            throw .failed("a history row has the unknown change kind '\(stored)'")
        }
        self = kind
    }
}

/// One row of a connection's history: who changed it, when, and the connection as that
/// change left it.
///
/// Stores keep whole states rather than differences: every write path already has the new
/// state at hand (PostgreSQL writes the row from the statement's own `RETURNING`), so no
/// write needs to read the old one first, and the differences are derived on read by
/// `HistoryEntry.entries(from:)`, in one place for both stores.
@dynamicMemberLookup
public struct HistoryRecord: Sendable, Equatable {
    public var connectionID: ConnectionID
    public var accountID: AccountID
    /// The version this change produced. A delete produces the version after the last one.
    public var version: Int64
    public var changedDate: Timestamp
    /// The key that made the change; nil for the entry recorded when history was introduced.
    public var keyID: KeyID?
    public var kind: ChangeKind
    /// The connection's fields as this change left them.
    public var fields: ConnectionFields

    public init(
        connectionID: ConnectionID, accountID: AccountID, version: Int64, changedDate: Timestamp, keyID: KeyID?,
        kind: ChangeKind, fields: ConnectionFields
    ) {
        self.connectionID = connectionID
        self.accountID = accountID
        self.version = version
        self.changedDate = changedDate
        self.keyID = keyID
        self.kind = kind
        self.fields = fields
    }

    /// The record of `kind` applied by `key` that left `connection` as given (for a delete:
    /// the connection as it was when deleted).
    public init(_ kind: ChangeKind, of connection: Connection, by key: KeyID, at date: Timestamp) {
        self.init(
            connectionID: connection.id, accountID: connection.accountID,
            version: kind == .deleted ? connection.version + 1 : connection.version, changedDate: date, keyID: key,
            kind: kind, fields: connection.fields)
    }

    // Inlinable, so that a read through it compiles to the stored property rather than a key
    // path applied at run time in every other module.
    @inlinable
    public subscript<Value>(dynamicMember field: KeyPath<ConnectionFields, Value>) -> Value {
        fields[keyPath: field]
    }
}

/// One field a change touched, by its JSON name.
public struct FieldChange: Sendable, Equatable {
    public var field: String
    /// nil before a create.
    public var old: FieldValue?
    /// nil after a delete.
    public var new: FieldValue?

    public init(field: String, old: FieldValue?, new: FieldValue?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

/// One entry of `GET …/{id}/history`.
public struct HistoryEntry: Sendable, Equatable {
    public var version: Int64
    public var changedDate: Timestamp
    public var keyID: KeyID?
    public var kind: ChangeKind
    /// A create lists every field; an update the fields whose value changed; a delete none.
    public var changes: [FieldChange]

    public init(version: Int64, changedDate: Timestamp, keyID: KeyID?, kind: ChangeKind, changes: [FieldChange]) {
        self.version = version
        self.changedDate = changedDate
        self.keyID = keyID
        self.kind = kind
        self.changes = changes
    }

    /// The entries for `records` (one connection's, oldest first), each compared with the
    /// record before it.
    public static func entries(from records: [HistoryRecord]) -> [HistoryEntry] {
        var previous: HistoryRecord?
        return records.map { record in
            defer { previous = record }
            let changes: [FieldChange]
            switch record.kind {
            case .deleted:
                changes = []
            case .created, .updated:
                let before = previous?.fields.named
                changes = record.fields.named.enumerated().compactMap { index, field in
                    let old = before?[index].value
                    return old == field.value ? nil : FieldChange(field: field.name, old: old, new: field.value)
                }
            }
            return HistoryEntry(
                version: record.version, changedDate: record.changedDate, keyID: record.keyID, kind: record.kind,
                changes: changes)
        }
    }
}
