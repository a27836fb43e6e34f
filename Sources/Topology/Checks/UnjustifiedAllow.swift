import Findings

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
