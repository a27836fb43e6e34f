import Foundation

/// An IPv4 or IPv6 address as one 128-bit number, IPv4 as the IPv4-mapped IPv6 address
/// (`::ffff:a.b.c.d`, RFC 4291 §2.5.5.2), so address sets of both families are plain integer
/// intervals of one space, and an IPv4 prefix never meets an IPv6 address.
public struct NetworkAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt128

    /// `::ffff:0:0`, where the IPv4 addresses sit.
    public static let ipv4Base: UInt128 = 0xFFFF_0000_0000
    /// `::ffff:0:0/96`, the IPv4 space, as its first and last value.
    public static let ipv4Range: ClosedRange<UInt128> = ipv4Base...(ipv4Base | 0xFFFF_FFFF)

    /// A raw 128-bit value (IPv4 addresses are `ipv4Base | v4`).
    public init(_ value: UInt128) { self.value = value }

    public init(ipv4: UInt32) { value = Self.ipv4Base | UInt128(ipv4) }

    public var isIPv4: Bool { Self.ipv4Range.contains(value) }
    /// The 32-bit IPv4 address, nil for IPv6.
    public var ipv4: UInt32? { isIPv4 ? UInt32(truncatingIfNeeded: value) : nil }

    /// Parses dotted-quad IPv4 (`10.0.1.4`) or IPv6 text in any RFC 4291 form (`2001:db8::1`,
    /// `::ffff:10.0.0.1`, full or compressed, upper or lower case); nil for anything else,
    /// zone ids (`fe80::1%eth0`) included. An IPv4-mapped IPv6 text is the IPv4 address.
    public init?(_ text: some StringProtocol) {
        if let v4 = Self.parseIPv4(text.utf8) {
            self.init(ipv4: v4)
        } else if let v6 = Self.parseIPv6(Array(text.utf8)) {
            self.init(v6)
        } else {
            return nil
        }
    }

    static func parseIPv4(_ text: some Collection<UInt8>) -> UInt32? {
        var parts: [UInt32] = []
        var current: UInt32 = 0
        var digits = 0
        for ch in text {
            if ch == UInt8(ascii: ".") {
                guard digits > 0 else { return nil }
                parts.append(current)
                current = 0
                digits = 0
            } else if ch >= UInt8(ascii: "0") && ch <= UInt8(ascii: "9") {
                current = current * 10 + UInt32(ch - UInt8(ascii: "0"))
                digits += 1
                guard digits <= 3, current <= 255 else { return nil }
            } else {
                return nil
            }
        }
        guard digits > 0 else { return nil }
        parts.append(current)
        guard parts.count == 4 else { return nil }
        return parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }

    /// RFC 4291 §2.2 text: eight groups of one to four hex digits, at most one `::`, the last 32
    /// bits optionally as a dotted quad.
    static func parseIPv6(_ bytes: [UInt8]) -> UInt128? {
        guard bytes.count >= 2, bytes.count <= 45, bytes.contains(UInt8(ascii: ":")) else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        var i = 0
        if bytes.starts(with: [UInt8(ascii: ":"), UInt8(ascii: ":")]) {
            sawGap = true
            i = 2
        } else if bytes[0] == UInt8(ascii: ":") {
            return nil
        }
        while i < bytes.count {
            // One group (or a trailing dotted quad).
            var j = i
            while j < bytes.count && bytes[j] != UInt8(ascii: ":") { j += 1 }
            let group = bytes[i..<j]
            guard !group.isEmpty else { return nil }
            if group.contains(UInt8(ascii: ".")) {
                guard j == bytes.count, let v4 = parseIPv4(group) else { return nil }
                let pair = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
                if sawGap { tail += pair } else { head += pair }
                i = j
                break
            }
            guard group.count <= 4 else { return nil }
            var v: UInt16 = 0
            for c in group {
                let d: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = c - UInt8(ascii: "A") + 10
                default: return nil
                }
                v = v << 4 | UInt16(d)
            }
            if sawGap { tail.append(v) } else { head.append(v) }
            i = j
            if i < bytes.count {
                // At a colon: `::` opens the gap, a lone `:` separates; text may not end in one `:`.
                if i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: ":") {
                    guard !sawGap else { return nil }
                    sawGap = true
                    i += 2
                } else {
                    guard i + 1 < bytes.count else { return nil }
                    i += 1
                }
            }
        }
        let count = head.count + tail.count
        if sawGap { guard count <= 7 else { return nil } } else { guard count == 8 else { return nil } }
        let groups = head + Array(repeating: 0, count: 8 - count) + tail
        return groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
    }

    /// Dotted quad for IPv4; RFC 5952 text for IPv6 (lower case, no leading zeros, the longest run
    /// of two or more zero groups, the first of equals, as `::`).
    public var description: String {
        if let v = ipv4 { return Self.dottedQuad(v) }
        let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> UInt128(112 - 16 * $0)) }
        var bestStart = -1
        var bestLength = 1
        var index = 0
        while index < 8 {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < 8 && groups[end] == 0 { end += 1 }
            if end - index > bestLength {
                bestStart = index
                bestLength = end - index
            }
            index = end
        }
        func hex(_ range: Range<Int>) -> String { groups[range].map { String($0, radix: 16) }.joined(separator: ":") }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    public static func < (a: NetworkAddress, b: NetworkAddress) -> Bool { a.value < b.value }

    /// `a.b.c.d`, written digit by digit into a small buffer (at most 15 bytes: a string that needs
    /// no allocation): verify-flows prints two addresses a flow.
    private static func dottedQuad(_ v: UInt32) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { buffer in
            var n = 0
            for shift in [24, 16, 8, 0] as [UInt32] {
                let octet = UInt8(truncatingIfNeeded: v >> shift)
                if octet >= 100 {
                    buffer[n] = 48 + octet / 100
                    n += 1
                }
                if octet >= 10 {
                    buffer[n] = 48 + octet / 10 % 10
                    n += 1
                }
                buffer[n] = 48 + octet % 10
                n += 1
                if shift > 0 {
                    buffer[n] = UInt8(ascii: ".")
                    n += 1
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<n]), as: UTF8.self)
        }
    }

    /// Why `text` is not an address, for error messages: names a zone id apart, which is valid
    /// IPv6 text on a host but means nothing in an Azure network.
    public static func refusal(_ text: some StringProtocol, what: String = "address") -> String {
        if text.utf8.contains(UInt8(ascii: "%")) {
            return "'\(text)' is not an IP \(what): zone ids ('%' and an interface) have no meaning in an Azure network"
        }
        return "'\(text)' is not an IPv4 or IPv6 \(what)"
    }
}

