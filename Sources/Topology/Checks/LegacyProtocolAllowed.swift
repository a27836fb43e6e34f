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
    /// What one rule lets through, gathered over its NSG's segments and legacy ports.
    private struct Passage {
        var view: AuditContext.RuleView
        var fromInternet = Set<String>()
        var acrossSegments = Set<String>()
        /// Destination segment (its name's rank in `SubnetLookup`) → the sources inside the estate
        /// that cross into it (their subnets are looked up once, when the finding is written).
        var segmentPairs: [Int: IntervalSet] = [:]
    }

    /// At most this many `from -> to` pairs are listed per finding; the count says how many there are.
    static let listedPairs = 12

    static func findings(_ context: AuditContext) -> [Finding] {
        let legacy = context.options.sensitivePorts.legacyProtocols
        let internet = context.publicInternet
        var subnetIndex = SubnetLookup(context)
        var passages: [String: Passage] = [:]
        var order: [String] = []
        for group in context.network.securityGroups where context.isAttached(group.id) {
            for vnet in context.attachmentNetworks(of: group.id) {
                // Hosts live in subnets: the sources that can cross into a segment are the subnets
                // of this VNet and of its connected peers, outside the segment itself.
                let routable = context.subnetSpace(routableFrom: vnet)
                for segment in segments(of: group.id, in: vnet, context: context, lookup: &subnetIndex) {
                    let others = routable.subtracting(segment.space)
                    for (transport, protocols) in [(TransportProtocol.tcp, ProtocolSet.tcp), (.udp, .udp)] {
                        let ports = legacy.filter { $0.transport == transport }
                        guard !ports.isEmpty else { continue }
                        let probe = FlowRegion(
                            FlowBox(
                                sources: internet.union(others), destinations: segment.addresses, protocols: protocols,
                                destinationPorts: IntervalSet(
                                    intervals: ports.map { (UInt32($0.port), UInt32($0.port)) })))
                        for (view, flows) in context.walk(probe, through: group.id, .inbound, in: vnet)
                        where view.rule.access == .allow && !view.rule.isDefault {
                            let key = "\(group.id.key)|\(view.rule.name)|\(view.rule.priority)"
                            if passages[key] == nil {
                                passages[key] = Passage(view: view)
                                order.append(key)
                            }
                            for port in ports {
                                let sources = flows.boxes.filter { $0.destinationPorts.contains(UInt32(port.port)) }
                                    .reduce(IntervalSet()) { $0.union($1.sources) }
                                guard !sources.isEmpty else { continue }
                                let label = "\(port.service) (\(port.transport.rawValue)/\(port.port))"
                                if !sources.intersection(internet).isEmpty { passages[key]?.fromInternet.insert(label) }
                                let inside = sources.intersection(others)
                                if !inside.isEmpty {
                                    passages[key]?.acrossSegments.insert(label)
                                    let crossing = passages[key]?.segmentPairs[segment.rank] ?? IntervalSet()
                                    passages[key]?.segmentPairs[segment.rank] = crossing.union(inside)
                                }
                            }
                        }
                    }
                }
            }
        }
        var findings: [Finding] = []
        for key in order {
            guard let passage = passages[key] else { continue }
            let group = passage.view.group
            let rule = passage.view.rule
            var parts: [String] = []
            if !passage.fromInternet.isEmpty {
                parts.append("in from the internet: \(AuditText.list(passage.fromInternet.sorted()))")
            }
            if !passage.acrossSegments.isEmpty {
                parts.append("across segment boundaries: \(AuditText.list(passage.acrossSegments.sorted()))")
            }
            let pairs = subnetIndex.pairs(passage.segmentPairs)
            var evidence = AuditText.ruleEvidence(rule, group)
            evidence["fromInternet"] = .array(passage.fromInternet.sorted().map { .string($0) })
            evidence["acrossSegments"] = .array(passage.acrossSegments.sorted().map { .string($0) })
            evidence["segments"] = .array(pairs.listed.map { .string($0) })
            evidence["segmentPairs"] = .int(pairs.count)
            findings.append(
                Finding(
                    check: check, severity: passage.fromInternet.isEmpty ? .medium : .high,
                    subject: "\(group.name)/\(rule.name)",
                    message:
                        "Allow rule \(group.name)/\(rule.name) lets legacy protocols \(parts.joined(separator: "; ")).",
                    evidence: evidence, location: SourceLocation.of(rule, in: group)))
        }
        return findings
    }

    /// Subnets sorted by address, to find those a set of sources overlaps without scanning them all.
    private struct SubnetLookup {
        var ranges: [(lower: UInt128, upper: UInt128, subnet: Int)] = []
        /// `VNET/SUBNET` of each subnet, by index.
        var names: [String] = []

        /// The distinct names in order, and each subnet's name's place among them.
        var sortedNames: [String] = []
        var rank: [Int] = []
        var rankOfName: [String: Int] = [:]
        /// Whether every name is printable ASCII without spaces (as Azure's names are): then
        /// `a -> t` strings sort as the pairs (a, t) of their names do (the space of ` -> ` sorts
        /// before any name character), and the pairs are ordered by rank without writing them all
        /// out. Otherwise they are written out and sorted as strings.
        var plainNames = true

        init(_ context: AuditContext) {
            for (index, subnet) in context.network.subnets.enumerated() {
                names.append(context.segmentName(subnet))
                for prefix in subnet.prefixes { for (lo, hi) in prefix.intervals { ranges.append((lo, hi, index)) } }
            }
            ranges.sort { $0.lower < $1.lower }
            sortedNames = Array(Set(names)).sorted()
            for (r, name) in sortedNames.enumerated() { rankOfName[name] = r }
            rank = names.map { rankOfName[$0]! }
            plainNames = names.allSatisfy { $0.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) } }
        }

        /// The rank of a segment's name, adding it when no subnet carries it.
        mutating func rank(of name: String) -> Int {
            if let r = rankOfName[name] { return r }
            plainNames = false
            sortedNames.append(name)
            rankOfName[name] = sortedNames.count - 1
            return sortedNames.count - 1
        }

        /// The `source -> target` pairs of one rule (each source subnet once per target): how many,
        /// and the first `listedPairs` in string order.
        func pairs(_ segmentPairs: [Int: IntervalSet]) -> (count: Int, listed: [String]) {
            var keys: [(source: Int, target: Int, subnet: Int)] = []
            for (target, sources) in segmentPairs {
                var last = -1
                for s in subnets(overlapping: sources).sorted() where s != last {
                    last = s
                    keys.append((rank[s], target, s))
                }
            }
            guard plainNames else {
                let all = keys.map { "\(names[$0.subnet]) -> \(sortedNames[$0.target])" }.sorted()
                return (all.count, Array(all.prefix(listedPairs)))
            }
            keys.sort { ($0.source, $0.target) < ($1.source, $1.target) }
            return (keys.count, keys.prefix(listedPairs).map { "\(names[$0.subnet]) -> \(sortedNames[$0.target])" })
        }

        func subnets(overlapping set: IntervalSet) -> [Int] {
            var result: [Int] = []
            for interval in set.intervals {
                // First range that could overlap: binary search on lower bounds, then step back
                // over ranges that start earlier but reach into the interval.
                var lo = 0
                var hi = ranges.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if ranges[mid].lower <= interval.lower { lo = mid + 1 } else { hi = mid }
                }
                var i = max(0, lo - 1)
                while i > 0 && ranges[i - 1].upper >= interval.lower { i -= 1 }
                while i < ranges.count && ranges[i].lower <= interval.upper {
                    if ranges[i].upper >= interval.lower { result.append(ranges[i].subnet) }
                    i += 1
                }
            }
            return result
        }
    }

    /// The segments an NSG guards in one VNet: each attached subnet, and for NICs attached directly
    /// the NIC's own address; `space` is the whole subnet, whose other hosts are not across a boundary.
    private static func segments(
        of group: ResourceID, in vnet: ResourceID, context: AuditContext, lookup: inout SubnetLookup
    )
        -> [(rank: Int, addresses: IntervalSet, space: IntervalSet)]
    {
        var result: [(rank: Int, addresses: IntervalSet, space: IntervalSet)] = []
        for subnet in context.attachedSubnets[group] ?? [] where subnet.virtualNetwork == vnet {
            let space = IntervalSet(prefixes: subnet.prefixes)
            result.append((lookup.rank(of: context.segmentName(subnet)), space, space))
        }
        for nic in context.attachedInterfaces[group] ?? [] {
            for config in nic.ipConfigurations {
                guard let address = config.privateAddress, let subnetID = config.subnet,
                    let subnet = context.subnetsByID[subnetID], subnet.virtualNetwork == vnet
                else { continue }
                let space = IntervalSet(prefixes: subnet.prefixes)
                result.append(
                    (lookup.rank(of: context.segmentName(subnet)), IntervalSet(address.value, address.value), space))
            }
        }
        return result
    }
}
