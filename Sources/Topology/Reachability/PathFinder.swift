import Findings

/// Shortest lateral-movement paths: breadth-first search over behaviour classes, then each hop made
/// concrete (a protocol and port that is allowed) and checked flow by flow for its deciding rules.
extension ReachabilityEngine {
    /// The NIC configurations (endpoint indices) an endpoint names.
    func endpoints(of endpoint: Endpoint) throws -> [Int] {
        let all = compiled.endpoints.indices
        switch endpoint {
        case .internet:
            return []
        case .address(let a):
            return all.filter {
                compiled.endpoints[$0].address == a.value || compiled.endpoints[$0].publicAddress == a.value
            }
        case .resource(let name):
            let lower = name.lowercased()
            let byMachine = all.filter {
                network.interfaces[compiled.endpoints[$0].interface].machineName?.lowercased() == lower
            }
            if !byMachine.isEmpty { return byMachine }
            let byInterface = all.filter {
                network.interfaces[compiled.endpoints[$0].interface].name.lowercased() == lower
            }
            if !byInterface.isEmpty { return byInterface }
            if let nic = network.interfaces.first(where: {
                $0.machineName?.lowercased() == lower || $0.name.lowercased() == lower
            }) {
                throw InputError(
                    file: nil, place: nil,
                    reason:
                        "network interface '\(nic.name)' has no private address in the topology, so no path can be traced from or to it"
                )
            }
            throw InputError(
                file: nil, place: nil, reason: "no VM or network interface is named '\(name)' in the topology")
        case .subnet(let vnetName, let subnetName):
            let matching = network.subnets.indices.filter { i in
                let s = network.subnets[i]
                return s.name.lowercased() == subnetName.lowercased()
                    && (network.virtualNetwork(s.virtualNetwork)?.name ?? s.virtualNetwork.lastComponent).lowercased()
                        == vnetName.lowercased()
            }
            guard !matching.isEmpty else {
                throw InputError(
                    file: nil, place: nil, reason: "no subnet \(vnetName)/\(subnetName) in the topology")
            }
            return all.filter { e in compiled.endpoints[e].subnet.map { matching.contains($0) } ?? false }
        case .tag(let key, let value):
            return all.filter { network.interfaces[compiled.endpoints[$0].interface].hasTag(key, value) }
        }
    }

    private func hostName(_ e: Int) -> String { network.interfaces[compiled.endpoints[e].interface].hostName }

    /// How the search first got a foothold in a class.
    private enum Foothold {
        /// A source endpoint of the query.
        case source(endpoint: Int)
        /// Entered from the internet: every member (all have a public IP) is reached.
        case internet
        /// A network hop from the foothold class `from`: every member is reached.
        case network(from: Int)
        /// The attacker controls a VM with a NIC in class `from` (endpoint `via`) and another
        /// (`endpoint`) in this class: no hop, but only that NIC is a foothold here.
        case bridge(from: Int, via: Int, endpoint: Int)
    }

    /// Endpoints of the same VM (or the same NIC's other IP configurations).
    private func siblingsByEndpoint() -> [Int: [Int]] {
        var groups: [String: [Int]] = [:]
        for e in compiled.endpoints.indices {
            // By index, not a copy of the whole interface per endpoint.
            let i = compiled.endpoints[e].interface
            groups[network.interfaces[i].machine?.key ?? network.interfaces[i].id.key, default: []].append(e)
        }
        var result: [Int: [Int]] = [:]
        for members in groups.values where members.count > 1 {
            for e in members { result[e] = members.filter { $0 != e } }
        }
        return result
    }

