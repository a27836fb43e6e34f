import Findings

/// `dns.dnssec-cds-mismatch`: the CDS and CDNSKEY records at the apex (RFC 7344) tell the parent which
/// DS records to publish next, and parents that scan for them act on them (RFC 8078). Each must name a
/// key of the zone's DNSKEY RRset: a CDS is the DS digest of one (same key tag, algorithm and digest),
/// a CDNSKEY is one. The exception is the "delete" request of RFC 8078 §4 (`CDS 0 0 0 00`,
/// `CDNSKEY 0 3 0 AA==`), which must stand alone in its RRset. When both RRsets are published they
/// must name the same keys (RFC 7344 §4). A delete request must be exactly that form (algorithm 0 with
/// anything else is malformed), and CDS or CDNSKEY in an unsigned zone are reported: the parent can
/// only take them from a zone it can validate (RFC 7344 §4.1, RFC 8078 §4), so they do nothing but
/// mislead. Neither `ldns-verify-zone` nor `dnssec-verify` looks at them.
///
/// Worked example (Zones/cds-naming-no-key.zone): the DNSKEY RRset holds keys 16132 (ZSK) and 8949
/// (KSK); the CDS names key 56591, which is not there: one finding for the CDS RRset. Its CDNSKEY is
/// the KSK itself, so that RRset is sound; the two disagree, but that is said only when each RRset on
/// its own names keys of the zone, so the CDS finding is the only one.
enum CDSMismatch: ZoneCheck {
    static let readsVerdicts = false
    static let needsSignedZone = false
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

        if zone.rrset(origin, .dnskey) == nil {
            for set in [cdsSet, cdnskeySet].compactMap({ $0 }) {
                findings.append(
                    finding(
                        set, problem: "unsigned-zone",
                        message: "The unsigned zone \(origin.text) publishes a \(set.type) RRset: a parent takes CDS "
                            + "and CDNSKEY only from a zone it can validate (RFC 7344 §4.1), so sign the zone or remove "
                            + "them.",
                        records: set.rdatas.map { _ in set.type.description }))
            }
            return findings
        }

        /// One of the two RRsets, reduced to what the checks need of each record.
        struct Request {
            var summary: String
            var isDelete: Bool
            /// Algorithm 0 but not the exact delete form of RFC 8078 §4.
            var isMalformedDelete = false
            var keyTag: UInt16
            var namesZoneKey: Bool
        }
        /// The keys an RRset names, by key tag; nil when it has a fault of its own, which becomes a finding.
        func named(_ set: ResourceRecordSet?, deleteRecord: String, _ decode: ([UInt8]) -> Request?) -> Set<UInt16>? {
            guard let set else { return nil }
            let type = set.type.description
            let requests = set.rdatas.map {
                decode($0) ?? Request(summary: "a malformed \(type)", isDelete: false, keyTag: 0, namesZoneKey: false)
            }
            let deletes = requests.filter(\.isDelete).count
            let unmatched = requests.filter { !$0.isDelete && !$0.namesZoneKey }.map(\.summary)
            let malformed = requests.filter(\.isMalformedDelete).map(\.summary)
            if !malformed.isEmpty {
                findings.append(
                    finding(
                        set, problem: "malformed-delete",
                        message: "The \(type) RRset of \(origin.text) holds \(malformed.joined(separator: ", ")): "
                            + "algorithm 0 means delete, whose only form is \(deleteRecord) (RFC 8078 §4).",
                        records: malformed))
            } else if deletes > 0 && deletes < requests.count {
                findings.append(
                    finding(
                        set, problem: "delete-mixed",
                        message: "The \(type) RRset of \(origin.text) mixes the delete request (\(deleteRecord)) "
                            + "with other records: RFC 8078 §4 says it must stand alone.",
                        records: requests.map(\.summary)))
            } else if !unmatched.isEmpty {
                findings.append(
                    finding(
                        set, problem: "no-matching-key",
                        message: "The \(type) RRset of \(origin.text) names \(unmatched.joined(separator: ", ")), "
                            + "which no key of the DNSKEY RRset matches: a parent that takes it publishes a DS that "
                            + "breaks the chain of trust.",
                        records: unmatched))
            } else if deletes == 0 {
                return Set(requests.map(\.keyTag))
            }
            return nil
        }
        let namedByCDS = named(cdsSet, deleteRecord: "CDS 0 0 0 00") { rdata in
            DSData(rdata).map { ds in
                Request(
                    summary: "CDS \(ds.keyTag) \(ds.algorithm) \(ds.digestType)",
                    isDelete: ds.algorithm == 0,
                    isMalformedDelete: ds.algorithm == 0
                        && (ds.keyTag != 0 || ds.digestType != 0 || ds.digest != [0]),
                    keyTag: ds.keyTag,
                    namesZoneKey: keys.contains { TrustAnchor.ds(ds, line: 0).matches($0, owner: origin) })
            }
        }
        let namedByCDNSKEY = named(cdnskeySet, deleteRecord: "CDNSKEY 0 3 0 AA==") { rdata in
            DNSKEYData(rdata).map { key in
                Request(
                    summary: "CDNSKEY \(key.flags) \(key.proto) \(key.algorithm) (key tag \(key.keyTag))",
                    isDelete: key.algorithm == 0,
                    isMalformedDelete: key.algorithm == 0
                        && (key.flags != 0 || key.proto != 3 || key.publicKey != [0]),
                    keyTag: key.keyTag,
                    namesZoneKey: keys.contains { $0.rdata == key.rdata })
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
}
