import Hummingbird

/// A request's query parameters, decoded as `application/x-www-form-urlencoded` (the WHATWG
/// URL standard's parser): `+` is a space, `%XX` is a byte, and names are decoded as values
/// are. HTML forms and Python's `requests` send a space as `+`, so `?name=a+b` must find the
/// connection named `a b`.
///
/// Hand-written because Hummingbird's `queryParameters` keeps `+` as a plus and leaves names
/// encoded. As the standard says, a `%` not followed by two hex digits stays as it is, and
/// bytes that are not UTF-8 become U+FFFD, so no query is refused for its encoding.
struct QueryParameters {
    private let pairs: [(name: String, value: String)]

    init(_ request: Request) {
        self.init(query: request.uri.query ?? "")
    }

    init(query: String) {
        pairs = query.utf8.split(separator: UInt8(ascii: "&")).map { field in
            let parts = field.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    /// The first value of `name`, if the query has it.
    func get(_ name: String) -> String? {
        pairs.first { $0.name == name }?.value
    }

    /// Every value of `name`, in order.
    func getAll(_ name: String) -> [String] {
        pairs.filter { $0.name == name }.map(\.value)
    }

    private static func decode(_ bytes: Substring.UTF8View.SubSequence) -> String {
        var decoded: [UInt8] = []
        decoded.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                decoded.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"),
                let high = bytes.index(index, offsetBy: 1, limitedBy: bytes.endIndex), high < bytes.endIndex,
                let low = bytes.index(high, offsetBy: 1, limitedBy: bytes.endIndex), low < bytes.endIndex,
                let highValue = hexValue(bytes[high]), let lowValue = hexValue(bytes[low])
            {
                decoded.append(highValue << 4 | lowValue)
                index = low
            } else {
                decoded.append(byte)
            }
            index = bytes.index(after: index)
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
