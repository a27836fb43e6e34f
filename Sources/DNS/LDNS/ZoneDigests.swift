import CLDNS
import Foundation

/// The hashes zone checks need, computed with libldns' digest functions: NSEC3 owner hashes
/// (RFC 5155 §5), DS digests (RFC 4034 §5.1.4) and ZONEMD verification (RFC 8976).
enum ZoneDigests {
    /// The iterated, salted SHA-1 hash of `name` (RFC 5155 §5); nil for hash algorithms other than 1.
    /// Worked in one stack buffer, with no heap allocation: the chain check hashes every name of the zone.
    static func nsec3Hash(of name: DomainName, parameters: NSEC3Parameters) -> NSEC3Hash? {
        guard parameters.algorithm == 1 else { return nil }
        let salt = parameters.salt
        let inputCapacity = max(name.wire.count, 20) + salt.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: inputCapacity + 20) { buffer in
            guard let input = buffer.baseAddress else { return nil }
            let digest = input + inputCapacity
            func append(_ bytes: [UInt8], at offset: Int) -> Int {
                bytes.withUnsafeBufferPointer { source in
                    if let base = source.baseAddress { (input + offset).update(from: base, count: source.count) }
                }
                return offset + bytes.count
            }
            // H(x) = SHA-1(x || salt), first over the name, then `iterations` more times over the digest.
            var length = append(salt, at: append(name.wire, at: 0))
            _ = ldns_sha1(input, UInt32(length), digest)
            if parameters.iterations > 0 {
                for _ in 0..<Int(parameters.iterations) {
                    input.update(from: digest, count: 20)
                    length = append(salt, at: 20)
                    _ = ldns_sha1(input, UInt32(length), digest)
                }
            }
            return NSEC3Hash(UnsafeBufferPointer(start: digest, count: 20))
        }
    }

    /// The DS digest of a DNSKEY owned by `owner` (RFC 4034 §5.1.4), nil for digest types libldns lacks.
    static func dsDigest(owner: DomainName, keyRDATA: [UInt8], digestType: UInt8) -> [UInt8]? {
        let input = owner.wire + keyRDATA
        let size: Int
        switch digestType {
        case 1: size = 20
        case 2: size = 32
        case 4: size = 48
        default: return nil
        }
        var digest = [UInt8](repeating: 0, count: size)
        input.withUnsafeBufferPointer { bytes in
            digest.withUnsafeMutableBufferPointer { out in
                let data = bytes.baseAddress
                let count = UInt32(bytes.count)
                switch digestType {
                case 1: _ = ldns_sha1(data, count, out.baseAddress)
                case 2: _ = ldns_sha256(data, count, out.baseAddress)
                default: _ = ldns_sha384(data, count, out.baseAddress)
                }
            }
        }
        return digest
    }

    enum ZONEMDOutcome: Sendable, Equatable {
        case verified
        case failed(String)
        /// libldns could not read the file for the check (a form Exposure's reader accepts and its
        /// stream reader does not); nothing is known about the digest.
        case unreadable(String)
    }

    /// Verifies the zone's ZONEMD with libldns (RFC 8976 §4): libldns reads the file again into its
    /// own zone structure, which only zones that carry a ZONEMD pay for.
    static func verifyZONEMD(path: String, origin: DomainName) -> ZONEMDOutcome {
        guard let fp = fopen(path, "r") else { return .failed("cannot reopen the zone file") }
        defer { fclose(fp) }
        guard let originName = LDNSZoneSupport.dname(origin) else { return .failed("bad origin") }
        defer { ldns_rdf_deep_free(originName) }
        var zone: UnsafeMutablePointer<ldns_dnssec_zone>? = nil
        let readStatus = ldns_dnssec_zone_new_frm_fp(&zone, fp, originName, 3600, LDNS_RR_CLASS_IN)
        guard readStatus == LDNS_STATUS_OK, let zone else {
            // libldns 1.8.3 frees only the zone structure on this path, not the records it had read
            // (LeakSanitizer shows them; Fuzz/regressions/zone/ holds such an input).
            return .unreadable(LDNSZoneSupport.message(readStatus))
        }
        defer { ldns_dnssec_zone_deep_free(zone) }
        let status = ldns_dnssec_zone_verify_zonemd(zone)
        return status == LDNS_STATUS_OK ? .verified : .failed(LDNSZoneSupport.message(status))
    }
}
