import Findings

/// `dns.dnssec-cds-mismatch`: the CDS and CDNSKEY records at the apex (RFC 7344) tell the parent which
/// DS records to publish next, and parents that scan for them act on them (RFC 8078). Each must name a
/// key of the zone's DNSKEY RRset: a CDS is the DS digest of one (same key tag, algorithm and digest),
/// a CDNSKEY is one. The exception is the "delete" request of RFC 8078 §4 (`CDS 0 0 0 00`,
/// `CDNSKEY 0 3 0 AA==`), which must stand alone in its RRset. When both RRsets are published they
/// must name the same keys (RFC 7344 §4). Neither `ldns-verify-zone` nor `dnssec-verify` looks at them.
///
/// Worked example (Zones/cds-naming-no-key.zone): the DNSKEY RRset holds keys 39362 (ZSK) and 18103
/// (KSK); the CDS names key 11031, which is not there: one finding for the CDS RRset. Its CDNSKEY is
/// the KSK itself, so that RRset is sound; the two disagree, but that is said only when each RRset on
/// its own names keys of the zone, so the CDS finding is the only one.
enum CDSMismatch: ZoneCheck {
    static let readsVerdicts = false
    static let check = Check(
        id: "dns.dnssec-cds-mismatch",
        title: "CDS or CDNSKEY does not name the zone's keys",
        rationale: "A parent that takes a CDS or CDNSKEY naming no key of the zone publishes a DS that no key "
            + "matches, and validating resolvers then find the whole zone bogus; CDS and CDNSKEY that disagree "
            + "leave the parent to guess.",
        remediation: "Publish CDS/CDNSKEY only for keys in the DNSKEY RRset (e.g. with dnssec-cds or the "
            + "signer's automatic CDS), keep both RRsets in step, and remove them once the parent's DS matches.",
        defaultSeverity: .high
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        let zone = context.zone
        let origin = context.origin
        let cdsSet = zone.rrset(origin, .cds)
        let cdnskeySet = zone.rrset(origin, .cdnskey)
        var findings: [Finding] = []
        let keys = context.keys
        let keyTags = keys.map { JSONValue.int(Int($0.keyTag)) }

        func finding(_ set: ResourceRecordSet, problem: String, message: String, records: [String]) -> Finding {
            Finding(
                check: check, subject: origin.text, message: message,
                evidence: [
                    "type": .string(set.type.description), "problem": .string(problem), "records": .strings(records),
                    "dnskeyTags": .array(keyTags),
                ],
                location: context.location(of: set))
        }

        // The keys each RRset names, by key tag; nil when the RRset has a fault of its own.
        var namedByCDS: Set<UInt16>?
        if let set = cdsSet {
            let records = set.rdatas.map { (rdata: $0, ds: DSData($0)) }
            let deletes = records.filter { $0.ds.map { $0.algorithm == 0 } ?? false }
            let unmatched = records.filter { record in
                guard let ds = record.ds else { return true }
                if ds.algorithm == 0 { return false }
                return !keys.contains { TrustAnchor.ds(ds, line: 0).matches($0, owner: origin) }
            }
            if !deletes.isEmpty && deletes.count < records.count {
                findings.append(
                    finding(
                        set, problem: "delete-mixed",
                        message: "The CDS RRset of \(origin.text) mixes the delete request (CDS 0 0 0 00) with other "
                            + "records: RFC 8078 §4 says it must stand alone.",
                        records: records.compactMap { $0.ds.map(summary) }))
            } else if !unmatched.isEmpty {
                let named = unmatched.map { $0.ds.map(summary) ?? "a malformed CDS" }
                findings.append(
                    finding(
                        set, problem: "no-matching-key",
                        message: "The CDS RRset of \(origin.text) names \(named.joined(separator: ", ")), which no key "
                            + "of the DNSKEY RRset matches: a parent that takes it publishes a DS that breaks the "
                            + "chain of trust.",
                        records: named))
            } else if deletes.isEmpty {
                namedByCDS = Set(records.compactMap { $0.ds?.keyTag })
            }
        }
        var namedByCDNSKEY: Set<UInt16>?
        if let set = cdnskeySet {
            let records = set.rdatas.map { (rdata: $0, key: DNSKEYData($0)) }
            let deletes = records.filter { $0.key.map { $0.algorithm == 0 } ?? false }
            let unmatched = records.filter { record in
                guard let key = record.key else { return true }
                if key.algorithm == 0 { return false }
                return !keys.contains { $0.rdata == key.rdata }
            }
            if !deletes.isEmpty && deletes.count < records.count {
                findings.append(
                    finding(
                        set, problem: "delete-mixed",
                        message: "The CDNSKEY RRset of \(origin.text) mixes the delete request (CDNSKEY 0 3 0 AA==) "
                            + "with other records: RFC 8078 §4 says it must stand alone.",
                        records: records.compactMap { $0.key.map(summary) }))
            } else if !unmatched.isEmpty {
                let named = unmatched.map { $0.key.map(summary) ?? "a malformed CDNSKEY" }
                findings.append(
                    finding(
                        set, problem: "no-matching-key",
                        message: "The CDNSKEY RRset of \(origin.text) holds \(named.joined(separator: ", ")), which is "
                            + "not in the DNSKEY RRset: a parent that takes it publishes a DS that breaks the chain "
                            + "of trust.",
                        records: named))
            } else if deletes.isEmpty {
                namedByCDNSKEY = Set(records.compactMap { $0.key?.keyTag })
            }
        }
        if let byCDS = namedByCDS, let byCDNSKEY = namedByCDNSKEY, byCDS != byCDNSKEY, let set = cdsSet {
            let tags = { (tags: Set<UInt16>) in tags.sorted().map(String.init).joined(separator: ", ") }
            findings.append(
                finding(
                    set, problem: "cds-cdnskey-disagree",
                    message: "The CDS RRset of \(origin.text) names keys \(tags(byCDS)) but the CDNSKEY RRset names "
                        + "\(tags(byCDNSKEY)): RFC 7344 §4 says they must match.",
                    records: byCDS.sorted().map { "key \($0)" }))
        }
        return findings
    }

    private static func summary(_ ds: DSData) -> String {
        "CDS \(ds.keyTag) \(ds.algorithm) \(ds.digestType)"
    }

    private static func summary(_ key: DNSKEYData) -> String {
        "CDNSKEY \(key.flags) \(key.proto) \(key.algorithm) (key tag \(key.keyTag))"
    }
}
