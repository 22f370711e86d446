import AWSConnectionsClient
import ArgumentParser
import Foundation

/// How `connections` commands end: documented exit codes, and errors on stderr.
enum CLIExit {
    static let ok: Int32 = 0
    /// The API answered an error not listed below (400, 401, 403, 422, 500…).
    static let apiError: Int32 = 1
    /// Bad flags or arguments, or a missing or unsafe configuration.
    static let usage: Int32 = 2
    /// 404: no such connection (or problem type).
    static let notFound: Int32 = 3
    /// 409 or 412: the version did not match, or the connection is disabled.
    static let conflict: Int32 = 4
    /// The server could not be reached or answered 503, after the SDK's retries.
    static let unavailable: Int32 = 5
    /// `verify` ran, and the role is not verified.
    static let notVerified: Int32 = 6
}

enum CLIFailure: Error {
    case usage(String)
}

/// Runs a command's body with the resolved client, printing any failure as the CLI does.
func runClientCommand(_ options: ClientOptions, _ body: (ClientContext) async throws -> Int32) async throws {
    let status: Int32
    do {
        status = try await body(try ClientContext.resolve(options))
    } catch CLIFailure.usage(let message) {
        StandardError.write("aws-connections: \(message)\n")
        status = CLIExit.usage
    } catch let problem as APIProblem {
        var lines = ["aws-connections: \(problem.title): \(problem.detail)", "  code: \(problem.code)"]
        if problem.status > 0 { lines.append("  status: \(problem.status)") }
        if !problem.requestId.isEmpty { lines.append("  request id: \(problem.requestId)") }
        for error in problem.errors { lines.append("  \(error.field): \(error.message) (\(error.code))") }
        if let current = problem.currentVersion { lines.append("  current version: \(current)") }
        if let limit = problem.limit { lines.append("  limit: \(limit)") }
        if let awsCode = problem.awsCode { lines.append("  AWS code: \(awsCode)") }
        StandardError.write(lines.map(TextCell.sanitized).joined(separator: "\n") + "\n")
        status =
            switch problem.status {
            case 404: CLIExit.notFound
            case 409, 412: CLIExit.conflict
            case 503: CLIExit.unavailable
            default: CLIExit.apiError
            }
    } catch let error as CancellationError {
        throw error
    } catch {
        StandardError.write("aws-connections: cannot reach the server: \(error)\n")
        status = CLIExit.unavailable
    }
    if status != CLIExit.ok { throw ExitCode(status) }
}

/// Writes JSON documents with the API's member names, dates as the API writes them.
enum JSONOutput {
    static func write(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        // Sorted: the encoder does not keep the members' order, and a stable order diffs well.
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(TextCell.date(date))
        }
        StandardOutput.write(String(decoding: try encoder.encode(value), as: UTF8.self) + "\n")
    }

    static func write(object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        StandardOutput.write(String(decoding: data, as: UTF8.self) + "\n")
    }
}

/// Text for a terminal: names and descriptions are the API's free text, so control characters
/// (a newline, an escape sequence) are shown escaped rather than acted on.
enum TextCell {
    static func sanitized(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x0A: result += "\\n"
            case 0x09: result += "\\t"
            case 0..<0x20, 0x7F, 0x80..<0xA0: result += String(format: "\\u%04X", scalar.value)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// As the API writes dates: `2026-12-04T07:58:21.536Z`.
    static func date(_ date: Date?) -> String {
        date.map { $0.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)) } ?? "-"
    }
}

/// An aligned table: a header row and rows, columns two spaces apart.
struct Table {
    var header: [String]
    var rows: [[String]] = []

    func write() {
        let cells = ([header] + rows).map { $0.map(TextCell.sanitized) }
        var widths = [Int](repeating: 0, count: header.count)
        for row in cells {
            for (column, cell) in row.enumerated() { widths[column] = max(widths[column], cell.count) }
        }
        var text = ""
        for row in cells {
            let padded = row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[column] - cell.count)
            }
            text += padded.joined(separator: "  ") + "\n"
        }
        StandardOutput.write(text)
    }

    /// One record as FIELD VALUE rows.
    static func record(_ fields: KeyValuePairs<String, String>) -> Table {
        Table(header: ["FIELD", "VALUE"], rows: fields.map { [$0.key, $0.value] })
    }
}

extension Connection {
    var record: Table {
        .record([
            "connectionId": connectionId, "name": name, "description": description, "awsAccountId": awsAccountId,
            "awsRegion": awsRegion, "roleArn": roleArn, "externalId": externalId, "type": type,
            "enabled": String(enabled), "createdDate": TextCell.date(createdDate),
            "updatedDate": TextCell.date(updatedDate), "version": String(version),
        ])
    }

    static let listHeader = ["CONNECTION ID", "NAME", "ACCOUNT", "REGION", "ENABLED", "VERSION", "UPDATED"]

    var listRow: [String] {
        [connectionId, name, awsAccountId, awsRegion, String(enabled), String(version), TextCell.date(updatedDate)]
    }
}
