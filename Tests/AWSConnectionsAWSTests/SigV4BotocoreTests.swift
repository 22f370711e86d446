import AWSConnectionsAWS
import AWSConnectionsCore
import Foundation
import Testing

/// The signer against botocore on a few hundred generated requests: `Tests/aws-peers/sigv4_cases.py`
/// signs them with botocore at fixed instants, and each must come out byte for byte the same.
///
/// Needs python3 with botocore. Without them this fails rather than skips: CI installs both,
/// and a signer that silently stopped being compared is worse than a red test.
@Suite("SigV4: agreement with botocore")
struct SigV4BotocoreTests {
    @Test("header signing and presigned URLs match botocore on every generated case")
    func matchesBotocore() throws {
        let output = try Self.runGenerator("sigv4_cases.py")
        let generated = try JSONDecoder().decode(GeneratedCases.self, from: output)
        #expect(generated.cases.count >= 300)

        var mismatches: [String] = []
        for generatedCase in generated.cases {
            if let mismatch = Self.compare(generatedCase) {
                mismatches.append(mismatch)
            }
        }
        #expect(
            mismatches.isEmpty,
            """
            \(mismatches.count) of \(generated.cases.count) cases differ from botocore \(generated.botocore) \
            (seed \(generated.seed)); the first:
            \(mismatches.first ?? "")
            """)
        let headerCases = generated.cases.filter { $0.kind == "headers" }.count
        #expect(headerCases > 0 && headerCases < generated.cases.count, "both header-signed and presigned cases are generated")
    }

    /// nil when the signer agrees with botocore, else a report of the difference.
    static func compare(_ generated: GeneratedCase) -> String? {
        let credentials = AWSCredentials(
            accessKeyID: generated.credentials.accessKeyID,
            secretAccessKey: generated.credentials.secretAccessKey,
            sessionToken: generated.credentials.sessionToken)
        let signer = SigV4Signer(credentials: credentials, region: generated.region, service: generated.service)
        let date = Timestamp(millisecondsSinceEpoch: generated.epochMilliseconds)
        let request = generated.request.signable

        switch generated.kind {
        case "headers":
            let ours = signer.signatureHeaders(for: request, at: date)
            let oursByName = Dictionary(ours.map { ($0.name.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            let theirs = Dictionary(
                (generated.expected.headers ?? [:]).map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { first, _ in first })
            guard oursByName != theirs || ours.count != oursByName.count else { return nil }
            return report(
                generated,
                ours: ours.map { "\($0.name): \($0.value)" }.joined(separator: "\n"),
                theirs: theirs.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "\n"),
                ourCanonical: signer.canonicalRequest(for: request, at: date))
        case "presign":
            let expires = generated.expires ?? 3600
            let ours = signer.presignedURL(for: request, scheme: generated.scheme, expiresIn: expires, at: date)
            guard ours != generated.expected.url else { return nil }
            return report(
                generated, ours: ours, theirs: generated.expected.url ?? "(none)",
                ourCanonical: signer.canonicalRequest(forPresigning: request, expiresIn: expires, at: date))
        default:
            return "\(generated.name): unknown kind \(generated.kind)"
        }
    }

    static func report(_ generated: GeneratedCase, ours: String, theirs: String, ourCanonical: String) -> String {
        """
        case \(generated.name) (\(generated.service), \(generated.region), \(generated.time)):
        --- ours
        \(ours)
        --- botocore
        \(theirs)
        --- our canonical request
        \(ourCanonical)
        --- botocore's canonical request
        \(generated.expected.canonicalRequest)
        """
    }

    /// The generator's stdout; stderr goes to a file so that neither pipe can fill and stall it.
    ///
    /// It runs without the caller's `AWS_…` variables and with instance metadata disabled, so
    /// that botocore can neither pick up a profile or endpoint nor go looking for credentials.
    static func runGenerator(_ name: String) throws -> Data {
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // AWSConnectionsAWSTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("Tests/aws-peers/\(name)")
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: errorLog) }
        let errorHandle = try FileHandle(forWritingTo: errorLog)
        defer { try? errorHandle.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("AWS_") }
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw GeneratorFailure(message: "could not start `python3 \(script.path)`: \(error)")
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let stderr = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            let hint = process.terminationStatus == 127
                ? "python3 was not found on PATH; install python3 and botocore (`pip install botocore`)"
                : "the generator failed; it needs python3 with botocore (`pip install botocore`)"
            throw GeneratorFailure(message: "\(hint). Exit status \(process.terminationStatus), stderr:\n\(stderr)")
        }
        return data
    }
}

struct GeneratorFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

struct GeneratedCases: Decodable {
    var botocore: String
    var seed: Int
    var cases: [GeneratedCase]
}

struct GeneratedCase: Decodable {
    struct Credentials: Decodable {
        var accessKeyID: String
        var secretAccessKey: String
        var sessionToken: String?
    }

    struct Pair: Decodable {
        var name: String
        var value: String
    }

    struct Request: Decodable {
        var method: String
        var host: String
        var path: String
        var query: [Pair]
        var headers: [Pair]
        /// Base64.
        var body: String

        var signable: SignableRequest {
            SignableRequest(
                method: method, host: host, path: path,
                query: query.map { ($0.name, $0.value) },
                headers: headers.map { ($0.name, $0.value) },
                body: Array(Data(base64Encoded: body) ?? Data()))
        }
    }

    struct Expected: Decodable {
        /// What botocore added to a header-signed request, by the name it used.
        var headers: [String: String]?
        /// A presigned URL.
        var url: String?
        var canonicalRequest: String
    }

    var name: String
    var kind: String
    var service: String
    var region: String
    var scheme: String
    var expires: Int?
    var credentials: Credentials
    /// yyyyMMdd'T'HHmmss'Z', for the report; `epochMilliseconds` is what is signed at.
    var time: String
    var epochMilliseconds: Int64
    var request: Request
    var expected: Expected
}
