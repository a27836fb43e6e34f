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

extension IneffectiveRule {
    static func findings(_ context: AuditContext) -> [Finding] {
        let network = context.network
        var findings: [Finding] = []
        // Sorted by address, so the public IP a prefix names is found by binary search and the
        // lowest one is named when a prefix covers several.
        let publicAddresses = network.publicIPs.compactMap { pip in pip.address.map { ($0.value, pip) } }
            .sorted { $0.0 < $1.0 }
        for group in network.securityGroups {
            guard context.isAttached(group.id) else {
                let allows = group.rules.filter { $0.access == .allow }.count
                let denies = group.rules.count - allows
                findings.append(
                    Finding(
                        check: check, severity: .low, subject: group.name,
                        message:
                            "Network security group \(group.name) is attached to no subnet and no network interface, so none of its \(group.rules.count) rule(s) filter anything.",
                        evidence: [
                            "nsg": .string(group.name), "rules": .int(group.rules.count), "allowRules": .int(allows),
                            "denyRules": .int(denies),
                        ],
                        remediation:
                            "Attach \(group.name) to the subnet or NICs it was written for, or delete it so nobody relies on it.",
                        location: group.location))
                continue
            }
            let protectedSpace = context.protectedAddresses(of: group.id)
            for rule in group.rules where !rule.isDefault {
                // Inbound rules see the private destination, outbound rules the private source: the
                // side facing the NSG's own hosts must name addresses it protects.
                let ownSide = rule.direction == .inbound ? rule.destinations : rule.sources
                let otherSide = rule.direction == .inbound ? rule.sources : rule.destinations
                var problems: [String] = []
                var deadEntries: [String] = []
                var liveOwn = false
                for match in ownSide {
                    let addresses = context.attachmentNetworks(of: group.id).reduce(IntervalSet()) {
                        $0.union(context.addresses(of: match, in: $1))
                    }
                    if case .any = match {
                        liveOwn = true
                        continue
                    }
                    if !addresses.intersection(protectedSpace).isEmpty {
                        liveOwn = true
                        continue
                    }
                    deadEntries.append(match.description)
                    problems.append(
                        explain(
                            match, context: context, publicAddresses: publicAddresses, own: true,
                            direction: rule.direction))
                }
                var liveOther = otherSide.isEmpty
                for match in otherSide {
                    if case .applicationSecurityGroup(let id) = match, context.asgMembers(id).isEmpty {
                        deadEntries.append(match.description)
                        problems.append(
                            explain(
                                match, context: context, publicAddresses: publicAddresses, own: false,
                                direction: rule.direction))
                    } else if case .unsupported = match {
                        deadEntries.append(match.description)
                        problems.append("'\(match.description)' is not an address, prefix or service tag")
                    } else {
                        liveOther = true
                    }
                }
                guard !problems.isEmpty else { continue }
                let never = !liveOwn || !liveOther
                var evidence = AuditText.ruleEvidence(rule, group)
                evidence["entries"] = .array(deadEntries.map { .string($0) })
                evidence["neverMatches"] = .bool(never)
                let summary =
                    never
                    ? "can never match"
                    : "has entries that can never match"
                findings.append(
                    Finding(
                        check: check, severity: never ? .medium : .low, subject: "\(group.name)/\(rule.name)",
                        message: "Rule \(group.name)/\(rule.name) \(summary): \(problems.joined(separator: "; ")).",
                        evidence: evidence, location: SourceLocation.of(rule, in: group)))
            }
        }
        return findings
    }

    /// The public IP with the lowest address inside `prefix`, if any.
    private static func firstPublicIP(in prefix: NetworkPrefix, _ sorted: [(UInt128, PublicIPAddress)])
        -> PublicIPAddress?
    {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid].0 < prefix.first { lo = mid + 1 } else { hi = mid }
        }
        while lo < sorted.count && sorted[lo].0 <= prefix.last {
            if prefix.contains(NetworkAddress(sorted[lo].0)) { return sorted[lo].1 }
            lo += 1
        }
        return nil
    }

    private static func explain(
        _ match: AddressMatch, context: AuditContext, publicAddresses: [(UInt128, PublicIPAddress)], own: Bool,
        direction: Direction
    ) -> String {
        switch match {
        case .applicationSecurityGroup(let id):
            if context.asgMembers(id).isEmpty {
                return "application security group \(id.lastComponent) is carried by no network interface"
            }
            return "no network interface in application security group \(id.lastComponent) is behind this NSG"
        case .prefix(let prefix):
            if own, let pip = firstPublicIP(in: prefix, publicAddresses) {
                let nic = context.interfaceByPublicIP[pip.id]
                let privateText = nic?.privateAddresses.first.map { " (\($0))" } ?? ""
                return
                    "\(prefix.isHost ? prefix.network.description : prefix.description) is public IP \(pip.name); \(direction == .inbound ? "inbound rules see the private address" : "outbound rules see the private source")\(privateText)"
            }
            return
                "\(prefix.isHost ? prefix.network.description : prefix.description) is outside every subnet and NIC the NSG is attached to"
        case .serviceTag(let tag):
            return "service tag \(tag) never names the NSG's own \(direction == .inbound ? "destinations" : "sources")"
        case .unsupported(let text):
            return "'\(text)' is not an address, prefix or service tag"
        case .any:
            return "*"
        }
    }
}
