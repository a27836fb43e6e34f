import Findings

/// `dns.dnssec-ttl-above-original`: an RRset whose TTL is larger than the Original TTL its RRSIG
/// covers. The signature still verifies (it is computed over the original TTL), but validators cap
/// the TTL at the original (RFC 4035 §5.3.3) and BIND's `dnssec-verify` rejects the zone: the records
/// were edited after signing, or the signer and the zone disagree about TTLs.
enum TTLAboveOriginalTTL: ZoneCheck {
    static let readsVerdicts = false
    static let check = Check(
        id: "dns.dnssec-ttl-above-original",
        title: "RRset TTL above its signature's original TTL",
        rationale: "The signed TTL is the one validators trust; a larger TTL in the zone is capped by them, "
            + "rejected by BIND's verifier, and shows the data changed after signing.",
        remediation: "Re-sign the zone after changing TTLs so each RRSIG's Original TTL equals its RRset's TTL.",
        defaultSeverity: .medium
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        let zone = context.zone
        var findings: [Finding] = []
        for index in zone.packedSets.indices where zone.mustBeSigned(index) {
            let packed = zone.packedSets[index]
            guard !packed.signatures.isEmpty else { continue }
            let ttl = zone.store.rows[Int(zone.order[packed.records.lowerBound])].ttl
            // The largest Original TTL of the RRSIGs, read in place (no array per RRset).
            var largest: UInt32?
            for position in packed.signatures {
                if let value = zone.originalTTL(at: position) { largest = max(largest ?? value, value) }
            }
            let original = largest ?? ttl
            guard ttl > original else { continue }
            let set = zone.materialise(index)
            findings.append(
                Finding(
                    check: check, subject: set.owner.text,
                    message: "\(ZoneAnalysisContext.label(set)) has TTL \(ttl), above the Original TTL \(original) "
                        + "its RRSIG signs.",
                    evidence: [
                        "owner": .string(set.owner.text), "type": .string(set.type.description), "ttl": .int(Int(ttl)),
                        "originalTTL": .int(Int(original)),
                    ],
                    location: context.location(of: set)))
        }
        return findings
    }
}
