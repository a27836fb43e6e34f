import Findings

/// `dns.dnssec-trust-anchor-mismatch`: with `--trust-anchor`, the chain of trust from the anchor
/// into the zone. Some DNSKEY with the SEP flag must match an anchor (a DS digest or the same
/// DNSKEY), and a matching key must sign the DNSKEY RRset with a signature valid now; otherwise a
/// resolver starting from that anchor (the parent's DS) finds the whole zone bogus.
enum TrustAnchorMismatch: ZoneCheck {
    static let check = Check(
        id: "dns.dnssec-trust-anchor-mismatch",
        title: "Trust anchor does not lead into the zone",
        rationale: "Resolvers reach the zone's keys through the parent's DS (or a configured anchor); if no "
            + "published key matches, or the matching key does not sign the DNSKEY set, the zone is bogus.",
        remediation: "Publish the DS of the KSK that signs the DNSKEY RRset at the parent (or sign the DNSKEY "
            + "RRset with the key the DS names), and keep both during key rollovers.",
        defaultSeverity: .critical
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        guard !context.trustAnchors.isEmpty else { return [] }
        let zone = context.zone
        let dnskeySet = zone.rrset(context.origin, .dnskey)
        let location = dnskeySet.map(context.location(of:))
        let anchors = context.trustAnchors.map(\.summary)
        let sepKeys = context.keys.filter { $0.isSecureEntryPoint && !$0.isRevoked }
        let matching = sepKeys.filter { key in context.trustAnchors.contains { $0.matches(key, owner: context.origin) }
        }
        guard !matching.isEmpty else {
            let nonSEP = context.keys.filter { key in
                !key.isSecureEntryPoint && context.trustAnchors.contains { $0.matches(key, owner: context.origin) }
            }
            var message = "No DNSKEY with the SEP flag matches the trust anchor (\(anchors.joined(separator: ", ")))"
            message +=
                nonSEP.isEmpty
                ? ": resolvers starting from it find the zone bogus."
                : "; it matches key \(nonSEP.map { String($0.keyTag) }.joined(separator: ", ")), which lacks the SEP flag."
            return [
                Finding(
                    check: check, severity: nonSEP.isEmpty ? .critical : .medium, subject: context.origin.text,
                    message: message,
                    evidence: [
                        "anchors": .strings(anchors),
                        "sepKeyTags": .array(sepKeys.map { .int(Int($0.keyTag)) }),
                        "matchingNonSEPKeyTags": .array(nonSEP.map { .int(Int($0.keyTag)) }),
                    ],
                    location: location)
            ]
        }
        guard let dnskeyIndex = zone.rrsetIndex(context.origin, .dnskey) else { return [] }
        let signers = context.compactVerdicts(of: dnskeyIndex).filter(\.isValidNow).map(\.keyTag)
        let matchingTags = matching.map(\.keyTag)
        guard !matchingTags.contains(where: signers.contains) else { return [] }
        return [
            Finding(
                check: check, subject: context.origin.text,
                message: "The key the trust anchor names (\(matchingTags.map(String.init).joined(separator: ", "))) "
                    + "does not sign the DNSKEY RRset with a valid signature, so the chain of trust breaks there.",
                evidence: [
                    "anchors": .strings(anchors), "matchingKeyTags": .array(matchingTags.map { .int(Int($0)) }),
                    "dnskeySignedBy": .array(signers.map { .int(Int($0)) }),
                ],
                location: location)
        ]
    }
}
