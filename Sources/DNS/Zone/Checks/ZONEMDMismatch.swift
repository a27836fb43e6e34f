import Findings

/// `dns.zonemd-mismatch`: the zone carries a ZONEMD record (RFC 8976) but its digest does not match
/// the zone's data, as libldns computes it. Secondaries and resolvers that check ZONEMD (e.g. for the
/// root zone, RFC 8806) reject such a zone.
enum ZONEMDMismatch: ZoneCheck {
    static let readsVerdicts = false
    static let needsSignedZone = false
    static let check = Check(
        id: "dns.zonemd-mismatch",
        title: "ZONEMD digest does not match the zone",
        rationale: "A ZONEMD that does not match makes consumers that verify it reject the zone transfer or "
            + "file: the digest was computed before a change, or the zone was altered.",
        remediation: "Recompute the ZONEMD after every change (e.g. ldns-signzone -z 1:1), then sign.",
        defaultSeverity: .high
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        guard let set = context.zone.rrset(context.origin, .zonemd) else { return [] }
        guard !context.usesIncludes else { return [] }
        let outcome = ZoneDigests.verifyZONEMD(path: context.zone.file, origin: context.origin)
        let why: String
        var severity = check.defaultSeverity
        var message: String
        switch outcome {
        case .verified: return []
        case .failed(let text):
            why = text.hasSuffix(".") ? String(text.dropLast()) : text
            message = "The ZONEMD of \(context.origin.text) does not verify: \(why)."
        case .unreadable(let text):
            // Not a mismatch: the digest could not be checked at all, which is said, at info.
            why = text.hasSuffix(".") ? String(text.dropLast()) : text
            severity = .info
            message =
                "The ZONEMD of \(context.origin.text) could not be checked: libldns cannot read the zone "
                + "file a second time (\(why))."
        }
        let records = set.rdatas.compactMap(ZONEMDData.init)
        let reason = why
        return [
            Finding(
                check: check, severity: severity, subject: context.origin.text,
                message: message,
                evidence: [
                    "serial": .array(records.map { .int(Int($0.serial)) }),
                    "scheme": .array(records.map { .int(Int($0.scheme)) }),
                    "hashAlgorithm": .array(records.map { .int(Int($0.hashAlgorithm)) }),
                    "reason": .string(reason),
                ],
                location: context.location(of: set))
        ]
    }
}
