import Findings

/// Routes and Azure Firewalls, compiled for the engine: which next hop a flow leaving a subnet
/// takes (system routes and user-defined routes by longest prefix match; a user route wins a tie),
/// and what a firewall on the way does with it (its rules in Azure's order, first match; nothing
/// matched: denied). Both `verify` (one flow) and the class graph (flow sets) read this, so
/// `verify-flows`, `paths` and the audit agree.
final class CompiledRouting {
    /// Where a route sends a flow.
    enum HopKind: Equatable {
        /// Within the VNet or to a connected peer, by a system route (or a `VnetLocal` user route).
        case direct
        case internet
        case drop
        case gateway
        /// An Azure Firewall (index into `network.firewalls`).
        case firewall(Int)
        /// Another appliance: a NIC (endpoint index) or an address nothing in the input holds.
        case appliance(UInt128, endpoint: Int?)
    }

    struct Choice {
        var kind: HopKind
        /// The user route that chose it (nil: a system route).
        var decision: RuleDecision?
        var isUser: Bool { decision != nil }
    }

    /// A firewall rule as a flow box, with the decision it records.
    struct FirewallEntry: FirstMatchRule {
        var box: FlowBox
        var access: Access
        var decision: RuleDecision
    }

    struct DNATEntry {
        var box: FlowBox
        var translatedAddress: UInt128?
        var translatedPort: Int?
        var decision: RuleDecision
    }

    /// At most this many appliances on one flow's way: a longer chain is a loop or close to one.
    static let maximumHops = 8

    unowned let compiled: CompiledNetwork
    private(set) var warnings: [String] = []
    /// Per subnet index: the index of its route table in `network.routeTables`.
    var tableOfSubnet: [Int?] = []
    var firewallByAddress: [UInt128: Int] = [:]
    var firewallByPublic: [UInt128: Int] = [:]
    var firewallSubnet: [Int?] = []
    var firewallVNet: [Int?] = []
    /// Network then application rules, in order, ending in the default deny.
    var filterRules: [[FirewallEntry]] = []
    var dnatRules: [[DNATEntry]] = []
    /// DNAT targets: translated address → (firewall, rule index).
    var dnatTargets: [UInt128: [(firewall: Int, rule: Int)]] = [:]
    /// Per VNet: the space that accepts traffic an appliance in that VNet forwards (its own, and
    /// connected peers whose peering towards it does not refuse forwarded traffic).
    var acceptsForwarded: [IntervalSet] = []
    /// Per VNet: VNets a flow leaving it may reach through appliances (a superset).
    var forwardReach: [Set<Int>] = []
    private var segmentCache: [Int: [(lower: UInt128, upper: UInt128, choice: Choice)]] = [:]

    var isEmpty: Bool { compiled.network.routeTables.isEmpty && compiled.network.firewalls.isEmpty }

    init(_ compiled: CompiledNetwork) {
        self.compiled = compiled
        let network = compiled.network
        var tableIndex: [ResourceID: Int] = [:]
        for (i, t) in network.routeTables.enumerated() { tableIndex[t.id] = i }
        tableOfSubnet = network.subnets.map { $0.routeTable.flatMap { tableIndex[$0] } }
        var publicAddress: [ResourceID: UInt128] = [:]
        for pip in network.publicIPs { if let a = pip.address { publicAddress[pip.id] = a.value } }
        for (f, fw) in network.firewalls.enumerated() {
            if let a = fw.privateAddress { firewallByAddress[a.value] = f }
            for pip in fw.publicIPs { if let a = publicAddress[pip] { firewallByPublic[a] = f } }
            var subnet = fw.subnet.flatMap { compiled.subnetIndex[$0] }
            if subnet == nil, let a = fw.privateAddress { subnet = compiled.subnet(containing: a.value) }
            firewallSubnet.append(subnet)
            firewallVNet.append(
                subnet.flatMap { compiled.subnetVNetIndex[$0] }
                    ?? fw.privateAddress.flatMap { compiled.virtualNetwork(containing: $0.value) })
        }
        for (f, fw) in network.firewalls.enumerated() { compileFirewall(f, fw) }
        for (f, entries) in dnatRules.enumerated() {
            for (r, entry) in entries.enumerated() {
                if let t = entry.translatedAddress { dnatTargets[t, default: []].append((f, r)) }
            }
        }
        acceptsForwarded = network.virtualNetworks.indices.map { v in
            var space = compiled.vnetSpace[v]
            for d in compiled.connectedPeers[v] {
                let back = network.virtualNetworks[d].peerings.first {
                    $0.remoteNetwork == network.virtualNetworks[v].id
                }
                if back?.allowForwardedTraffic != false { space = space.union(compiled.vnetSpace[d]) }
            }
            return space
        }
        forwardReach = network.virtualNetworks.indices.map { v in reachThroughAppliances(from: v) }
        noteAppliancesAndLoops()
    }

