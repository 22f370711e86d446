import AWSConnectionsCore
import Foundation

/// Where the PostgreSQL store connects and how it sizes its pool, parsed from a
/// `postgres://USER:PASS@HOST:PORT/DB` URL plus the operator's tuning options.
public struct PostgresSettings: Sendable, Equatable {
    /// Whether to encrypt the connection, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain otherwise (libpq's default).
        case prefer
        /// TLS or no connection; the certificate is not checked.
        case require
        /// TLS with the certificate checked against the system's roots and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// Connections this process may open; replicas each have their own pool.
    public var maximumConnections: Int = 10
    /// The longest a request waits for the database (a pooled connection plus its query)
    /// before it is answered 503. Also sent as the server's `statement_timeout`.
    public var operationTimeout: Duration = .seconds(5)
    /// The longest the start-up connection (migrations) may take to open.
    public var connectTimeout: Duration = .seconds(10)
    /// The role name the connections that exist when the store first gains roles are given.
    public var defaultRoleName: String = RoleARN.defaultRoleName

    public init(host: String, port: Int, username: String, password: String?, database: String, tls: TLSMode) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    /// Parses `postgres://` or `postgresql://` URLs. The user name is required; the port
    /// defaults to 5432 and the database to the user name, as with libpq. The only query
    /// parameter understood is `sslmode` (disable, prefer, require, verify-full).
    public init(url text: String) throws(SettingsError) {
        guard let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), scheme == "postgres" || scheme == "postgresql"
        else { throw SettingsError("not a postgres:// URL") }
        guard let host = components.host, !host.isEmpty else {
            throw SettingsError("the URL has no host")
        }
        guard let user = components.user, !user.isEmpty else {
            throw SettingsError("the URL has no user name")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else { throw SettingsError("port \(port) is out of range") }
        var database = components.percentEncodedPath
        if database.hasPrefix("/") { database.removeFirst() }
        var tls = TLSMode.prefer
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw SettingsError("unknown URL parameter '\(item.name)' (only sslmode is understood)")
            }
            guard let value = item.value, let mode = TLSMode(rawValue: value) else {
                throw SettingsError("sslmode must be disable, prefer, require or verify-full")
            }
            tls = mode
        }
        // URLComponents keeps IPv6 hosts bracketed; the socket layer wants them bare.
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.init(
            host: bareHost, port: port,
            username: user, password: components.password, database: database.removingPercentEncoding ?? database,
            tls: tls)
        if self.database.isEmpty { self.database = self.username }
    }

    /// The URL without its password, for logs and error messages.
    public var redactedDescription: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }
}

/// A database URL or option the PostgreSQL store cannot use.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
