import Topology

/// An independent, deliberately naive reading of Azure's NSG semantics, written from Azure's
/// documentation (as docs/topology.md restates it) without the engine's flow boxes, classes or caches: for one concrete
/// flow it finds the NICs by address, walks each NSG's rules sorted by priority and matches every
/// field directly against the model. The random tests hold the engine to it.
struct BruteForceEvaluator {
    let network: Network

    static let loadBalancer = IPv4Prefix("168.63.129.16/32")!

    func vnet(of address: IPv4Address) -> VirtualNetwork? {
        network.virtualNetworks.first { $0.addressSpace.contains { $0.contains(address) } }
    }

    func connected(_ a: VirtualNetwork, _ b: VirtualNetwork) -> Bool {
        if a.id == b.id { return true }
        let ab = a.peerings.first { $0.remoteNetwork == b.id }
        let ba = b.peerings.first { $0.remoteNetwork == a.id }
        if ab == nil && ba == nil { return false }
        if let ab, !ab.isConnected { return false }
        if let ba, !ba.isConnected { return false }
        return true
    }

    func inVirtualNetworkTag(_ address: IPv4Address, context: VirtualNetwork?) -> Bool {
        guard let context else { return false }
        return network.virtualNetworks.contains { v in
            connected(context, v) && v.addressSpace.contains { $0.contains(address) }
        }
    }

    func matches(_ match: AddressMatch, _ address: IPv4Address, context: VirtualNetwork?) -> Bool {
        switch match {
        case .any: return true
        case .prefix(let p): return p.contains(address)
        case .serviceTag(let tag):
            switch tag.lowercased() {
            case "virtualnetwork": return inVirtualNetworkTag(address, context: context)
            case "internet": return !inVirtualNetworkTag(address, context: context)
            case "azureloadbalancer": return Self.loadBalancer.contains(address)
            // Other tags are the prefixes Azure's service tag file lists for them; without the
            // file (or a tag it lacks) no real address is one of them.
            default: return network.serviceTags?.prefixes(of: tag)?.contains { $0.contains(address) } ?? false
            }
        case .applicationSecurityGroup(let id):
            return network.interfaces.contains { nic in
                nic.ipConfigurations.contains {
                    $0.privateAddress == address && $0.applicationSecurityGroups.contains(id)
                }
            }
        case .unsupported: return false
        }
    }

    static func coversAllPorts(_ ranges: [PortRange]) -> Bool {
        var next = 0
        for range in ranges.sorted(by: { $0.lower < $1.lower }) {
            if range.lower > next { return false }
            next = max(next, range.upper + 1)
        }
        return next > 65535
    }

    func ruleMatches(_ rule: SecurityRule, _ flow: Flow, context: VirtualNetwork?) -> Bool {
        if rule.protocol != .any && rule.protocol.rawValue.lowercased() != flow.protocol.rawValue { return false }
        if flow.protocol == .tcp || flow.protocol == .udp {
            if !rule.destinationPorts.contains(where: { $0.contains(flow.destinationPort) }) { return false }
            if !rule.sourcePorts.contains(where: { $0.contains(flow.sourcePort) }) { return false }
        } else if !(Self.coversAllPorts(rule.destinationPorts) && Self.coversAllPorts(rule.sourcePorts)) {
            // Port-less protocols match only rules whose port ranges together cover every port.
            return false
        }
        return rule.sources.contains { matches($0, flow.source, context: context) }
            && rule.destinations.contains { matches($0, flow.destination, context: context) }
    }

    /// The deciding rule of one NSG: user rules and the six defaults, lowest priority number first.
    func decide(_ group: SecurityGroup, _ direction: Direction, _ flow: Flow, context: VirtualNetwork?) -> SecurityRule
    {
        let all = (group.rules + SecurityGroup.defaultRules).filter { $0.direction == direction }
        var best: SecurityRule?
        for rule in all where ruleMatches(rule, flow, context: context) {
            if best == nil || rule.priority < best!.priority { best = rule }
        }
        return best!
    }

    struct Side {
        var vnet: VirtualNetwork?
        var subnetGroup: SecurityGroup?
        var nicGroup: SecurityGroup?
        var privateAddress: IPv4Address
    }

    func side(_ address: IPv4Address) -> Side? {
        for nic in network.interfaces {
            for config in nic.ipConfigurations where config.privateAddress == address {
                let subnet = network.subnets.first { $0.id == config.subnet }
                return Side(
                    vnet: subnet.flatMap { s in network.virtualNetworks.first { $0.id == s.virtualNetwork } },
                    subnetGroup: subnet?.securityGroup.flatMap { id in network.securityGroups.first { $0.id == id } },
                    nicGroup: nic.securityGroup.flatMap { id in network.securityGroups.first { $0.id == id } },
                    privateAddress: address)
            }
        }
        guard let v = vnet(of: address) else { return nil }
        let subnet = network.subnets.first { s in
            s.virtualNetwork == v.id && s.prefixes.contains { $0.contains(address) }
        }
        return Side(
            vnet: v, subnetGroup: subnet?.securityGroup.flatMap { id in network.securityGroups.first { $0.id == id } },
            nicGroup: nil, privateAddress: address)
    }

    func publicSide(_ address: IPv4Address) -> Side? {
        for pip in network.publicIPs where pip.address == address {
            for nic in network.interfaces {
                for config in nic.ipConfigurations where config.publicIP == pip.id {
                    if let address = config.privateAddress { return side(address) }
                }
            }
        }
        return nil
    }

    /// Verdict and `nsg/rule` names in evaluation order. Flows from inside to a public IP of the
    /// topology (hairpin) are left out of the random tests.
    func verify(_ flow: Flow) -> (Verdict, [String]) {
        var names: [String] = []
        let source = side(flow.source)
        var destination = side(flow.destination)
        var translated = flow
        var viaPublic = false
        if destination == nil, let pub = publicSide(flow.destination) {
            destination = pub
            translated.destination = pub.privateAddress
            viaPublic = true
        }
        func run(_ groups: [SecurityGroup?], _ direction: Direction, _ f: Flow, _ context: VirtualNetwork?) -> Bool {
            for group in groups.compactMap({ $0 }) {
                let rule = decide(group, direction, f, context: context)
                names.append("\(group.name)/\(rule.name)")
                if rule.access == .deny { return false }
            }
            return true
        }
        if let source {
            if let d = destination, !viaPublic, let sv = source.vnet, let dv = d.vnet, !connected(sv, dv) {
                return (.unroutable, [])
            }
            guard run([source.nicGroup, source.subnetGroup], .outbound, flow, source.vnet) else {
                return (.denied, names)
            }
            guard let d = destination else { return (.allowed, names) }
            let ok = run([d.subnetGroup, d.nicGroup], .inbound, translated, d.vnet)
            return (ok ? .allowed : .denied, names)
        }
        guard viaPublic, let d = destination else { return (.unroutable, []) }
        let ok = run([d.subnetGroup, d.nicGroup], .inbound, translated, d.vnet)
        return (ok ? .allowed : .denied, names)
    }
}