    // MARK: Routes

    /// The next hop for a flow to `destination` leaving `subnet` (in `vnet`): the longest prefix
    /// among the system routes (own address space, connected peers, 0.0.0.0/0 to the internet)
    /// and the subnet's route table; at equal length a user route wins.
    func route(subnet: Int?, vnet: Int, to destination: UInt128) -> Choice {
        var bestLength = 0
        var best = Choice(kind: .internet, decision: nil)
        func system(_ v: Int) {
            for p in compiled.network.virtualNetworks[v].addressSpace where p.contains(NetworkAddress(destination)) {
                if p.length > bestLength {
                    bestLength = p.length
                    best = Choice(kind: .direct, decision: nil)
                }
            }
        }
        system(vnet)
        for peer in compiled.connectedPeers[vnet] { system(peer) }
        if let s = subnet, let t = tableOfSubnet[s] {
            let table = compiled.network.routeTables[t]
            var userLength = -1
            var user: Route?
            for route in table.routes where route.addressPrefix.contains(NetworkAddress(destination)) {
                if route.addressPrefix.length > userLength {
                    userLength = route.addressPrefix.length
                    user = route
                }
            }
            if let user, userLength >= bestLength {
                best = Choice(kind: hopKind(user, vnet: vnet), decision: decision(table, t, user))
            }
        }
        return best
    }

    private func hopKind(_ route: Route, vnet: Int) -> HopKind {
        switch route.nextHopType {
        case .vnetLocal: return .direct
        case .internet: return .internet
        case .none: return .drop
        case .virtualNetworkGateway: return .gateway
        case .virtualAppliance:
            guard let a = route.nextHopAddress?.value else { return .drop }
            if let f = firewallByAddress[a] { return .firewall(f) }
            return .appliance(a, endpoint: compiled.endpointByPrivate[a])
        }
    }

    private func decision(_ table: RouteTable, _ t: Int, _ route: Route) -> RuleDecision {
        var hop = route.nextHopType.rawValue
        if let a = route.nextHopAddress { hop += " \(a)" }
        var d = RuleDecision(
            securityGroup: table.id, securityGroupName: table.name, rule: route.name, direction: .outbound,
            access: route.nextHopType == .none ? .deny : .allow, priority: route.addressPrefix.length,
            isDefault: false, location: route.location)
        d.kind = .route
        d.detail = "\(route.addressPrefix) -> \(hop)"
        return d
    }

