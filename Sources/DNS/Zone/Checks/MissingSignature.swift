import Findings

/// `dns.dnssec-missing-signature`: an authoritative RRset with no RRSIG by a key of the zone's apex
/// DNSKEY set, or with none of some algorithm the DNSKEY set uses (RFC 4035 §2.2 asks every RRset
/// to be signed with each algorithm). Glue and data below delegations are the child's, and at a
/// delegation only DS and NSEC are signed, so none is demanded there.
enum MissingSignature: ZoneCheck {
    static let check = Check(
        id: "dns.dnssec-missing-signature",
        title: "Authoritative data without a signature",
        rationale: "A validating resolver treats unsigned data in a signed zone as bogus, so the name fails "
            + "to resolve for users of validating resolvers.",
        remediation: "Re-sign the zone so every authoritative RRset carries an RRSIG by a zone key of each "
            + "algorithm in the DNSKEY set.",
        defaultSeverity: .high
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        let algorithms = Set(context.keys.filter { !$0.isRevoked }.map(\.algorithm))
        let required = algorithms.sorted()
        var findings: [Finding] = []
        for index in context.signedRRsets {
            // Nearly every RRset: signed only by zone keys, with every algorithm of the keys. Judged in
            // place; the rest go the way below.
            let compact = context.compactVerdicts(of: index)
            if !compact.isEmpty, compact.allSatisfy(\.isByZoneKey),
                required.allSatisfy({ algorithm in compact.contains { $0.algorithm == algorithm } })
            {
                continue
            }
            let verdicts = compact.filter(\.isByZoneKey)
            let signedWith = Set(verdicts.map(\.algorithm))
            if !verdicts.isEmpty, algorithms.isSubset(of: signedWith) {
                // Signed as it must be; RRSIGs by keys the zone lacks beside them are stale (a finished
                // rollover) and validators skip them: said at low.
                guard compact.count > verdicts.count else { continue }
                let set = context.zone.materialise(index)
                let strangers = zip(set.signatures, compact).filter { !$0.1.isByZoneKey }.map(\.0)
                guard !strangers.isEmpty else { continue }
                let tags = strangers.map { "\($0.data.keyTag)/\(DNSSECAlgorithm.name($0.data.algorithm))" }
                findings.append(
                    Finding(
                        check: check, severity: .low, subject: set.owner.text,
                        message: "\(ZoneAnalysisContext.label(set)) also carries RRSIGs by keys the DNSKEY set lacks "
                            + "(\(tags.joined(separator: ", "))); validators skip them, so they only cost answer size.",
                        evidence: [
                            "owner": .string(set.owner.text), "type": .string(set.type.description),
                            "unknownKeyTags": .array(strangers.map { .int(Int($0.data.keyTag)) }),
                        ],
                        location: context.location(of: set)))
                continue
            }
            let set = context.zone.materialise(index)
            let label = ZoneAnalysisContext.label(set)
            if verdicts.isEmpty {
                let strangers = set.signatures.map { "\($0.data.keyTag)/\(DNSSECAlgorithm.name($0.data.algorithm))" }
                var message = "\(label) has no RRSIG by a key of the zone's DNSKEY set"
                message += strangers.isEmpty ? "." : " (only by unknown keys \(strangers.joined(separator: ", ")))."
                findings.append(
                    Finding(
                        check: check, subject: set.owner.text, message: message,
                        evidence: [
                            "owner": .string(set.owner.text), "type": .string(set.type.description),
                            "unknownKeyTags": .array(set.signatures.map { .int(Int($0.data.keyTag)) }),
                        ],
                        location: context.location(of: set)))
                continue
            }
            let lacking = algorithms.subtracting(signedWith).sorted()
            if !lacking.isEmpty {
                let names = lacking.map(DNSSECAlgorithm.name)
                findings.append(
                    Finding(
                        check: check, severity: .medium, subject: set.owner.text,
                        message: "\(label) has no RRSIG of algorithm \(names.joined(separator: ", ")), which the "
                            + "DNSKEY set uses.",
                        evidence: [
                            "owner": .string(set.owner.text), "type": .string(set.type.description),
                            "missingAlgorithms": .strings(names),
                        ],
                        location: context.location(of: set)))
            }
        }
        return findings
    }
}
