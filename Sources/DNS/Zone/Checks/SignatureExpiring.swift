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
        // The earliest expiry among signatures valid now, found on the compact verdicts.
        var earliestPlace: (rrset: Int, offset: Int, seconds: Int64)?
        var soon = 0
        for index in context.zone.packedSets.indices {
            for (offset, verdict) in context.compactVerdicts(of: index).enumerated() where verdict.isValidNow {
                if verdict.secondsToExpiry <= window { soon += 1 }
                if earliestPlace == nil || verdict.secondsToExpiry < earliestPlace!.seconds {
                    earliestPlace = (index, offset, verdict.secondsToExpiry)
                }
            }
        }
        guard let place = earliestPlace, place.seconds <= window else { return [] }
        let earliest = context.verdicts(of: place.rrset)[place.offset]
        let set = context.zone.materialise(place.rrset)
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