    /// The route choices for the estate's addresses from one subnet, as segments: within one
    /// segment no prefix (VNet, peer or route) begins or ends, so one choice holds for all of it.
    func segments(subnet: Int?, vnet: Int) -> [(lower: UInt128, upper: UInt128, choice: Choice)] {
        let key = (subnet.flatMap { tableOfSubnet[$0] } ?? -1) &* 1_000_003 &+ vnet
        if let cached = segmentCache[key] { return cached }
        var points: Set<UInt128> = []
        func add(_ lo: UInt128, _ hi: UInt128) {
            points.insert(lo)
            if hi < UInt128.max { points.insert(hi + 1) }
        }
        for (lo, hi) in compiled.allSpace.intervals { add(lo, hi) }
        if let s = subnet, let t = tableOfSubnet[s] {
            for r in compiled.network.routeTables[t].routes {
                for (lo, hi) in r.addressPrefix.intervals { add(lo, hi) }
            }
        }
        for v in compiled.network.virtualNetworks {
            for p in v.addressSpace { for (lo, hi) in p.intervals { add(lo, hi) } }
        }
        let sorted = points.sorted()
        var result: [(lower: UInt128, upper: UInt128, choice: Choice)] = []
        for (i, lo) in sorted.enumerated() {
            let hi = i + 1 < sorted.count ? sorted[i + 1] - 1 : UInt128.max
            guard compiled.allSpace.contains(lo) else { continue }
            result.append((lo, hi, route(subnet: subnet, vnet: vnet, to: lo)))
        }
        segmentCache[key] = result
        return result
    }

    /// Whether the subnet's route table sends anything in the estate other than where the system
    /// routes would (so the class graph must route its traffic).
    func reroutes(subnet: Int?) -> Bool { subnet.flatMap { tableOfSubnet[$0] } != nil }

    private func applianceVNet(_ kind: HopKind) -> (subnet: Int?, vnet: Int?) {
        switch kind {
        case .firewall(let f): return (firewallSubnet[f], firewallVNet[f])
        case .appliance(let a, let e):
            if let e { return (compiled.endpoints[e].subnet, compiled.endpoints[e].virtualNetwork) }
            return (compiled.subnet(containing: a), compiled.virtualNetwork(containing: a))
        default: return (nil, nil)
        }
    }

    /// VNets reachable from `v` through the appliances its subnets' routes name, and theirs.
    private func reachThroughAppliances(from v: Int) -> Set<Int> {
        var result: Set<Int> = []
        var frontier: [Int] = [v]
        var seen: Set<Int> = [v]
        while let current = frontier.popLast() {
            for (s, vs) in compiled.subnetVNetIndex.enumerated() where vs == current {
                guard let t = tableOfSubnet[s] else { continue }
                for r in compiled.network.routeTables[t].routes where r.nextHopType == .virtualAppliance {
                    let (_, hv) = applianceVNet(hopKind(r, vnet: current))
                    guard let hv else {
                        // An appliance outside every VNet: anything may be beyond it.
                        result.formUnion(compiled.network.virtualNetworks.indices)
                        continue
                    }
                    result.insert(hv)
                    result.formUnion(compiled.connectedPeers[hv])
                    if !seen.contains(hv) {
                        seen.insert(hv)
                        frontier.append(hv)
                    }
                }
            }
        }
        return result
    }

    /// Warnings for appliances whose rules are unknown and for route loops, found by following
    /// each appliance route's first address from the appliance onwards.
    private func noteAppliancesAndLoops() {
        let network = compiled.network
        var noted: Set<UInt128> = []
        var loops: Set<String> = []
        for (t, table) in network.routeTables.enumerated() {
            for route in table.routes where route.nextHopType == .virtualAppliance {
                guard let a = route.nextHopAddress?.value else { continue }
                let kind = hopKind(route, vnet: 0)
                if case .appliance(_, let e?) = kind, !noted.contains(a) {
                    noted.insert(a)
                    let nic = network.interfaces[compiled.endpoints[e].interface].name
                    warnings.append(
                        "route '\(route.name)' of route table '\(table.name)' sends \(route.addressPrefix) to network interface '\(nic)' (\(NetworkAddress(a))), an appliance whose forwarding rules are not in the input; it is taken to forward anything (could forward)"
                    )
                }
                var path = ["\(table.name)/\(route.name)"]
                var visited: Set<UInt128> = [a]
                var current = kind
                let destination = route.addressPrefix.first
                for _ in 0..<Self.maximumHops {
                    let (s, v) = applianceVNet(current)
                    guard let v else { break }
                    let next = self.route(subnet: s, vnet: v, to: destination)
                    guard let d = next.decision else { break }
                    path.append("\(d.securityGroupName)/\(d.rule)")
                    var address: UInt128?
                    switch next.kind {
                    case .firewall(let f): address = network.firewalls[f].privateAddress?.value
                    case .appliance(let x, _): address = x
                    default: address = nil
                    }
                    guard let address else { break }
                    if visited.contains(address) {
                        let text = path.joined(separator: " -> ")
                        if !loops.contains(text) {
                            loops.insert(text)
                            warnings.append(
                                "route loop: traffic to \(NetworkAddress(destination)) goes \(text) and back to \(NetworkAddress(address)); flows caught in it are read as delivered (the conservative reading)"
                            )
                        }
                        break
                    }
                    visited.insert(address)
                    current = next.kind
                }
                _ = t
            }
        }
    }

