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

extension LateralMovementPath {
    /// One finding per crown-jewel host the internet reaches, with the engine's shortest path: the
    /// same one `exposure topology paths --from internet --to tag:KEY=VALUE` prints. A path of one
    /// hop means the asset itself is exposed, which is critical.
    /// A tag given with `--crown-jewels` that no host carries (a typo, usually) gives a warning, so
    /// the check is never silently switched off; the default tag matching nothing stays quiet.
    static func run(_ context: AuditContext) -> (findings: [Finding], warnings: [String]) {
        var findings: [Finding] = []
        var warnings: [String] = []
        var seen = Set<ResourceID>()
        let isDefault = context.options.crownJewelTags.map { "\($0.key)=\($0.value)" } == ["tier=crown-jewel"]
        for tag in context.options.crownJewelTags {
            guard let report = try? context.engine.paths(from: .internet, to: .tag(key: tag.key, value: tag.value))
            else { continue }
            if !isDefault && !context.network.interfaces.contains(where: { $0.hasTag(tag.key, tag.value) }) {
                warnings.append(
                    "--crown-jewels \(tag.key)=\(tag.value) matches no network interface or VM, so topology.lateral-movement-path has no target for it"
                )
            } else if !isDefault {
                warnings += report.warnings
            }
            for path in report.paths where seen.insert(path.targetInterface).inserted {
                let target = context.interfacesByID[path.targetInterface]
                // The hops exactly as `exposure topology paths` prints them.
                let hops = path.hops.map(\.json)
                let route = (["internet"] + path.hops.map(\.to)).joined(separator: " → ")
                // A hop through an internal door names it: "be1 on tcp/80 via load balancer ilb/http (…)".
                let steps = path.hops.map { hop in
                    "\(hop.to) on \(hop.protocol.rawValue)/\(hop.port)"
                        + (hop.decidedBy.first { $0.kind == .doorRule }.map { " via \($0.text)" } ?? "")
                }
                let lastRules =
                    path.hops.last.map { hop in
                        hop.decidedBy.filter { $0.access == .allow && !$0.isDefault }.map {
                            "\($0.securityGroupName)/\($0.rule)"
                        }
                    } ?? []
                findings.append(
                    Finding(
                        check: check, severity: path.hops.count <= 1 ? .critical : .high, subject: path.target,
                        message:
                            "Crown-jewel asset \(path.target) (\(tag.key)=\(tag.value)) is reachable from the internet in \(path.hops.count) hop(s): \(route) (\(AuditText.list(steps))).",
                        evidence: [
                            "target": .string(path.target), "tag": .string("\(tag.key)=\(tag.value)"),
                            "hops": .array(hops), "hopCount": .int(path.hops.count),
                        ],
                        remediation: lastRules.isEmpty
                            ? check.remediation
                            : "Cut the path at its weakest hop, for example by narrowing \(AuditText.list(lastRules)), which lets the last hop in; or isolate \(path.target) so only its own tier reaches it.",
                        location: target?.location))
            }
        }
        return (findings, warnings)
    }
}
