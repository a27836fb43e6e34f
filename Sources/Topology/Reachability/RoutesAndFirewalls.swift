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
        let table = routeSegments(subnet: subnet, vnet: vnet)
        var lo = 0
        var hi = table.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if table[mid].lower <= destination { lo = mid + 1 } else { hi = mid }
        }
        return table[lo - 1].choice
    }

    /// `route`, worked out from the prefixes: once per segment of `routeSegments`.
    private func longestMatch(subnet: Int?, vnet: Int, to destination: UInt128) -> Choice {
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
            var user: Int?
            for (r, route) in table.routes.enumerated() where route.addressPrefix.contains(NetworkAddress(destination))
            {
                if route.addressPrefix.length > userLength {
                    userLength = route.addressPrefix.length
                    user = r
                }
            }
            if let user, userLength >= bestLength {
                best = Choice(kind: hopKind(table.routes[user], vnet: vnet), decision: routeDecisions[t][user])
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

    /// Every route's `RuleDecision`, built once: single flows name one per hop.
    private lazy var routeDecisions: [[RuleDecision]] = compiled.network.routeTables.enumerated().map { t, table in
        table.routes.map { decision(table, t, $0).rendered() }
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
        let key = segmentKey(subnet: subnet, vnet: vnet)
        if let cached = segmentCache[key] { return cached }
        // The estate's own bounds cut `routeSegments`, so each segment is wholly in or out.
        let result = routeSegments(subnet: subnet, vnet: vnet).filter { compiled.allSpace.contains($0.lower) }
        segmentCache[key] = result
        return result
    }

    private func segmentKey(subnet: Int?, vnet: Int) -> Int {
        (subnet.flatMap { tableOfSubnet[$0] } ?? -1) &* 1_000_003 &+ vnet
    }

    /// The route choices from one subnet for the whole address space, as sorted segments that
    /// cover it: the ends of every VNet prefix, route prefix and of the estate, and of the IPv4
    /// range (`::/0` covers no IPv4 address: `NetworkPrefix.intervals`), cut it. What single
    /// flows and answers look up (`route`), by binary search.
    func routeSegments(subnet: Int?, vnet: Int) -> [(lower: UInt128, upper: UInt128, choice: Choice)] {
        let key = segmentKey(subnet: subnet, vnet: vnet)
        if let cached = routeSegmentCache[key] { return cached }
        var points: Set<UInt128> = [0, NetworkAddress.ipv4Range.lowerBound, NetworkAddress.ipv4Range.upperBound + 1]
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
        result.reserveCapacity(sorted.count)
        for (i, lo) in sorted.enumerated() {
            let hi = i + 1 < sorted.count ? sorted[i + 1] - 1 : UInt128.max
            result.append((lo, hi, longestMatch(subnet: subnet, vnet: vnet, to: lo)))
        }
        routeSegmentCache[key] = result
        return result
    }
    private var routeSegmentCache: [Int: [(lower: UInt128, upper: UInt128, choice: Choice)]] = [:]

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

    /// At most this many pieces of one appliance route's prefix are followed for loops.
    static let maximumLoopProbes = 64

    /// Warnings for appliances whose rules are unknown and for route loops, found by following
    /// each appliance route from the appliance onwards, once for each piece of its prefix that the
    /// prefixes of other routes cut out (a loop may hold only for a more specific route's
    /// addresses), at most `maximumLoopProbes` pieces per route.
    private func noteAppliancesAndLoops() {
        let network = compiled.network
        var noted: Set<UInt128> = []
        var loops: Set<String> = []
        var boundaries: Set<UInt128> = []
        for table in network.routeTables {
            for r in table.routes {
                boundaries.insert(r.addressPrefix.first)
                if r.addressPrefix.last < UInt128.max { boundaries.insert(r.addressPrefix.last + 1) }
            }
        }
        let cuts = boundaries.sorted()
        var walked: Set<[UInt128]> = []
        for table in network.routeTables {
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
                var probes = [route.addressPrefix.first]
                for b in cuts where b > route.addressPrefix.first && b <= route.addressPrefix.last {
                    guard probes.count < Self.maximumLoopProbes else { break }
                    probes.append(b)
                }
                for destination in probes where walked.insert([a, destination]).inserted {
                    followForLoop(
                        from: kind, address: a, to: destination, path: ["\(table.name)/\(route.name)"], loops: &loops)
                }
            }
        }
    }

    /// Follows one destination from an appliance by the routes of the subnets it meets; a warning
    /// when it comes back to an appliance already met.
    private func followForLoop(
        from kind: HopKind, address a: UInt128, to destination: UInt128, path start: [String], loops: inout Set<String>
    ) {
        var path = start
        var visited: Set<UInt128> = [a]
        var current = kind
        for _ in 0..<Self.maximumHops {
            let (s, v) = applianceVNet(current)
            guard let v else { return }
            let next = self.route(subnet: s, vnet: v, to: destination)
            guard let d = next.decision else { return }
            path.append("\(d.securityGroupName)/\(d.rule)")
            var address: UInt128?
            switch next.kind {
            case .firewall(let f): address = compiled.network.firewalls[f].privateAddress?.value
            case .appliance(let x, _): address = x
            default: address = nil
            }
            guard let address else { return }
            if visited.contains(address) {
                let text = path.joined(separator: " -> ")
                if loops.insert(text).inserted {
                    warnings.append(
                        "route loop: traffic to \(IPv4Address(destination)) goes \(text) and back to \(IPv4Address(address)); flows caught in it are read as delivered (the conservative reading)"
                    )
                }
                return
            }
            visited.insert(address)
            current = next.kind
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
    func firewallDecide(_ flow: Flow, _ f: Int) -> (access: Access, decision: RuleDecision) {
        // Borrowed: only the deciding entry's access and decision leave, not its flow box.
        let table = filterTables[f]
        if let (i, access) = table.first(flow) { return (access, table.decisions[i]) }
        return (filterRules[f][table.count - 1].access, table.decisions[table.count - 1])
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
            case .firewall, .appliance:
                switch step(segment.choice.kind, from: vnet, visited: visited) {
                case .stop: continue
                case .deliver: result += part
                case .forward(let hop):
                    let passed = hop.firewall.map { firewallAllowed(part, $0) } ?? part
                    result += onward(
                        passed, subnet: hop.subnet, vnet: hop.vnet!, forwardedFrom: hop.vnet, hops: hops + 1,
                        visited: visited.union([hop.address]))
                }
            }
        }
        return result
    }

    // MARK: Appliance hops

    /// A firewall or another appliance a route hands a flow to.
    struct ApplianceHop {
        /// The firewall's or the NIC's name (or the address nothing holds).
        var name: String
        var address: UInt128
        var subnet: Int?
        var vnet: Int?
        /// An Azure Firewall (its rules decide); nil: an appliance whose rules are unknown.
        var firewall: Int?

        /// `Azure Firewall 'fw-hub'`, `appliance nva1` (built only for notes: flows are many).
        var label: String { firewall != nil ? "Azure Firewall '\(name)'" : "appliance \(name)" }
    }

    /// What a flow meets at an appliance hop: nothing routable (`stop`, with why), a loop or too
    /// many appliances (`deliver`: the conservative reading), or the hop to pass (`forward`).
    enum HopStep {
        case stop(String)
        case deliver(String?)
        case forward(ApplianceHop)
    }

    func applianceHop(_ kind: HopKind) -> ApplianceHop? {
        switch kind {
        case .firewall(let f): return firewallHops[f]
        case .appliance(let address, let endpoint):
            let (s, v) = applianceVNet(kind)
            let name =
                endpoint.map { compiled.network.interfaces[compiled.endpoints[$0].interface].name }
                ?? IPv4Address(address).description
            return ApplianceHop(name: name, address: address, subnet: s, vnet: v, firewall: nil)
        default: return nil
        }
    }

    /// Each firewall's filter rules flat, for single flows (`firewallDecide`).
    private lazy var filterTables: [MatchTable] = filterRules.map { rules in
        MatchTable(rules, decisions: rules.map { $0.decision.rendered() })
    }

    /// Each firewall's hop, built once: flows meet them one by one.
    private lazy var firewallHops: [ApplianceHop?] = compiled.network.firewalls.indices.map { f in
        let fw = compiled.network.firewalls[f]
        guard let address = fw.privateAddress?.value else { return nil }
        return ApplianceHop(
            name: fw.name, address: address, subnet: firewallSubnet[f], vnet: firewallVNet[f], firewall: f)
    }

    /// The guards every appliance hop shares, for flows and flow sets alike: a known address, a
    /// VNet (an appliance outside every VNet forwards anywhere: delivered), not met before on this
    /// flow's way and within `maximumHops` (else a loop: delivered), and in the VNet the flow is in
    /// or a connected peer (else unroutable).
    func step(_ kind: HopKind, from vnet: Int, visited: Set<UInt128>) -> HopStep {
        guard let hop = applianceHop(kind) else {
            if case .firewall(let f) = kind {
                return .stop("Azure Firewall '\(compiled.network.firewalls[f].name)' has no known address")
            }
            return .stop("no route leads there")
        }
        guard let v = hop.vnet else {
            if hop.firewall != nil { return .stop("\(hop.label) has no known VNet") }
            return .deliver(nil)
        }
        if visited.contains(hop.address) || visited.count >= Self.maximumHops {
            return .deliver(
                "a route loop brings it back to \(hop.label); it is read as delivered (the conservative reading)")
        }
        guard v == vnet || compiled.routes(vnet, v) else {
            return .stop(
                "\(hop.label) is in \(compiled.network.virtualNetworks[v].name), which \(compiled.network.virtualNetworks[vnet].name) is not peered with"
            )
        }
        return .forward(hop)
    }

    // MARK: One flow

    /// Carries one flow from a subnet along its routes to its destination, appending the routes
    /// and firewall rules that decide it; `deliver` judges it at the destination (inbound NSGs),
    /// given the VNet that forwarded it last and the appliances it passed.
    func carry(
        _ flow: Flow, subnet: Int?, vnet: Int, destinationVNet: Int?, destinationInternal: Bool,
        passed: Set<UInt128> = [], into decisions: inout [RuleDecision],
        deliver: (inout [RuleDecision], Int?, Set<UInt128>) -> FlowVerdict
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
                return finish(deliver(&decisions, forwardedFrom, visited))
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
                return finish(deliver(&decisions, forwardedFrom, visited))
            case .firewall, .appliance:
                let hop = applianceHop(choice.kind)
                if let hop, hop.firewall == nil {
                    notes.append("\(hop.label) forwards by rules not in the input: it could forward this flow")
                }
                switch step(choice.kind, from: vnet, visited: visited) {
                case .stop(let why):
                    return finish(FlowVerdict(verdict: .unroutable, decidedBy: decisions, note: why))
                case .deliver(let why):
                    if let why { notes.append(why) }
                    return finish(deliver(&decisions, forwardedFrom, visited))
                case .forward(let hop):
                    visited.insert(hop.address)
                    if let f = hop.firewall {
                        let rule = firewallDecide(flow, f)
                        decisions.append(rule.decision)
                        if rule.access == .deny {
                            return finish(FlowVerdict(verdict: .denied, decidedBy: decisions))
                        }
                        if !destinationInternal && !compiled.allSpace.contains(flow.destination.value) {
                            notes.append("\(hop.label) sends it on from its own public address")
                        }
                    }
                    subnet = hop.subnet
                    vnet = hop.vnet!
                    forwardedFrom = hop.vnet
                }
            }
        }
        notes.append(
            "more than \(Self.maximumHops) appliances on the way (a route loop?); it is read as delivered (the conservative reading)"
        )
        return finish(deliver(&decisions, forwardedFrom, visited))
    }

    // MARK: The answer

    /// Judges the answer of an allowed flow (Azure's NSGs are stateful, so only routes matter): it
    /// leaves the destination's subnet towards `replyTo` (the source as the destination sees it)
    /// by that subnet's routes. If its first hop is an Azure Firewall the opening did not pass
    /// (`passed`), the firewall holds no session for it and drops it (asymmetric routing): the flow
    /// is denied, with the answer's route and that drop in `decidedBy`. Another appliance the
    /// opening did not pass could forward it: allowed, with a note.
    func judgeAnswer(
        _ verdict: FlowVerdict, from subnet: Int?, vnet: Int?, replyTo address: UInt128, passed: Set<UInt128>
    )
        -> FlowVerdict
    {
        guard verdict.verdict == .allowed, let vnet, reroutes(subnet: subnet) else { return verdict }
        let choice = route(subnet: subnet, vnet: vnet, to: address)
        guard let hop = applianceHop(choice.kind), !passed.contains(hop.address), let d = choice.decision else {
            return verdict
        }
        var out = verdict
        let via =
            "the answer to \(IPv4Address(address)) leaves by route \(d.securityGroupName)/\(d.rule) (\(d.detail ?? ""))"
        if let f = hop.firewall {
            out.decidedBy.append(d)
            var drop = RuleDecision(
                securityGroup: compiled.network.firewalls[f].id, securityGroupName: compiled.network.firewalls[f].name,
                rule: "answer without a session (asymmetric route)", direction: .inbound, access: .deny,
                priority: 65535, isDefault: false, location: compiled.network.firewalls[f].location)
            drop.kind = .firewallRule
            drop.detail = "asymmetric"
            out.decidedBy.append(drop)
            out.verdict = .denied
            let text =
                "asymmetric route: \(via) through \(hop.label), which the opening did not cross; it holds no session for the answer and drops it, so the connection never completes"
            out.note = [verdict.note, text].compactMap { $0 }.joined(separator: "; ")
        } else {
            let text =
                "\(via) through \(hop.label), which the opening did not cross (asymmetric route); it forwards by rules not in the input: it could forward the answer"
            out.note = [verdict.note, text].compactMap { $0 }.joined(separator: "; ")
        }
        return out
    }

    /// The Azure Firewalls a flow from `subnet` to `destination` passes by routes alone (each
    /// appliance hop followed as `carry` follows it, rules not evaluated): for flow sets, where the
    /// opening's way is not walked flow by flow.
    func appliancesOnTheWay(subnet: Int?, vnet: Int, to destination: UInt128) -> Set<UInt128> {
        var visited: Set<UInt128> = []
        var subnet = subnet
        var vnet = vnet
        for _ in 0...Self.maximumHops {
            let choice = route(subnet: subnet, vnet: vnet, to: destination)
            guard case .forward(let hop) = step(choice.kind, from: vnet, visited: visited) else { break }
            visited.insert(hop.address)
            subnet = hop.subnet
            vnet = hop.vnet!
        }
        return visited
    }

    /// The sources whose answers, leaving `subnet` for them, an Azure Firewall drops: the route to
    /// them names a firewall that their own way to `address` (in this subnet) does not pass.
    /// Internet sources never pass a firewall on the way in (a DNAT door translates the source to
    /// the firewall's own address). Inside the estate, sources are taken by groups of subnets that
    /// share VNet and route table: their first hop to `address` is looked up in their route
    /// segments, and only a first hop to another appliance is followed further.
    func answerDroppedSources(subnet: Int?, vnet: Int?, address: UInt128) -> IntervalSet {
        guard let vnet, reroutes(subnet: subnet) else { return IntervalSet() }
        // Within a subnet that no route or VNet prefix cuts, every address gets the same answer.
        let whole = subnet.map { wholeSubnets[$0] } ?? false
        let key = DroppedKey(subnet: subnet ?? -1, address: whole ? 0 : address)
        if let known = droppedCache[key] { return known }
        var intervals: [(UInt128, UInt128)] = []
        for entry in answersThroughFirewalls(subnet: subnet, vnet: vnet) {
            intervals += entry.internet
            for (g, parts) in entry.groups
            where !passes(group: g, firewall: entry.firewall, own: entry.own, to: address) {
                intervals += parts
            }
        }
        let result = IntervalSet(intervals: intervals)
        droppedCache[key] = result
        return result
    }

    /// Per firewall that answers from a subnet may meet: its address, where those answers go
    /// outside every VNet, and the parts of each source group's space they go to through it.
    struct AnswerFirewall {
        var firewall: Int
        var own: UInt128
        var internet: [(UInt128, UInt128)]
        var groups: [(group: Int, parts: [(UInt128, UInt128)])]
    }
    private var answerFirewallCache: [Int: [AnswerFirewall]] = [:]

    private func answersThroughFirewalls(subnet: Int?, vnet: Int) -> [AnswerFirewall] {
        let key = (subnet.flatMap { tableOfSubnet[$0] } ?? -1) &* 1_000_003 &+ vnet
        if let known = answerFirewallCache[key] { return known }
        var spaces: [Int: [(UInt128, UInt128)]] = [:]
        for segment in routeSegments(subnet: subnet, vnet: vnet) {
            guard case .firewall(let f) = segment.choice.kind else { continue }
            spaces[f, default: []].append((segment.lower, segment.upper))
        }
        var result: [AnswerFirewall] = []
        for f in spaces.keys.sorted() {
            guard let own = compiled.network.firewalls[f].privateAddress?.value else { continue }
            let space = IntervalSet(intervals: spaces[f] ?? [])
            let inside = space.intersection(compiled.allSpace).intervals
            var groups: [(group: Int, parts: [(UInt128, UInt128)])] = []
            for (g, group) in sourceGroups.enumerated() {
                var parts: [(UInt128, UInt128)] = []
                for (lo, hi) in group.intervals { parts += Self.clip(inside, lo, hi) }
                if !parts.isEmpty { groups.append((g, parts)) }
            }
            result.append(
                AnswerFirewall(
                    firewall: f, own: own,
                    internet: space.subtracting(compiled.allSpace).intervals.map { ($0.lower, $0.upper) },
                    groups: groups))
        }
        answerFirewallCache[key] = result
        return result
    }

    /// The intervals of `all` (sorted, disjoint) within `lo…hi`, by binary search.
    private static func clip(_ all: [(lower: UInt128, upper: UInt128)], _ lo: UInt128, _ hi: UInt128) -> [(
        UInt128, UInt128
    )] {
        var a = 0
        var b = all.count
        while a < b {
            let mid = (a + b) / 2
            if all[mid].upper < lo { a = mid + 1 } else { b = mid }
        }
        var result: [(UInt128, UInt128)] = []
        var i = a
        while i < all.count && all[i].lower <= hi {
            result.append((max(all[i].lower, lo), min(all[i].upper, hi)))
            i += 1
        }
        return result
    }

    /// Whether flows from source group `g` to `address` pass firewall `f` (at `own`) on the way.
    private func passes(group g: Int, firewall f: Int, own: UInt128, to address: UInt128) -> Bool {
        let group = sourceGroups[g]
        let segments = segments(subnet: group.subnet, vnet: group.vnet)
        var a = 0
        var b = segments.count
        while a < b {
            let mid = (a + b) / 2
            if segments[mid].upper < address { a = mid + 1 } else { b = mid }
        }
        guard a < segments.count, segments[a].lower <= address else { return false }
        switch segments[a].choice.kind {
        case .firewall(let first): return first == f
        case .appliance: return appliancesOnTheWay(subnet: group.subnet, vnet: group.vnet, to: address).contains(own)
        default: return false
        }
    }

    /// Subnets grouped by VNet and route table (the same routes from all of them), with their space.
    private lazy var sourceGroups: [(subnet: Int, vnet: Int, intervals: [(lower: UInt128, upper: UInt128)])] = {
        var order: [Int] = []
        var groups: [Int: (subnet: Int, vnet: Int, intervals: [(UInt128, UInt128)])] = [:]
        for (s, subnet) in compiled.network.subnets.enumerated() {
            guard let v = compiled.subnetVNetIndex[s] else { continue }
            let key = (tableOfSubnet[s] ?? -1) &* 1_000_003 &+ v
            if groups[key] == nil {
                order.append(key)
                groups[key] = (s, v, [])
            }
            groups[key]?.intervals += subnet.prefixes.flatMap(\.intervals)
        }
        return order.compactMap { groups[$0] }.map {
            ($0.subnet, $0.vnet, IntervalSet(intervals: $0.intervals).intervals)
        }
    }()

    /// Per subnet: whether no route prefix or VNet address space begins or ends inside it (then
    /// routes treat all its addresses alike).
    private lazy var wholeSubnets: [Bool] = {
        var points: Set<UInt128> = []
        for table in compiled.network.routeTables {
            for r in table.routes {
                points.insert(r.addressPrefix.first)
                if r.addressPrefix.last < UInt128.max { points.insert(r.addressPrefix.last + 1) }
            }
        }
        for v in compiled.network.virtualNetworks {
            for p in v.addressSpace {
                points.insert(p.first)
                if p.last < UInt128.max { points.insert(p.last + 1) }
            }
        }
        let sorted = points.sorted()
        return compiled.network.subnets.map { subnet in
            subnet.prefixes.allSatisfy { p in
                // The first boundary above the prefix's first address must lie past its last.
                var a = 0
                var b = sorted.count
                while a < b {
                    let mid = (a + b) / 2
                    if sorted[mid] <= p.first { a = mid + 1 } else { b = mid }
                }
                return a == sorted.count || sorted[a] > p.last
            }
        }
    }()

    struct DroppedKey: Hashable {
        var subnet: Int
        var address: UInt128
    }
    private var droppedCache: [DroppedKey: IntervalSet] = [:]
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