    // MARK: Firewalls

    private func compileFirewall(_ f: Int, _ fw: AzureFirewall) {
        let network = compiled.network
        let context = firewallVNet[f]
        let (ordered, missing) = network.orderedRules(of: fw)
        var filter: [FirewallEntry] = []
        var dnat: [DNATEntry] = []
        func entryDecision(
            _ name: String, collection: String?, kind: String, access: Access, priority: Int, location: SourceLocation?
        )
            -> RuleDecision
        {
            var d = RuleDecision(
                securityGroup: fw.id, securityGroupName: fw.name, rule: name, direction: .inbound, access: access,
                priority: priority, isDefault: false, location: location)
            d.kind = .firewallRule
            d.detail = kind
            d.collection = collection
            return d
        }
        for id in missing {
            filter.append(
                FirewallEntry(
                    box: FlowBox(), access: .allow,
                    decision: entryDecision(
                        "rules of missing policy \(id.lastComponent)", collection: nil, kind: "network", access: .allow,
                        priority: 0, location: fw.location)))
        }
        let publicSpace = fw.publicIPs.compactMap { network.publicIP($0)?.address }.reduce(IntervalSet()) {
            $0.union(IntervalSet($1.value, $1.value))
        }
        for entry in ordered {
            let rule = entry.rule
            if entry.action == .deny && !rule.unresolved.isEmpty { continue }
            var protocols = rule.protocols.reduce(ProtocolSet()) { $0.union(ProtocolSet($1)) }
            let ports = compiled.ports(rule.destinationPorts)
            if ports != .allPorts { protocols.formIntersection(.withPorts) }
            let sources = rule.sources.reduce(IntervalSet()) { $0.union(compiled.addresses($1, context: context)) }
            var destinations = rule.destinations.reduce(IntervalSet()) {
                $0.union(compiled.addresses($1, context: context))
            }
            let access: Access = entry.action == .deny ? .deny : .allow
            let decision = entryDecision(
                rule.name, collection: entry.collection, kind: entry.kind.rawValue, access: access,
                priority: entry.priority, location: rule.location)
            if entry.kind == .dnat {
                if rule.destinations.isEmpty { destinations = publicSpace }
                dnat.append(
                    DNATEntry(
                        box: FlowBox(
                            sources: sources, destinations: destinations, protocols: protocols, destinationPorts: ports),
                        translatedAddress: rule.translatedAddress?.value, translatedPort: rule.translatedPort,
                        decision: decision))
            } else {
                filter.append(
                    FirewallEntry(
                        box: FlowBox(
                            sources: sources, destinations: destinations, protocols: protocols, destinationPorts: ports),
                        access: access, decision: decision))
            }
        }
        filter.append(
            FirewallEntry(
                box: FlowBox(), access: .deny,
                decision: entryDecision(
                    "no rule matched (Azure Firewall denies by default)", collection: nil, kind: "default",
                    access: .deny,
                    priority: 65535, location: fw.location)))
        filterRules.append(filter)
        dnatRules.append(dnat)
    }

