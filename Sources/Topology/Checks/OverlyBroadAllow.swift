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
