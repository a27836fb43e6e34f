import Findings
import Topology

/// `correlation.unused-allow`: a custom allow rule that decided none of the observed flows the topology
/// allows end to end, over a capture long enough to say so (`--min-span`, default an hour).
///
/// Only NSGs that filter a NIC the captures saw send or receive are judged: a capture taken on one
/// host says nothing about rules guarding hosts it never saw. NSGs filtering a VNet whose address
/// space overlaps another's are left out too, since traffic there may belong to either.
enum UnusedAllow: CorrelationCheck {
    static let check = Check(
        id: "correlation.unused-allow",
        title: "Allow rule that no observed traffic used",
        rationale:
            "An allow rule that decided nothing over a long capture is probably left over; every unused opening "
            + "is attack surface that nobody needs. Hardening guidance asks to review rules against access logs.",
        remediation:
            "Confirm with the rule's owner that nothing needs it (some traffic is rare: backups, failover), then "
            + "delete the rule.",
        defaultSeverity: .low
    )

    static func findings(_ context: CorrelationContext) -> [Finding] {
        guard context.isLongEnough else { return [] }
        var used: Set<CorrelationContext.RuleKey> = []
        for flow in context.allowedFlows {
            for d in flow.verdict.decidedBy { used.insert(CorrelationContext.key(d)) }
        }
        var findings: [Finding] = []
        for group in context.network.securityGroups
        where context.judgedSecurityGroups.contains(group.id) && context.isAttached(group.id) {
            for rule in group.rules where rule.access == .allow && !rule.isDefault {
                let key = CorrelationContext.RuleKey(
                    securityGroup: group.id, rule: rule.name, direction: rule.direction)
                guard !used.contains(key) else { continue }
                let direction = rule.direction.rawValue.lowercased()
                findings.append(
                    Finding(
                        check: check, subject: "\(group.name)/\(rule.name)",
                        message:
                            "\(rule.direction.rawValue) allow rule \(group.name)/\(rule.name) (priority \(rule.priority)) "
                            + "decided none of the observed flows the topology allows, over "
                            + "\(CorrelationContext.duration(context.traffic.spanSeconds)) of capture "
                            + "(\(context.spanText)).",
                        evidence: [
                            "nsg": .string(group.name), "rule": .string(rule.name), "direction": .string(direction),
                            "priority": .int(rule.priority), "captureStart": .string(context.captureStart),
                            "captureEnd": .string(context.captureEnd),
                        ],
                        location: rule.location))
            }
        }
        return findings
    }
}
