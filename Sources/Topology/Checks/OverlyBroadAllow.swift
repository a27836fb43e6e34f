import Findings

/// `topology.overly-broad-allow`: an allow rule whose source is the whole internet (`*`, `Any`,
/// `Internet`, `0.0.0.0/0`) or a very large prefix, whose ports cover everything or a wide range,
/// or that allows any protocol on any port between different segments.
///
/// An allowlist is only as good as its narrowest rules. Broad rules are how "temporary" access
/// becomes permanent and how one compromised segment reaches all of another.
public enum OverlyBroadAllow {
    public static let check = Check(
        id: "topology.overly-broad-allow",
        title: "Allow rule broader than any real need",
        rationale:
            "A rule that allows the whole internet, every port or any traffic between segments grants far more than "
            + "the service it was written for, and hides what is really needed.",
        remediation:
            "Narrow the rule to the sources, protocol and ports the service needs; split it into specific rules if "
            + "several services share it.",
        defaultSeverity: .medium
    )
}

extension OverlyBroadAllow {
    /// A source this large (a /8, 16.7 million addresses; in IPv6 a /40, counted in /64s) or larger counts as "anyone".
    static let broadSourceSize: UInt64 = 1 << 24
    /// More destination ports than this count as a wide range.
    static let widePortCount: UInt64 = 1024

    static func findings(_ context: AuditContext) -> [Finding] {
        var findings: [Finding] = []
        let sensitive = context.options.sensitivePorts.ports
        for views in context.userRuleViews() {
            guard let first = views.first, first.rule.access == .allow, first.rule.direction == .inbound else {
                continue
            }
            // A rule that earlier rules fully shadow lets nothing in: `shadowed-rule` reports it.
            if views.allSatisfy({ $0.decided.isEmpty && !$0.approximate }) { continue }
            let rule = first.rule
            let group = first.group
            // The rule as written: broadest over its attachment contexts.
            let sources = views.reduce(IntervalSet()) { $0.union($1.matched.sources) }
                .intersection(context.familiesInUse)
            let ports = IntervalSet(intervals: rule.destinationPorts.map { (UInt32($0.lower), UInt32($0.upper)) })
            let protocols = ProtocolSet(rule.protocol)
            let writtenSources = rule.sources.map(\.description)
            let fromAnyone =
                rule.sources.contains { match in
                    switch match {
                    case .any: return true
                    case .serviceTag(let tag): return ["internet", "*", "any"].contains(tag.lowercased())
                    case .prefix(let p): return p.length <= (p.isIPv4 ? 8 : 40)
                    default: return false
                    }
                } || sources.breadth >= broadSourceSize
            let allPorts = ports == IntervalSet.allPorts
            let widePorts = UInt64(ports.count) > widePortCount
            let sensitiveHit = sensitive.filter { port in
                protocols.contains(port.transport == .tcp ? .tcp : .udp) && ports.contains(UInt32(port.port))
            }
            let protectedSpace = context.protectedAddresses(of: group.id)
            let crossesSegments =
                !protectedSpace.isEmpty && !protectedSpace.isSuperset(of: sources)
            var reasons: [String] = []
            var severity = Severity.medium
            if fromAnyone && (widePorts || !sensitiveHit.isEmpty) {
                let portText =
                    allPorts
                    ? "every port"
                    : widePorts
                        ? "\(AuditText.count(UInt64(ports.count))) ports"
                        : AuditText.list(labelledPorts(ports, sensitiveHit))
                reasons.append("from \(AuditText.list(writtenSources)) to \(portText)")
                let fromInternet = rule.sources.contains { match in
                    switch match {
                    case .any: return true
                    case .serviceTag(let tag): return tag.lowercased() == "internet"
                    case .prefix(let p): return p.length == 0
                    default: return false
                    }
                }
                if fromInternet && widePorts { severity = .high }
            } else if protocols == .all && allPorts && crossesSegments {
                reasons.append(
                    "of any protocol on every port from \(AuditText.list(writtenSources)), outside the segments it protects"
                )
            } else {
                continue
            }
            var evidence = AuditText.ruleEvidence(rule, group)
            evidence["sources"] = .array(writtenSources.map { .string($0) })
            evidence["sourceAddresses"] = .int(Int(sources.ipv4Count))
            if !sources.ipv6Part.isEmpty { evidence["ipv6Sources"] = .string(AuditText.addressCount(sources.ipv6Part)) }
            evidence["ports"] = .array(AuditText.ports(ports).map { .string($0) })
            evidence["portCount"] = .int(Int(ports.count))
            evidence["protocols"] = .array(protocols.names.map { .string($0) })
            if !sensitiveHit.isEmpty {
                evidence["sensitiveServices"] = .array(
                    Array(Set(sensitiveHit.map(\.service))).sorted().map { .string($0) })
            }
            findings.append(
                Finding(
                    check: check, severity: severity, subject: "\(group.name)/\(rule.name)",
                    message:
                        "Allow rule \(group.name)/\(rule.name) lets in traffic \(reasons.joined(separator: "; ")).",
                    evidence: evidence, location: SourceLocation.of(rule, in: group)))
        }
        return findings
    }

    /// Each port range of a rule, named after the sensitive service behind it when there is one:
    /// `ssh (22)`, `8080`, `ftp (20-21)`. Only the ports a service really uses carry its name.
    static func labelledPorts(_ ports: IntervalSet, _ sensitive: [SensitivePort]) -> [String] {
        ports.intervals.map { interval in
            let text = interval.lower == interval.upper ? "\(interval.lower)" : "\(interval.lower)-\(interval.upper)"
            let services = sensitive.filter { (interval.lower...interval.upper).contains(UInt128($0.port)) }.map(
                \.service)
            let names = services.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            return names.isEmpty ? text : "\(names.joined(separator: "/")) (\(text))"
        }
    }
}
