import Findings

/// `dns.resolver-not-validating`: a resolver that does not validate DNSSEC, seen two ways.
///
/// 1. A name that must validate (`--signed-name`), asked with DO=1, comes back without AD.
/// 2. A name whose signatures are broken (`--bogus-name`) comes back with data instead of SERVFAIL.
///    NXDOMAIN or REFUSED prove nothing either way (a filtering or offline resolver answers so).
///    A SERVFAIL only counts as validation when the same question with CD=1 (checking disabled) does
///    return data: otherwise the name is simply unreachable from the resolver and proves nothing.
/// Either failing fires, saying which; extended DNS errors (RFC 8914) in the replies are noted.
/// A question that gets no usable answer at all is a warning, not a verdict.
public enum ResolverNotValidating {
    public static let check = Check(
        id: "dns.resolver-not-validating",
        title: "Resolver does not validate DNSSEC",
        rationale: """
            A resolver that does not validate passes forged or tampered answers to its clients as if \
            they were genuine, which is what DNSSEC exists to prevent.
            """,
        remediation: """
            Turn validation on (Unbound `module-config: "validator iterator"` with the root trust anchor, \
            BIND `dnssec-validation auto;`), or use resolvers that validate.
            """,
        defaultSeverity: .high
    )

    /// What a resolver made of the signed and the bogus name.
    struct Observation {
        var signed: PacketReply?
        var bogus: PacketReply?
        var bogusWithCheckingDisabled: PacketReply?
    }

    static func observe(_ session: ProbeSession, signedName: String, bogusName: String) -> Observation {
        var observation = Observation()
        let signed = PacketQuery(name: signedName, type: QueryType.a, recursionDesired: true, dnssecOK: true)
        observation.signed = try? session.ask(signed)
        let bogus = PacketQuery(name: bogusName, type: QueryType.a, recursionDesired: true, dnssecOK: true)
        observation.bogus = try? session.ask(bogus)
        if observation.bogus?.rcode == 2 {
            var unchecked = bogus
            unchecked.checkingDisabled = true
            observation.bogusWithCheckingDisabled = try? session.ask(unchecked)
        }
        return observation
    }

    static func judge(
        _ observation: Observation,
        resolver: ConfiguredResolver,
        signedName: String,
        bogusName: String
    ) -> (findings: [Finding], warnings: [String]) {
        var failures: [String] = []
        var warnings: [String] = []
        var evidence: [String: JSONValue] = [
            "resolver": .string(resolver.address.description),
            "signedName": .string(signedName),
            "bogusName": .string(bogusName),
        ]
        if let signed = observation.signed {
            evidence["signed"] = describe(signed)
            if signed.rcode == 0 && !signed.answers.isEmpty && !signed.authenticatedData {
                failures.append("\(signedName) came back without AD")
            } else if !(signed.rcode == 0 && signed.authenticatedData) {
                warnings.append(
                    "\(resolver.address): \(signedName) got \(signed.rcodeName)\(signed.answers.isEmpty ? " with no answer" : ""); "
                        + "the signed-name test says nothing"
                )
            }
        } else {
            warnings.append("\(resolver.address): no reply for \(signedName); the signed-name test says nothing")
        }
        if let bogus = observation.bogus {
            evidence["bogus"] = describe(bogus)
            if let unchecked = observation.bogusWithCheckingDisabled {
                evidence["bogusWithCheckingDisabled"] = describe(unchecked)
            }
            if bogus.rcode == 0 && !bogus.answers.isEmpty {
                failures.append("\(bogusName), whose signatures are broken, came back with data instead of SERVFAIL")
            } else if bogus.rcode == 2 {
                let unchecked = observation.bogusWithCheckingDisabled
                if !(unchecked.map { $0.rcode == 0 && !$0.answers.isEmpty } ?? false) {
                    warnings.append(
                        "\(resolver.address): \(bogusName) fails even with checking disabled (CD=1); "
                            + "the bogus-name test says nothing (is the name reachable from the resolver?)"
                    )
                }
            } else {
                warnings.append(
                    "\(resolver.address): \(bogusName) got \(bogus.rcodeName); the bogus-name test says nothing")
            }
        } else {
            warnings.append("\(resolver.address): no reply for \(bogusName); the bogus-name test says nothing")
        }
        guard !failures.isEmpty else { return ([], warnings) }
        evidence["failed"] = .strings(failures)
        let finding = Finding(
            check: check,
            subject: resolver.address.description,
            message: "\(resolver.address) does not validate DNSSEC: \(failures.joined(separator: "; ")).",
            evidence: evidence,
            location: resolver.location
        )
        return ([finding], warnings)
    }

    /// A reply as evidence: response code, the flags that matter, answers and extended errors.
    static func describe(_ reply: PacketReply) -> JSONValue {
        var fields: [String: JSONValue] = [
            "rcode": .string(reply.rcodeName),
            "ad": .bool(reply.authenticatedData),
            "answers": .int(reply.answers.count),
        ]
        let errors = reply.extendedErrors
        if !errors.isEmpty {
            fields["extendedErrors"] = .array(
                errors.map { error in
                    var entry: [String: JSONValue] = ["code": .int(error.code)]
                    if let name = ExtendedError.name(error.code) { entry["name"] = .string(name) }
                    if !error.text.isEmpty { entry["text"] = .string(error.text) }
                    return .object(entry)
                }
            )
        }
        return .object(fields)
    }
}

/// Names of the RFC 8914 extended DNS error codes (IANA registry), for evidence people can read.
enum ExtendedError {
    static func name(_ code: Int) -> String? {
        let names = [
            "Other", "Unsupported DNSKEY Algorithm", "Unsupported DS Digest Type", "Stale Answer", "Forged Answer",
            "DNSSEC Indeterminate", "DNSSEC Bogus", "Signature Expired", "Signature Not Yet Valid", "DNSKEY Missing",
            "RRSIGs Missing", "No Zone Key Bit Set", "NSEC Missing", "Cached Error", "Not Ready", "Blocked",
            "Censored", "Filtered", "Prohibited", "Stale NXDOMAIN Answer", "Not Authoritative", "Not Supported",
            "No Reachable Authority", "Network Error", "Invalid Data", "Signature Expired before Valid", "Too Early",
            "Unsupported NSEC3 Iterations Value", "Unable to conform to policy", "Synthesized", "Invalid Query Type",
        ]
        return names.indices.contains(code) ? names[code] : nil
    }
}
