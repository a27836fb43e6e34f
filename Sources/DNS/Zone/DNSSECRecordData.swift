/// The RDATA of the DNSSEC record types, decoded from canonical wire form (RFC 4034, RFC 5155).
/// Each decoder returns nil on RDATA that is too short, so a malformed record becomes a warning.

/// RRSIG (RFC 4034 §3.1). It keeps the record's RDATA and slices it, rather than copying the
/// signature out, because a large zone holds millions of these.
struct RRSIGData: Sendable {
    var typeCovered: RecordType
    var algorithm: UInt8
    var labels: UInt8
    var originalTTL: UInt32
    var expiration: UInt32
    var inception: UInt32
    var keyTag: UInt16
    var signer: DomainName
    /// The whole RDATA; the signature starts at `signatureStart`.
    private let rdata: [UInt8]
    private let signatureStart: Int

    init?(_ rdata: [UInt8]) {
        var r = RDataReader(rdata)
        guard let covered = r.u16(), let algorithm = r.u8(), let labels = r.u8(), let ttl = r.u32(),
            let expiration = r.u32(), let inception = r.u32(), let tag = r.u16(), let signer = r.name()
        else { return nil }
        typeCovered = RecordType(covered)
        self.algorithm = algorithm
        self.labels = labels
        originalTTL = ttl
        self.expiration = expiration
        self.inception = inception
        keyTag = tag
        self.signer = signer
        self.rdata = rdata
        signatureStart = r.offset
    }

    var signature: ArraySlice<UInt8> { rdata[signatureStart...] }
    /// The RDATA up to the signature: the first part of the data a signature covers (RFC 4034 §3.1.8.1).
    var signedPrefix: ArraySlice<UInt8> { rdata[..<signatureStart] }
}

/// DNSKEY (RFC 4034 §2.1).
struct DNSKEYData: Sendable, Hashable {
    var flags: UInt16
    var proto: UInt8
    var algorithm: UInt8
    var publicKey: [UInt8]
    var rdata: [UInt8]

    init?(_ rdata: [UInt8]) {
        var r = RDataReader(rdata)
        guard let flags = r.u16(), let proto = r.u8(), let algorithm = r.u8() else { return nil }
        self.flags = flags
        self.proto = proto
        self.algorithm = algorithm
        publicKey = r.rest()
        self.rdata = rdata
    }

    /// Bit 7: the key may sign zone data.
    var isZoneKey: Bool { flags & 0x0100 != 0 }
    /// Bit 15: the key is meant as a secure entry point (a KSK).
    var isSecureEntryPoint: Bool { flags & 0x0001 != 0 }
    /// Bit 8: the key has been revoked (RFC 5011).
    var isRevoked: Bool { flags & 0x0080 != 0 }

    /// RFC 4034 Appendix B: the ones'-complement-like sum of the RDATA, used to pick keys for signatures.
    var keyTag: UInt16 {
        var sum: UInt32 = 0
        for (i, b) in rdata.enumerated() { sum += i & 1 == 0 ? UInt32(b) << 8 : UInt32(b) }
        sum += (sum >> 16) & 0xFFFF
        return UInt16(sum & 0xFFFF)
    }

    /// The RSA modulus length in bits (RFC 3110: exponent length, exponent, modulus), nil for other algorithms.
    var rsaModulusBits: Int? {
        guard [1, 5, 7, 8, 10].contains(algorithm), !publicKey.isEmpty else { return nil }
        var r = RDataReader(publicKey)
        guard var exponentLength = r.u8().map(Int.init) else { return nil }
        if exponentLength == 0 {
            guard let long = r.u16() else { return nil }
            exponentLength = Int(long)
        }
        guard r.bytes(exponentLength) != nil else { return nil }
        let modulus = r.rest().drop { $0 == 0 }
        guard let first = modulus.first else { return 0 }
        return (modulus.count - 1) * 8 + (8 - first.leadingZeroBitCount)
    }
}

/// DS (RFC 4034 §5.1), also the form of a DS trust anchor.
struct DSData: Sendable, Hashable {
    var keyTag: UInt16
    var algorithm: UInt8
    var digestType: UInt8
    var digest: [UInt8]

    init?(_ rdata: [UInt8]) {
        var r = RDataReader(rdata)
        guard let tag = r.u16(), let algorithm = r.u8(), let digestType = r.u8() else { return nil }
        keyTag = tag
        self.algorithm = algorithm
        self.digestType = digestType
        digest = r.rest()
    }
}

/// NSEC (RFC 4034 §4.1).
struct NSECData: Sendable {
    var next: DomainName
    var types: Set<RecordType>

