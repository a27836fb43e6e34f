import Findings

/// `topology.lateral-movement-path`: a crown-jewel asset (tag `tier=crown-jewel` unless
/// `--crown-jewels` names others) that an attacker on the internet can reach, hop by hop, through
/// hosts that the rules let them reach first.
///
/// A database with no public IP is not safe when a web server in front of it is exposed and may
/// talk to it; the finding gives the shortest such path with the rule allowing each hop, so the
/// reviewer can see which link to cut.
public enum LateralMovementPath {
    public static let check = Check(
        id: "topology.lateral-movement-path",
        title: "Crown-jewel asset reachable from the internet through other hosts",
        rationale:
            "Attackers rarely reach the valuable system directly: they land on an exposed host and move sideways. "
            + "Every allowed hop on the way is part of the exposure of the asset at the end.",
        remediation:
            "Cut the path at its weakest hop: narrow the rule that allows it, or move the asset behind a segment that "
            + "only its own tier can reach.",
        defaultSeverity: .high
    )
}
