/// An RR type code with the names Exposure prints.
struct RecordType: RawRepresentable, Sendable, Hashable, Comparable, CustomStringConvertible {
    var rawValue: UInt16
    init(rawValue: UInt16) { self.rawValue = rawValue }
    init(_ rawValue: UInt16) { self.rawValue = rawValue }

    static let a = RecordType(1)
    static let ns = RecordType(2)
    static let cname = RecordType(5)
    static let soa = RecordType(6)
    static let dname = RecordType(39)
    static let ds = RecordType(43)
    static let rrsig = RecordType(46)
    static let nsec = RecordType(47)
    static let dnskey = RecordType(48)
    static let nsec3 = RecordType(50)
    static let nsec3param = RecordType(51)
    static let cds = RecordType(59)
    static let cdnskey = RecordType(60)
    static let zonemd = RecordType(63)

    static func < (a: RecordType, b: RecordType) -> Bool { a.rawValue < b.rawValue }

    private static let names: [UInt16: String] = [
        1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT", 17: "RP",
        18: "AFSDB", 24: "SIG", 25: "KEY", 28: "AAAA", 29: "LOC", 33: "SRV", 35: "NAPTR", 36: "KX", 37: "CERT",
        39: "DNAME", 41: "OPT", 43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY",
        49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP", 59: "CDS", 60: "CDNSKEY",
        61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS", 99: "SPF", 256: "URI", 257: "CAA",
    ]

    /// The mnemonic, or `TYPEnnn` (RFC 3597) for types without one here.
    var description: String { Self.names[rawValue] ?? "TYPE\(rawValue)" }
}

/// A big-endian reader over RDATA that never traps: every read returns nil past the end.
struct RDataReader {
    let bytes: [UInt8]
    var offset: Int

    init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    var remaining: Int { bytes.count - offset }

    mutating func u8() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() -> UInt16? {
        guard remaining >= 2 else { return nil }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() -> UInt32? {
        guard remaining >= 4 else { return nil }
        defer { offset += 4 }
        return UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }

    mutating func bytes(_ count: Int) -> [UInt8]? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return Array(bytes[offset..<(offset + count)])
    }

    mutating func rest() -> [UInt8] {
        defer { offset = bytes.count }
        return Array(bytes[offset...])
    }

    mutating func name() -> DomainName? {
        DomainName.read(bytes[...], at: &offset)
    }
}
