import Findings

/// `dns.dnssec-bogus-signature`: an RRSIG by one of the zone's keys that does not verify over its
/// RRset. A validating resolver that sees no other valid signature answers SERVFAIL for the data, so
/// the finding is critical then and medium while another signature still validates the RRset.
enum BogusSignature: ZoneCheck {
    static let check = Check(
        id: "dns.dnssec-bogus-signature",
        title: "Signature does not verify",
        rationale: "A signature that does not match its records makes validating resolvers treat the data as "
            + "bogus and answer SERVFAIL: the name stops resolving for every user behind them.",
        remediation: "Re-sign the zone; if records were edited after signing, sign after every change.",
        defaultSeverity: .critical
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        var findings: [Finding] = []
        for index in context.signedRRsets {
            guard
                context.compactVerdicts(of: index).contains(where: {
                    $0.outcome == .invalid || $0.outcome == .badLabels
                })
            else { continue }
            let set = context.zone.materialise(index)
            let verdicts = context.verdicts(of: index)
            let bogus = verdicts.filter {
                if case .invalid = $0.cryptography { return true }
                return false
            }
            guard let first = bogus.first else { continue }
            let rescued = verdicts.contains { $0.isValidNow }
            var reasons: [String] = []
            for verdict in bogus {
                if case .invalid(let reason) = verdict.cryptography, !reasons.contains(reason) {
                    reasons.append(reason)
                }
            }
            let tags = bogus.map { Int($0.signature.data.keyTag) }
            let label = ZoneAnalysisContext.label(set)
            let message =
                rescued
                ? "\(bogus.count) RRSIG of \(label) do not verify (\(reasons.joined(separator: "; "))); "
                    + "another signature still validates it."
                : "The RRSIG of \(label) does not verify (\(reasons.joined(separator: "; "))): validating "
                    + "resolvers will answer SERVFAIL for it."
            findings.append(
                Finding(
                    check: check, severity: rescued ? .medium : .critical, subject: set.owner.text,
                    message: message,
                    evidence: [
                        "owner": .string(set.owner.text), "type": .string(set.type.description),
                        "keyTags": .array(tags.map { .int($0) }),
                        "algorithms": .array(bogus.map { .string(DNSSECAlgorithm.name($0.signature.data.algorithm)) }),
                        "otherValidSignature": .bool(rescued),
                    ],
                    location: context.location(of: first.signature)))
        }
        return findings
    }
}
