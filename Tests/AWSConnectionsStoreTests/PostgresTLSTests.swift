import AWSConnectionsCore
import AWSConnectionsPostgres
import AWSConnectionsTestSupport
import Foundation
import Testing

@Suite("PostgreSQL TLS settings: sslmode, sslrootcert and the default for each host")
struct PostgresTLSSettingsTests {
    @Test(
        "without sslmode, a host that may be across a network is verify-full; a loopback one keeps prefer",
        arguments: [
            ("db.internal", .verifyFull), ("mydb.abc123.eu-west-1.rds.amazonaws.com", .verifyFull),
            ("10.0.0.5", .verifyFull), ("192.168.1.10", .verifyFull), ("128.0.0.1", .verifyFull),
            ("126.255.255.255", .verifyFull), ("localhost.example.com", .verifyFull), ("localhost2", .verifyFull),
            ("127.0.0.1.nip.io", .verifyFull), ("::2", .verifyFull), ("fe80::1", .verifyFull),
            ("::ffff:10.0.0.1", .verifyFull),
            ("localhost", .prefer), ("LocalHost", .prefer), ("localhost.", .prefer), ("127.0.0.1", .prefer),
            ("127.1.2.3", .prefer), ("127.255.255.254", .prefer), ("::1", .prefer),
            ("0:0:0:0:0:0:0:1", .prefer), ("::ffff:127.0.0.1", .prefer),
        ] as [(String, PostgresSettings.TLSMode)])
    func defaultModeForHost(host: String, expected: PostgresSettings.TLSMode) throws {
        #expect(PostgresSettings.defaultTLSMode(forHost: host) == expected)
        let urlHost = host.contains(":") ? "[\(host)]" : host
        #expect(try PostgresSettings(url: "postgres://app@\(urlHost):5432/db").tls == expected)
    }

    @Test("each sslmode in the URL is kept whatever the host; allow is read as prefer")
    func explicitModes() throws {
        let expected: [(String, PostgresSettings.TLSMode)] = [
            ("disable", .disable), ("allow", .prefer), ("prefer", .prefer), ("require", .require),
            ("verify-ca", .verifyCA), ("verify-full", .verifyFull),
        ]
        for (name, mode) in expected {
            for host in ["db.internal", "127.0.0.1"] {
                let settings = try PostgresSettings(url: "postgres://app@\(host)/db?sslmode=\(name)")
                #expect(settings.tls == mode, "\(name) on \(host)")
                #expect(settings.rootCertificatePath == nil)
            }
        }
    }

    @Test("sslrootcert names a PEM file; given without sslmode it means verify-full, even on loopback")
    func rootCertificate() throws {
        let rds = try PostgresSettings(
            url: "postgres://app:pw@mydb.rds.amazonaws.com/db?sslmode=verify-full&sslrootcert=/etc/ssl/rds/global-bundle.pem")
        #expect(rds.tls == .verifyFull)
        #expect(rds.rootCertificatePath == "/etc/ssl/rds/global-bundle.pem")
        let encoded = try PostgresSettings(url: "postgres://app@127.0.0.1/db?sslrootcert=/certs/my%20ca.pem")
        #expect(encoded.tls == .verifyFull)
        #expect(encoded.rootCertificatePath == "/certs/my ca.pem")
        let chainOnly = try PostgresSettings(url: "postgres://app@db.internal/db?sslrootcert=ca.pem&sslmode=verify-ca")
        #expect(chainOnly.tls == .verifyCA)
        #expect(chainOnly.rootCertificatePath == "ca.pem")
        let system = try PostgresSettings(url: "postgres://app@db.internal/db?sslmode=verify-full&sslrootcert=system")
        #expect(system.tls == .verifyFull)
        #expect(system.rootCertificatePath == nil)
    }

    @Test(
        "a mode or parameter the server does not understand is a configuration error that names it",
        arguments: [
            ("sslmode=verify_full", "sslmode 'verify_full'"), ("sslmode=VERIFY-FULL", "sslmode 'VERIFY-FULL'"),
            ("sslmode=", "sslmode ''"), ("sslmode", "sslmode ''"), ("sslrootcert=", "sslrootcert needs"),
            ("sslrootcert=system&sslmode=require", "sslrootcert=system needs"),
            ("sslrootcert=system&sslmode=prefer", "sslrootcert=system needs"),
            ("sslcert=client.pem", "unknown URL parameter 'sslcert'"),
        ])
    func refusedParameters(query: String, message: String) throws {
        let error = #expect(throws: SettingsError.self) {
            try PostgresSettings(url: "postgres://app@db.internal/db?\(query)")
        }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test("an sslrootcert file that is missing or holds no certificate stops the start, naming the file")
    func unusableRootCertificate() async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("aws-connections-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let empty = folder.appendingPathComponent("empty.pem").path
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: empty))
        let missing = folder.appendingPathComponent("missing.pem").path
        // Nothing listens on the port: a message about the file proves it was checked first.
        let port = try PostgresCluster.freePort()
        for path in [missing, empty] {
            for mode in ["verify-full", "verify-ca", "require"] {
                let url = "postgres://app@127.0.0.1:\(port)/db?sslmode=\(mode)&sslrootcert=\(path)"
                let message = await startError(url)
                let reason = path == missing ? "does not exist or cannot be read" : "holds no PEM certificate"
                #expect(
                    message?.contains("sslrootcert '\(path)' \(reason)") == true, "\(mode): \(message ?? "connected")")
            }
        }
    }
}