    /// The firewall's deciding network or application rule for one flow (always some: the default deny).
    func firewallDecide(_ flow: Flow, _ f: Int) -> FirewallEntry {
        let rules = filterRules[f]
        return rules.first { $0.box.contains(flow) } ?? rules[rules.count - 1]
    }

    /// The part of `input` the firewall lets through (first match, symbolically).
    func firewallAllowed(_ input: [FlowBox], _ f: Int) -> [FlowBox] {
        filterRules[f].allowedPart(of: input)
    }

    /// The firewall whose public IP is `address` and the DNAT rule that takes `flow`, if any.
    func dnatDecide(_ flow: Flow) -> (firewall: Int, entry: DNATEntry)? {
        guard let f = firewallByPublic[flow.destination.value] ?? dnatListener(flow.destination.value) else {
            return nil
        }
        guard let entry = dnatRules[f].first(where: { $0.box.contains(flow) }) else { return nil }
        return (f, entry)
    }

    private func dnatListener(_ address: UInt128) -> Int? {
        dnatRules.firstIndex { entries in entries.contains { $0.box.destinations.contains(address) } }
    }

    // MARK: Flow sets (the class graph)

    /// What of `boxes` (allowed out of a NIC of `subnet`) arrives at addresses in the estate, once
    /// the routes and the firewalls on the way have had their say. Destinations the routes drop,
    /// send to the internet or to a gateway are gone.
    func routed(_ boxes: [FlowBox], subnet: Int?, vnet: Int) -> [FlowBox] {
        onward(boxes, subnet: subnet, vnet: vnet, forwardedFrom: nil, hops: 0, visited: [])
    }

    private func onward(
        _ boxes: [FlowBox], subnet: Int?, vnet: Int, forwardedFrom: Int?, hops: Int, visited: Set<UInt128>
    ) -> [FlowBox] {
        guard !boxes.isEmpty else { return [] }
        var result: [FlowBox] = []
        for segment in segments(subnet: subnet, vnet: vnet) {
            let window = FlowBox(destinations: IntervalSet(segment.lower, segment.upper))
            let part = boxes.compactMap { $0.intersection(window) }
            if part.isEmpty { continue }
            switch segment.choice.kind {
            case .direct:
                // A `VnetLocal` route delivers within the VNet and its peers only.
                let reachable = FlowBox(destinations: compiled.virtualNetworkTag[vnet])
                let part = part.compactMap { $0.intersection(reachable) }
                if let from = forwardedFrom {
                    let accept = FlowBox(destinations: acceptsForwarded[from])
                    result += part.compactMap { $0.intersection(accept) }
                } else {
                    result += part
                }
            case .internet, .drop, .gateway:
                continue
            case .firewall(let f):
                guard let address = compiled.network.firewalls[f].privateAddress?.value, let fv = firewallVNet[f] else {
                    continue
                }
                // Back at an appliance already passed (a loop), or too many: delivered, as `carry` reads it.
                if visited.contains(address) || visited.count >= Self.maximumHops {
                    result += part
                    continue
                }
                guard fv == vnet || compiled.routes(vnet, fv) else { continue }
                result += onward(
                    firewallAllowed(part, f), subnet: firewallSubnet[f], vnet: fv, forwardedFrom: fv, hops: hops + 1,
                    visited: visited.union([address]))
            case .appliance(let address, _):
                let (s, v) = applianceVNet(segment.choice.kind)
                guard let v else {
                    result += part
                    continue
                }
                if visited.contains(address) || visited.count >= Self.maximumHops {
                    result += part
                    continue
                }
                guard v == vnet || compiled.routes(vnet, v) else { continue }
                result += onward(
                    part, subnet: s, vnet: v, forwardedFrom: v, hops: hops + 1, visited: visited.union([address]))
            }
        }
        return result
    }

