/// The offline twin of Network Watcher's IP flow verify: one concrete flow, every NSG on its way in
/// Azure's order (source NIC then source subnet outbound, destination subnet then destination NIC
/// inbound), first match by priority at each.
extension CompiledNetwork {
    /// Where an address sits: a NIC configuration, a bare address in a subnet, or outside every VNet.
    struct Place {
        var endpoint: Int?
        var subnet: Int?
        var vnet: Int?
        var address: UInt128

        var isInternal: Bool { vnet != nil }
    }

    func place(of address: UInt128) -> Place {
        if let e = endpointByPrivate[address] {
            return Place(endpoint: e, subnet: endpoints[e].subnet, vnet: endpoints[e].virtualNetwork, address: address)
        }
        guard let vnet = virtualNetwork(containing: address) else {
            return Place(endpoint: nil, subnet: nil, vnet: nil, address: address)
        }
        let subnet = self.subnet(containing: address).flatMap {
            subnetVNetIndex[$0] == vnet ? $0 : nil
        }
        return Place(endpoint: nil, subnet: subnet, vnet: vnet, address: address)
    }

    /// The sources whose answers an Azure Firewall drops on their way back from endpoint `e`.
    func answerDropped(_ e: Int) -> IntervalSet {
        let endpoint = endpoints[e]
        guard !routing.isEmpty else { return IntervalSet() }
        return routing.answerDroppedSources(
            subnet: endpoint.subnet, vnet: endpoint.virtualNetwork, address: endpoint.address)
    }

    /// The tag context the NSGs of a place are compiled in.
    func tagContext(of place: Place) -> Int? { tagContext(subnet: place.subnet, vnet: place.vnet) }

    /// The NSGs filtering traffic leaving (outbound) or entering (inbound) a place, in Azure's order.
    func levels(_ place: Place, _ direction: Direction) -> Levels {
        let subnetNSG = place.subnet.flatMap { subnetSecurityGroupIndex[$0] }
        let nicNSG = place.endpoint.flatMap { endpoints[$0].interfaceSecurityGroup }
        switch direction {
        case .outbound: return Levels(first: nicNSG, second: subnetNSG)
        case .inbound: return Levels(first: subnetNSG, second: nicNSG)
        }
    }

    /// At most two NSGs (NIC and subnet) in evaluation order, without an array per flow.
    struct Levels: Sequence, IteratorProtocol {
        var first: Int?
        var second: Int?

        var isEmpty: Bool { first == nil && second == nil }

        mutating func next() -> Int? {
            if let f = first {
                first = nil
                return f
            }
            defer { second = nil }
            return second
        }
    }

