import Findings

/// A trust anchor the zone's keys must match: a DS record (digest of a key) or a DNSKEY record, as
/// a parent zone publishes it or a resolver is configured with it.
enum TrustAnchor: Sendable {
    case ds(DSData, line: Int)
    case dnskey(DNSKEYData, line: Int)

    var keyTag: UInt16 {
        switch self {
        case .ds(let ds, _): ds.keyTag
        case .dnskey(let key, _): key.keyTag
        }
    }

    var algorithm: UInt8 {
        switch self {
        case .ds(let ds, _): ds.algorithm
        case .dnskey(let key, _): key.algorithm
        }
    }

    /// How the anchor reads in a finding: `DS 12345 13 2` or `DNSKEY 257 3 13 (tag 12345)`.
    var summary: String {
        switch self {
        case .ds(let ds, _): "DS \(ds.keyTag) \(ds.algorithm) \(ds.digestType)"
        case .dnskey(let key, _): "DNSKEY \(key.flags) \(key.proto) \(key.algorithm) (key tag \(key.keyTag))"
        }
    }

    /// Whether `key`, owned by `owner`, is the key this anchor names.
    func matches(_ key: DNSKEYData, owner: DomainName) -> Bool {
        switch self {
        case .dnskey(let anchor, _):
            return anchor.rdata == key.rdata
        case .ds(let ds, _):
            guard ds.keyTag == key.keyTag, ds.algorithm == key.algorithm,
                let digest = ZoneDigests.dsDigest(owner: owner, keyRDATA: key.rdata, digestType: ds.digestType)
            else { return false }
            return digest == ds.digest
        }
    }

    /// Reads DS and DNSKEY records owned by the origin from a zone-file-syntax file; other records are
    /// an error, since a mistyped anchor file would otherwise pass silently.
    static func read(path: String, origin: DomainName) throws(InputError) -> [TrustAnchor] {
        let file = try ZoneFile.read(path: path, origin: origin, allowInclude: false)
        var anchors: [TrustAnchor] = []
        for row in file.store.rows {
            let record = (
                owner: file.store.owner(row), type: RecordType(row.type), rdata: Array(file.store.rdata(row)),
                line: Int(row.line)
            )
            guard record.owner == origin else {
                throw InputError(
                    file: path, place: .line(record.line),
                    reason: "trust anchor for \(record.owner.text), not for the zone \(origin.text)")
            }
            switch record.type {
            case .ds:
                guard let ds = DSData(record.rdata) else {
                    throw InputError(file: path, place: .line(record.line), reason: "malformed DS record")
                }
                anchors.append(.ds(ds, line: record.line))
            case .dnskey:
                guard let key = DNSKEYData(record.rdata) else {
                    throw InputError(file: path, place: .line(record.line), reason: "malformed DNSKEY record")
                }
                anchors.append(.dnskey(key, line: record.line))
            default:
                throw InputError(
                    file: path, place: .line(record.line),
                    reason: "a trust anchor file holds DS or DNSKEY records, not \(record.type)")
            }
        }
        guard !anchors.isEmpty else {
            throw InputError(file: path, reason: "no DS or DNSKEY record in the trust anchor file")
        }
        return anchors
    }
}
