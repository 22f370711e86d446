import Foundation

/// An AWS shared configuration file (`~/.aws/credentials`, `~/.aws/config`) read as the SDKs read it.
///
/// Lines are `[section]`, `key = value`, or comments starting with `#` or `;`. Keys are
/// case-insensitive (lower-cased here); a `#` or `;` after whitespace starts a comment at the
/// end of a value too, as in the Java and Rust SDKs. An indented line after a key with an empty
/// value belongs to a nested block (`s3 =` then `  addressing_style = path`) and is skipped, as
/// the profile keys read here are never nested. A section that appears twice is merged, later
/// values winning. Lines that fit none of these are ignored rather than failing the whole file.
struct INIDocument: Sendable, Equatable {
    /// Section name as written between the brackets, trimmed, to its keys and values.
    private(set) var sections: [String: [String: String]] = [:]

    init(sections: [String: [String: String]]) {
        self.sections = sections
    }

    init(parsing text: String) {
        var current: String?
        var inNestedBlock = false
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = String(rawLine).strippingASCIIWhitespace
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            let isIndented = rawLine.first == " " || rawLine.first == "\t"
            if isIndented && inNestedBlock { continue }
            inNestedBlock = false
            if line.hasPrefix("[") {
                guard let close = line.firstIndex(of: "]") else {
                    current = nil
                    continue
                }
                let name = String(line[line.index(after: line.startIndex)..<close]).strippingASCIIWhitespace
                current = name.isEmpty ? nil : name
                if let current, sections[current] == nil { sections[current] = [:] }
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<equals]).strippingASCIIWhitespace.lowercased()
            guard !key.isEmpty else { continue }
            let value = Self.withoutTrailingComment(String(line[line.index(after: equals)...]))
            sections[section, default: [:]][key] = value
            inNestedBlock = value.isEmpty
        }
    }

    subscript(section: String) -> [String: String]? { sections[section] }

    private static func withoutTrailingComment(_ value: String) -> String {
        var previousIsSpace = true
        var end = value.endIndex
        for index in value.indices {
            let character = value[index]
            if (character == "#" || character == ";") && previousIsSpace {
                end = index
                break
            }
            previousIsSpace = character == " " || character == "\t"
        }
        return String(value[..<end]).strippingASCIIWhitespace
    }
}

/// The static keys of one profile, found the way the SDKs find them.
enum SharedCredentialFiles {
    /// Which profile, and which files, the environment points at.
    struct Locations: Sendable, Equatable {
        var profile: String
        var credentialsPath: String?
        var configPath: String?
    }

    /// `AWS_PROFILE` (else `default`), `AWS_SHARED_CREDENTIALS_FILE` (else `~/.aws/credentials`)
    /// and `AWS_CONFIG_FILE` (else `~/.aws/config`), `~` being `HOME`. No path without a `HOME`.
    static func locations(environment: [String: String]) -> Locations {
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 }
        func path(_ variable: String, default name: String) -> String? {
            if let value = environment[variable]?.strippingASCIIWhitespace, !value.isEmpty {
                if value == "~" { return home }
                if value.hasPrefix("~/") { return home.map { $0 + value.dropFirst() } }
                return value
            }
            return home.map { $0 + "/.aws/" + name }
        }
        let profile = environment["AWS_PROFILE"]?.strippingASCIIWhitespace ?? ""
        return Locations(
            profile: profile.isEmpty ? "default" : profile,
            credentialsPath: path("AWS_SHARED_CREDENTIALS_FILE", default: "credentials"),
            configPath: path("AWS_CONFIG_FILE", default: "config"))
    }

    /// What the profile's settings come to.
    enum Lookup: Sendable, Equatable {
        case found(AWSCredentials)
        /// The profile exists but gets credentials in a way this chain does not implement.
        case unsupported(String)
        /// The profile is missing, or has no static keys.
        case notFound(String)
    }

    /// Keys that make the SDKs get the profile's credentials some other way than from its static
    /// keys: assuming a role, IAM Identity Center (SSO), or `aws login`. They take precedence over
    /// static keys in the SDKs, so static keys beside them must not be used in their stead.
    static let delegatingKeys = [
        "role_arn", "source_profile", "credential_source", "web_identity_token_file", "sso_session", "sso_start_url",
        "sso_account_id", "sso_role_name", "login_session",
    ]

    /// The profile's settings, `config`'s overridden key by key by `credentials`'; nil when
    /// neither file has the profile. In `config` the profile is `[profile NAME]`, and the
    /// default one `[default]` (or `[profile default]`, which wins); in `credentials` it is `[NAME]`.
    static func settings(profile: String, credentials: INIDocument?, config: INIDocument?) -> [String: String]? {
        var sections: [[String: String]] = []
        if let config {
            if profile == "default", let section = config["default"] { sections.append(section) }
            for (name, section) in config.sections where isConfigSection(name, of: profile) {
                sections.append(section)
            }
        }
        if let section = credentials?[profile] { sections.append(section) }
        guard !sections.isEmpty else { return nil }
        return sections.reduce(into: [:]) { merged, section in merged.merge(section) { _, new in new } }
    }

    /// `profile NAME` with any run of whitespace between the two words.
    private static func isConfigSection(_ section: String, of profile: String) -> Bool {
        let words = section.split(whereSeparator: { $0 == " " || $0 == "\t" })
        return words.count == 2 && words[0] == "profile" && words[1] == profile
    }

    static func lookup(profile: String, credentials: INIDocument?, config: INIDocument?) -> Lookup {
        guard let settings = settings(profile: profile, credentials: credentials, config: config) else {
            return .notFound("no profile \(profile)")
        }
        func unsupported(_ key: String) -> Lookup {
            .unsupported(
                "profile \(profile) uses \(key), which this server does not support; "
                    + "give it static keys or use another source")
        }
        if let key = delegatingKeys.first(where: { settings[$0] != nil }) {
            return unsupported(key)
        }
        let accessKeyID = settings["aws_access_key_id"] ?? ""
        let secret = settings["aws_secret_access_key"] ?? ""
        if !accessKeyID.isEmpty && !secret.isEmpty {
            let token = settings["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
            return .found(AWSCredentials(accessKeyID: accessKeyID, secretAccessKey: secret, sessionToken: token))
        }
        if settings["credential_process"] != nil {
            return unsupported("credential_process")
        }
        if !accessKeyID.isEmpty {
            return .notFound("profile \(profile) has aws_access_key_id but no aws_secret_access_key")
        }
        if !secret.isEmpty { return .notFound("profile \(profile) has aws_secret_access_key but no aws_access_key_id") }
        return .notFound("profile \(profile) has no aws_access_key_id")
    }

    /// Reads the files the environment points at and looks the profile up in them.
    ///
    /// Blocking reads of two small files, once, when the chain is first resolved.
    static func load(environment: [String: String]) -> (locations: Locations, lookup: Lookup) {
        let locations = locations(environment: environment)
        let credentials = locations.credentialsPath.flatMap(readDocument)
        let config = locations.configPath.flatMap(readDocument)
        guard credentials != nil || config != nil else {
            return (locations, .notFound("no shared credentials or config file"))
        }
        return (locations, lookup(profile: locations.profile, credentials: credentials, config: config))
    }

    private static func readDocument(_ path: String) -> INIDocument? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return INIDocument(parsing: String(decoding: data, as: UTF8.self))
    }
}
