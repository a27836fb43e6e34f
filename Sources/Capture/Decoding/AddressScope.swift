/// An IPv4 or IPv6 prefix such as `203.0.113.0/24` or `2001:db8::/32`.
public struct IPPrefix: Sendable, Hashable, CustomStringConvertible {
    public var address: IPAddress
    /// Prefix length in bits of the 128-bit form (an IPv4 /24 is /120 there).
    public var length: Int

    /// Parses `ADDRESS` or `ADDRESS/LENGTH`; nil when it is neither.
    public init?(text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(text: String(parts[0])) else { return nil }
        let maximum = address.isIPv4 ? 32 : 128
        var bits = maximum
        if parts.count == 2 {
            guard let given = Int(parts[1]), (0...maximum).contains(given) else { return nil }
            bits = given
        }
        self.address = address
        self.length = address.isIPv4 ? 96 + bits : bits
    }

    init(_ address: IPAddress, length: Int) {
        self.address = address
        self.length = length
    }

    public func contains(_ other: IPAddress) -> Bool {
        let highMask: UInt64 = length >= 64 ? .max : (length == 0 ? 0 : ~0 << (64 - length))
        let lowMask: UInt64 = length <= 64 ? 0 : (length >= 128 ? .max : ~0 << (128 - length))
        return address.high & highMask == other.high & highMask && address.low & lowMask == other.low & lowMask
    }

    public var description: String {
        "\(address)/\(address.isIPv4 ? length - 96 : length)"
    }
}

extension IPAddress {
    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (`::` shortening, an embedded IPv4 tail).
    public init?(text: String) {
        if !text.contains(":") {
            guard let v4 = Self.ipv4(text) else { return nil }
            self.init(ipv4: v4)
            return
        }
        var groups: [UInt16] = []
        var gap: Int?
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var index = 0
        while index < pieces.count {
            let piece = pieces[index]
            if piece.isEmpty {
                // "::" appears as one or two empty pieces (two at the start or end).
                if gap == nil {
                    gap = groups.count
                } else if !(index == pieces.count - 1 || (index == 1 && pieces[0].isEmpty)) {
                    return nil
                }
            } else if piece.contains("."), index == pieces.count - 1, let v4 = Self.ipv4(piece) {
                groups += [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
            } else {
                guard piece.count <= 4, let group = UInt16(piece, radix: 16) else { return nil }
                groups.append(group)
            }
            index += 1
        }
        if let gap {
            guard groups.count < 8 else { return nil }
            groups.insert(contentsOf: [UInt16](repeating: 0, count: 8 - groups.count), at: gap)
        }
        guard groups.count == 8 else { return nil }
        let high = groups[0..<4].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        let low = groups[4..<8].reduce(UInt64(0)) { $0 << 16 | UInt64($1) }
        self.init(high: high, low: low)
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard octet.count <= 3, let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    /// Ranges that are not the public internet: private (RFC 1918, fc00::/7), loopback, link-local,
    /// CGNAT (RFC 6598), documentation (RFC 5737, RFC 3849), unspecified, multicast and broadcast.
    static let nonPublic: [IPPrefix] = [
        "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16", "100.64.0.0/10",
        "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", "0.0.0.0/8", "224.0.0.0/4", "255.255.255.255/32",
        "::1/128", "::/128", "fe80::/10", "fc00::/7", "2001:db8::/32", "ff00::/8",
    ].compactMap { IPPrefix(text: $0) }

    /// Whether the address is on the public internet, given the user's own public ranges as internal.
    func isPublic(internalRanges: [IPPrefix]) -> Bool {
        !Self.nonPublic.contains { $0.contains(self) } && !internalRanges.contains { $0.contains(self) }
    }
}
