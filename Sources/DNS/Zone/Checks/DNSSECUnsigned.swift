import Findings

/// `dns.dnssec-unsigned`: the apex has no DNSKEY RRset, so nothing in the zone can be validated and
/// answers can be forged by anyone on the path. The other DNSSEC checks only run on signed zones.
enum DNSSECUnsigned: ZoneCheck {
    static let readsVerdicts = false
    static let needsSignedZone = false
    static let check = Check(
        id: "dns.dnssec-unsigned",
        title: "Zone is not signed with DNSSEC",
        rationale: "Without DNSKEY records at the apex no answer from the zone can be validated, so resolvers "
            + "accept forged or altered answers for it.",
        remediation: "Sign the zone (e.g. with ECDSAP256SHA256 keys) and publish a DS record at the parent.",
        defaultSeverity: .medium
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        guard context.zone.rrset(context.origin, .dnskey) == nil else { return [] }
        let soa = context.zone.rrset(context.origin, .soa)
        let signatures = context.zone.packedSets.reduce(0) { $0 + $1.signatures.count }
        var message = "The zone \(context.origin.text) has no DNSKEY record at its apex, so it is not signed."
        if signatures > 0 { message += " Its \(signatures) RRSIG records cannot be checked without the keys." }
        return [
            Finding(
                check: check, subject: context.origin.text, message: message,
                evidence: ["zone": .string(context.origin.text), "rrsigRecords": .int(signatures)],
                location: soa.map(context.location(of:)))
        ]
    }
}
