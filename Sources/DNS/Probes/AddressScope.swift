/// Whether an address is reachable from the whole internet, by the IANA special-purpose address
/// registries (RFC 6890 and successors): private, loopback, link-local, shared (CGNAT), documentation,
/// benchmarking, multicast and reserved ranges are not; everything else is.
enum AddressScope {
    static func isGlobal(_ octets: [UInt8]) -> Bool {
        switch octets.count {
        case 4: return isGlobalIPv4(octets)
        case 16: return isGlobalIPv6(octets)
        default: return false
        }
    }

    /// IPv4 ranges as (first octets, prefix length).
    private static let ipv4NotGlobal: [([UInt8], Int)] = [
        ([0, 0, 0, 0], 8), ([10, 0, 0, 0], 8), ([100, 64, 0, 0], 10), ([127, 0, 0, 0], 8),
        ([169, 254, 0, 0], 16), ([172, 16, 0, 0], 12), ([192, 0, 0, 0], 24), ([192, 0, 2, 0], 24),
        ([192, 168, 0, 0], 16), ([198, 18, 0, 0], 15), ([198, 51, 100, 0], 24), ([203, 0, 113, 0], 24),
        ([224, 0, 0, 0], 4), ([240, 0, 0, 0], 4),
    ]

    private static let ipv6NotGlobal: [([UInt8], Int)] = [
        ([0xfc], 7), ([0xfe, 0x80], 10), ([0xff], 8), ([0x20, 0x01, 0x0d, 0xb8], 32),
    ]

    private static func isGlobalIPv4(_ octets: [UInt8]) -> Bool {
        !ipv4NotGlobal.contains { matches(octets, $0.0, $0.1) }
    }

    private static func isGlobalIPv6(_ octets: [UInt8]) -> Bool {
        // ::/128 and ::1/128.
        if octets.dropLast().allSatisfy({ $0 == 0 }) && octets[15] <= 1 { return false }
        // IPv4-mapped ::ffff:a.b.c.d is the IPv4 address.
        if octets.prefix(10).allSatisfy({ $0 == 0 }) && octets[10] == 0xff && octets[11] == 0xff {
            return isGlobalIPv4(Array(octets.suffix(4)))
        }
        return !ipv6NotGlobal.contains { matches(octets, $0.0, $0.1) }
    }

    private static func matches(_ octets: [UInt8], _ prefix: [UInt8], _ length: Int) -> Bool {
        var bits = length
        for (index, byte) in prefix.enumerated() where bits > 0 {
            let take = min(8, bits)
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - take))
            if octets[index] & mask != byte & mask { return false }
            bits -= take
        }
        return true
    }
}
