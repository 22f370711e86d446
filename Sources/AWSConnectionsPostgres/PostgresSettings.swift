import AWSConnectionsCore
import Foundation

/// Where the PostgreSQL store connects and how it sizes its pool, parsed from a
/// `postgres://USER:PASS@HOST:PORT/DB` URL plus the operator's tuning options.
public struct PostgresSettings: Sendable, Equatable {
    /// Whether to encrypt the connection and what to check, as libpq's `sslmode` names it.
    public enum TLSMode: String, Sendable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, plain otherwise; the certificate is not checked.
        /// libpq's `allow` is read as this too: postgres-nio cannot try plain TCP first.
        case prefer
        /// TLS or no connection; the certificate is not checked, unless `sslrootcert` is
        /// given, which makes it `verify-ca` (as with libpq).
        case require
        /// TLS with the certificate's chain checked, not its host name.
        case verifyCA = "verify-ca"
        /// TLS with the certificate's chain and host name checked.
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// A PEM file of the CA certificates the server's chain must lead to (`sslrootcert`);
    /// nil for the system's trust store.
    public var rootCertificatePath: String?
    /// Connections this process may open; replicas each have their own pool.
    public var maximumConnections: Int = 10
    /// The longest an operation may take once it has a connection, before it is answered
    /// 503. 80% of it is the server's `statement_timeout`, so that the server normally ends a
    /// slow statement, and says so, before the client stops waiting.
    public var operationTimeout: Duration = .seconds(5)
    /// The longest a request waits for a pooled connection. Timed apart from the operation:
    /// a request that gets none in time is answered 503 without sending anything. It covers
    /// opening a connection when the pool has no idle one, which on a loaded host can take
    /// seconds, hence the same default as the operation's.
    public var poolWaitTimeout: Duration = .seconds(5)
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
    /// defaults to 5432 and the database to the user name, as with libpq. The query parameters
    /// understood are libpq's `sslmode` and `sslrootcert`; without `sslmode` the mode is
    /// `verify-full` unless the host is loopback (see `defaultTLSMode(forHost:)`).
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
        var explicitMode: TLSMode?
        var rootCertificate: String?
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                guard let mode = value == "allow" ? .prefer : TLSMode(rawValue: value) else {
                    throw SettingsError(
                        "sslmode '\(value)' is not one of disable, allow, prefer, require, verify-ca, verify-full")
                }
                explicitMode = mode
            case "sslrootcert":
                guard !value.isEmpty else { throw SettingsError("sslrootcert needs a file path (or 'system')") }
                rootCertificate = value
            default:
                throw SettingsError(
                    "unknown URL parameter '\(item.name)' (only sslmode and sslrootcert are understood)")
            }
        }
        // URLComponents keeps IPv6 hosts bracketed; the socket layer wants them bare.
        let bareHost = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        // A root certificate named without a mode is a request to check against it, even on
        // loopback (an SSH tunnel to a managed database looks like loopback).
        let tls = explicitMode ?? (rootCertificate != nil ? .verifyFull : Self.defaultTLSMode(forHost: bareHost))
        if rootCertificate == "system", tls != .verifyCA, tls != .verifyFull {
            // As libpq: the system's roots with a mode that checks nothing would be a false comfort.
            throw SettingsError("sslrootcert=system needs sslmode=verify-ca or verify-full, not \(tls.rawValue)")
        }
        self.init(
            host: bareHost, port: port,
            username: user, password: components.password, database: database.removingPercentEncoding ?? database,
            tls: tls)
        self.rootCertificatePath = rootCertificate == "system" ? nil : rootCertificate
        if self.database.isEmpty { self.database = self.username }
    }

    /// The URL without its password, for logs and error messages.
    public var redactedDescription: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// The mode of a URL that names none. Across a network the connection carries key hashes
    /// and customers' role ARNs, so it is `verify-full`, whatever libpq's `prefer` would do;
    /// on loopback no network carries it, and `prefer` keeps a laptop's PostgreSQL without
    /// a certificate (and the tests' clusters) working.
    public static func defaultTLSMode(forHost host: String) -> TLSMode {
        isLoopback(host: host) ? .prefer : .verifyFull
    }

    /// `localhost`, 127.0.0.0/8 and ::1 (also IPv4-mapped). Only names and addresses that
    /// cannot leave the machine: `*.localhost` or a name in /etc/hosts could be anything.
    public static func isLoopback(host: String) -> Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "localhost." { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, name, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, name, &v6) == 1 else { return false }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        let loopback: [UInt8] = Array(repeating: 0, count: 15) + [1]
        let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xff, 0xff]
        return bytes == loopback || (bytes.prefix(12).elementsEqual(mappedPrefix) && bytes[12] == 127)
    }
}

/// A database URL or option the PostgreSQL store cannot use.
public struct SettingsError: Error, Sendable, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
