/// An IPv4 or IPv6 address held in 128 bits, IPv4 as the IPv4-mapped IPv6 form, so a flow key is a
/// fixed-size value with no allocation.
public struct IPAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    public init(ipv4: UInt32) {
        high = 0
        low = 0xFFFF_0000_0000 | UInt64(ipv4)
    }

    public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// A group address no server sits at: IPv4 multicast (224/4), the limited broadcast, a directed
    /// broadcast as the usual subnets end (`.255`), or IPv6 multicast (ff00::/8).
    public var isMulticastOrBroadcast: Bool {
        if isIPv4 {
            let v4 = UInt32(truncatingIfNeeded: low)
            return v4 >> 28 == 0xE || v4 & 0xFF == 0xFF
        }
        return high >> 56 == 0xFF
    }

    public static func < (a: IPAddress, b: IPAddress) -> Bool {
        a.high != b.high ? a.high < b.high : a.low < b.low
    }

    /// Dotted quad for IPv4; RFC 5952 text for IPv6 (lower case, longest zero run shortened).
    public var description: String {
        if isIPv4 {
            let v = UInt32(truncatingIfNeeded: low)
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var groups: [UInt16] = []
        for shift in stride(from: 48, through: 0, by: -16) {
            groups.append(UInt16(truncatingIfNeeded: high >> UInt64(shift)))
        }
        for shift in stride(from: 48, through: 0, by: -16) {
            groups.append(UInt16(truncatingIfNeeded: low >> UInt64(shift)))
        }
        var bestStart = -1
        var bestLength = 0
        var index = 0
        while index < 8 {
            if groups[index] == 0 {
                var end = index
                while end < 8 && groups[end] == 0 { end += 1 }
                if end - index > bestLength && end - index >= 2 {
                    bestStart = index
                    bestLength = end - index
                }
                index = end
            } else {
                index += 1
            }
        }
        func hex(_ range: Range<Int>) -> String {
            groups[range].map { String($0, radix: 16) }.joined(separator: ":")
        }
        if bestStart < 0 { return hex(0..<8) }
        return hex(0..<bestStart) + "::" + hex((bestStart + bestLength)..<8)
    }

    /// `host:port`, with IPv6 hosts in brackets.
    public func withPort(_ port: UInt16) -> String {
        isIPv4 ? "\(self):\(port)" : "[\(self)]:\(port)"
    }
}
