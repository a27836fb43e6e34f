/// The offline twin of Network Watcher's IP flow verify: one concrete flow, every NSG on its way in
/// Azure's order (source NIC then source subnet outbound, destination subnet then destination NIC
/// inbound), first match by priority at each.
extension CompiledNetwork {
    /// Where an address sits: a NIC configuration, a bare address in a subnet, or outside every VNet.
    struct Place {
        var endpoint: Int?
        var subnet: Int?
        var vnet: Int?
        var address: UInt32

        var isInternal: Bool { vnet != nil }
    }

    func place(of address: UInt32) -> Place {
        if let e = endpointByPrivate[address] {
            let endpoint = endpoints[e]
            return Place(endpoint: e, subnet: endpoint.subnet, vnet: endpoint.virtualNetwork, address: address)
        }
        guard let vnet = virtualNetwork(containing: address) else {
            return Place(endpoint: nil, subnet: nil, vnet: nil, address: address)
        }
        let subnet = self.subnet(containing: address).flatMap {
            subnetVNetIndex[$0] == vnet ? $0 : nil
        }
        return Place(endpoint: nil, subnet: subnet, vnet: vnet, address: address)
    }

    /// The NSGs filtering traffic leaving (outbound) or entering (inbound) a place, in Azure's order.
    func levels(_ place: Place, _ direction: Direction) -> [Int] {
        let subnetNSG = place.subnet.flatMap { subnetSecurityGroupIndex[$0] }
        let nicNSG = place.endpoint.flatMap { endpoints[$0].interfaceSecurityGroup }
        switch direction {
        case .outbound: return [nicNSG, subnetNSG].compactMap { $0 }
        case .inbound: return [subnetNSG, nicNSG].compactMap { $0 }
        }
    }

    /// Runs `flow` through the NSGs of one side; appends decisions; false when one denies.
    func pass(_ flow: Flow, through nsgs: [Int], _ direction: Direction, context: Int?, into out: inout [RuleDecision])
        -> Bool
    {
        for nsg in nsgs {
            // Every NSG ends in a deny-all default rule, so some rule always matches.
            guard let rule = decide(flow, nsg: nsg, direction: direction, context: context) else { continue }
            out.append(decision(rule.reference))
            if rule.access == .deny { return false }
        }
        return true
    }

    func verify(_ flow: Flow) -> FlowVerdict {
        let source = place(of: flow.source.value)
        let destination = place(of: flow.destination.value)
        var decisions: [RuleDecision] = []
        let note: String? = nil
        // A door (a NIC's public IP, a load balancer frontend, a gateway listener): inbound rules
        // see the translated flow (`EntryPoints.swift`).
        if !destination.isInternal, entryPointsByFrontend[flow.destination.value] != nil {
            if let e = source.endpoint, source.vnet == nil {
                let nic = network.interfaces[endpoints[e].interface].name
                return FlowVerdict(
                    verdict: .unroutable, decidedBy: [],
                    note: "network interface '\(nic)' has no subnet in the input, so nothing routes to or from it")
            }
            return verifyThroughDoors(flow, source: source)
        }
        for side in [source, destination] where side.endpoint != nil && side.vnet == nil {
            let nic = network.interfaces[endpoints[side.endpoint!].interface].name
            return FlowVerdict(
                verdict: .unroutable, decidedBy: [],
                note: "network interface '\(nic)' has no subnet in the input, so nothing routes to or from it")
        }
        if source.isInternal {
            if let dv = destination.vnet, let sv = source.vnet, !routes(sv, dv) {
                return FlowVerdict(
                    verdict: .unroutable, decidedBy: [],
                    note: "\(network.virtualNetworks[sv].name) and \(network.virtualNetworks[dv].name) are not peered")
            }
            // Outbound sees the destination as addressed (a public IP is an internet address).
            guard pass(flow, through: levels(source, .outbound), .outbound, context: source.vnet, into: &decisions)
            else {
                return FlowVerdict(verdict: .denied, decidedBy: decisions, note: note)
            }
            guard destination.isInternal else {
                return FlowVerdict(verdict: .allowed, decidedBy: decisions, note: note)
            }
            var inbound = flow
            inbound.destination = IPv4Address(destination.address)
            let allowed = pass(
                inbound, through: levels(destination, .inbound), .inbound, context: destination.vnet, into: &decisions)
            return FlowVerdict(verdict: allowed ? .allowed : .denied, decidedBy: decisions, note: note)
        }
        // From the internet only a door (a public IP, a load balancer, a gateway) is reachable.
        let why =
            destination.isInternal
            ? "\(flow.destination) is a private address; the internet reaches a VNet only through a public IP"
            : "neither address is in the topology"
        return FlowVerdict(verdict: .unroutable, decidedBy: [], note: why)
    }
}
