import Foundation

/// An IPv4 address as a 32-bit number, so address sets are plain integer intervals.
///
/// The engine works on IPv4: Azure NSG exports and the YAML format describe IPv4 networks, and an
/// IPv6 prefix in a rule is kept as text (`AddressMatch.unsupported`) and reported as a warning.
public struct IPv4Address: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var value: UInt32

    public init(_ value: UInt32) { self.value = value }

    /// Parses dotted-quad text such as `10.0.1.4`; nil for anything else.
    public init?(_ text: some StringProtocol) {
        var parts: [UInt32] = []
        var current: UInt32 = 0
        var digits = 0
        for ch in text.utf8 {
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
        value = parts[0] << 24 | parts[1] << 16 | parts[2] << 8 | parts[3]
    }

    public var description: String {
        "\(value >> 24).\(value >> 16 & 0xFF).\(value >> 8 & 0xFF).\(value & 0xFF)"
    }

    public static func < (a: IPv4Address, b: IPv4Address) -> Bool { a.value < b.value }
}

/// An IPv4 prefix in CIDR notation. Host bits in the text are cleared, as Azure does.
public struct IPv4Prefix: Sendable, Hashable, CustomStringConvertible {
    public var network: IPv4Address
    public var length: Int

    public init(network: IPv4Address, length: Int) {
        let clamped = max(0, min(32, length))
        self.length = clamped
        let mask: UInt32 = clamped == 0 ? 0 : ~UInt32(0) << UInt32(32 - clamped)
        self.network = IPv4Address(network.value & mask)
    }

    /// Parses `10.0.0.0/16` or a bare address (a /32); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let slash = trimmed.firstIndex(of: "/") {
            guard let address = IPv4Address(trimmed[..<slash]),
                let length = Int(trimmed[trimmed.index(after: slash)...]), (0...32).contains(length)
            else { return nil }
            self.init(network: address, length: length)
        } else {
            guard let address = IPv4Address(trimmed) else { return nil }
            self.init(network: address, length: 32)
        }
    }

    /// The first and last address covered.
    public var first: UInt32 { network.value }
    public var last: UInt32 { length == 0 ? UInt32.max : network.value | (~UInt32(0) >> UInt32(length)) }

    public func contains(_ address: IPv4Address) -> Bool { address.value >= first && address.value <= last }

    public var description: String { "\(network)/\(length)" }
}

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
        let t = text.trimmingCharacters(in: .whitespaces)
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
