import Configuration

/// One option of the command line, declared once.
///
/// Its key names it everywhere: `postgres.poolSize` is the flag `--postgres-pool-size`, the
/// environment variable `AWS_CONNECTIONS_POSTGRES_POOL_SIZE` and the member `poolSize` of
/// `postgres` in a configuration file. swift-configuration's providers derive those spellings
/// from the key, and `Settings` asks them for it, so the help and the error messages spell an
/// option exactly as it is read.
struct Setting<Value: Sendable>: Sendable {
    let key: String
    let valueName: String
    let help: String
    let defaultValue: Value
    /// Values that can hold a password (a database URL) are never echoed.
    let isSecret: Bool
    /// What a value must be, for the error that names a bad one ("an integer from 1 to 1000").
    let rule: String
    /// The value for `text` as written on the command line or in the environment, or nil when it breaks `rule`.
    let parse: @Sendable (String) -> Value?
}

extension Setting where Value == String {
    /// Free text, or one of `choices` (compared without regard to case) when given.
    static func text(
        _ key: String, default defaultValue: String, valueName: String, help: String, choices: [String]? = nil
    ) -> Setting {
        Setting(
            key: key, valueName: valueName, help: help, defaultValue: defaultValue, isSecret: false,
            rule: choices.map { "one of " + $0.joined(separator: ", ") } ?? "text",
            parse: { text in
                guard let choices else { return text.isEmpty ? nil : text }
                let lowered = text.lowercased()
                return choices.contains(lowered) ? lowered : nil
            })
    }
}

extension Setting where Value == String {
    /// Text checked by `parse`, which returns the value to use or nil when `rule` is broken.
    static func text(
        _ key: String, default defaultValue: String, valueName: String, help: String, rule: String,
        parse: @escaping @Sendable (String) -> String?
    ) -> Setting {
        Setting(
            key: key, valueName: valueName, help: help, defaultValue: defaultValue, isSecret: false, rule: rule,
            parse: parse)
    }
}

extension Setting where Value == Int {
    static func integer(
        _ key: String, default defaultValue: Int, in range: ClosedRange<Int>, valueName: String, help: String
    ) -> Setting {
        Setting(
            key: key, valueName: valueName, help: help, defaultValue: defaultValue, isSecret: false,
            rule: "a whole number from \(range.lowerBound) to \(range.upperBound)",
            parse: { text in Int(text).flatMap { range.contains($0) ? $0 : nil } })
    }
}

extension Setting where Value == Duration {
    /// A number of seconds, fractions allowed.
    static func seconds(
        _ key: String, default defaultValue: Double, in range: ClosedRange<Double>, help: String
    ) -> Setting {
        Setting(
            key: key, valueName: "seconds", help: help, defaultValue: .milliseconds(Int64(defaultValue * 1000)),
            isSecret: false, rule: "a number of seconds from \(range.lowerBound.shortText) to \(range.upperBound.shortText)",
            parse: { text in
                guard let seconds = Double(text), seconds.isFinite, range.contains(seconds) else { return nil }
                return .milliseconds(Int64((seconds * 1000).rounded()))
            })
    }
}

extension Double {
    /// `5` rather than `5.0`, `0.1` as is.
    fileprivate var shortText: String {
        rounded() == self ? String(Int64(self)) : String(self)
    }
}

/// What `Settings` needs of a setting whatever its type: to list it and to check its value.
protocol AnySetting: Sendable {
    var key: String { get }
    /// `key` as swift-configuration names it: `postgres.poolSize` is `["postgres", "poolSize"]`.
    var configKey: AbsoluteConfigKey { get }
    var valueName: String { get }
    var help: String { get }
    var isSecret: Bool { get }
    var defaultText: String { get }
    /// The value for `text`, or nil when it breaks the rule.
    func parsed(_ text: String) -> (any Sendable)?
    var rule: String { get }
}

extension Setting: AnySetting {
    var configKey: AbsoluteConfigKey {
        AbsoluteConfigKey(key.split(separator: ".").map(String.init))
    }

    var defaultText: String {
        switch defaultValue {
        case let duration as Duration:
            let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            return milliseconds % 1000 == 0 ? String(milliseconds / 1000) : String(Double(milliseconds) / 1000)
        default:
            return "\(defaultValue)"
        }
    }

    func parsed(_ text: String) -> (any Sendable)? {
        parse(text)
    }
}

/// A group of settings declared as stored properties; `all` finds them by reflection, so that
/// adding a property is the whole declaration.
protocol SettingGroup: Sendable {
    init()
}

extension SettingGroup {
    static var all: [any AnySetting] {
        Mirror(reflecting: Self()).children.compactMap { $0.value as? any AnySetting }
    }
}