    // MARK: One flow

    /// Carries one flow from a subnet along its routes to its destination, appending the routes
    /// and firewall rules that decide it; `deliver` judges it at the destination (inbound NSGs).
    func carry(
        _ flow: Flow, subnet: Int?, vnet: Int, destinationVNet: Int?, destinationInternal: Bool,
        passed: Set<UInt128> = [], into decisions: inout [RuleDecision],
        deliver: (inout [RuleDecision], Int?) -> FlowVerdict
    ) -> FlowVerdict {
        var subnet = subnet
        var vnet = vnet
        var forwardedFrom: Int?
        var visited = passed
        var notes: [String] = []
        func finish(_ v: FlowVerdict) -> FlowVerdict {
            guard !notes.isEmpty else { return v }
            var out = v
            out.note = (notes + [v.note].compactMap { $0 }).joined(separator: "; ")
            return out
        }
        for _ in 0...Self.maximumHops {
            let choice = route(subnet: subnet, vnet: vnet, to: flow.destination.value)
            if let d = choice.decision { decisions.append(d) }
            switch choice.kind {
            case .drop:
                return finish(
                    FlowVerdict(
                        verdict: .denied, decidedBy: decisions,
                        note: "the route's next hop is None: Azure drops the traffic"))
            case .gateway:
                let text =
                    "the route sends it to the virtual network gateway, out of the estate (what lies beyond is not in the input)"
                return finish(
                    FlowVerdict(verdict: destinationInternal ? .unroutable : .allowed, decidedBy: decisions, note: text)
                )
            case .internet:
                if destinationInternal {
                    let why =
                        choice.isUser
                        ? "the route sends it to the internet, where a private address is not routed"
                        : destinationVNet.map {
                            "\(compiled.network.virtualNetworks[vnet].name) and \(compiled.network.virtualNetworks[$0].name) are not peered"
                        } ?? "no route leads there"
                    return finish(FlowVerdict(verdict: .unroutable, decidedBy: decisions, note: why))
                }
                return finish(deliver(&decisions, forwardedFrom))
            case .direct:
                guard compiled.virtualNetworkTag[vnet].contains(flow.destination.value) else {
                    return finish(
                        FlowVerdict(
                            verdict: .unroutable, decidedBy: decisions,
                            note:
                                "the route delivers within \(compiled.network.virtualNetworks[vnet].name) and its peers, and \(flow.destination) is in neither"
                        ))
                }
                if let from = forwardedFrom, destinationInternal,
                    !acceptsForwarded[from].contains(flow.destination.value)
                {
                    let to = destinationVNet.map { compiled.network.virtualNetworks[$0].name } ?? "the destination VNet"
                    return finish(
                        FlowVerdict(
                            verdict: .unroutable, decidedBy: decisions,
                            note:
                                "\(to) does not accept traffic forwarded from \(compiled.network.virtualNetworks[from].name) (its peering has allowForwardedTraffic false)"
                        ))
                }
                return finish(deliver(&decisions, forwardedFrom))
            case .firewall(let f):
                let fw = compiled.network.firewalls[f]
                guard let address = fw.privateAddress?.value, let fv = firewallVNet[f] else {
                    return finish(
                        FlowVerdict(
                            verdict: .unroutable, decidedBy: decisions,
                            note: "Azure Firewall '\(fw.name)' has no known address"))
                }
                if visited.contains(address) || visited.count >= Self.maximumHops {
                    notes.append(
                        "a route loop brings it back to \(fw.name); it is read as delivered (the conservative reading)")
                    return finish(deliver(&decisions, forwardedFrom))
                }
                guard fv == vnet || compiled.routes(vnet, fv) else {
                    return finish(
                        FlowVerdict(
                            verdict: .unroutable, decidedBy: decisions,
                            note:
                                "Azure Firewall '\(fw.name)' is in \(compiled.network.virtualNetworks[fv].name), which \(compiled.network.virtualNetworks[vnet].name) is not peered with"
                        ))
                }
                visited.insert(address)
                let rule = firewallDecide(flow, f)
                decisions.append(rule.decision)
                if rule.access == .deny {
                    return finish(FlowVerdict(verdict: .denied, decidedBy: decisions))
                }
                if !destinationInternal && !compiled.allSpace.contains(flow.destination.value) {
                    notes.append("Azure Firewall '\(fw.name)' sends it on from its own public address")
                }
                subnet = firewallSubnet[f]
                vnet = fv
                forwardedFrom = fv
            case .appliance(let address, let endpoint):
                let (s, v) = applianceVNet(choice.kind)
                let name =
                    endpoint.map { compiled.network.interfaces[compiled.endpoints[$0].interface].name }
                    ?? NetworkAddress(address).description
                notes.append("appliance \(name) forwards by rules not in the input: it could forward this flow")
                guard let v else { return finish(deliver(&decisions, forwardedFrom)) }
                if visited.contains(address) {
                    notes.append(
                        "a route loop brings it back to \(name); it is read as delivered (the conservative reading)")
                    return finish(deliver(&decisions, forwardedFrom))
                }
                guard v == vnet || compiled.routes(vnet, v) else {
                    return finish(
                        FlowVerdict(
                            verdict: .unroutable, decidedBy: decisions,
                            note:
                                "appliance \(name) is in a VNet \(compiled.network.virtualNetworks[vnet].name) is not peered with"
                        ))
                }
                visited.insert(address)
                subnet = s
                vnet = v
                forwardedFrom = v
            }
        }
        notes.append(
            "more than \(Self.maximumHops) appliances on the way (a route loop?); it is read as delivered (the conservative reading)"
        )
        return finish(deliver(&decisions, forwardedFrom))
    }
}

