import Findings

/// `dns.dnssec-misplaced-record`: a DNSSEC record where the zone may not have one. An NSEC below a
/// zone cut or below a DNAME (RFC 4035 §2.3, RFC 6672 §2.3), an NSEC or RRSIG owned outside the zone,
/// an RRSIG over data the zone is not authoritative for (glue, occluded data, the NS RRset of a
/// delegation: RFC 4035 §2.2), an RRSIG covering RRSIG (RFC 4035 §2.2: RRSIGs are not signed), and a
/// DS anywhere but at a delegation (RFC 4034 §5: the DS of the apex is the parent's). BIND's
/// `dnssec-verify` and `ldns-verify-zone` reject such NSEC and DS records, and a server that loads one
/// serves records a validator cannot place: high. An RRSIG over glue or occluded data is only noise
/// (`dnssec-verify` accepts it, and BIND's own signer makes one for data below an apex DNAME with
/// NSEC3): low.
///
/// Worked example (zone `example.com`, `sub` delegated): `ns.sub NSEC …` is below the cut, so it is a
/// finding; `sub NSEC …` and `sub DS …` are the zone's own; `@ DS …` is a finding.
enum MisplacedRecord: ZoneCheck {
    static let readsVerdicts = false
    /// A DS at the apex or an NSEC below a cut is wrong in an unsigned zone too (Knot's semantic
    /// checks call "DS at the zone apex" fatal whether or not the zone is signed).
    static let needsSignedZone = false
    static let check = Check(
        id: "dns.dnssec-misplaced-record",
        title: "DNSSEC record where the zone may have none",
        rationale: "NSEC, RRSIG and DS records below a zone cut, below a DNAME, outside the zone, over glue or "
            + "at the apex belong to another zone; verifiers reject the zone, and servers hand out proofs a "
            + "validator cannot place.",
        remediation: "Re-sign the zone with a signer that knows its cuts and DNAMEs, and remove DS records that are "
            + "not at a delegation (the apex DS belongs in the parent).",
        defaultSeverity: .high
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        let zone = context.zone
        var findings: [Finding] = zone.misplaced.map { record in
            let place: String
            switch record.authority {
            case .belowDelegation: place = "is below a zone cut"
            case .occluded: place = "is below a DNAME, so occluded"
            case .outOfZone: place = "is outside \(context.origin.text)"
            case .delegation: place = "is a delegation, where only DS and NSEC are signed"
            case .authoritative: place = "is in the zone"
            }
            let what =
                record.covered.map { record.covered == .rrsig ? "an RRSIG covering RRSIG" : "an RRSIG over \($0)" }
                ?? "an NSEC"
            let why =
                record.covered == .rrsig
                ? "RRSIG records are never signed (RFC 4035 §2.2)"
                : record.type == .rrsig && record.authority != .outOfZone
                    ? "the zone is not authoritative there, so validators never see it (RFC 4035 §2.2)"
                    : "the zone is not authoritative there (RFC 4035 §2.2–2.3)"
            let harmless = record.type == .rrsig && record.covered != .rrsig && record.authority != .outOfZone
            return Finding(
                check: check, severity: harmless ? .low : .high, subject: record.owner.text,
                message: "\(record.owner.text) \(place) but holds \(what): \(why).",
                evidence: [
                    "owner": .string(record.owner.text), "type": .string(record.type.description),
                    "covered": .optional(record.covered?.description), "problem": .string(problem(record.authority)),
                ],
                location: SourceLocation(file: record.file, line: record.line))
        }
        for name in zone.names where name.authority != .delegation {
            guard let index = name.rrsets.first(where: { zone.type(of: $0) == .ds }) else { continue }
            let set = zone.materialise(index)
            let placeText = name.owner == context.origin ? "the apex" : "a name that is not a delegation"
            findings.append(
                Finding(
                    check: check, subject: name.owner.text,
                    message: "\(name.owner.text) holds a DS RRset but is \(placeText): a DS lives at a delegation "
                        + "point only (RFC 4034 §5), and the apex's belongs in the parent zone.",
                    evidence: [
                        "owner": .string(name.owner.text), "type": "DS", "covered": .null,
                        "problem": name.owner == context.origin ? "ds-at-apex" : "ds-not-at-delegation",
                    ],
                    location: context.location(of: set)))
        }
        return findings
    }

    private static func problem(_ authority: NameAuthority) -> String {
        switch authority {
        case .belowDelegation: "below-zone-cut"
        case .occluded: "occluded"
        case .outOfZone: "out-of-zone"
        case .delegation: "delegation"
        case .authoritative: "signed-rrsig"
        }
    }
}
