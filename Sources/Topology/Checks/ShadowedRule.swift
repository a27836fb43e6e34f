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