    /// Shortest paths from `source` to every host `target` names. A hop exists when some TCP or UDP
    /// flow (restricted by `protocol`/`port` when given) is allowed by every NSG on the way. A VM
    /// with NICs in several places is one host: reaching one NIC gives its other NICs as sources.
    public func paths(
        from source: Endpoint, to target: Endpoint = .crownJewels, protocol proto: TransportProtocol? = nil,
        port: Int? = nil
    ) throws -> PathReport {
        if target == .internet {
            throw InputError(
                file: nil, place: nil, reason: "--to internet is not supported: name hosts to reach")
        }
        let g = graph(for: proto, port: port)
        let targets = try endpoints(of: target)
        var warnings: [String] = []
        if targets.isEmpty {
            warnings.append(Self.emptyTargetWarning(target, network: network))
        }
        let siblings = siblingsByEndpoint()
        let n = classes.classes.count
        /// Fewest hops to a foothold in each class, and how it was gained.
        var footDistance = Array(repeating: Int.max, count: n)
        var foothold = [Foothold?](repeating: nil, count: n)
        /// Fewest hops to reach every member of a class, and the foothold class the last hop left.
        var reachedDistance = Array(repeating: Int.max, count: n)
        var reachedFrom = Array(repeating: -1, count: n)
        var queue: [Int] = []
        var externalSources: IntervalSet?
        var sourceEndpoints: Set<Int> = []

        func gain(_ c: Int, _ distance: Int, _ how: Foothold) {
            guard footDistance[c] == Int.max else { return }
            footDistance[c] = distance
            foothold[c] = how
            queue.append(c)
        }
        /// Every VM with a NIC among `endpoints` is the attacker's: its other NICs become footholds.
        func bridge(from c: Int, endpoints: [Int], _ distance: Int) {
            for e in endpoints {
                for s in siblings[e] ?? [] {
                    guard let sc = classes.classOfEndpoint[s] else { continue }
                    gain(sc, distance, .bridge(from: c, via: e, endpoint: s))
                }
            }
        }
        func reach(_ c: Int, _ distance: Int, from: Int, _ how: Foothold) {
            guard reachedDistance[c] == Int.max else { return }
            reachedDistance[c] = distance
            reachedFrom[c] = from
            gain(c, distance, how)
            if !siblings.isEmpty {
                bridge(from: c, endpoints: classes.classes[c].members.filter { siblings[$0] != nil }, distance)
            }
        }

        switch source {
        case .internet:
            externalSources = .allAddresses
        case .address(let a) where try endpoints(of: source).isEmpty:
            guard compiled.virtualNetwork(containing: a.value) == nil else {
                throw InputError(file: nil, place: nil, reason: "no network interface has the address \(a)")
            }
            externalSources = IntervalSet(a.value, a.value)
        default:
            sourceEndpoints = Set(try endpoints(of: source))
            for e in sourceEndpoints.sorted() {
                guard let c = classes.classOfEndpoint[e] else { continue }
                gain(c, 0, .source(endpoint: e))
                bridge(from: c, endpoints: [e], 0)
            }
        }
        if let externalSources {
            for c in 0..<n where !classes.classes[c].key.doors.isEmpty {
                if !entryPieces(c, from: externalSources, graph: g).isEmpty { reach(c, 1, from: -1, .internet) }
            }
            // Hosts an Azure Firewall's DNAT rules translate to (each its own class).
            for c in 0..<n where reachedDistance[c] == Int.max {
                if dnatHop(to: classes.classes[c].representative, from: externalSources, filter: g.filter) != nil {
                    reach(c, 1, from: -1, .internet)
                }
            }
        }
        // Breadth-first, one level of footholds at a time, stopping once every target class is
        // reached. Each level first tries its hops to the pending targets alone: that needs the
        // inbound projections of the targets only, and when it reaches them all the level's full
        // successor lists (the inbound projection of every class) are never built. Footholds are
        // tried in queue order, so each target gets the same last hop as a plain search would.
        // A target nothing may enter is unreachable: leaving it pending would make the search
        // expand every level to the end.
        var pending = Set(
            targets.compactMap { classes.classOfEndpoint[$0] }.filter {
                reachedDistance[$0] == Int.max && g.admitsAnything($0)
            })
        var proofTried: Set<Int> = []
        var head = pending.isEmpty ? queue.count : 0
        search: while head < queue.count {
            let level = footDistance[queue[head]]
            var end = head
            while end < queue.count && footDistance[queue[end]] == level { end += 1 }
            // Pending targets by VNet, in address order: each foothold tries only those its
            // traffic routes to, in the order its full successor list would name them.
            var wanted: [Int: [Int]] = [:]
            for t in pending.sorted(by: { g.address(of: $0) < g.address(of: $1) }) {
                wanted[g.virtualNetwork(of: t), default: []].append(t)
            }
            for i in head..<end {
                let a = queue[i]
                for vb in g.routableVNets(of: a) {
                    for t in wanted[vb] ?? [] where reachedDistance[t] == Int.max && g.reaches(a, t) {
                        reach(t, level + 1, from: a, .network(from: a))
                        pending.remove(t)
                    }
                }
            }
            if pending.isEmpty { break search }
            if searchShortcuts {
                // Two levels at once, from the targets' side: when every pending target has a
                // predecessor that this level would reach, the next level's footholds that matter
                // are those predecessors, and the full successor lists of this level (the inbound
                // projection of every class) are never built. Without VMs bridging classes the
                // order a full expansion would give the next level is known (the first foothold
                // reaching a class, then where its sweep meets it, or, reached only through an
                // internal door, where its door hops list it after the sweep: `successorRank`), so
                // each target gets the same last two hops.
                let plan =
                    siblings.isEmpty
                    ? twoLevels(
                        graph: g, pending: pending, footholds: Array(queue[head..<end]),
                        nextLevel: Array(queue[end...]), reachedDistance: reachedDistance, budget: 2 * n) : nil
                // A target whose predecessors lead back to no foothold is unreachable however far
                // the search goes: proving it (usually from a handful of classes) spares expanding
                // every level to the end. Tried once per target, for those the plan does not reach;
                // the budget keeps a proof cheaper than a level's expansion.
                for t in (plan?.missing ?? pending.sorted()) where proofTried.insert(t).inserted {
                    if g.provenUnreachable(
                        t, budget: 2 * n, isFoothold: { footDistance[$0] != Int.max },
                        hasSiblings: { c in classes.classes[c].members.contains { siblings[$0] != nil } })
                    {
                        pending.remove(t)
                    }
                }
                if pending.isEmpty { break search }
                if let plan, plan.missing.allSatisfy({ !pending.contains($0) }) {
                    for (b, a) in plan.hops where reachedDistance[b] == Int.max {
                        reach(b, level + 1, from: a, .network(from: a))
                    }
                    for (t, b) in plan.targets { reach(t, level + 2, from: b, .network(from: b)) }
                    break search
                }
            }
            for i in head..<end {
                let a = queue[i]
                for b in g.successors(a, skipping: { reachedDistance[$0] != Int.max }) {
                    reach(b, level + 1, from: a, .network(from: a))
                    pending.remove(b)
                    if pending.isEmpty { break search }
                }
            }
            head = end
        }
        // Group target endpoints by host; keep the nearest NIC of each host.
        var best: [String: (length: Int, endpoint: Int)] = [:]
        var names: Set<String> = []
        for t in targets where !sourceEndpoints.contains(t) {
            let name = hostName(t)
            names.insert(name)
            guard let c = classes.classOfEndpoint[t], reachedDistance[c] != Int.max else { continue }
            if let current = best[name], current.length <= reachedDistance[c] { continue }
            best[name] = (reachedDistance[c], t)
        }
        var paths: [LateralPath] = []
        for (name, found) in best {
            guard let targetClass = classes.classOfEndpoint[found.endpoint] else { continue }
            // Footholds from the start to the class the last hop leaves.
            var chain: [Int] = []
            var c = reachedFrom[targetClass] >= 0 ? reachedFrom[targetClass] : nil
            while let current = c {
                chain.append(current)
                switch foothold[current] {
                case .network(let from): c = from
                case .bridge(let from, _, _): c = from
                default: c = nil
                }
            }
            chain.reverse()
            var hops = concreteHops(
                chain: chain, foothold: foothold, target: found.endpoint, targetClass: targetClass, graph: g,
                external: externalSources)
            if case .address(let a) = source, externalSources != nil, !hops.isEmpty {
                // An outside address names itself rather than "internet".
                hops[0].from = a.description
                hops[0].fromAddress = a
            }
            paths.append(
                LateralPath(
                    target: name, targetInterface: network.interfaces[compiled.endpoints[found.endpoint].interface].id,
                    hops: hops))
        }
        paths.sort { $0.target < $1.target }
        let unreachable = names.subtracting(best.keys).sorted()
        return PathReport(paths: paths, unreachable: unreachable, warnings: warnings)
    }

