// The byte-level pieces of a canonical request. They append ASCII to one growing buffer
// instead of building Strings, because presigning runs thousands of times a second.

enum SigV4Encoding {
    static let slash = UInt8(ascii: "/")

    /// RFC 3986 unreserved: what SigV4 (and Python's `quote`, which botocore uses) never encodes.
    @inline(__always)
    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Appends `bytes` with everything but unreserved characters (and `/` when `keepingSlash`)
    /// written as `%XX`, upper-case hex.
    static func appendEncoded(_ bytes: some Sequence<UInt8>, keepingSlash: Bool = false, to out: inout [UInt8]) {
        for byte in bytes {
            if isUnreserved(byte) || (keepingSlash && byte == slash) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(upperHexDigit(byte >> 4))
                out.append(upperHexDigit(byte & 0x0F))
            }
        }
    }

    /// Appends lower-case hex, the form SigV4 uses for hashes and signatures. It takes raw
    /// bytes because digests are iterated through an unspecialized generic path otherwise,
    /// which costs more than the hashing.
    static func appendHex(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        for byte in bytes {
            out.append(lowerHexDigit(byte >> 4))
            out.append(lowerHexDigit(byte & 0x0F))
        }
    }

    @inline(__always)
    private static func upperHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") - 10 + nibble
    }

    @inline(__always)
    private static func lowerHexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    /// Appends `value` with leading and trailing whitespace dropped and inner runs collapsed to
    /// one space: SigV4's Trimall.
    ///
    /// botocore does this with Python's `' '.join(value.split())`, and `str.split()` takes every
    /// character for which `str.isspace()` holds as a separator: tabs, line breaks (so folded
    /// header lines join with one space, as in the suite's get-header-value-multiline), the
    /// ASCII separators U+001C–U+001F, and Unicode spaces such as U+00A0 and U+3000 too. The
    /// same set is used here so that a value botocore signs signs the same.
    static func appendTrimmed(_ value: String, to out: inout [UInt8]) {
        var wroteAny = false
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if isPythonWhitespace(scalar) {
                pendingSpace = wroteAny
                continue
            }
            if pendingSpace {
                out.append(UInt8(ascii: " "))
                pendingSpace = false
            }
            if scalar.isASCII {
                out.append(UInt8(truncatingIfNeeded: scalar.value))
            } else {
                UTF8.encode(scalar) { out.append($0) }
            }
            wroteAny = true
        }
    }

    @inline(__always)
    static func isPythonWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x1C...0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return true
        default:
            return false
        }
    }

    /// RFC 3986 dot-segment removal with empty segments dropped too, exactly as botocore's
    /// `remove_dot_segments`.
    ///
    /// Two of its results differ from RFC 3986 and are kept for botocore's sake: repeated
    /// slashes collapse (`//a//` becomes `/a/`), and a path ending in `/.` or `/..` loses its
    /// trailing slash (`/a/b/.` becomes `/a/b`, not `/a/b/`). Only literal `.` and `..`
    /// segments count; `%2E` is left alone, as in botocore, since this runs on the path as sent.
    static func removeDotSegments(_ path: [UInt8]) -> [UInt8] {
        var segments: [Range<Int>] = []
        var start = 0
        for index in 0...path.count where index == path.count || path[index] == slash {
            let segment = start..<index
            start = index + 1
            switch segment.count {
            case 0:
                continue
            case 1 where path[segment.lowerBound] == UInt8(ascii: "."):
                continue
            case 2 where path[segment.lowerBound] == UInt8(ascii: ".") && path[segment.lowerBound + 1] == UInt8(ascii: "."):
                _ = segments.popLast()
            default:
                segments.append(segment)
            }
        }
        var result: [UInt8] = []
        result.reserveCapacity(path.count)
        if path.first == slash { result.append(slash) }
        for (position, segment) in segments.enumerated() {
            if position > 0 { result.append(slash) }
            result.append(contentsOf: path[segment])
        }
        if path.last == slash && !segments.isEmpty { result.append(slash) }
        return result
    }
}

/// Query parameters, each name and value percent-encoded into one shared buffer.
///
/// The canonical query sorts by encoded name, then encoded value, as botocore sorts the encoded
/// `(name, value)` tuples. Sorting the joined `name=value` strings would differ: `a-b=1` sorts
/// before `a=1` as a string (`-` is below `=`), but `a` before `a-b` as a name. A presigned URL
/// keeps the order the parameters were given in.
struct EncodedQuery {
    private(set) var bytes: [UInt8] = []
    private(set) var pairs: [(nameStart: Int, valueStart: Int, end: Int)] = []

    init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(name: String, value: String) {
        let nameStart = bytes.count
        SigV4Encoding.appendEncoded(name.utf8, to: &bytes)
        let valueStart = bytes.count
        SigV4Encoding.appendEncoded(value.utf8, to: &bytes)
        pairs.append((nameStart, valueStart, bytes.count))
    }

    /// For a name that needs no encoding and a value that is already encoded.
    mutating func append(encodedName name: StaticString, encodedValue value: some Sequence<UInt8>) {
        let nameStart = bytes.count
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        let valueStart = bytes.count
        bytes.append(contentsOf: value)
        pairs.append((nameStart, valueStart, bytes.count))
    }

    func appendCanonical(to out: inout [UInt8]) {
        let order = pairs.indices.sorted { left, right in
            let a = pairs[left], b = pairs[right]
            let nameA = bytes[a.nameStart..<a.valueStart], nameB = bytes[b.nameStart..<b.valueStart]
            if nameA != nameB { return nameA.lexicographicallyPrecedes(nameB) }
            return bytes[a.valueStart..<a.end].lexicographicallyPrecedes(bytes[b.valueStart..<b.end])
        }
        appendPairs(order, to: &out)
    }

    func appendInOrder(to out: inout [UInt8]) {
        appendPairs(pairs.indices, to: &out)
    }

    private func appendPairs(_ order: some Sequence<Int>, to out: inout [UInt8]) {
        var first = true
        for index in order {
            if !first { out.append(UInt8(ascii: "&")) }
            first = false
            let pair = pairs[index]
            out.append(contentsOf: bytes[pair.nameStart..<pair.valueStart])
            out.append(UInt8(ascii: "="))
            out.append(contentsOf: bytes[pair.valueStart..<pair.end])
        }
    }
}
