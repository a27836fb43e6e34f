import Findings

/// `topology.shadowed-rule`: a rule that no packet can ever reach, because rules of the same NSG and
/// direction with a lower priority number together match every flow it matches; and the milder case
/// of an allow that earlier allows already fully cover (redundant).
///
/// Like Batfish's `filterLineReachability`, the verdict is exact: the rule's flows (address
/// intervals × protocols × port intervals) are subtracted by the flows of each earlier rule, and the
/// rule is shadowed only when nothing is left. The finding names the covering rules.
public enum ShadowedRule {
    public static let check = Check(
        id: "topology.shadowed-rule",
        title: "Rule that no traffic can reach",
        rationale:
            "A shadowed rule misleads every reader: it looks as if it decides traffic, but earlier rules always "
            + "decide first. A shadowed deny is a hole people believe is closed.",
        remediation:
            "Delete the rule, or give it a lower priority number than the rules that cover it if it was meant to "
            + "decide.",
        defaultSeverity: .low
    )
}

extension ShadowedRule {
    static func findings(_ context: AuditContext) -> [Finding] {
        var findings: [Finding] = []
        for views in context.userRuleViews() {
            guard let first = views.first, context.isAttached(first.group.id) else { continue }
            // A rule that matches nothing at all is ineffective, not shadowed.
            guard views.contains(where: { !$0.matched.isEmpty }) else { continue }
            guard views.allSatisfy({ $0.decided.isEmpty && !$0.approximate }) else { continue }
            let rule = first.rule
            let group = first.group
            var coveringNames: [String] = []
            var covering: [SecurityRule] = []
            for view in views {
                for cover in view.takenBy where !coveringNames.contains(cover.name) {
                    coveringNames.append(cover.name)
                    covering.append(cover)
                }
            }
            covering.sort { $0.priority < $1.priority }
            let redundant = covering.allSatisfy { $0.access == rule.access }
            let names = covering.map { "\($0.name) (\($0.priority), \($0.access.rawValue.lowercased()))" }
            let message: String
            let severity: Severity
            if redundant {
                severity = .low
                message =
                    "\(rule.access.rawValue) rule \(group.name)/\(rule.name) is redundant: \(AuditText.list(names)) already \(rule.access == .allow ? "allow" : "deny")\(covering.count == 1 ? "s" : "") every flow it matches."
            } else {
                severity = .medium
                message =
                    "\(rule.access.rawValue) rule \(group.name)/\(rule.name) never decides anything: \(AuditText.list(names)) \(covering.count == 1 ? "takes" : "take") every flow it matches first\(rule.access == .deny ? ", so traffic it seems to deny is allowed" : ", so traffic it seems to allow is denied")."
            }
            var evidence = AuditText.ruleEvidence(rule, group)
            evidence["coveredBy"] = .array(
                covering.map { cover in
                    .object([
                        "rule": .string(cover.name), "priority": .int(cover.priority),
                        "access": .string(cover.access.rawValue.lowercased()),
                    ])
                })
            evidence["redundant"] = .bool(redundant)
            findings.append(
                Finding(
                    check: check, severity: severity, subject: "\(group.name)/\(rule.name)", message: message,
                    evidence: evidence,
                    remediation: redundant
                        ? "Delete the redundant rule; the rules that cover it already do its work."
                        : check.remediation,
                    location: SourceLocation.of(rule, in: group)))
        }
        return findings
    }
}
