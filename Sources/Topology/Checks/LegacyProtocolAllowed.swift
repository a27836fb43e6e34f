import Findings

/// `topology.legacy-protocol-allowed`: an allow rule that really lets a cleartext or legacy protocol
/// — Telnet, FTP, TFTP, SMB, NetBIOS, the r-services, SNMP — in from the internet or across a segment
/// boundary (from another subnet or VNet).
///
/// These protocols carry credentials in clear or have a long history of wormable flaws; inside one
/// segment they may be tolerated, but a rule that carries them between segments spreads the risk.
public enum LegacyProtocolAllowed {
    public static let check = Check(
        id: "topology.legacy-protocol-allowed",
        title: "Legacy or cleartext protocol allowed across a boundary",
        rationale:
            "Telnet, FTP, TFTP, r-services and SNMPv1/v2c send credentials in clear; SMB and NetBIOS are the classic "
            + "path of worms. Allowing them between segments or from the internet extends that risk.",
        remediation:
            "Replace the protocol by its secure successor (SSH, SFTP, SNMPv3, SMB over a VPN) or restrict the rule "
            + "to sources inside the same segment.",
        defaultSeverity: .high
    )
}

extension LegacyProtocolAllowed {
    static func findings(_ context: AuditContext) -> [Finding] {
        var findings: [Finding] = []
        let legacy = context.options.sensitivePorts.legacyProtocols
        let internet = context.publicInternet
        for views in context.userRuleViews() {
            guard let first = views.first, first.rule.access == .allow, first.rule.direction == .inbound,
                context.isAttached(first.group.id)
            else { continue }
            let group = first.group
            let rule = first.rule
            var fromInternet = Set<String>()
            var acrossSegments = Set<String>()
            var segmentPairs = Set<String>()
            for view in views where !view.decided.isEmpty {
                guard let vnet = view.virtualNetwork else { continue }
                // Hosts live in subnets: the sources that can cross into this segment are the
                // subnets of this VNet and of its connected peers.
                let routable = context.subnetSpace(routableFrom: vnet)
                for segment in segments(of: group.id, in: vnet, context: context) {
                    let others = routable.subtracting(segment.space)
                    for port in legacy {
                        let flows = RuleRegion([
                            RuleBox(
                                sources: internet.union(others), destinations: segment.addresses,
                                protocols: port.transport == .tcp ? .tcp : .udp, sourcePorts: ValueRanges.allPorts,
                                destinationPorts: ValueRanges([UInt64(port.port)...UInt64(port.port)]))
                        ])
                        let passing = view.decided.intersection(flows)
                        guard !passing.isEmpty else { continue }
                        let label = "\(port.service) (\(port.transport.rawValue)/\(port.port))"
                        let sources = passing.sources
                        if !sources.intersection(internet).isEmpty { fromInternet.insert(label) }
                        let inside = sources.intersection(others)
                        if !inside.isEmpty {
                            acrossSegments.insert(label)
                            for from in context.network.subnets {
                                let space = ValueRanges(from.prefixes.map { UInt64($0.first)...UInt64($0.last) })
                                if !space.intersection(inside).isEmpty {
                                    segmentPairs.insert("\(context.segmentName(from)) -> \(segment.name)")
                                }
                            }
                        }
                    }
                }
            }
            guard !fromInternet.isEmpty || !acrossSegments.isEmpty else { continue }
            var parts: [String] = []
            if !fromInternet.isEmpty { parts.append("in from the internet: \(AuditText.list(fromInternet.sorted()))") }
            if !acrossSegments.isEmpty {
                parts.append("across segment boundaries: \(AuditText.list(acrossSegments.sorted()))")
            }
            var evidence = AuditText.ruleEvidence(rule, group)
            evidence["fromInternet"] = .array(fromInternet.sorted().map { .string($0) })
            evidence["acrossSegments"] = .array(acrossSegments.sorted().map { .string($0) })
            evidence["segments"] = .array(segmentPairs.sorted().map { .string($0) })
            findings.append(
                Finding(
                    check: check, severity: fromInternet.isEmpty ? .medium : .high,
                    subject: "\(group.name)/\(rule.name)",
                    message:
                        "Allow rule \(group.name)/\(rule.name) lets legacy protocols \(parts.joined(separator: "; ")).",
                    evidence: evidence, location: SourceLocation.of(rule, in: group)))
        }
        return findings
    }

    /// The segments an NSG guards in one VNet: each attached subnet, and for NICs attached directly
    /// the NIC's own address; `space` is the whole subnet, whose other hosts are not across a boundary.
    private static func segments(of group: ResourceID, in vnet: ResourceID, context: AuditContext)
        -> [(name: String, addresses: ValueRanges, space: ValueRanges)]
    {
        var result: [(name: String, addresses: ValueRanges, space: ValueRanges)] = []
        for subnet in context.attachedSubnets[group] ?? [] where subnet.virtualNetwork == vnet {
            let space = ValueRanges(subnet.prefixes.map { UInt64($0.first)...UInt64($0.last) })
            result.append((context.segmentName(subnet), space, space))
        }
        for nic in context.attachedInterfaces[group] ?? [] {
            for config in nic.ipConfigurations {
                guard let address = config.privateAddress, let subnetID = config.subnet,
                    let subnet = context.subnetsByID[subnetID], subnet.virtualNetwork == vnet
                else { continue }
                let space = ValueRanges(subnet.prefixes.map { UInt64($0.first)...UInt64($0.last) })
                result.append(
                    (context.segmentName(subnet), ValueRanges([UInt64(address.value)...UInt64(address.value)]), space))
            }
        }
        return result
    }
}