    init?(_ rdata: [UInt8]) {
        var r = RDataReader(rdata)
        guard let next = r.name(), let types = TypeBitmap.decode(r.rest()) else { return nil }
        self.next = next
        self.types = types
    }
}

/// NSEC3 (RFC 5155 §3.2).
struct NSEC3Data: Sendable {
    var parameters: NSEC3Parameters
    var optOut: Bool
    var nextHashed: [UInt8]
    var types: Set<RecordType>

    init?(_ rdata: [UInt8]) {
        var r = RDataReader(rdata)
        guard let algorithm = r.u8(), let flags = r.u8(), let iterations = r.u16(), let saltLength = r.u8(),
            let salt = r.bytes(Int(saltLength)), let hashLength = r.u8(), let next = r.bytes(Int(hashLength)),
            let types = TypeBitmap.decode(r.rest())
        else { return nil }
        parameters = NSEC3Parameters(algorithm: algorithm, iterations: iterations, salt: salt)
        optOut = flags & 1 != 0
        nextHashed = next
        self.types = types
    }
}

/// The fields of an NSEC3 RDATA read in place, for the checks that go over every NSEC3 of a zone (a
/// large NSEC3 zone has one per name): nil exactly when `NSEC3Data` is nil for the same bytes, and no
/// copies, sets or arrays made.
struct NSEC3Fields {
    let algorithm: UInt8
    let flags: UInt8
    let iterations: UInt16
    let salt: ArraySlice<UInt8>
    let nextHashed: ArraySlice<UInt8>
    /// The type bitmap as stored, well formed (`TypeBitmap.isWellFormed`).
    let bitmap: ArraySlice<UInt8>

    init?(_ rdata: ArraySlice<UInt8>) {
        var i = rdata.startIndex
        let end = rdata.endIndex
        guard end - i >= 5 else { return nil }
        algorithm = rdata[i]
        flags = rdata[i + 1]
        iterations = UInt16(rdata[i + 2]) << 8 | UInt16(rdata[i + 3])
        let saltLength = Int(rdata[i + 4])
        i += 5
        guard end - i >= saltLength else { return nil }
        salt = rdata[i..<(i + saltLength)]
        i += saltLength
        guard i < end else { return nil }
        let hashLength = Int(rdata[i])
        i += 1
        guard end - i >= hashLength else { return nil }
        nextHashed = rdata[i..<(i + hashLength)]
        bitmap = rdata[(i + hashLength)..<end]
        guard TypeBitmap.isWellFormed(bitmap) else { return nil }
    }

    var optOut: Bool { flags & 1 != 0 }

    /// Whether the hash algorithm, iterations and salt are `parameters`.
    func hasParameters(_ parameters: NSEC3Parameters) -> Bool {
        algorithm == parameters.algorithm && iterations == parameters.iterations
            && salt.elementsEqual(parameters.salt)
    }

    var parameters: NSEC3Parameters { NSEC3Parameters(algorithm: algorithm, iterations: iterations, salt: Array(salt)) }
}

/// The parameters that must be the same on every NSEC3 of a chain and on NSEC3PARAM.
struct NSEC3Parameters: Sendable, Hashable, CustomStringConvertible {
    var algorithm: UInt8
    var iterations: UInt16
    var salt: [UInt8]

    init(algorithm: UInt8, iterations: UInt16, salt: [UInt8]) {
        self.algorithm = algorithm
        self.iterations = iterations
        self.salt = salt
    }

    var saltText: String { salt.isEmpty ? "-" : salt.map { String($0, radix: 16).leftPadded(to: 2) }.joined() }

    /// As in the zone file: `algorithm iterations salt`.
    var description: String { "\(algorithm) \(iterations) \(saltText)" }
}

/// NSEC3PARAM (RFC 5155 §4.2): the parameters of the chain and the flags field. One whose flags are
/// not 0 (§4.1.2) or whose hash algorithm is unknown must be ignored: it asks for no NSEC3 chain.
struct NSEC3PARAMData: Sendable, CustomStringConvertible {
    var flags: UInt8
    var parameters: NSEC3Parameters

    init?(_ rdata: [UInt8]) {
        var r = RDataReader(rdata)
        guard let algorithm = r.u8(), let flags = r.u8(), let iterations = r.u16(), let saltLength = r.u8(),
            let salt = r.bytes(Int(saltLength)), r.remaining == 0
        else { return nil }
        self.flags = flags
        parameters = NSEC3Parameters(algorithm: algorithm, iterations: iterations, salt: salt)
    }

    /// Whether an authoritative server uses it to build answers (RFC 5155 §4.1.2).
    var isUsable: Bool { flags == 0 && parameters.algorithm == 1 }

