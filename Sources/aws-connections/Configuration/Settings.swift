import ArgumentParser
import Configuration
import Foundation
import SystemPackage

/// The configuration of one command, read once at start from swift-configuration's providers
/// in priority order: the command line, then the environment, then an optional JSON file
/// (`--config`), then each setting's default.
///
/// The providers are asked one by one rather than through a `ConfigReader`, because a bad
/// value must fail the start naming where it came from (`AWS_CONNECTIONS_PORT must be …`),
/// and a reader answers only the value.
struct Settings: Sendable {
    /// One provider, and how a message names a key it holds: `--port` and
    /// `AWS_CONNECTIONS_PORT` stand alone, a file's key needs the file's name.
    struct Source: Sendable {
        let provider: any ConfigProvider
        let spell: @Sendable (_ encodedKey: String) -> String
    }

    /// The file named by `--config` or `AWS_CONNECTIONS_CONFIG`, read before the others.
    /// Empty by default: no file.
    static let configFile = Setting<String>(
        key: "config", valueName: "path",
        help: "A JSON file of settings, read after flags and environment variables: {\"port\": 8080, \"postgres\": {\"poolSize\": 10}}.",
        defaultValue: "", isSecret: false, rule: "a file path", parse: { $0 })

    private let sources: [Source]
    private var values: [String: any Sendable] = [:]

    /// Reads and checks every setting of `groups` from `arguments` (the options the command
    /// did not declare itself) and `environment`; the first bad value is a `CommandFailure`.
    init(arguments: [String], environment: [String: String], groups: [any SettingGroup.Type]) async throws {
        // The provider skips its first argument, the program's name.
        let commandLine = Source(
            provider: CommandLineArgumentsProvider(arguments: ["aws-connections"] + arguments), spell: { $0 })
        let variables = Source(provider: Self.environmentProvider(environment), spell: { $0 })
        let settings = [Self.configFile] + groups.flatMap { $0.all }
        try Self.refuseUnknownFlags(arguments, known: settings)
        var sources = [commandLine, variables]
        let early = Settings(sources: sources)
        if let path = try early.text(for: Self.configFile), !path.isEmpty {
            let file: FileProvider<JSONSnapshot>
            do {
                file = try await FileProvider<JSONSnapshot>(filePath: FilePath(path))
            } catch {
                throw CommandFailure("cannot read the configuration file '\(path)': \(error)")
            }
            sources.append(Source(provider: file, spell: { "\($0) in the configuration file '\(path)'" }))
        }
        self.sources = sources
        for setting in settings {
            values[setting.key] = try resolve(setting)
        }
    }

    private init(sources: [Source]) {
        self.sources = sources
    }

    /// The checked value of `setting`; only settings of the groups read at start are known.
    subscript<Value>(_ setting: Setting<Value>) -> Value {
        guard let value = values[setting.key] as? Value else {
            preconditionFailure("setting \(setting.key) was not read at start")
        }
        return value
    }

    /// The checked value of the setting at `path` of a group.
    subscript<Group: SettingGroup, Value>(_ path: KeyPath<Group, Setting<Value>>) -> Value {
        self[Group()[keyPath: path]]
    }

    /// The environment as options are read from it: every variable starts `AWS_CONNECTIONS_`.
    private static func environmentProvider(_ environment: [String: String]) -> some ConfigProvider {
        EnvironmentVariablesProvider(environmentVariables: environment).prefixKeys(with: "awsConnections")
    }

    /// How `setting` is spelled on the command line and in the environment, as the providers read it.
    static func spellings(of setting: any AnySetting) -> (flag: String, variable: String) {
        let flag = try? CommandLineArgumentsProvider(arguments: []).value(forKey: setting.configKey, type: .string)
            .encodedKey
        let variable = try? environmentProvider([:]).value(forKey: setting.configKey, type: .string).encodedKey
        return (flag ?? setting.key, variable ?? setting.key)
    }

    private func resolve(_ setting: any AnySetting) throws -> any Sendable {
        guard let (text, source) = try lookUp(setting) else { return try defaultValue(setting) }
        guard let value = setting.parsed(text) else {
            let shown = setting.isSecret ? "" : ", not '\(text.prefix(100))'"
            throw CommandFailure("\(source) must be \(setting.rule)\(shown).")
        }
        return value
    }

    private func defaultValue(_ setting: any AnySetting) throws -> any Sendable {
        guard let value = setting.parsed(setting.defaultText) else {
            preconditionFailure("the default of \(setting.key) breaks its own rule")
        }
        return value
    }

    private func text(for setting: any AnySetting) throws -> String? {
        try lookUp(setting)?.text
    }

    /// The first source's value for `setting`, as text, with how that source spells the key.
    private func lookUp(_ setting: any AnySetting) throws -> (text: String, source: String)? {
        let key = setting.configKey
        nextSource: for source in sources {
            // Flags and variables are text; a file may hold a number or a boolean instead. A
            // repeated flag (or a file's array) is a list: read as the comma-separated text
            // the environment variable would hold, and checked by the setting's rule like one.
            for type in [ConfigType.string, .int, .double, .bool, .stringArray] {
                guard let result = try? source.provider.value(forKey: key, type: type) else { continue }
                guard let value = result.value else { break }
                let spelled = source.spell(result.encodedKey)
                switch value.content {
                // An empty variable counts as unset, as shells make unsetting awkward.
                case .string(let text) where text.isEmpty: continue nextSource
                case .string(let text): return (text, spelled)
                case .int(let number): return (String(number), spelled)
                case .double(let number): return (String(number), spelled)
                case .bool(let flag): return (String(flag), spelled)
                case .stringArray(let items) where items.isEmpty: continue nextSource
                case .stringArray(let items): return (items.joined(separator: ","), spelled)
                default: throw CommandFailure("\(spelled) must be \(setting.rule).")
                }
            }
        }
        return nil
    }

    /// A misspelt flag is an error, not silently ignored.
    private static func refuseUnknownFlags(_ arguments: [String], known: [any AnySetting]) throws {
        let flags = Set(known.map { spellings(of: $0).flag })
        for argument in arguments where argument.hasPrefix("-") {
            let flag = String(argument.prefix(while: { $0 != "=" }))
            if !flags.contains(flag), Int(flag) == nil, Double(flag) == nil {
                throw CommandFailure("unknown option '\(flag)'; see --help.")
            }
        }
    }

    /// The help text listing every setting of `groups`: flag, environment variable, default.
    static func help(for groups: [any SettingGroup.Type]) -> String {
        let settings = groups.flatMap { $0.all } + [configFile]
        return "Every option can also be set by its environment variable, or in the JSON file given by --config; "
            + "a flag wins over the variable, the variable over the file, the file over the default.\n\n"
            + settings.map { setting in
                let (flag, variable) = spellings(of: setting)
                let shownDefault = setting.defaultText.isEmpty ? "" : ", default \(setting.defaultText)"
                return "\(flag) <\(setting.valueName)>  (\(variable)\(shownDefault))\n    \(setting.help)"
            }.joined(separator: "\n")
    }
}

extension Settings {
    /// Reads the settings of `groups` from `arguments` and the process's environment; a bad
    /// value is printed as an operator-facing error and exits 1.
    static func read(_ arguments: [String], groups: [any SettingGroup.Type]) async throws -> Settings {
        do {
            return try await Settings(
                arguments: arguments, environment: ProcessInfo.processInfo.environment, groups: groups)
        } catch let failure as CommandFailure {
            StandardError.write("error: \(failure.description)\n")
            throw ExitCode.failure
        }
    }
}
