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

    /// Azure ("Virtual network service tags"): `VirtualNetwork` is the VNet's address space, its
    /// connected peers' and "address prefixes used on user-defined routes": those of the route
    /// table on the subnet being filtered (`routes`). `Internet` stays everything outside the
    /// VNet and its peers.
    func inVirtualNetworkTag(_ address: IPv4Address, context: VirtualNetwork?, routes: RouteTable? = nil) -> Bool {
        guard let context else { return false }
        if let routes, routes.routes.contains(where: { $0.addressPrefix.contains(address) }) { return true }
        return network.virtualNetworks.contains { v in
            connected(context, v) && v.addressSpace.contains { $0.contains(address) }
        }
    }

    func matches(_ match: AddressMatch, _ address: IPv4Address, context: VirtualNetwork?, routes: RouteTable? = nil)
        -> Bool
    {
        switch match {
        case .any: return true
        case .prefix(let p): return p.contains(address)
        case .serviceTag(let tag):
            switch tag.lowercased() {
            case "virtualnetwork": return inVirtualNetworkTag(address, context: context, routes: routes)
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

    func ruleMatches(_ rule: SecurityRule, _ flow: Flow, context: VirtualNetwork?, routes: RouteTable? = nil) -> Bool {
        if rule.protocol != .any && rule.protocol.rawValue.lowercased() != flow.protocol.rawValue { return false }
        if flow.protocol == .tcp || flow.protocol == .udp {
            if !rule.destinationPorts.contains(where: { $0.contains(flow.destinationPort) }) { return false }
            if !rule.sourcePorts.contains(where: { $0.contains(flow.sourcePort) }) { return false }
        } else if !(Self.coversAllPorts(rule.destinationPorts) && Self.coversAllPorts(rule.sourcePorts)) {
            // Port-less protocols match only rules whose port ranges together cover every port.
            return false
        }
        return rule.sources.contains { matches($0, flow.source, context: context, routes: routes) }
            && rule.destinations.contains { matches($0, flow.destination, context: context, routes: routes) }
    }

    /// The deciding rule of one NSG: user rules and the six defaults, lowest priority number first.
    func decide(
        _ group: SecurityGroup, _ direction: Direction, _ flow: Flow, context: VirtualNetwork?,
        routes: RouteTable? = nil
    ) -> SecurityRule {
        let all = (group.rules + SecurityGroup.defaultRules).filter { $0.direction == direction }
        var best: SecurityRule?
        for rule in all where ruleMatches(rule, flow, context: context, routes: routes) {
            if best == nil || rule.priority < best!.priority { best = rule }
        }
        return best!
    }

    struct Side {
        var vnet: VirtualNetwork?
        var subnetGroup: SecurityGroup?
        var nicGroup: SecurityGroup?
        var privateAddress: IPv4Address
        /// The route table of the subnet: its routes widen `VirtualNetwork` for the NSGs here.
        var routeTable: RouteTable? = nil
    }

    func routeTable(of subnet: Subnet?) -> RouteTable? {
        subnet?.routeTable.flatMap { id in network.routeTables.first { $0.id == id } }
    }

    func side(_ address: IPv4Address) -> Side? {
        for nic in network.interfaces {
            for config in nic.ipConfigurations where config.privateAddress == address {
                let subnet = network.subnets.first { $0.id == config.subnet }
                return Side(
                    vnet: subnet.flatMap { s in network.virtualNetworks.first { $0.id == s.virtualNetwork } },
                    subnetGroup: subnet?.securityGroup.flatMap { id in network.securityGroups.first { $0.id == id } },
                    nicGroup: nic.securityGroup.flatMap { id in network.securityGroups.first { $0.id == id } },
                    privateAddress: address, routeTable: routeTable(of: subnet))
            }
        }
        guard let v = vnet(of: address) else { return nil }
        let subnet = network.subnets.first { s in
            s.virtualNetwork == v.id && s.prefixes.contains { $0.contains(address) }
        }
        return Side(
            vnet: v, subnetGroup: subnet?.securityGroup.flatMap { id in network.securityGroups.first { $0.id == id } },
            nicGroup: nil, privateAddress: address, routeTable: routeTable(of: subnet))
    }

    /// One way in through a public address, as Azure documents it: a NIC's public IP (every
    /// protocol and port, untranslated); a load balancer's rule (frontend port → every backend pool
    /// member on the backend port; port 0 is every port) or inbound NAT rule (one frontend port →
    /// one IP configuration); an application gateway listener (TCP, listener port → the pool on the
    /// HTTP settings' port, the backend seeing the gateway's own address, the gateway's subnet NSG
    /// judging the request first). Standard SKU (public IP or load balancer): nothing gets in
    /// unless an NSG on the path allows it.
    struct Door {
        var backend: IPv4Address
        var port: Int
        var seenSource: IPv4Address?
        var front: Side?
        var standard: Bool
        /// An internal door's `resource/rule` name, as `decidedBy` lists it after the source's NSGs.
        var rule: String? = nil
    }

    /// Internal doors on a private address, from Azure's load balancer documentation ("an internal
    /// load balancer distributes traffic to the backend pool from inside the virtual network";
    /// the load balancer does not translate the source; HA ports, protocol All and port 0, forward
    /// every TCP and UDP port untranslated; a Standard internal load balancer admits traffic from its
    /// VNet with no NSG) and the application gateway's ("a private frontend IP ... listeners on it
    /// serve clients in the virtual network"): every door whose frontend is `flow.destination` and
    /// that forwards its protocol and port. Nil when no private frontend has that address, or a
    /// NIC does.
    func internalDoors(_ flow: Flow) -> [Door]? {
        let nicHolds = network.interfaces.contains { nic in
            nic.ipConfigurations.contains { $0.privateAddress == flow.destination }
        }
        if nicHolds { return nil }
        var found = false
        var result: [Door] = []
        let withPorts = flow.protocol == .tcp || flow.protocol == .udp
        func forwards(_ p: DoorProtocol) -> Bool {
            p == .all ? withPorts : p.rawValue.lowercased() == flow.protocol.rawValue
        }
        for lb in network.loadBalancers {
            func isHere(_ frontend: ResourceID?) -> Bool {
                guard let fe = lb.frontends.first(where: { $0.id == frontend }) else { return false }
                return fe.publicIP == nil && fe.privateAddress == flow.destination
            }
            for rule in lb.rules where isHere(rule.frontend) {
                found = true
                guard forwards(rule.protocol), rule.frontendPort == 0 || rule.frontendPort == flow.destinationPort
                else { continue }
                for poolID in rule.backendPools {
                    let listed = lb.backendPools.first { $0.id == poolID }?.members ?? []
                    for a in configurations(naming: poolID, listed: listed) {
                        let port = rule.frontendPort == 0 ? flow.destinationPort : rule.backendPort
                        result.append(
                            Door(backend: a, port: port, front: nil, standard: false, rule: "\(lb.name)/\(rule.name)"))
                    }
                }
            }
            for rule in lb.natRules where isHere(rule.frontend) {
                found = true
                guard forwards(rule.protocol), rule.frontendPorts.contains(flow.destinationPort),
                    rule.backendPool == nil
                else { continue }
                var listed: [BackendTarget] = []
                if let b = rule.backend { listed.append(b) }
                for a in configurations(naming: rule.id, listed: listed) {
                    result.append(
                        Door(
                            backend: a, port: rule.backendPort, front: nil, standard: false,
                            rule: "\(lb.name)/\(rule.name)"))
                }
            }
        }
        for gateway in network.applicationGateways {
            let subnet = network.subnets.first { $0.id == gateway.subnet }
            let instance = subnet?.prefixes.first.map { IPv4Address($0.network.value + 4) }
            for route in gateway.routes {
                guard let listener = gateway.listeners.first(where: { $0.id == route.listener }),
                    let fe = gateway.frontends.first(where: { $0.id == listener.frontend }), fe.publicIP == nil,
                    fe.privateAddress == flow.destination
                else { continue }
                found = true
                guard flow.protocol == .tcp, listener.port == flow.destinationPort, let poolID = route.backendPool
                else { continue }
                let listed = gateway.backendPools.first { $0.id == poolID }?.members ?? []
                let front = instance.map { address in
                    Side(
                        vnet: network.virtualNetworks.first { $0.id == subnet?.virtualNetwork },
                        subnetGroup: subnet?.securityGroup.flatMap { id in network.securityGroups.first { $0.id == id }
                        },
                        nicGroup: nil, privateAddress: address)
                }
                for a in configurations(naming: poolID, listed: listed) {
                    result.append(
                        Door(
                            backend: a, port: route.backendPort, seenSource: instance, front: front, standard: false,
                            rule: "\(gateway.name)/\(route.name)"))
                }
            }
        }
        return found ? result : nil
    }

    func configurations(naming pool: ResourceID, listed: [BackendTarget]) -> [IPv4Address] {
        var result: [IPv4Address] = []
        for member in listed {
            switch member {
            case .address(let a): result.append(a)
            case .ipConfiguration(let id):
                for nic in network.interfaces {
                    for config in nic.ipConfigurations
                    where (nic.id.text + "/ipConfigurations/" + config.name).lowercased() == id.key {
                        if let a = config.privateAddress { result.append(a) }
                    }
                }
            }
        }
        for nic in network.interfaces {
            for config in nic.ipConfigurations where config.backendPools.contains(pool) {
                if let a = config.privateAddress { result.append(a) }
            }
        }
        var seen: Set<IPv4Address> = []
        return result.filter { seen.insert($0).inserted }
    }

    /// Every door on `flow.destination` that forwards its protocol and port; nil when the address
    /// is no door's.
    func doors(_ flow: Flow) -> [Door]? {
        var found = false
        var result: [Door] = []
        let withPorts = flow.protocol == .tcp || flow.protocol == .udp
        for nic in network.interfaces {
            for config in nic.ipConfigurations {
                guard let pipID = config.publicIP, let pip = network.publicIP(pipID), pip.address == flow.destination,
                    let a = config.privateAddress
                else { continue }
                found = true
                result.append(Door(backend: a, port: flow.destinationPort, front: nil, standard: pip.sku == .standard))
            }
        }
        func forwards(_ p: DoorProtocol) -> Bool {
            p == .all ? withPorts : p.rawValue.lowercased() == flow.protocol.rawValue
        }
        for lb in network.loadBalancers {
            func standard(_ frontend: ResourceID?) -> Bool? {
                guard let fe = lb.frontends.first(where: { $0.id == frontend }), let pipID = fe.publicIP,
                    let pip = network.publicIP(pipID), pip.address == flow.destination
                else { return nil }
                return lb.sku == .standard || pip.sku == .standard
            }
            for rule in lb.rules {
                guard let std = standard(rule.frontend) else { continue }
                found = true
                guard forwards(rule.protocol), rule.frontendPort == 0 || rule.frontendPort == flow.destinationPort
                else { continue }
                for poolID in rule.backendPools {
                    let listed = lb.backendPools.first { $0.id == poolID }?.members ?? []
                    for a in configurations(naming: poolID, listed: listed) {
                        let port = rule.frontendPort == 0 ? flow.destinationPort : rule.backendPort
                        result.append(Door(backend: a, port: port, front: nil, standard: std))
                    }
                }
            }
            for rule in lb.natRules {
                guard let std = standard(rule.frontend) else { continue }
                found = true
                guard forwards(rule.protocol), rule.frontendPorts.contains(flow.destinationPort),
                    rule.backendPool == nil
                else { continue }
                var listed: [BackendTarget] = []
                if let b = rule.backend { listed.append(b) }
                for a in configurations(naming: rule.id, listed: listed) {
                    result.append(Door(backend: a, port: rule.backendPort, front: nil, standard: std))
                }
            }
        }
        for gateway in network.applicationGateways {
            let subnet = network.subnets.first { $0.id == gateway.subnet }
            // The gateway's instances: the subnet's fifth address, the first Azure hands out.
            let instance = subnet?.prefixes.first.map { IPv4Address($0.network.value + 4) }
            for route in gateway.routes {
                guard let listener = gateway.listeners.first(where: { $0.id == route.listener }),
                    let fe = gateway.frontends.first(where: { $0.id == listener.frontend }), let pipID = fe.publicIP,
                    network.publicIP(pipID)?.address == flow.destination
                else { continue }
                found = true
                guard flow.protocol == .tcp, listener.port == flow.destinationPort, let poolID = route.backendPool
                else { continue }
                let listed = gateway.backendPools.first { $0.id == poolID }?.members ?? []
                let front = instance.map { address in
                    Side(
                        vnet: network.virtualNetworks.first { $0.id == subnet?.virtualNetwork },
                        subnetGroup: subnet?.securityGroup.flatMap { id in network.securityGroups.first { $0.id == id }
                        },
                        nicGroup: nil, privateAddress: address, routeTable: routeTable(of: subnet))
                }
                for a in configurations(naming: poolID, listed: listed) {
                    result.append(
                        Door(backend: a, port: route.backendPort, seenSource: instance, front: front, standard: false))
                }
            }
        }
        return found ? result : nil
    }

    /// Verdict and `nsg/rule` names in evaluation order. Flows from inside to a public IP of the
    /// topology (hairpin) are left out of the random tests. Through a door with several backends,
    /// the first backend that admits the flow decides, else the first that refuses it.
    func verify(_ flow: Flow) -> (Verdict, [String]) {
        if let source = side(flow.source), source.vnet != nil, let doors = internalDoors(flow) {
            var first: (Verdict, [String])?
            for door in doors {
                let result = verify(flow, through: door)
                if result.0 == .allowed { return result }
                if first == nil { first = result }
            }
            return first ?? (.unroutable, [])
        }
        if side(flow.destination) == nil, let doors = doors(flow) {
            var first: (Verdict, [String])?
            for door in doors {
                let result = verify(flow, through: door)
                if result.0 == .allowed { return result }
                if first == nil { first = result }
            }
            return first ?? (.unroutable, [])
        }
        return verifyDirect(flow)
    }

    /// The backends a flow from inside to a private frontend reaches, each through the door that admits it.
    func internalAdmittingBackends(_ flow: Flow) -> [IPv4Address] {
        guard let source = side(flow.source), source.vnet != nil, let doors = internalDoors(flow) else { return [] }
        return doors.filter { verify(flow, through: $0).0 == .allowed }.map(\.backend)
    }

    /// The backends a flow to a public address reaches, each through the door that admits it.
    func admittingBackends(_ flow: Flow) -> [IPv4Address] {
        guard side(flow.destination) == nil, let doors = doors(flow) else { return [] }
        return doors.filter { verify(flow, through: $0).0 == .allowed }.map(\.backend)
    }

    func run(
        _ groups: [SecurityGroup?], _ direction: Direction, _ f: Flow, _ side: Side, _ names: inout [String]
    )
        -> Bool
    {
        for group in groups.compactMap({ $0 }) {
            let rule = decide(group, direction, f, context: side.vnet, routes: side.routeTable)
            names.append("\(group.name)/\(rule.name)")
            if rule.access == .deny { return false }
        }
        return true
    }

    func verify(_ flow: Flow, through door: Door) -> (Verdict, [String]) {
        var names: [String] = []
        guard let destination = side(door.backend), destination.vnet != nil else { return (.unroutable, []) }
        if let source = side(flow.source) {
            if door.rule != nil, let sv = source.vnet, let dv = destination.vnet, !connected(sv, dv) {
                return (.unroutable, [])
            }
            guard run([source.nicGroup, source.subnetGroup], .outbound, flow, source, &names) else {
                return (.denied, names)
            }
        }
        if let rule = door.rule { names.append(rule) }
        if let front = door.front {
            var f = flow
            f.destination = front.privateAddress
            guard run([front.subnetGroup], .inbound, f, front, &names) else { return (.denied, names) }
        }
        var translated = flow
        translated.destination = door.backend
        translated.destinationPort = door.port
        if let seen = door.seenSource { translated.source = seen }
        let groups = [destination.subnetGroup, destination.nicGroup]
        if door.standard && groups.allSatisfy({ $0 == nil }) { return (.denied, names) }
        let ok = run(groups, .inbound, translated, destination, &names)
        guard ok else { return (.denied, names) }
        return answer(from: destination, to: translated.source, passed: [], &names)
    }

    func verifyDirect(_ flow: Flow) -> (Verdict, [String]) {
        var names: [String] = []
        let source = side(flow.source)
        let destination = side(flow.destination)
        if let source {
            if let d = destination, let sv = source.vnet, let dv = d.vnet, !connected(sv, dv) {
                return (.unroutable, [])
            }
            guard run([source.nicGroup, source.subnetGroup], .outbound, flow, source, &names) else {
                return (.denied, names)
            }
            guard let d = destination else { return (.allowed, names) }
            let ok = run([d.subnetGroup, d.nicGroup], .inbound, flow, d, &names)
            guard ok else { return (.denied, names) }
            return answer(from: d, to: flow.source, passed: [], &names)
        }
        return (.unroutable, [])
    }
}

/// Routes and Azure Firewalls, read as naively as the NSG part above, from Azure's documentation
/// ("Virtual network traffic routing": a route table's routes and the system routes compete by
/// longest prefix, a user route winning a tie; "Azure Firewall rule processing logic": DNAT rules
/// first, then network rules, then application rules, each kind by collection group priority then
/// collection priority, a parent policy's rules before the child's; nothing matching is denied;
/// "Azure Firewall NAT behaviors": DNAT to a private address arrives from the firewall's subnet;
/// "Virtual network peering": a VNet takes traffic an appliance forwarded from a peer only when its
/// peering says `allowForwardedTraffic`). No segments, boxes or caches: every route and rule is
/// matched against the one flow.
extension BruteForceEvaluator {
    func subnet(_ id: ResourceID?) -> Subnet? { id.flatMap { i in network.subnets.first { $0.id == i } } }

    func vnetOf(_ subnet: Subnet?) -> VirtualNetwork? {
        subnet.flatMap { s in network.virtualNetworks.first { $0.id == s.virtualNetwork } }
    }

    /// The NIC configuration holding a private address: its subnet.
    func subnetHolding(_ address: IPv4Address) -> Subnet? {
        for nic in network.interfaces {
            for c in nic.ipConfigurations where c.privateAddress == address { return subnet(c.subnet) }
        }
        return network.subnets.first { $0.prefixes.contains { $0.contains(address) } }
    }

    enum Hop {
        case direct, internet, drop, gateway
        case appliance(IPv4Address)
    }

    /// The route Azure picks leaving `subnet` for `destination`, and its `table/route` name if a user route.
    func pickRoute(from subnet: Subnet?, in vnet: VirtualNetwork, to destination: IPv4Address) -> (Hop, String?) {
        var best: (length: Int, hop: Hop, name: String?) = (0, .internet, nil)
        for v in network.virtualNetworks where connected(vnet, v) {
            for p in v.addressSpace where p.contains(destination) && p.length > best.length {
                best = (p.length, .direct, nil)
            }
        }
        if let table = subnet?.routeTable.flatMap({ id in network.routeTables.first { $0.id == id } }) {
            for route in table.routes where route.addressPrefix.contains(destination) {
                let better =
                    route.addressPrefix.length > best.length
                    || (route.addressPrefix.length == best.length && best.name == nil)
                guard better else { continue }
                let hop: Hop
                switch route.nextHopType {
                case .vnetLocal: hop = .direct
                case .internet: hop = .internet
                case .none: hop = .drop
                case .virtualNetworkGateway: hop = .gateway
                case .virtualAppliance: hop = route.nextHopAddress.map { .appliance($0) } ?? .drop
                }
                best = (route.addressPrefix.length, hop, "\(table.name)/\(route.name)")
            }
        }
        return (best.hop, best.name)
    }

    /// The answer of an allowed flow. NSGs are stateful, so only its route matters: it leaves the
    /// destination's subnet for `source` by that subnet's routes. An Azure Firewall there that the
    /// opening did not pass holds no session for it and drops it (Azure Firewall documentation,
    /// "asymmetric routing": a subnet whose default route points at the firewall breaks inbound
    /// connections that bypass it); any other next hop lets it back (an appliance could forward).
    func answer(from d: Side, to source: IPv4Address, passed: [IPv4Address], _ names: inout [String])
        -> (Verdict, [String])
    {
        guard let v = d.vnet, let subnet = subnetHolding(d.privateAddress), d.routeTable != nil else {
            return (.allowed, names)
        }
        let (hop, routeName) = pickRoute(from: subnet, in: v, to: source)
        guard case .appliance(let a) = hop, let routeName, !passed.contains(a),
            let fw = network.firewalls.first(where: { $0.privateAddress == a })
        else { return (.allowed, names) }
        names += [routeName, "\(fw.name)/answer without a session (asymmetric route)"]
        return (.denied, names)
    }

    /// A firewall's rules in processing order, with their kind, action and collection.
    func firewallRules(_ fw: AzureFirewall) -> [(kind: FirewallRuleKind, action: FirewallAction, rule: FirewallRule)] {
        var entries: [(kind: Int, depth: Int, group: Int, collection: Int, order: Int, FirewallAction, FirewallRule)] =
            []
        var order = 0
        func add(_ c: FirewallRuleCollection, depth: Int, group: Int) {
            for r in c.rules {
                let kind = FirewallRuleKind.allCases.firstIndex(of: c.kind)!
                entries.append((kind, depth, group, c.priority, order, c.action, r))
                order += 1
            }
        }
        for c in fw.collections { add(c, depth: Int.min, group: 0) }
        var policies: [FirewallPolicy] = []
        var next = fw.policy
        while let id = next, let p = network.firewallPolicies.first(where: { $0.id == id }),
            !policies.contains(where: { $0.id == id })
        {
            policies.append(p)
            next = p.basePolicy
        }
        for (depth, p) in policies.enumerated() {
            for g in p.groups { for c in g.collections { add(c, depth: -depth, group: g.priority) } }
        }
        entries.sort { ($0.0, $0.1, $0.2, $0.3, $0.4) < ($1.0, $1.1, $1.2, $1.3, $1.4) }
        return entries.map { (FirewallRuleKind.allCases[$0.0], $0.5, $0.6) }
    }

    func firewallMatches(_ rule: FirewallRule, _ flow: Flow, context: VirtualNetwork?) -> Bool {
        guard rule.protocols.contains(where: { $0 == .any || $0.rawValue.lowercased() == flow.protocol.rawValue })
        else {
            return false
        }
        if flow.protocol.hasPorts {
            guard rule.destinationPorts.contains(where: { $0.contains(flow.destinationPort) }) else { return false }
        } else if !Self.coversAllPorts(rule.destinationPorts) {
            return false
        }
        return rule.sources.contains { matches($0, flow.source, context: context) }
            && rule.destinations.contains { matches($0, flow.destination, context: context) }
    }

    func firewallVNet(_ fw: AzureFirewall) -> VirtualNetwork? {
        vnetOf(subnet(fw.subnet)) ?? fw.privateAddress.flatMap { vnet(of: $0) }
    }

    /// Verdict and decision names (`nsg/rule`, `table/route`, `firewall/rule`) for one flow, routes
    /// and firewalls included. Hairpin flows are left out, as above.
    func verifyRouted(_ flow: Flow) -> (Verdict, [String]) {
        var names: [String] = []
        func run(_ groups: [SecurityGroup?], _ direction: Direction, _ f: Flow, _ side: Side) -> Bool {
            for group in groups.compactMap({ $0 }) {
                let rule = decide(group, direction, f, context: side.vnet, routes: side.routeTable)
                names.append("\(group.name)/\(rule.name)")
                if rule.access == .deny { return false }
            }
            return true
        }
        // DNAT on a firewall's public address.
        let firewallPublic = network.firewalls.first { fw in
            fw.publicIPs.contains { id in network.publicIPs.first { $0.id == id }?.address == flow.destination }
        }
        if let fw = firewallPublic, side(flow.destination) == nil {
            let rule = firewallRules(fw).first {
                $0.kind == .dnat && firewallMatches($0.rule, flow, context: firewallVNet(fw))
            }
            guard let rule, let target = rule.rule.translatedAddress, let own = fw.privateAddress else {
                return (.denied, ["\(fw.name)/no DNAT rule matched"])
            }
            names.append("\(fw.name)/\(rule.rule.name)")
            var translated = flow
            translated.source = own
            translated.destination = target
            translated.destinationPort = rule.rule.translatedPort ?? flow.destinationPort
            guard let d = side(target) else { return (.allowed, names) }
            return carry(
                translated, from: subnet(fw.subnet), in: firewallVNet(fw)!, visited: [own], destination: d, &names)
        }
        guard let source = side(flow.source), let sv = source.vnet,
            subnetHolding(flow.source)?.routeTable != nil
        else { return verify(flow) }
        guard run([source.nicGroup, source.subnetGroup], .outbound, flow, source) else { return (.denied, names) }
        return carry(
            flow, from: subnetHolding(flow.source), in: sv, visited: [], destination: side(flow.destination), &names)
    }

    /// Follows the routes from a subnet, through firewalls and appliances, to the destination's NSGs.
    func carry(
        _ flow: Flow, from start: Subnet?, in startVNet: VirtualNetwork, visited passed: [IPv4Address],
        destination: Side?, _ names: inout [String]
    ) -> (Verdict, [String]) {
        var here = start
        var vnet = startVNet
        var forwardedFrom: VirtualNetwork?
        var visited = passed
        func run(_ groups: [SecurityGroup?], _ f: Flow, _ side: Side) -> Bool {
            for group in groups.compactMap({ $0 }) {
                let rule = decide(group, .inbound, f, context: side.vnet, routes: side.routeTable)
                names.append("\(group.name)/\(rule.name)")
                if rule.access == .deny { return false }
            }
            return true
        }
        func deliver() -> (Verdict, [String]) {
            guard let d = destination else { return (.allowed, names) }
            var inbound = flow
            inbound.destination = d.privateAddress
            guard run([d.subnetGroup, d.nicGroup], inbound, d) else { return (.denied, names) }
            return answer(from: d, to: flow.source, passed: visited, &names)
        }
        for _ in 0..<9 {
            let (hop, routeName) = pickRoute(from: here, in: vnet, to: flow.destination)
            if let routeName { names.append(routeName) }
            switch hop {
            case .drop: return (.denied, names)
            case .gateway: return (destination == nil ? .allowed : .unroutable, names)
            case .internet: return destination == nil ? (.allowed, names) : (.unroutable, names)
            case .direct:
                let inReach = network.virtualNetworks.contains { v in
                    connected(vnet, v) && v.addressSpace.contains { $0.contains(flow.destination) }
                }
                guard inReach else { return (.unroutable, names) }
                if let from = forwardedFrom, let dv = destination?.vnet, dv.id != from.id {
                    let back = dv.peerings.first { $0.remoteNetwork == from.id }
                    if back?.allowForwardedTraffic == false { return (.unroutable, names) }
                }
                return deliver()
            case .appliance(let address):
                if visited.contains(address) { return deliver() }
                visited.append(address)
                if let fw = network.firewalls.first(where: { $0.privateAddress == address }) {
                    guard let fv = firewallVNet(fw), connected(vnet, fv) else { return (.unroutable, names) }
                    let rules = firewallRules(fw).filter { $0.kind != .dnat }
                    let hit = rules.first { entry in
                        !(entry.action == .deny && !entry.rule.unresolved.isEmpty)
                            && firewallMatches(entry.rule, flow, context: fv)
                    }
                    guard let hit, hit.action != .deny else {
                        names.append(
                            "\(fw.name)/\(hit?.rule.name ?? "no rule matched (Azure Firewall denies by default)")")
                        return (.denied, names)
                    }
                    names.append("\(fw.name)/\(hit.rule.name)")
                    here = subnet(fw.subnet)
                    vnet = fv
                    forwardedFrom = fv
                } else if let holder = subnetHolding(address), let hv = vnetOf(holder) {
                    guard connected(vnet, hv) else { return (.unroutable, names) }
                    here = holder
                    vnet = hv
                    forwardedFrom = hv
                } else {
                    return deliver()
                }
            }
        }
        return deliver()
    }
}