/// Each sslmode against real servers on loopback: a CA and certificates made with openssl,
/// a cluster of its own for each test presenting one of them.
@Suite(
    "PostgreSQL TLS: each sslmode against a server with a certificate",
    .serialized, .enabled(if: StoreKind.all.contains(.postgres)))
struct PostgresTLSTests {
    @Test("verify-full with sslrootcert naming the server's CA connects, by 127.0.0.1 and by localhost")
    func verifiedWithRootCertificate() async throws {
        try await TLSServer.with(names: ["DNS:localhost", "IP:127.0.0.1", "IP:::1"], tlsOnly: true) { server in
            for host in ["127.0.0.1", "localhost"] {
                let url = server.url(host: host, "sslmode=verify-full&sslrootcert=\(server.caPath)")
                let error = await startError(url)
                #expect(error == nil, "\(host): \(error ?? "")")
            }
        }
    }

    @Test("verify-full without the server's CA fails at start naming host and reason, and never falls back to plain TCP")
    func unverifiedChainFails() async throws {
        // This server also takes plain TCP, so a fallback would connect.
        try await TLSServer.with(names: ["DNS:localhost", "IP:127.0.0.1"], tlsOnly: false) { server in
            #expect(await startError(server.url("sslmode=disable")) == nil)

            let systemRoots = await startError(server.url("sslmode=verify-full"))
            #expect(systemRoots?.contains("'127.0.0.1'") == true, "\(systemRoots ?? "connected")")
            #expect(systemRoots?.contains("could not be verified against the system's trust store") == true)
            #expect(systemRoots?.contains("(sslmode=verify-full)") == true)

            // Another CA: by name, with verify-ca, with require (which a root certificate
            // makes check the chain, as with libpq) and with no sslmode at all.
            for query in ["sslmode=verify-full&", "sslmode=verify-ca&", "sslmode=require&", ""] {
                let message = await startError(server.url("\(query)sslrootcert=\(server.otherCAPath)"))
                let reason = "could not be verified against the CA certificates in sslrootcert '\(server.otherCAPath)'"
                #expect(message?.contains(reason) == true, "\(query): \(message ?? "connected")")
            }
        }
    }

    @Test("a certificate for another host name fails verify-full, naming the host, and passes verify-ca")
    func otherHostName() async throws {
        try await TLSServer.with(names: ["DNS:db.other.test"], tlsOnly: true) { server in
            for host in ["127.0.0.1", "localhost"] {
                let url = server.url(host: host, "sslmode=verify-full&sslrootcert=\(server.caPath)")
                let message = await startError(url)
                #expect(message?.contains("not valid for host '\(host)'") == true, "\(message ?? "connected")")
            }
            #expect(await startError(server.url("sslmode=verify-ca&sslrootcert=\(server.caPath)")) == nil)
            #expect(await startError(server.url("sslmode=require&sslrootcert=\(server.caPath)")) == nil)
        }
    }

    @Test("require, prefer and the loopback default encrypt without a root certificate; disable is refused by a TLS-only server")
    func unverifiedModes() async throws {
        try await TLSServer.with(names: ["DNS:localhost", "IP:127.0.0.1"], tlsOnly: true) { server in
            // The server takes no plain TCP, so each of these connecting shows it used TLS.
            for query in ["sslmode=require", "sslmode=prefer", "sslmode=allow", ""] {
                #expect(await startError(server.url(query)) == nil, "\(query)")
            }
            let plain = await startError(server.url("sslmode=disable"))
            #expect(plain?.contains("no encryption") == true, "\(plain ?? "connected")")
        }
    }
}

/// Opens the store at `url` (its start-up connection, migrations, then one request through
/// the pool) and returns why it failed, or nil when it worked.
private func startError(_ url: String) async -> String? {
    do {
        var settings = try PostgresSettings(url: url)
        settings.maximumConnections = 2
        settings.connectTimeout = .seconds(10)
        // Under the whole suite a TLS handshake on a new pooled connection can take seconds.
        settings.operationTimeout = .seconds(30)
        settings.poolWaitTimeout = .seconds(30)
        _ = try await PostgresStore.withRunningStore(settings: settings, logger: testLogger) { store in
            try await store.listKeys(account: nil)
        }
        return nil
    } catch {
        return String(describing: error)
    }
}

