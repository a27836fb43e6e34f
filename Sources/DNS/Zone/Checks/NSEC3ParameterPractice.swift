import Findings

/// `dns.dnssec-nsec3-parameters`: NSEC3 settings RFC 9276 advises against. Extra iterations cost
/// validators work and give no protection (§3.1: iterations MUST be 0; validators may treat more than
/// 100 as insecure and above 150 as bogus); a salt adds nothing (§3.1: SHOULD NOT be used); opt-out
/// (§3.2) only pays in zones with many unsigned delegations, and hides unsigned names otherwise.
enum NSEC3ParameterPractice: ZoneCheck {
    static let readsVerdicts = false
    static let check = Check(
        id: "dns.dnssec-nsec3-parameters",
        title: "NSEC3 parameters against RFC 9276",
        rationale: "Extra NSEC3 iterations make validators work harder and past 100 or 150 make them treat the "
            + "zone as insecure or bogus; salt and needless opt-out add nothing but risk.",
        remediation: "Use NSEC3PARAM 1 0 0 - (no extra iterations, no salt) and no opt-out unless the zone has "
            + "many unsigned delegations.",
        defaultSeverity: .medium
    )

    static func findings(in context: ZoneAnalysisContext) -> [Finding] {
        let zone = context.zone
        let paramSet = zone.rrset(context.origin, .nsec3param)
        var parameters = NSEC3PARAMData.of(zone).usable?.parameters
        var optOut = false
        var firstNSEC3: Int?
        // Every NSEC3 of the zone, read in place: a large NSEC3 zone has one per name.
        for index in zone.packedSets.indices where zone.type(of: index) == .nsec3 {
            for member in 0..<zone.packedSets[index].records.count {
                guard let fields = NSEC3Fields(zone.rdata(of: index, member: member)) else { continue }
                if parameters == nil { parameters = fields.parameters }
                if fields.optOut { optOut = true }
            }
            if firstNSEC3 == nil { firstNSEC3 = index }
        }
        guard let parameters else { return [] }
        let location = (paramSet ?? firstNSEC3.map(zone.materialise)).map(context.location(of:))
        let evidence: [String: JSONValue] = [
            "iterations": .int(Int(parameters.iterations)), "salt": .string(parameters.saltText),
            "hashAlgorithm": .int(Int(parameters.algorithm)), "optOut": .bool(optOut),
        ]
        var findings: [Finding] = []
        if parameters.iterations > 0 {
            let severity: Severity = parameters.iterations > 100 ? .high : .medium
            let consequence =
                parameters.iterations > 150
                ? "; many validators treat more than 150 as bogus"
                : parameters.iterations > 100 ? "; validators may treat more than 100 as insecure" : ""
            findings.append(
                Finding(
                    check: check, severity: severity, subject: context.origin.text,
                    message:
                        "NSEC3 uses \(parameters.iterations) extra hash iterations; RFC 9276 asks for 0\(consequence).",
                    evidence: evidence.merging(["problem": "iterations"]) { $1 }, location: location))
        }
        if !parameters.salt.isEmpty {
            findings.append(
                Finding(
                    check: check, severity: .low, subject: context.origin.text,
                    message: "NSEC3 uses the salt \(parameters.saltText); RFC 9276 advises no salt.",
                    evidence: evidence.merging(["problem": "salt"]) { $1 }, location: location))
        }
        if optOut {
            let unsigned = zone.names.filter { $0.authority == .delegation && zone.rrset($0.owner, .ds) == nil }.count
            if unsigned == 0 {
                findings.append(
                    Finding(
                        check: check, severity: .low, subject: context.origin.text,
                        message: "NSEC3 opt-out is set but the zone has no unsigned delegation to leave out; "
                            + "RFC 9276 advises against opt-out where it is not needed.",
                        evidence: evidence.merging(["problem": "opt-out", "unsignedDelegations": .int(unsigned)]) {
                            $1
                        }, location: location))
            }
        }
        if parameters.algorithm != 1 {
            findings.append(
                Finding(
                    check: check, severity: .high, subject: context.origin.text,
                    message: "NSEC3 uses hash algorithm \(parameters.algorithm); only SHA-1 (1) is defined.",
                    evidence: evidence.merging(["problem": "hash-algorithm"]) { $1 }, location: location))
        }
        return findings
    }
}
