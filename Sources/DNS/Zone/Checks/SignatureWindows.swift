import Findings

/// Shared by the expired and not-yet-valid checks: one finding per RRset whose signatures by zone
/// keys fall outside their window at the judged moment. Critical when no signature of the RRset is
/// valid now, because validators then reject the data; low while another signature carries it.
enum SignatureWindowFindings {
    static func findings(
        in context: ZoneAnalysisContext, check: Check, window: SignatureVerdict.Window,
        describe: (SignatureVerdict) -> (phrase: String, evidence: [String: JSONValue])
    ) -> [Finding] {
        var findings: [Finding] = []
        for index in context.signedRRsets {
            guard context.compactVerdicts(of: index).contains(where: { $0.isByZoneKey && $0.window == window })
            else { continue }
            let set = context.zone.materialise(index)
            let verdicts = context.verdicts(of: index).filter(\.isByZoneKey)
            let outside = verdicts.filter { $0.window == window }
            guard let first = outside.min(by: { $0.secondsToExpiry < $1.secondsToExpiry }) else { continue }
            let rescued = verdicts.contains { $0.isValidNow }
            let label = ZoneAnalysisContext.label(set)
            let detail = describe(first)
            var evidence = detail.evidence
            evidence["owner"] = .string(set.owner.text)
            evidence["type"] = .string(set.type.description)
            evidence["keyTag"] = .int(Int(first.signature.data.keyTag))
            evidence["otherValidSignature"] = .bool(rescued)
            evidence["now"] = .string(SerialTime.text(context.clock.now))
            let message =
                rescued
                ? "An RRSIG of \(label) \(detail.phrase); another signature still validates it."
                : "The RRSIG of \(label) \(detail.phrase): validating resolvers will reject the data."
            findings.append(
                Finding(
                    check: check, severity: rescued ? .low : .critical, subject: set.owner.text, message: message,
                    evidence: evidence, location: context.location(of: first.signature)))
        }
        return findings
    }
}
