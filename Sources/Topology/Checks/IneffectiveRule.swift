import Findings

/// `topology.ineffective-rule`: a rule that can never match as written — a public IP as the
/// destination of an inbound rule (inbound rules see the private IP after translation), a
/// destination address outside every segment the NSG is attached to, an application security group
/// that no NIC carries, or any rule of an NSG attached to nothing.
public enum IneffectiveRule {
    public static let check = Check(
        id: "topology.ineffective-rule",
        title: "Rule that can never match as written",
        rationale:
            "A rule that cannot match usually means its author believed it protects or opens something it does not; "
            + "the real decision is taken by another rule nobody is looking at.",
        remediation:
            "Rewrite the rule in terms Azure evaluates (private addresses, ASGs that NICs carry), or delete it.",
        defaultSeverity: .medium
    )
}
