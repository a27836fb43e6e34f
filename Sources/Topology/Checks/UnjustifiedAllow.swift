import Findings
import Foundation

/// `topology.unjustified-allow`: an allow rule with no recorded reason — an empty description and no
/// entry in the justification file — or whose justification's review date has passed.
///
/// An allowlist rule nobody can explain cannot be reviewed or removed safely. A justification with
/// an owner and a review date turns a rule into a decision someone answers for.
public enum UnjustifiedAllow {
    public static let check = Check(
        id: "topology.unjustified-allow",
        title: "Allow rule without a justification",
        rationale:
            "Every allow rule should say why it exists and who owns it; rules without a reason accumulate and are "
            + "never removed.",
        remediation:
            "Give the rule a description, or add it to the justification file with why, owner and review-by date.",
        defaultSeverity: .low
    )
}

extension UnjustifiedAllow {
    static func findings(_ context: AuditContext) -> [Finding] {
        var findings: [Finding] = []
        for group in context.network.securityGroups {
            for rule in group.rules where rule.access == .allow && !rule.isDefault {
                if !rule.description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { continue }
                let entry = context.options.justifications?.justification(nsg: group.name, rule: rule.name)
                var evidence = AuditText.ruleEvidence(rule, group)
                let message: String
                if let entry {
                    if entry.reviewBy >= context.options.today { continue }
                    message =
                        "Allow rule \(group.name)/\(rule.name) was justified until \(entry.reviewBy) (owner \(entry.owner)); the review date has passed."
                    evidence["reviewBy"] = .string(entry.reviewBy.description)
                    evidence["owner"] = .string(entry.owner)
                    evidence["justification"] = .string(entry.why)
                } else {
                    message =
                        "Allow rule \(group.name)/\(rule.name) has no description and no entry in a justification file."
                }
                findings.append(
                    Finding(
                        check: check, subject: "\(group.name)/\(rule.name)", message: message, evidence: evidence,
                        remediation: entry == nil
                            ? check.remediation
                            : "Review the rule with its owner and renew its review-by date, or delete the rule.",
                        location: SourceLocation.of(rule, in: group)))
            }
        }
        return findings
    }
}
