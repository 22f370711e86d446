/// How every header and query parameter is read, in one place.
extension StringProtocol {
    /// Without leading and trailing spaces and tabs (RFC 9110's optional whitespace).
    var trimmingOptionalWhitespace: SubSequence {
        let isOptionalWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isOptionalWhitespace($0) }),
            let last = lastIndex(where: { !isOptionalWhitespace($0) })
        else { return self[endIndex...] }
        return self[first...last]
    }

    /// The number spelled by one or more ASCII digits and nothing else; nil otherwise.
    /// `Int64(_:)` alone would also take a sign ("+5") and non-ASCII digits are refused.
    var asciiDigitsValue: Int64? {
        guard !isEmpty, utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(self)
    }
}