/// A host the internet reaches through an Azure Firewall's DNAT rule.
public struct FirewallDNATExposure: Sendable, Hashable {
    public var firewall: String
    /// The DNAT rule and its collection.
    public var rule: String
    public var collection: String?
    /// Where the internet connects: the firewall's public address and port.
    public var publicAddress: NetworkAddress
    public var publicPort: Int
    public var interface: ResourceID
    public var privateAddress: NetworkAddress
    public var `protocol`: TransportProtocol
    /// The port the host receives (the translated port).
    public var port: Int
    /// Internet addresses whose flows this rule takes (earlier DNAT rules take theirs first).
    public var sources: IntervalSet
    /// The DNAT rule, the routes on the way and the NSG rules at the host, as `verify` gives them.
    public var decidedBy: [RuleDecision]
}

extension ReachabilityEngine {
    /// For each DNAT rule of each firewall that translates to a NIC, on `protocol` and the given
    /// host ports: the internet sources it takes (first match among the firewall's DNAT rules) and,
    /// when the translated flow passes the routes and NSGs on the way, the deciding rules. The
    /// translated flow comes from the firewall's own address whatever the internet source, so one
    /// flow stands for all of them.
    public func firewallDNATExposures(protocol proto: TransportProtocol, ports: [Int]) -> [FirewallDNATExposure] {
        let routing = compiled.routing
        guard !routing.dnatRules.isEmpty, proto.hasPorts else { return [] }
        let internet = compiled.internetSources(nil)
        var result: [FirewallDNATExposure] = []
        for (f, entries) in routing.dnatRules.enumerated() {
            for (r, entry) in entries.enumerated() {
                guard let target = entry.translatedAddress, let e = compiled.endpointByPrivate[target],
                    entry.box.protocols.contains(ProtocolSet(proto))
                else { continue }
                for port in ports {
                    let original: IntervalSet
                    if let translated = entry.translatedPort {
                        guard translated == port else { continue }
                        original = entry.box.destinationPorts
                    } else {
                        guard entry.box.destinationPorts.contains(UInt32(port)) else { continue }
                        original = IntervalSet(UInt32(port), UInt32(port))
                    }
                    var share = [
                        FlowBox(
                            sources: internet, destinations: entry.box.destinations, protocols: ProtocolSet(proto),
                            destinationPorts: original)
                    ]
                    for earlier in entries[..<r] { share = share.flatMap { $0.subtracting(earlier.box) } }
                    share = share.compactMap { $0.intersection(entry.box) }
                    guard let witness = share.first, let source = witness.sources.first,
                        let listen = witness.destinations.first, let listenPort = witness.destinationPorts.first
                    else { continue }
                    let flow = Flow(
                        source: NetworkAddress(source), destination: NetworkAddress(listen), protocol: proto,
                        destinationPort: Int(listenPort))
                    let verdict = compiled.verify(flow)
                    guard verdict.verdict == .allowed, verdict.decidedBy.first == entry.decision else { continue }
                    result.append(
                        FirewallDNATExposure(
                            firewall: network.firewalls[f].name, rule: entry.decision.rule,
                            collection: entry.decision.collection, publicAddress: NetworkAddress(listen),
                            publicPort: Int(listenPort),
                            interface: network.interfaces[compiled.endpoints[e].interface].id,
                            privateAddress: NetworkAddress(target), protocol: proto, port: port,
                            sources: share.reduce(IntervalSet()) { $0.union($1.sources) }, decidedBy: verdict.decidedBy)
                    )
                }
            }
        }
        return result
    }