/// A throwaway cluster with `ssl=on` and a server certificate, signed by a CA made for the
/// test, for the given subject alternative names. Another CA is made too, which signed nothing.
private struct TLSServer {
    let folder: URL
    let cluster: PostgresCluster

    var caPath: String { folder.appendingPathComponent("ca.crt").path }
    var otherCAPath: String { folder.appendingPathComponent("other-ca.crt").path }

    /// The cluster's URL on `host`, with `query` instead of its own.
    func url(host: String = "127.0.0.1", _ query: String) -> String {
        var components = URLComponents(string: cluster.url(database: "postgres"))!
        components.host = host
        components.percentEncodedQuery = query.isEmpty ? nil : query
        return components.string!
    }

    /// `tlsOnly`: pg_hba.conf takes TCP clients only over TLS (`hostssl`); otherwise plain TCP too.
    static func with(names: [String], tlsOnly: Bool, _ body: (TLSServer) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("aws-connections-tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        do {
            try makeCertificates(in: folder, names: names)
            let hostType = tlsOnly ? "hostssl" : "host"
            let hba = """
                local all all trust
                \(hostType) all all 127.0.0.1/32 trust
                \(hostType) all all ::1/128 trust

                """
            try Data(hba.utf8).write(to: folder.appendingPathComponent("pg_hba.conf"))
            let cluster = try await PostgresCluster.start(serverOptions: [
                "-c ssl=on",
                "-c ssl_cert_file='\(folder.appendingPathComponent("server.crt").path)'",
                "-c ssl_key_file='\(folder.appendingPathComponent("server.key").path)'",
                "-c hba_file='\(folder.appendingPathComponent("pg_hba.conf").path)'",
            ])
            do {
                try await body(TLSServer(folder: folder, cluster: cluster))
                await cluster.destroy()
            } catch {
                await cluster.destroy()
                throw error
            }
            try? FileManager.default.removeItem(at: folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
    }

    private static func makeCertificates(in folder: URL, names: [String]) throws {
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }
        // Own configuration files, so the result does not depend on the system's openssl.cnf.
        // P-256 keys: generated at once, where RSA keys would take a noticeable while.
        let ellipticKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for ca in ["ca", "other-ca"] {
            try write(
                "\(ca).cnf",
                """
                [req]
                distinguished_name = dn
                x509_extensions = ca
                prompt = no
                [dn]
                CN = aws-connections test \(ca)
                [ca]
                basicConstraints = critical,CA:TRUE
                keyUsage = critical,keyCertSign,cRLSign
                subjectKeyIdentifier = hash

                """)
            try openssl(
                ["req", "-x509", "-new", "-config", "\(ca).cnf"] + ellipticKey
                    + ["-keyout", "\(ca).key", "-out", "\(ca).crt", "-days", "2"], in: folder)
        }
        try write(
            "server.cnf",
            """
            [req]
            distinguished_name = dn
            prompt = no
            [dn]
            CN = \(names[0].split(separator: ":", maxSplits: 1)[1])

            """)
        try write(
            "server.ext",
            """
            basicConstraints = CA:FALSE
            keyUsage = critical,digitalSignature,keyEncipherment
            extendedKeyUsage = serverAuth
            subjectAltName = \(names.joined(separator: ","))
            authorityKeyIdentifier = keyid

            """)
        try openssl(
            ["req", "-new", "-config", "server.cnf"] + ellipticKey + ["-keyout", "server.key", "-out", "server.csr"],
            in: folder)
        try openssl(
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-days", "2",
             "-set_serial", "\(UInt32.random(in: 1...UInt32.max))", "-extfile", "server.ext", "-out", "server.crt"],
            in: folder)
        // PostgreSQL refuses a key that others can read, and as root the server runs as `postgres`.
        let key = folder.appendingPathComponent("server.key").path
        guard chmod(key, 0o600) == 0 else { throw TestFailure("cannot chmod \(key)") }
        if geteuid() == 0 {
            guard let user = getpwnam("postgres"), chown(key, user.pointee.pw_uid, user.pointee.pw_gid) == 0 else {
                throw TestFailure("cannot hand \(key) to the postgres user")
            }
        }
    }

    private static func openssl(_ arguments: [String], in folder: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        process.currentDirectoryURL = folder
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let command = arguments.joined(separator: " ")
            throw TestFailure("openssl \(command) exited \(process.terminationStatus): \(text)")
        }
    }
}