    /// Runs `flow` through the NSGs of one side; appends decisions; false when one denies.
    func pass(_ flow: Flow, through nsgs: Levels, _ direction: Direction, context: Int?, into out: inout [RuleDecision])
        -> Bool
    {
        for nsg in nsgs {
            // Every NSG ends in a deny-all default rule, so some rule always matches.
            guard let rule = decide(flow, nsg: nsg, direction: direction, context: context) else { continue }
            out.append(rule.decision)
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
        // A private frontend (an internal load balancer, a gateway's private listener): its rule
        // translates the flow to the backends (`EntryPoints.swift`).
        if destination.isInternal, destination.endpoint == nil, !internalDoorsByFrontend.isEmpty,
            let verdict = verifyThroughInternalDoors(flow, source: source)
        {
            return verdict
        }
        // A firewall's public IP: its DNAT rules decide (`RoutesAndFirewalls.swift`).
        if !destination.isInternal, !routing.dnatRules.isEmpty,
            let verdict = verifyThroughDNAT(flow, from: source)
        {
            return verdict
        }
        if source.isInternal, let sv = source.vnet, routing.reroutes(subnet: source.subnet) {
            // The source subnet has a route table: its routes, and the firewalls they name, decide.
            guard
                pass(
                    flow, through: levels(source, .outbound), .outbound, context: tagContext(of: source),
                    into: &decisions)
            else {
                return FlowVerdict(verdict: .denied, decidedBy: decisions, note: note)
            }
            return routing.carry(
                flow, subnet: source.subnet, vnet: sv, destinationVNet: destination.vnet,
                destinationInternal: destination.isInternal, into: &decisions
            ) { decisions, _, passed in
                deliver(flow, to: destination, note: note, &decisions, passed: passed)
            }
        }
        if source.isInternal {
            if let dv = destination.vnet, let sv = source.vnet, !routes(sv, dv) {
                return FlowVerdict(
                    verdict: .unroutable, decidedBy: [],
                    note: "\(network.virtualNetworks[sv].name) and \(network.virtualNetworks[dv].name) are not peered")
            }
            // Outbound sees the destination as addressed (a public IP is an internet address).
            guard
                pass(
                    flow, through: levels(source, .outbound), .outbound, context: tagContext(of: source),
                    into: &decisions)
            else {
                return FlowVerdict(verdict: .denied, decidedBy: decisions, note: note)
            }
            return deliver(flow, to: destination, note: note, &decisions)
        }
        // From the internet only a door (a public IP, a load balancer, a gateway) is reachable.
        let why =
            destination.isInternal
            ? "\(flow.destination) is a private address; the internet reaches a VNet only through a public IP"
            : (outboundOnlyNote(flow.destination) ?? "neither address is in the topology")
        return FlowVerdict(verdict: .unroutable, decidedBy: [], note: why)
    }

    /// Judges a flow at its destination: the inbound NSGs of the destination's subnet and NIC, then
    /// the way its answer takes back (`judgeAnswer`), given the appliances the opening `passed`.
    func deliver(
        _ flow: Flow, to destination: Place, note: String?, _ decisions: inout [RuleDecision],
        passed: Set<UInt128> = []
    ) -> FlowVerdict {
        guard destination.isInternal else { return FlowVerdict(verdict: .allowed, decidedBy: decisions, note: note) }
        var inbound = flow
        inbound.destination = NetworkAddress(destination.address)
        let allowed = pass(
            inbound, through: levels(destination, .inbound), .inbound, context: tagContext(of: destination),
            into: &decisions)
        let verdict = FlowVerdict(verdict: allowed ? .allowed : .denied, decidedBy: decisions, note: note)
        return routing.judgeAnswer(
            verdict, from: destination.subnet, vnet: destination.vnet, replyTo: flow.source.value, passed: passed)
    }

    /// A flow to an address an Azure Firewall's DNAT rules listen on: the first DNAT rule that
    /// matches translates it (destination to the translated address and port, source to the
    /// firewall's private address, as Azure Firewall does for private destinations), and the
    /// translated flow goes on from the firewall's subnet to the NSGs at the destination. No
    /// DNAT rule matching: the firewall drops it. Nil when no firewall listens there.
    func verifyThroughDNAT(_ flow: Flow, from source: Place) -> FlowVerdict? {
        guard
            let f = routing.firewallByPublic[flow.destination.value]
                ?? routing.dnatRules.firstIndex(where: {
                    $0.contains { $0.box.destinations.contains(flow.destination.value) }
                })
        else { return nil }
        let fw = network.firewalls[f]
        guard let entry = routing.dnatRules[f].first(where: { $0.box.contains(flow) }) else {
            var d = RuleDecision(
                securityGroup: fw.id, securityGroupName: fw.name, rule: "no DNAT rule matched", direction: .inbound,
                access: .deny, priority: 65535, isDefault: false, location: fw.location)
            d.kind = .firewallRule
            d.detail = "dnat"
            return FlowVerdict(
                verdict: .denied, decidedBy: [d],
                note:
                    "\(flow.destination) is a public IP of Azure Firewall '\(fw.name)', which drops what no DNAT rule takes"
            )
        }
        var decisions = [entry.decision]
        guard let target = entry.translatedAddress else {
            return FlowVerdict(
                verdict: .allowed, decidedBy: decisions,
                note:
                    "DNAT rule '\(entry.decision.rule)' translates to an FQDN not known offline (the conservative reading)"
            )
        }
        var translated = flow
        translated.destination = NetworkAddress(target)
        translated.destinationPort = entry.translatedPort ?? flow.destinationPort
        if let own = fw.privateAddress { translated.source = own }
        var note =
            "Azure Firewall '\(fw.name)' translates \(flow.destination):\(flow.destinationPort) to \(translated.destination):\(translated.destinationPort), from \(translated.source)"
        let destination = place(of: target)
        guard let fv = routing.firewallVNet[f] else {
            return FlowVerdict(
                verdict: .unroutable, decidedBy: decisions, note: note + "; the firewall's VNet is not in the input")
        }
        if !destination.isInternal {
            note += "; the translated address is outside the estate"
            return FlowVerdict(verdict: .allowed, decidedBy: decisions, note: note)
        }
        let verdict = routing.carry(
            translated, subnet: routing.firewallSubnet[f], vnet: fv, destinationVNet: destination.vnet,
            destinationInternal: true, passed: fw.privateAddress.map { [$0.value] } ?? [], into: &decisions
        ) { decisions, _, passed in
            deliver(translated, to: destination, note: note, &decisions, passed: passed)
        }
        _ = source
        return verdict
    }
}
