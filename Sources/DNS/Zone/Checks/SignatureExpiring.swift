import Findings

/// `dns.dnssec-signature-expiring`: the zone's earliest expiring signature, among those valid now,
/// expires within `--expiry-warning` days. One finding for the zone, naming that signature and how
/// many others expire in the window: the zone stops validating at the earliest expiry.
enum SignatureExpiring: ZoneCheck {
    static let check = Check(
        id: "dns.dnssec-signature-expiring",
        title: "Signatures expire soon",
        rationale: "When signatures expire before the zone is re-signed the zone stops validating; little time "
            + "left means re-signing is late or has stopped.",
        remediation: "Re-sign the zone now and check that automatic re-signing runs.",
        defaultSeverity: .medium
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        let window = Int64(context.options.expiryWarningDays) * 86_400
        let current = context.verdicts.filter { $0.isValidNow }
        guard let earliest = current.min(by: { $0.secondsToExpiry < $1.secondsToExpiry }),
            earliest.secondsToExpiry <= window
        else { return [] }
        let soon = current.filter { $0.secondsToExpiry <= window }.count
        let set = context.zone.rrsets[earliest.rrset]
        let expiry = context.clock.text(earliest.signature.data.expiration)
        let hours = earliest.secondsToExpiry / 3600
        let left = hours >= 48 ? "\(hours / 24) days" : "\(hours) hours"
        return [
            Finding(
                check: check, severity: earliest.secondsToExpiry < 86_400 ? .high : .medium,
                subject: context.origin.text,
                message: "The earliest signature (\(ZoneAnalysisContext.label(set))) expires at \(expiry), in \(left); "
                    + "\(soon) signatures expire within \(context.options.expiryWarningDays) days.",
                evidence: [
                    "earliestExpiration": .string(expiry), "owner": .string(set.owner.text),
                    "type": .string(set.type.description), "secondsLeft": .int(Int(earliest.secondsToExpiry)),
                    "signaturesExpiringInWindow": .int(soon), "warningDays": .int(context.options.expiryWarningDays),
                    "now": .string(SerialTime.text(context.clock.now)),
                ],
                location: context.location(of: earliest.signature))
        ]
    }
}
