#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 address, held as 128 bits.
///
/// IPv4 is held in its IPv4-mapped IPv6 form (`::ffff:a.b.c.d`): a server listening on `::`
/// sees IPv4 peers in that form, and an operator's `10.0.0.0/8` must still match them.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    let high: UInt64
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The textual forms `inet_pton` accepts (dotted decimal, RFC 4291 IPv6); nil for anything
    /// else, including zone ids, brackets, ports and surrounding whitespace.
    public init?(_ text: some StringProtocol) {
        // The longest textual address is 45 bytes; a NUL would end the C string early and let
        // `1.2.3.4\0anything` pass.
        guard text.utf8.count <= 45, !text.utf8.contains(0) else { return nil }
        var bytes = [UInt8](repeating: 0, count: 16)
        let isIPv4 = text.contains(".") && !text.contains(":")
        let parsed = String(text).withCString { pointer in
            bytes.withUnsafeMutableBytes { buffer in
                isIPv4
                    ? inet_pton(AF_INET, pointer, buffer.baseAddress! + 12)
                    : inet_pton(AF_INET6, pointer, buffer.baseAddress!)
            }
        }
        guard parsed == 1 else { return nil }
        if isIPv4 {
            bytes[10] = 0xFF
            bytes[11] = 0xFF
        }
        self.high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        self.low = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
    }

    var isIPv4Mapped: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// Dotted decimal for IPv4 (also when it arrived IPv4-mapped), so one client is always
    /// spelled one way in the logs; RFC 5952 compressed form for IPv6.
    public var description: String {
        if isIPv4Mapped {
            let value = UInt32(truncatingIfNeeded: low)
            return "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<8 {
            bytes[index] = UInt8(truncatingIfNeeded: high >> (56 - 8 * index))
            bytes[8 + index] = UInt8(truncatingIfNeeded: low >> (56 - 8 * index))
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written = bytes.withUnsafeBytes { buffer in
            inet_ntop(AF_INET6, buffer.baseAddress!, &text, socklen_t(text.count))
        }
        guard written != nil else { return "::" }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One address or CIDR block of trusted proxies: `192.0.2.10`, `10.0.0.0/8`, `2001:db8::/32`.
public struct AddressBlock: Hashable, Sendable, CustomStringConvertible {
    let network: IPAddress
    /// Prefix length over the 128-bit form (an IPv4 `/8` is 104 here).
    let prefixLength: Int

    /// Host bits set in the network (`10.1.2.3/8`) are cleared: the block is what the prefix
    /// says, which is what an operator writing it means.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let isIPv4 = parts[0].contains(".") && !parts[0].contains(":")
        let maximum = isIPv4 ? 32 : 128
        var length = maximum
        if parts.count == 2 {
            guard !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), parts[1].count <= 3,
                let given = Int(parts[1]), given <= maximum
            else { return nil }
            length = given
        }
        prefixLength = length + (isIPv4 ? 96 : 0)
        network = Self.masked(address, prefixLength: prefixLength)
    }

    public func contains(_ address: IPAddress) -> Bool {
        Self.masked(address, prefixLength: prefixLength) == network
    }

    private static func masked(_ address: IPAddress, prefixLength: Int) -> IPAddress {
        func mask(_ bits: Int) -> UInt64 { bits <= 0 ? 0 : bits >= 64 ? .max : ~(UInt64.max >> bits) }
        return IPAddress(high: address.high & mask(prefixLength), low: address.low & mask(prefixLength - 64))
    }

    public var description: String {
        let shown = network.isIPv4Mapped && prefixLength >= 96 ? prefixLength - 96 : prefixLength
        return prefixLength == 128 ? "\(network)" : "\(network)/\(shown)"
    }
}

/// The proxies whose `X-Forwarded-For` the request log believes (`--trusted-proxy`).
///
/// Anyone can send `X-Forwarded-For`, so it names the client only when the TCP peer is one of
/// these proxies, and then only as far as the chain of trusted proxies reaches.
public struct TrustedProxies: Sendable, CustomStringConvertible {
    public let blocks: [AddressBlock]

    public init(_ blocks: [AddressBlock] = []) {
        self.blocks = blocks
    }

    /// A comma-separated list as the flag, its environment variable or the configuration file
    /// gives it; empty text is no proxy. Nil if any entry is not an address or block.
    public init?(parsing list: String) {
        var blocks: [AddressBlock] = []
        if !list.isEmpty {
            for entry in list.split(separator: ",", omittingEmptySubsequences: false) {
                guard let block = AddressBlock(entry.trimmingWhitespace) else { return nil }
                blocks.append(block)
            }
        }
        self.blocks = blocks
    }

    public var isEmpty: Bool { blocks.isEmpty }

    public func contains(_ address: IPAddress) -> Bool {
        blocks.contains { $0.contains(address) }
    }

    /// The client of a request that reached us from `peer` with these `X-Forwarded-For` field
    /// values (in the order received): the right-most entry that is not a trusted proxy,
    /// walking left from the peer. Each proxy appends the address it received from, so only
    /// entries added by trusted proxies are believed; whatever lies further left could have
    /// been written by the client itself. An entry that is not an address, met on that walk,
    /// means the chain cannot be followed, so the answer is the peer, which at least is true.
    public func client(peer: IPAddress, forwardedFor values: [String]) -> IPAddress {
        guard !values.isEmpty, contains(peer) else { return peer }
        var nearest = peer
        for value in values.reversed() {
            for entry in value.split(separator: ",", omittingEmptySubsequences: false).reversed() {
                guard let address = IPAddress(entry.trimmingWhitespace) else { return peer }
                guard contains(address) else { return address }
                nearest = address
            }
        }
        // Every hop was a trusted proxy: the farthest one is as near the client as we can see.
        return nearest
    }

    public var description: String {
        blocks.map(\.description).joined(separator: ",")
    }
}

extension Substring {
    /// Without the spaces and tabs HTTP allows around list elements.
    fileprivate var trimmingWhitespace: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