    /// As in the zone file: `algorithm flags iterations salt`.
    var description: String {
        "\(parameters.algorithm) \(flags) \(parameters.iterations) \(parameters.saltText)"
    }

    /// The first usable NSEC3PARAM of the apex, and all of them as written.
    static func of(_ zone: ZoneStructure) -> (usable: NSEC3PARAMData?, all: [NSEC3PARAMData]) {
        let all = zone.rrset(zone.origin, .nsec3param)?.rdatas.compactMap(NSEC3PARAMData.init) ?? []
        return (all.first(where: \.isUsable), all)
    }
}

/// ZONEMD (RFC 8976 §2.2), for its serial and scheme in evidence.
struct ZONEMDData: Sendable {
    var serial: UInt32
    var scheme: UInt8
    var hashAlgorithm: UInt8

    init?(_ rdata: [UInt8]) {
        var r = RDataReader(rdata)
        guard let serial = r.u32(), let scheme = r.u8(), let hash = r.u8() else { return nil }
        self.serial = serial
        self.scheme = scheme
        hashAlgorithm = hash
    }
}

/// The type bitmap of NSEC and NSEC3 (RFC 4034 §4.1.2): windows of up to 32 bytes of bits.
enum TypeBitmap {
    static func decode(_ bytes: [UInt8]) -> Set<RecordType>? {
        var types = Set<RecordType>()
        var r = RDataReader(bytes)
        while r.remaining > 0 {
            guard let window = r.u8(), let length = r.u8(), length >= 1, length <= 32,
                let bits = r.bytes(Int(length))
            else { return nil }
            for (i, byte) in bits.enumerated() where byte != 0 {
                for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 {
                    types.insert(RecordType(UInt16(window) << 8 | UInt16(i * 8 + bit)))
                }
            }
        }
        return types
    }

    /// Whether `decode` reads `bytes` (windows of 1 to 32 bytes, nothing left over), without decoding.
    static func isWellFormed(_ bytes: ArraySlice<UInt8>) -> Bool {
        var i = bytes.startIndex
        while i < bytes.endIndex {
            guard bytes.endIndex - i >= 2 else { return false }
            let length = Int(bytes[i + 1])
            guard length >= 1, length <= 32, bytes.endIndex - (i + 2) >= length else { return false }
            i += 2 + length
        }
        return true
    }

    /// Whether `bytes` is the canonical bitmap (RFC 4034 §4.1.2: windows in increasing order, each as
    /// short as its highest type allows, none empty) of `types`, which must be sorted and without
    /// repeats. A bitmap written otherwise may still decode to the same types: this is only the quick
    /// yes of a comparison whose no must be checked by decoding.
    static func isCanonicalEncoding(of types: UnsafeBufferPointer<UInt16>, _ bytes: ArraySlice<UInt8>) -> Bool {
        var i = bytes.startIndex
        var k = 0
        while k < types.count {
            let window = types[k] >> 8
            var end = k
            while end < types.count, types[end] >> 8 == window { end += 1 }
            let length = Int(types[end - 1] & 0xFF) / 8 + 1
            guard bytes.endIndex - i >= 2 + length, bytes[i] == UInt8(window), bytes[i + 1] == UInt8(length) else {
                return false
            }
            i += 2
            var t = k
            for octet in 0..<length {
                var bits: UInt8 = 0
                while t < end, Int(types[t] & 0xFF) / 8 == octet {
                    bits |= 0x80 >> UInt8(types[t] & 7)
                    t += 1
                }
                guard bytes[i + octet] == bits else { return false }
            }
            i += length
            k = end
        }
        return i == bytes.endIndex
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}

/// DNSSEC algorithm numbers and their mnemonics (IANA "DNS Security Algorithm Numbers").
enum DNSSECAlgorithm {
    static func name(_ number: UInt8) -> String {
        switch number {
        case 1: "RSAMD5"
        case 3: "DSA"
        case 5: "RSASHA1"
        case 6: "DSA-NSEC3-SHA1"
        case 7: "RSASHA1-NSEC3-SHA1"
        case 8: "RSASHA256"
        case 10: "RSASHA512"
        case 12: "ECC-GOST"
        case 13: "ECDSAP256SHA256"
        case 14: "ECDSAP384SHA384"
        case 15: "ED25519"
        case 16: "ED448"
        default: "algorithm \(number)"
        }
    }

    static func digestName(_ number: UInt8) -> String {
        switch number {
        case 1: "SHA-1"
        case 2: "SHA-256"
        case 3: "GOST R 34.11-94"
        case 4: "SHA-384"
        default: "digest type \(number)"
        }
    }
}
