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
            throw TopologyInputError(
                file: nil, place: nil, reason: "no VM or network interface is named '\(name)' in the topology")
        case .subnet(let vnetName, let subnetName):
            let matching = network.subnets.indices.filter { i in
                let s = network.subnets[i]
                return s.name.lowercased() == subnetName.lowercased()
                    && (network.virtualNetwork(s.virtualNetwork)?.name ?? s.virtualNetwork.lastComponent).lowercased()
                        == vnetName.lowercased()
            }
            guard !matching.isEmpty else {
                throw TopologyInputError(
                    file: nil, place: nil, reason: "no subnet \(vnetName)/\(subnetName) in the topology")
            }
            return all.filter { e in compiled.endpoints[e].subnet.map { matching.contains($0) } ?? false }
        case .tag(let key, let value):
            return all.filter { network.interfaces[compiled.endpoints[$0].interface].hasTag(key, value) }
        }
    }

    private func hostName(_ e: Int) -> String { network.interfaces[compiled.endpoints[e].interface].hostName }

    /// Shortest paths from `source` to every host `target` names. A hop exists when some TCP or UDP
    /// flow (restricted by `protocol`/`port` when given) is allowed by every NSG on the way.
    public func paths(
        from source: Endpoint, to target: Endpoint = .crownJewels, protocol proto: TransportProtocol? = nil,
        port: Int? = nil
    ) throws -> PathReport {
        if target == .internet {
            throw TopologyInputError(
                file: nil, place: nil, reason: "--to internet is not supported: name hosts to reach")
        }
        let g = graph(for: proto, port: port)
        let targets = try endpoints(of: target)
        let n = classes.classes.count
        var distance = Array(repeating: Int.max, count: n)
        var parent = Array(repeating: -1, count: n)
        /// For classes entered straight from the source: the source endpoint, or -1 for the internet.
        var origin = Array(repeating: -2, count: n)
        var queue: [Int] = []
        var externalSources: IntervalSet?
        var sourceEndpoints: Set<Int> = []
        switch source {
        case .internet:
            externalSources = .allAddresses
        case .address(let a) where try endpoints(of: source).isEmpty:
            guard compiled.virtualNetwork(containing: a.value) == nil else {
                throw TopologyInputError(file: nil, place: nil, reason: "no network interface has the address \(a)")
            }
            externalSources = IntervalSet(a.value, a.value)
        default:
            sourceEndpoints = Set(try endpoints(of: source))
            for e in sourceEndpoints.sorted() {
                guard let c = classes.classOfEndpoint[e], distance[c] != 0 else { continue }
                distance[c] = 0
                origin[c] = e
                queue.append(c)
            }
        }
        if let externalSources {
            for c in 0..<n {
                let e = g.endpoint(c)
                guard e.hasPublicIP else { continue }
                let sources = externalSources.intersection(compiled.internetSources(e.virtualNetwork))
                if !g.inboundPieces(c, from: sources).isEmpty {
                    distance[c] = 1
                    origin[c] = -1
                    queue.append(c)
                }
            }
        }
        // Stop as soon as every target class is labelled (unless a target shares a class with a
        // source: its path then needs the predecessors of its class, so the search runs to the end).
        var pending = Set(targets.compactMap { classes.classOfEndpoint[$0] }.filter { distance[$0] == Int.max })
        let runToEnd = targets.contains { t in classes.classOfEndpoint[t].map { distance[$0] == 0 } ?? false }
        var head = pending.isEmpty && !runToEnd ? queue.count : 0
        search: while head < queue.count {
            let a = queue[head]
            head += 1
            for b in g.successors(a) where distance[b] == Int.max {
                distance[b] = distance[a] + 1
                parent[b] = a
                queue.append(b)
                pending.remove(b)
                if pending.isEmpty && !runToEnd { break search }
            }
        }
        // Group target endpoints by host; keep the nearest NIC of each host.
        var best: [String: (length: Int, endpoint: Int, last: Int?)] = [:]
        var names: Set<String> = []
        for t in targets where !sourceEndpoints.contains(t) {
            let name = hostName(t)
            names.insert(name)
            guard let c = classes.classOfEndpoint[t] else { continue }
            var length = distance[c]
            var last: Int? = parent[c] >= 0 ? parent[c] : nil
            if length == 0 {
                // The target shares a class with a source: it needs one more hop from some reached class.
                length = Int.max
                last = nil
                for p in 0..<n where distance[p] != Int.max && g.reaches(p, c) && distance[p] + 1 < length {
                    length = distance[p] + 1
                    last = p
                }
            }
            guard length != Int.max else { continue }
            if let current = best[name], current.length <= length { continue }
            best[name] = (length, t, last)
        }
        var paths: [LateralPath] = []
        for (name, found) in best {
            var chain: [Int] = []
            var c = found.last
            while let current = c {
                chain.append(current)
                if distance[current] == 0 || origin[current] == -1 { break }
                c = parent[current] >= 0 ? parent[current] : nil
            }
            chain.reverse()
            var hops = concreteHops(
                chain: chain, origin: origin, target: found.endpoint, graph: g, external: externalSources)
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
        return PathReport(paths: paths, unreachable: unreachable)
    }

    private func graph(for proto: TransportProtocol?, port: Int?) -> ClassGraph {
        graphForPaths(protocol: proto, port: port)
    }

    /// Turns a chain of classes (ending before the target) into hops with a witness flow each.
    private func concreteHops(chain: [Int], origin: [Int], target: Int, graph g: ClassGraph, external: IntervalSet?)
        -> [PathHop]
    {
        var hops: [PathHop] = []
        // Stations: the endpoint standing for each class on the way, then the target itself.
        var stations: [Int] = chain.enumerated().map { i, c in
            i == 0 && origin[c] >= 0 ? origin[c] : classes.classes[c].representative
        }
        stations.append(target)
        let classChain = chain + [classes.classOfEndpoint[target] ?? 0]
        if let external, let firstClass = classChain.first {
            // The first hop enters from the internet.
            let entry = stations[0]
            let endpoint = compiled.endpoints[entry]
            let sources = external.intersection(compiled.internetSources(endpoint.virtualNetwork))
            if let piece = g.inboundPieces(firstClass, from: sources).min(by: {
                ClassGraph.preference(portBox($0.box)) < ClassGraph.preference(portBox($1.box))
            }) {
                let flow = ClassGraph.flow(
                    from: piece.box.sources.first ?? 0, to: endpoint.address, portBox(piece.box))
                var decisions: [RuleDecision] = []
                let place = compiled.place(of: endpoint.address)
                _ = compiled.pass(
                    flow, through: compiled.levels(place, .inbound), .inbound, context: endpoint.virtualNetwork,
                    into: &decisions)
                hops.append(
                    PathHop(
                        from: "internet", to: hostName(entry), fromAddress: nil,
                        toAddress: IPv4Address(endpoint.publicAddress ?? endpoint.address), protocol: flow.protocol,
                        port: flow.destinationPort, sourcePort: flow.sourcePort, decidedBy: decisions))
            }
        }
        for i in 0..<(stations.count - 1) {
            let a = stations[i]
            let b = stations[i + 1]
            let from = compiled.endpoints[a]
            let to = compiled.endpoints[b]
            guard let flow = g.witness(from: classChain[i], to: classChain[i + 1], address: to.address) else {
                continue
            }
            var concrete = flow
            concrete.source = IPv4Address(from.address)
            let verdict = compiled.verify(concrete)
            hops.append(
                PathHop(
                    from: hostName(a), to: hostName(b), fromAddress: IPv4Address(from.address),
                    toAddress: IPv4Address(to.address), protocol: concrete.protocol, port: concrete.destinationPort,
                    sourcePort: concrete.sourcePort, decidedBy: verdict.decidedBy))
        }
        return hops
    }

    private func portBox(_ box: FlowBox) -> ClassGraph.PortBox {
        ClassGraph.PortBox(
            protocols: box.protocols, sourcePorts: box.sourcePorts, destinationPorts: box.destinationPorts)
    }
}
