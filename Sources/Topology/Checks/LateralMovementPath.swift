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
    /// A host the public internet reaches directly: the first hop of every path.
    struct EntryHop {
        var nic: NetworkInterface
        var transport: TransportProtocol
        var port: Int
        var decidedBy: [(group: SecurityGroup, rule: SecurityRule)]
    }

    /// Hosts with a public IP that some TCP or UDP flow from the public internet reaches, with the
    /// lowest such port (TCP first) and the rules that let it in.
    ///
    /// The first hop is evaluated here rather than by `ReachabilityEngine.paths(from: .internet)`
    /// because the engine's "internet" is every address outside the VNets, Azure's platform address
    /// 168.63.129.16 included, which `AllowAzureLoadBalancerInBound` lets in everywhere. Later hops
    /// are the engine's.
    static func entryHops(_ context: AuditContext) -> [EntryHop] {
        var result: [EntryHop] = []
        for nic in context.network.interfaces {
            var best: EntryHop?
            for config in nic.ipConfigurations {
                guard config.publicIP != nil, let address = config.privateAddress, let subnetID = config.subnet,
                    let subnet = context.subnetsByID[subnetID]
                else { continue }
                for (transport, protocols) in [(TransportProtocol.tcp, RuleProtocols.tcp), (.udp, .udp)] {
                    let probe = RuleRegion([
                        RuleBox(
                            sources: context.publicInternet,
                            destinations: ValueRanges([UInt64(address.value)...UInt64(address.value)]),
                            protocols: protocols, sourcePorts: ValueRanges.allPorts,
                            destinationPorts: ValueRanges.allPorts)
                    ])
                    for (chain, region) in InternetExposedPort.inboundChains(
                        context, nic: nic, subnet: subnet, probe: probe)
                    {
                        guard let port = region.destinationPorts.intervals.first?.lowerBound else { continue }
                        let candidate = EntryHop(nic: nic, transport: transport, port: Int(port), decidedBy: chain)
                        if let current = best {
                            let better =
                                (current.transport == .udp && transport == .tcp)
                                || (current.transport == transport && candidate.port < current.port)
                            if better { best = candidate }
                        } else {
                            best = candidate
                        }
                    }
                    if best != nil { break }
                }
            }
            if let best { result.append(best) }
        }
        return result.sorted { $0.nic.hostName < $1.nic.hostName }
    }

    /// One finding per crown-jewel host the internet reaches: the public internet to a directly
    /// reachable host, then the engine's shortest path from there (what `exposure topology paths
    /// --from HOST` prints). A path of one hop means the asset itself is exposed, which is critical.
    static func findings(_ context: AuditContext, engine: ReachabilityEngine) -> [Finding] {
        let network = context.network
        let entries = entryHops(context)
        var findings: [Finding] = []
        var seen = Set<ResourceID>()
        for tag in context.options.crownJewelTags {
            let targets = network.interfaces.filter { $0.hasTag(tag.key, tag.value) }
            guard !targets.isEmpty else { continue }
            var best: [ResourceID: (entry: EntryHop, hops: [PathHop])] = [:]
            for entry in entries where entry.nic.hasTag(tag.key, tag.value) { best[entry.nic.id] = (entry, []) }
            for entry in entries {
                guard
                    let report = try? engine.paths(
                        from: .resource(entry.nic.name), to: .tag(key: tag.key, value: tag.value))
                else { continue }
                for path in report.paths {
                    if let current = best[path.targetInterface], current.hops.count <= path.hops.count { continue }
                    best[path.targetInterface] = (entry, path.hops)
                }
            }
            for target in targets where seen.insert(target.id).inserted {
                guard let (entry, rest) = best[target.id] else { continue }
                let first: JSONValue = .object([
                    "from": .string("internet"), "to": .string(entry.nic.hostName),
                    "protocol": .string(entry.transport.rawValue), "port": .int(entry.port),
                    "decidedBy": .array(
                        entry.decidedBy.map { decision in
                            .object([
                                "nsg": .string(decision.group.name), "rule": .string(decision.rule.name),
                                "direction": .string("inbound"), "access": .string("allow"),
                                "priority": .int(decision.rule.priority),
                            ])
                        }),
                ])
                let hops: [JSONValue] =
                    [first]
                    + rest.map { hop in
                        .object([
                            "from": .string(hop.from), "to": .string(hop.to),
                            "protocol": .string(hop.protocol.rawValue), "port": .int(hop.port),
                            "decidedBy": .array(hop.decidedBy.map(\.json)),
                        ])
                    }
                let count = 1 + rest.count
                let names = [entry.nic.hostName] + rest.map(\.to)
                let route = (["internet"] + names).joined(separator: " → ")
                let steps =
                    ["\(entry.nic.hostName) on \(entry.transport.rawValue)/\(entry.port)"]
                    + rest.map { "\($0.to) on \($0.protocol.rawValue)/\($0.port)" }
                let lastRules =
                    rest.last.map { hop in
                        hop.decidedBy.filter { $0.access == .allow && !$0.isDefault }.map {
                            "\($0.securityGroupName)/\($0.rule)"
                        }
                    } ?? entry.decidedBy.map { "\($0.group.name)/\($0.rule.name)" }
                findings.append(
                    Finding(
                        check: check, severity: count <= 1 ? .critical : .high, subject: target.hostName,
                        message:
                            "Crown-jewel asset \(target.hostName) (\(tag.key)=\(tag.value)) is reachable from the internet in \(count) hop(s): \(route) (\(AuditText.list(steps))).",
                        evidence: [
                            "target": .string(target.hostName), "tag": .string("\(tag.key)=\(tag.value)"),
                            "hops": .array(hops), "hopCount": .int(count),
                        ],
                        remediation: lastRules.isEmpty
                            ? check.remediation
                            : "Cut the path at its weakest hop, for example by narrowing \(AuditText.list(lastRules)), which lets the last hop in; or isolate \(target.hostName) so only its own tier reaches it.",
                        location: target.location))
            }
        }
        return findings
    }
}