    /// For targets two hops beyond the footholds `footholds` (this level, in queue order): the
    /// class of the next level each target's last hop leaves, and the foothold of this level
    /// that reaches it, exactly as the level-by-level search would choose them. `nextLevel` are
    /// the classes this level's tries to the targets already reached (queued before any other).
    /// `missing`: the targets with no such predecessor. Nil when the predecessors cost more than
    /// `budget`.
    private func twoLevels(
        graph g: ClassGraph, pending: Set<Int>, footholds: [Int], nextLevel: [Int], reachedDistance: [Int],
        budget: Int
    ) -> (hops: [(Int, Int)], targets: [(Int, Int)], missing: [Int])? {
        var left = budget
        var footholdsByVNet: [Int: [Int]] = [:]
        for (i, a) in footholds.enumerated() { footholdsByVNet[g.virtualNetwork(of: a), default: []].append(i) }
        var queued: [Int: Int] = [:]
        for (i, b) in nextLevel.enumerated() { queued[b] = i }
        /// Where a class joins the next level: its place among the already queued, or the foothold
        /// whose sweep first reaches it and where that sweep meets it. Nil: not in the next level.
        var joins: [Int: (rank: [Int], from: Int?)?] = [:]
        func join(_ b: Int) -> (rank: [Int], from: Int?)? {
            if let known = joins[b] { return known }
            var result: (rank: [Int], from: Int?)?
            if let i = queued[b] {
                result = ([0, i], nil)
            } else if reachedDistance[b] == Int.max {
                let candidates = g.sourceVNetsWithDoors(of: b).flatMap { footholdsByVNet[$0] ?? [] }.sorted()
                for i in candidates {
                    guard let place = g.successorRank(of: b, from: footholds[i]) else { continue }
                    result = ([1, i] + place, footholds[i])
                    break
                }
            }
            joins[b] = result
            return result
        }
        var hops: [(Int, Int)] = []
        var targets: [(Int, Int)] = []
        var missing: [Int] = []
        for t in pending.sorted() {
            guard let before = g.predecessors(of: t, budget: &left) else { return nil }
            var best: (b: Int, rank: [Int], from: Int?)?
            for b in before {
                // A predecessor reached at this level or earlier would have reached t already.
                guard let j = join(b) else { continue }
                if best == nil || j.rank.lexicographicallyPrecedes(best!.rank) { best = (b, j.rank, j.from) }
            }
            guard let best else {
                missing.append(t)
                continue
            }
            if let a = best.from { hops.append((best.b, a)) }
            targets.append((t, best.b))
        }
        return (hops, targets, missing)
    }