/// An IPv4 or IPv6 prefix in CIDR notation; `length` counts bits of its own family (0–32 for
/// IPv4, 0–128 for IPv6). Host bits in the text are cleared, as Azure does.
public struct NetworkPrefix: Sendable, Hashable, CustomStringConvertible {
    public var network: NetworkAddress
    public var length: Int

    /// A prefix of `network`'s family.
    public init(network: NetworkAddress, length: Int) {
        let bits = network.isIPv4 ? 32 : 128
        let clamped = max(0, min(bits, length))
        self.length = clamped
        let hostBits = UInt128(bits - clamped)
        let mask: UInt128 = hostBits == 128 ? 0 : ~UInt128(0) << hostBits
        self.network = NetworkAddress(
            network.isIPv4 ? network.value & (mask | ~UInt128(0xFFFF_FFFF)) : network.value & mask)
    }

    /// Parses `10.0.0.0/16`, `2001:db8::/32` or a bare address (a /32 or /128); nil for anything
    /// else (a zone id, a length beyond the family's).
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingSpaces()
        if let slash = trimmed.firstIndex(of: "/") {
            let lengthText = trimmed[trimmed.index(after: slash)...]
            guard let address = NetworkAddress(trimmed[..<slash]), !lengthText.isEmpty,
                lengthText.allSatisfy({ $0.isASCII && $0.isNumber }), let length = Int(lengthText),
                (0...(address.isIPv4 ? 32 : 128)).contains(length)
            else { return nil }
            self.init(network: address, length: length)
        } else {
            guard let address = NetworkAddress(trimmed) else { return nil }
            self.init(network: address, length: address.isIPv4 ? 32 : 128)
        }
    }

    public var isIPv4: Bool { network.isIPv4 }
    /// 32 or 128.
    public var familyBits: Int { isIPv4 ? 32 : 128 }
    public var isHost: Bool { length == familyBits }

    /// The first and last value of the prefix's interval. An IPv6 prefix short enough to hold
    /// `::ffff:0:0/96` (`::/0`…`::/80`, `::ffff:0:0/81…96`) still matches no IPv4 address: use
    /// `intervals`, which leaves that range out, to build address sets.
    public var first: UInt128 { network.value }
    public var last: UInt128 {
        let hostBits = UInt128(familyBits - length)
        return network.value | (hostBits == 128 ? ~UInt128(0) : ~(~UInt128(0) << hostBits))
    }

    /// The addresses covered, as one or two intervals: an IPv6 prefix leaves out the IPv4 space.
    public var intervals: [(UInt128, UInt128)] {
        let (lo, hi) = (first, last)
        let v4 = NetworkAddress.ipv4Range
        guard !isIPv4, lo <= v4.lowerBound, hi >= v4.upperBound else { return [(lo, hi)] }
        var out: [(UInt128, UInt128)] = []
        if lo < v4.lowerBound { out.append((lo, v4.lowerBound - 1)) }
        if hi > v4.upperBound { out.append((v4.upperBound + 1, hi)) }
        return out
    }

    /// Whether the address is in the prefix: an address of the other family never is.
    public func contains(_ address: NetworkAddress) -> Bool {
        address.isIPv4 == isIPv4 && address.value >= first && address.value <= last
    }

    public var description: String { "\(network)/\(length)" }

    /// The fewest prefixes covering `lo…hi` exactly, each of the family its addresses belong to
    /// (a range across `::ffff:0:0/96`'s edges splits into IPv6 and IPv4 prefixes).
    public static func covering(_ lo: UInt128, _ hi: UInt128) -> [NetworkPrefix] {
        guard lo <= hi else { return [] }
        var out: [NetworkPrefix] = []
        func blocks(_ lo: UInt128, _ hi: UInt128, bits: Int, base: UInt128) {
            var start = lo - base
            let end = hi - base
            while true {
                var length = bits
                while length > 0 {
                    let shift = bits - (length - 1)
                    guard shift < 128 else { break }
                    let size = UInt128(1) << UInt128(shift)
                    if start & (size - 1) != 0 || end - start < size - 1 { break }
                    length -= 1
                }
                out.append(NetworkPrefix(network: NetworkAddress(base + start), length: length))
                let shift = bits - length
                guard shift < 128 else { return }
                let size = UInt128(1) << UInt128(shift)
                if end - start <= size - 1 { return }
                start += size
            }
        }
        let v4 = NetworkAddress.ipv4Range
        if lo < v4.lowerBound { blocks(lo, min(hi, v4.lowerBound - 1), bits: 128, base: 0) }
        if hi >= v4.lowerBound && lo <= v4.upperBound {
            blocks(max(lo, v4.lowerBound), min(hi, v4.upperBound), bits: 32, base: v4.lowerBound)
        }
        if hi > v4.upperBound { blocks(max(lo, v4.upperBound + 1), hi, bits: 128, base: 0) }
        return out
    }
}

/// The names these types had when the engine was IPv4 only.
public typealias IPv4Address = NetworkAddress
public typealias IPv4Prefix = NetworkPrefix

/// An inclusive range of TCP/UDP ports, `0...65535` for "any".
public struct PortRange: Sendable, Hashable, CustomStringConvertible {
    public var lower: Int
    public var upper: Int

    public init(_ lower: Int, _ upper: Int) {
        self.lower = lower
        self.upper = upper
    }

    public static let any = PortRange(0, 65535)

    /// Parses `*`, `22`, or `1000-2000`; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let t = text.trimmingSpaces()
        if t == "*" || t.lowercased() == "any" {
            self = .any
            return
        }
        if let dash = t.firstIndex(of: "-") {
            guard let lo = Int(t[..<dash]), let hi = Int(t[t.index(after: dash)...]), 0 <= lo, lo <= hi, hi <= 65535
            else { return nil }
            self.init(lo, hi)
        } else {
            guard let p = Int(t), (0...65535).contains(p) else { return nil }
            self.init(p, p)
        }
    }

    public func contains(_ port: Int) -> Bool { port >= lower && port <= upper }

    public var description: String {
        if self == .any { return "*" }
        return lower == upper ? String(lower) : "\(lower)-\(upper)"
    }
}
