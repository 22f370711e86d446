import ArgumentParser

/// A duration as an operator types it: whole numbers with units, largest first or not,
/// `90d`, `12h`, `1h30m`, `45s`. Units: `d` (24 hours), `h`, `m`, `s`.
struct DurationText: ExpressibleByArgument, Sendable, Equatable {
    let duration: Duration
    let text: String

    /// Ten years: longer is a typo, or a key that should not expire at all.
    static let longest: Duration = .seconds(10 * 365 * 24 * 60 * 60)

    init?(argument: String) {
        var seconds: Int64 = 0
        var digits = ""
        var sawUnit = false
        for character in argument {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            let unit: Int64
            switch character {
            case "d": unit = 24 * 60 * 60
            case "h": unit = 60 * 60
            case "m": unit = 60
            case "s": unit = 1
            default: return nil
            }
            guard let value = Int64(digits), digits.count <= 9 else { return nil }
            seconds += value * unit
            // Checked as it grows, so no number of parts can overflow the sum.
            guard Duration.seconds(seconds) <= Self.longest else { return nil }
            digits = ""
            sawUnit = true
        }
        guard sawUnit, digits.isEmpty, seconds > 0, Duration.seconds(seconds) <= Self.longest else { return nil }
        duration = .seconds(seconds)
        text = argument
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
