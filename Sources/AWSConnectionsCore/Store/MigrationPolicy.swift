/// Whether opening a store may change the schema of a database that already has one.
///
/// A database with no migration applied is set up under either policy: nothing can be
/// serving it yet, and an admin command (`keys create`) must work before the first server
/// start. A database holding migrations this version does not know is refused under either
/// policy: this version's statements were not written for that schema.
public enum MigrationPolicy: Sendable, Equatable {
    /// Apply every pending migration: for the server and the explicit `migrate` command,
    /// which are how an operator chooses to upgrade.
    case upgrade
    /// Use an existing schema only if it is exactly the one this version knows, so that an
    /// admin command run with a newer binary never upgrades a database under older servers.
    case requireCurrent

    /// Throws when a database whose applied migrations are `applied` may not be opened under
    /// this policy by a version that knows `known` (both oldest first).
    public func check(applied: [String], known: [String]) throws(SchemaMismatch) {
        let mismatch = SchemaMismatch(applied: applied, known: known)
        if mismatch.isNewer { throw mismatch }
        if self == .requireCurrent && !applied.isEmpty && !mismatch.missing.isEmpty { throw mismatch }
    }
}

/// The database's schema is not one this version may use as it is: older than it knows
/// (under `MigrationPolicy.requireCurrent`) or newer (under either policy).
public struct SchemaMismatch: Error, Sendable, Equatable, CustomStringConvertible {
    /// The migrations the database records, oldest first; unknown ones last.
    public let applied: [String]
    /// The migrations this version knows, oldest first.
    public let known: [String]

    public init(applied: [String], known: [String]) {
        self.applied = applied
        self.known = known
    }

    /// Applied migrations this version does not know: a newer version applied them.
    public var unknown: [String] { applied.filter { !known.contains($0) } }
    /// Known migrations the database lacks.
    public var missing: [String] { known.filter { !applied.contains($0) } }
    /// Whether a newer version has upgraded the database (rather than it being behind).
    public var isNewer: Bool { !unknown.isEmpty }

    public var description: String {
        let age = isNewer ? "newer than this version (it has \(unknown.joined(separator: ", ")))" : "older than this version"
        return "the database's schema is \(age): applied migrations \(Self.list(applied)); this version knows \(Self.list(known))"
    }

    private static func list(_ names: [String]) -> String {
        names.isEmpty ? "none" : names.joined(separator: ", ")
    }
}
