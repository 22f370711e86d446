import AWSConnectionsClient
import ArgumentParser
import Foundation

/// The options every `connections` command takes: where the server is, which key to send,
/// and how to print. Each is resolved as the AWS CLI does: the flag, else the environment,
/// else the profile of the config file.
struct ClientOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The server, such as http://127.0.0.1:8080. Else AWS_CONNECTIONS_ENDPOINT, else the profile's endpoint.",
            valueName: "url"))
    var endpoint: String?

    @Option(
        name: .customLong("api-key"),
        help: ArgumentHelp(
            "The API key. Else AWS_CONNECTIONS_API_KEY, else the profile's api_key. A flag shows in the process list: prefer the other two.",
            valueName: "key"))
    var apiKey: String?

    @Option(
        help: ArgumentHelp(
            "A profile of the config file (\(ConfigFile.displayPath)). Else AWS_CONNECTIONS_PROFILE, else default.",
            valueName: "name"))
    var profile: String?

    @Option(help: ArgumentHelp("json or table. Default: table on a terminal, json otherwise.", valueName: "format"))
    var output: OutputFormat?
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case json, table
}

/// What the options resolved to.
struct ClientContext {
    let client: ConnectionsClient
    let output: OutputFormat

    /// Resolves `options` against `environment` and the config file. Throws `CLIFailure.usage`
    /// when something is missing, malformed, or the config file is open to others.
    static func resolve(_ options: ClientOptions, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> ClientContext
    {
        // An empty value counts as unset, as in the AWS CLI.
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        let profileName = nonEmpty(options.profile) ?? nonEmpty(environment["AWS_CONNECTIONS_PROFILE"])
        // The file is read only when something is still missing, or a profile was named.
        let needsFile =
            profileName != nil || (nonEmpty(options.endpoint) ?? nonEmpty(environment["AWS_CONNECTIONS_ENDPOINT"])) == nil
            || (nonEmpty(options.apiKey) ?? nonEmpty(environment["AWS_CONNECTIONS_API_KEY"])) == nil
        var profile: [String: String] = [:]
        if needsFile {
            let file = try ConfigFile.load(path: ConfigFile.path(environment: environment))
            if let profileName {
                guard let found = file?.profiles[profileName] else {
                    throw CLIFailure.usage(
                        "profile '\(profileName)' is not in \(ConfigFile.path(environment: environment)); add a [profile \(profileName)] section.")
                }
                profile = found
            } else {
                profile = file?.profiles["default"] ?? [:]
            }
        }
        guard
            let endpointText = nonEmpty(options.endpoint) ?? nonEmpty(environment["AWS_CONNECTIONS_ENDPOINT"])
                ?? nonEmpty(profile["endpoint"])
        else {
            throw CLIFailure.usage("no endpoint: pass --endpoint URL, set AWS_CONNECTIONS_ENDPOINT, or set endpoint in a profile.")
        }
        guard let endpoint = URL(string: endpointText), let scheme = endpoint.scheme?.lowercased(),
            scheme == "http" || scheme == "https", endpoint.host != nil
        else {
            throw CLIFailure.usage("the endpoint '\(endpointText)' is not an http or https URL such as http://127.0.0.1:8080.")
        }
        guard
            let apiKey = nonEmpty(options.apiKey) ?? nonEmpty(environment["AWS_CONNECTIONS_API_KEY"])
                ?? nonEmpty(profile["api_key"])
        else {
            throw CLIFailure.usage("no API key: set AWS_CONNECTIONS_API_KEY, set api_key in a profile, or pass --api-key.")
        }
        let output = options.output ?? (isatty(STDOUT_FILENO) == 1 ? .table : .json)
        return ClientContext(client: ConnectionsClient(endpoint: endpoint, apiKey: apiKey), output: output)
    }
}

/// The config file: AWS-CLI-style sections of `name = value` lines.
///
/// ```
/// [default]
/// endpoint = https://connections.example.com
/// api_key = pictai_...
///
/// [profile staging]
/// endpoint = https://staging.example.com
/// api_key = pictai_...
/// ```
///
/// It holds API keys, so, as ssh does with its keys, a file that its group or other users may
/// read or write is refused.
struct ConfigFile {
    var profiles: [String: [String: String]] = [:]

    static let displayPath = "~/.config/aws-connections/config"

    /// AWS_CONNECTIONS_CONFIG_FILE, else $XDG_CONFIG_HOME/aws-connections/config, else
    /// ~/.config/aws-connections/config.
    static func path(environment: [String: String]) -> String {
        if let path = environment["AWS_CONNECTIONS_CONFIG_FILE"], !path.isEmpty { return path }
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) + "/.config")
        return base + "/aws-connections/config"
    }

    /// The file at `path`, or nil if there is none.
    static func load(path: String) throws -> ConfigFile? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let mode = status.st_mode & 0o777
        if mode & 0o066 != 0 {
            throw CLIFailure.usage(
                "\(path) holds API keys but its group or other users may read or write it (mode \(String(mode, radix: 8))); run: chmod 600 \(path)")
        }
        guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }) else {
            throw CLIFailure.usage("cannot read \(path).")
        }
        return try ConfigFile(parsing: text, path: path)
    }

    init(parsing text: String, path: String) throws {
        var section: String?
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                let profile = name.hasPrefix("profile ") ? name.dropFirst("profile ".count).trimmingCharacters(in: .whitespaces) : name
                section = profile
                profiles[profile, default: [:]] = profiles[profile] ?? [:]
                continue
            }
            guard let equals = line.firstIndex(of: "="), let section else {
                throw CLIFailure.usage("\(path), line \(index + 1): expected [profile NAME] or name = value.")
            }
            let name = line[..<equals].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            profiles[section, default: [:]][name] = value
        }
    }

    private init() {}
}
