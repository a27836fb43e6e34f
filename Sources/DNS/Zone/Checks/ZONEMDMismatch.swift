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
        guard case .failed(let why) = ZoneDigests.verifyZONEMD(path: context.zone.file, origin: context.origin)
        else { return [] }
        let records = set.rdatas.compactMap(ZONEMDData.init)
        let reason = why.hasSuffix(".") ? String(why.dropLast()) : why
        return [
            Finding(
                check: check, subject: context.origin.text,
                message: "The ZONEMD of \(context.origin.text) does not verify: \(reason).",
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