    /// What to tell a user whose target names no host the engine can route to: usually a typo in
    /// a tag, which would otherwise look like a clean "no paths".
    static func emptyTargetWarning(_ target: Endpoint, network: Network) -> String {
        switch target {
        case .tag(let key, let value):
            let carriers = network.interfaces.filter { $0.hasTag(key, value) }
            if carriers.isEmpty {
                return "no network interface or VM carries the tag \(key)=\(value), so there is nothing to reach"
            }
            return
                "the interfaces tagged \(key)=\(value) (\(carriers.map(\.name).sorted().joined(separator: ", "))) have no private address in the topology, so no path to them can be traced"
        case .subnet(let vnet, let subnet):
            return "subnet \(vnet)/\(subnet) holds no network interface, so there is nothing to reach"
        default:
            return "\(target) names no network interface with a private address, so there is nothing to reach"
        }
    }

    private func graph(for proto: TransportProtocol?, port: Int?) -> ClassGraph {
        graphForPaths(protocol: proto, port: port)
    }

    /// Turns a chain of foothold classes into hops with a witness flow each. A bridge between two
    /// NICs of one VM is no hop: the next hop simply leaves from the other NIC.
    private func concreteHops(
        chain: [Int], foothold: [Foothold?], target: Int, targetClass: Int, graph g: ClassGraph,
        external: IntervalSet?
    ) -> [PathHop] {
        // Stations: the endpoint standing for each foothold class, then the target itself.
        var stations: [Int] = chain.map { c in
            switch foothold[c] {
            case .source(let e): e
            case .bridge(_, _, let e): e
            default: classes.classes[c].representative
            }
        }
        for (i, c) in chain.enumerated() where i > 0 {
            if case .bridge(_, let via, _) = foothold[c] { stations[i - 1] = via }
        }
        stations.append(target)
        let classChain = chain + [targetClass]
        var hops: [PathHop] = []
        if let external, let firstClass = classChain.first {
            // The first hop enters from the internet, through the door with the preferred port.
            let entry = stations[0]
            let endpoint = compiled.endpoints[entry]
            if let (door, piece) = entryPieces(firstClass, from: external, graph: g, endpoint: entry).min(by: {
                ClassGraph.preference(portBox($0.piece.box)) < ClassGraph.preference(portBox($1.piece.box))
            }) {
                let flow = ClassGraph.flow(
                    from: piece.box.sources.first ?? 0, to: endpoint.address, portBox(piece.box))
                let d = compiled.entryPoints[door]
                hops.append(
                    PathHop(
                        from: "internet", to: hostName(entry), fromAddress: nil,
                        toAddress: d.frontendAddress ?? NetworkAddress(endpoint.address), protocol: flow.protocol,
                        port: Int(d.frontendPort(forBackend: UInt32(flow.destinationPort))),
                        sourcePort: flow.sourcePort,
                        decidedBy: piece.decisions.map(compiled.decision)))
            } else if var hop = dnatHop(to: entry, from: external, filter: g.filter) {
                // No door of its own: an Azure Firewall's DNAT rule leads there.
                hop.to = hostName(entry)
                hops.append(hop)
            }
        }
        for i in 0..<(stations.count - 1) {
            if i + 1 < chain.count, case .bridge = foothold[chain[i + 1]] { continue }
            let a = stations[i]
            let b = stations[i + 1]
            let from = compiled.endpoints[a]
            let to = compiled.endpoints[b]
            guard let flow = g.witness(from: classChain[i], to: classChain[i + 1], address: to.address) else {
                // No direct flow: the hop goes through an internal door (a private frontend).
                guard let (flow, door) = g.doorWitness(from: classChain[i], to: classChain[i + 1]) else { continue }
                var concrete = flow
                concrete.source = IPv4Address(from.address)
                let place = compiled.place(of: from.address)
                let verdict = compiled.verify(concrete, throughInternal: door, to: b, source: place)
                hops.append(
                    PathHop(
                        from: hostName(a), to: hostName(b), fromAddress: IPv4Address(from.address),
                        toAddress: concrete.destination, protocol: concrete.protocol,
                        port: concrete.destinationPort, sourcePort: concrete.sourcePort,
                        decidedBy: verdict.decidedBy))
                continue
            }
            var concrete = flow
            concrete.source = NetworkAddress(from.address)
            let verdict = compiled.verify(concrete)
            hops.append(
                PathHop(
                    from: hostName(a), to: hostName(b), fromAddress: NetworkAddress(from.address),
                    toAddress: NetworkAddress(to.address), protocol: concrete.protocol, port: concrete.destinationPort,
                    sourcePort: concrete.sourcePort, decidedBy: verdict.decidedBy))
        }
        return hops
    }

    /// What the internet sources among `external` get into class `c` through each of its doors,
    /// within the graph's protocol and port filter (ports as the internet addresses them).
    private func entryPieces(_ c: Int, from external: IntervalSet, graph g: ClassGraph, endpoint: Int? = nil)
        -> [(door: Int, piece: AnnotatedBox)]
    {
        let e = endpoint ?? classes.classes[c].representative
        let sources = external.intersection(compiled.internetSources(compiled.endpoints[e].virtualNetwork))
        var result: [(door: Int, piece: AnnotatedBox)] = []
        for d in compiled.entryPointsOfEndpoint[e] {
            for piece in compiled.entryPieces(
                door: d, endpoint: e, from: sources, protocols: g.filter.protocols, ports: g.filter.destinationPorts)
            {
                result.append((d, piece))
            }
        }
        return result
    }

    private func portBox(_ box: FlowBox) -> ClassGraph.PortBox {
        ClassGraph.PortBox(
            protocols: box.protocols, sourcePorts: box.sourcePorts, destinationPorts: box.destinationPorts)
    }
}
