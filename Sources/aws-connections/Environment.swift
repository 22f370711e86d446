#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads configuration from environment variables; flags win over them.
enum Environment {
    static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        let value = String(cString: raw)
        return value.isEmpty ? nil : value
    }

    /// An integer variable; a value that is set but not an integer is an error, not ignored.
    static func integer(_ name: String) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text) else {
            throw CommandFailure("\(name) must be an integer, not '\(text)'.")
        }
        return number
    }

    /// A decimal variable (such as seconds); set but not a number is an error, not ignored.
    static func number(_ name: String) throws -> Double? {
        guard let text = value(name) else { return nil }
        guard let number = Double(text), number.isFinite else {
            throw CommandFailure("\(name) must be a number, not '\(text)'.")
        }
        return number
    }
}