    /// The first hop of a path entering from the internet through a DNAT rule to endpoint `e`
    /// (within the graph's protocol and port filter), with the rules `verify` gives for it.
    func dnatHop(to e: Int, from sources: IntervalSet, filter: ClassGraph.PortBox) -> PathHop? {
        let routing = compiled.routing
        let endpoint = compiled.endpoints[e]
        guard let targets = routing.dnatTargets[endpoint.address] else { return nil }
        let internet = sources.intersection(compiled.internetSources(endpoint.virtualNetwork))
        var best: (hop: PathHop, rank: (Int, UInt32))?
        for (f, r) in targets {
            let entry = routing.dnatRules[f][r]
            guard let source = entry.box.sources.intersection(internet).first,
                let listen = entry.box.destinations.first
            else { continue }
            for proto in [TransportProtocol.tcp, .udp]
            where entry.box.protocols.contains(ProtocolSet(proto)) && filter.protocols.contains(ProtocolSet(proto)) {
                let candidates: [(original: UInt32, translated: UInt32)]
                if let t = entry.translatedPort {
                    candidates = entry.box.destinationPorts.first.map { [(UInt32($0), UInt32(t))] } ?? []
                } else {
                    let preferred = ClassGraph.preferredPorts.filter { entry.box.destinationPorts.contains($0) }
                    candidates = (preferred + [entry.box.destinationPorts.first.map { UInt32($0) }].compactMap { $0 })
                        .map { ($0, $0) }
                }
                for (original, translated) in candidates where filter.destinationPorts.contains(translated) {
                    let flow = Flow(
                        source: NetworkAddress(source), destination: NetworkAddress(listen), protocol: proto,
                        destinationPort: Int(original))
                    let verdict = compiled.verify(flow)
                    guard verdict.verdict == .allowed, verdict.decidedBy.first == entry.decision else { continue }
                    let rank = ClassGraph.preference(
                        ClassGraph.PortBox(
                            protocols: ProtocolSet(proto), sourcePorts: .allPorts,
                            destinationPorts: IntervalSet(translated, translated)))
                    if best == nil || rank < best!.rank {
                        best = (
                            PathHop(
                                from: "internet", to: network.interfaces[endpoint.interface].hostName, fromAddress: nil,
                                toAddress: NetworkAddress(listen), protocol: proto, port: Int(original),
                                sourcePort: flow.sourcePort, decidedBy: verdict.decidedBy), rank
                        )
                    }
                    break
                }
            }
        }
        return best?.hop
    }
}
