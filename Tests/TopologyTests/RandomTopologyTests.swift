import SeededRandom
import Testing

@testable import Topology

/// The engine against the brute-force evaluator on random topologies: concrete flows, direct
/// reachability between every pair of NICs, and exposure to the internet.
@Suite("Random topologies against a brute-force evaluator")
struct RandomTopologyTests {
    @Test("Every random flow gets the brute-force verdict and deciding rules", arguments: 0..<40)
    func flowsAgree(seed: Int) {
        let (network, externals) = RandomTopology.make(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        var rng = SeededGenerator(state: UInt64(seed) &* 7919)
        let privates = network.interfaces.flatMap(\.privateAddresses)
        let publics = network.publicIPs.compactMap(\.address)
        let bare = [NetworkAddress("10.0.0.200")!, NetworkAddress("10.1.9.9")!]
        let protocols: [TransportProtocol] = [.tcp, .udp, .icmp, .tcp]
        for _ in 0..<300 {
            let sources = privates + externals + bare
            let source = sources[Int.random(in: 0..<sources.count, using: &rng)]
            let isInside = privates.contains(source) || bare.contains(source)
            // Hairpin flows (inside to a public IP of the topology) are a design choice, not tested here.
            let destinations = privates + externals + bare + (isInside ? [] : publics)
            let destination = destinations[Int.random(in: 0..<destinations.count, using: &rng)]
            let proto = protocols[Int.random(in: 0..<protocols.count, using: &rng)]
            let port = RandomTopology.candidatePorts[
                Int.random(in: 0..<RandomTopology.candidatePorts.count, using: &rng)]
            let flow = Flow(
                source: source, destination: destination, protocol: proto,
                sourcePort: Bool.random(using: &rng) ? 50000 : 80, destinationPort: proto.hasPorts ? port : 0)
            let expected = brute.verify(flow)
            let got = engine.verify(flow)
            #expect(got.verdict == expected.0, "seed \(seed) flow \(flow)")
            #expect(
                got.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" } == expected.1, "seed \(seed) flow \(flow)")
        }
    }

    /// Brute force over the candidate ports, which include both ends of every port range the
    /// generator uses, so "some port" is decided exactly.
    func bruteReaches(_ brute: BruteForceEvaluator, from: NetworkAddress, to: NetworkAddress) -> Bool {
        for proto in [TransportProtocol.tcp, .udp] {
            for port in RandomTopology.candidatePorts {
                for sourcePort in [80, 50000] {
                    let flow = Flow(
                        source: from, destination: to, protocol: proto, sourcePort: sourcePort, destinationPort: port)
                    if brute.verify(flow).0 == .allowed { return true }
                }
            }
        }
        return false
    }

    @Test("A one-hop path exists exactly when some TCP or UDP flow is allowed", arguments: 0..<25)
    func directReachabilityAgrees(seed: Int) throws {
        let (network, _) = RandomTopology.make(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        let addresses = network.interfaces.flatMap(\.privateAddresses)
        for a in addresses {
            for b in addresses where b != a {
                let paths = try engine.paths(from: .address(a), to: .address(b))
                let direct = paths.paths.first?.hops.count == 1
                #expect(direct == bruteReaches(brute, from: a, to: b), "seed \(seed) \(a) -> \(b)")
                // Every hop the engine reports must itself be allowed flow by flow.
                for hop in paths.paths.flatMap(\.hops) {
                    guard let from = hop.fromAddress else { continue }
                    let flow = Flow(
                        source: from, destination: hop.toAddress, protocol: hop.protocol, sourcePort: hop.sourcePort,
                        destinationPort: hop.port)
                    #expect(brute.verify(flow).0 == .allowed, "seed \(seed) hop \(hop.from) -> \(hop.to)")
                }
            }
        }
    }

    @Test("Internet exposure agrees with brute force from every kind of outside address", arguments: 0..<25)
    func internetExposureAgrees(seed: Int) throws {
        let (network, _) = RandomTopology.make(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        // Outside addresses covering every stretch the generator's prefixes create.
        let outside = [
            "198.51.100.7", "8.8.8.8", "203.0.113.9", "20.0.0.1", "20.0.0.2", "20.0.0.9", "20.0.1.1", "11.0.0.1",
        ]
        .map { NetworkAddress($0)! }
        let report = try engine.paths(from: .internet, to: .tag(key: "none", value: "none"))
        #expect(report.paths.isEmpty)
        let frontends = network.publicIPs.compactMap(\.address)
        for nic in network.interfaces {
            guard let address = nic.privateAddresses.first else { continue }
            var expected = false
            var doorsIn: Set<NetworkAddress> = []
            for frontend in frontends {
                for source in outside where !doorsIn.contains(frontend) {
                    for proto in [TransportProtocol.tcp, .udp] where !doorsIn.contains(frontend) {
                        for port in RandomTopology.candidatePorts where !doorsIn.contains(frontend) {
                            for sourcePort in [80, 50000] where !doorsIn.contains(frontend) {
                                let flow = Flow(
                                    source: source, destination: frontend, protocol: proto, sourcePort: sourcePort,
                                    destinationPort: port)
                                if brute.admittingBackends(flow).contains(address) {
                                    doorsIn.insert(frontend)
                                    expected = true
                                }
                            }
                        }
                    }
                }
            }
            let exposure = engine.internetExposure(of: nic.id).filter {
                !$0.flows.protocols.intersection(.withPorts).isEmpty
            }
            #expect(!exposure.isEmpty == expected, "seed \(seed) \(nic.name)")
            let paths = try engine.paths(from: .internet, to: .resource(nic.name))
            #expect((paths.paths.first?.hops.count == 1) == expected, "seed \(seed) \(nic.name)")
            // The first hop enters through a door brute force lets in.
            if let hops = paths.paths.first?.hops, hops.count == 1, let hop = hops.first {
                #expect(doorsIn.contains(hop.toAddress), "seed \(seed) \(nic.name) via \(hop.toAddress)")
                let admitted = outside.contains { source in
                    let flow = Flow(
                        source: source, destination: hop.toAddress, protocol: hop.protocol, sourcePort: hop.sourcePort,
                        destinationPort: hop.port)
                    return brute.admittingBackends(flow).contains(address)
                }
                #expect(admitted, "seed \(seed) hop \(hop)")
            }
        }
    }
}

@Suite("What each rule really gets, against brute force")
struct RandomRuleReachTests {
    @Test(
        "Each sampled flow lies in the reached set of exactly the rule brute force says decides it", arguments: 0..<40)
    func reachedSetsAgree(seed: Int) {
        let (network, externals) = RandomTopology.make(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        var rng = SeededGenerator(state: UInt64(seed) &+ 99)
        for group in network.securityGroups {
            // The VNets this NSG filters for; with one context the reached sets are exact for it.
            var contexts: Set<ResourceID> = []
            for s in network.subnets where s.securityGroup == group.id { contexts.insert(s.virtualNetwork) }
            for nic in network.interfaces where nic.securityGroup == group.id {
                for id in nic.subnetIDs { if let s = network.subnet(id) { contexts.insert(s.virtualNetwork) } }
            }
            guard contexts.count == 1, let vnetID = contexts.first, let vnet = network.virtualNetwork(vnetID) else {
                continue
            }
            let inside = network.interfaces.flatMap(\.privateAddresses).filter { a in
                vnet.addressSpace.contains { $0.contains(a) }
            }
            guard !inside.isEmpty else { continue }
            let anywhere = network.interfaces.flatMap(\.privateAddresses) + externals
            for direction in Direction.allCases {
                let reach = engine.ruleReach(securityGroup: group.id, direction: direction)
                for _ in 0..<100 {
                    let local = inside[Int.random(in: 0..<inside.count, using: &rng)]
                    let remote = anywhere[Int.random(in: 0..<anywhere.count, using: &rng)]
                    let proto: TransportProtocol = [.tcp, .udp, .icmp][Int.random(in: 0..<3, using: &rng)]
                    let port = RandomTopology.candidatePorts[
                        Int.random(in: 0..<RandomTopology.candidatePorts.count, using: &rng)]
                    let flow = Flow(
                        source: direction == .inbound ? remote : local,
                        destination: direction == .inbound ? local : remote,
                        protocol: proto, sourcePort: Bool.random(using: &rng) ? 80 : 50000,
                        destinationPort: proto.hasPorts ? port : 0)
                    let decider = brute.decide(group, direction, flow, context: vnet)
                    let holders = reach.filter { r in r.reached.contains { $0.contains(flow) } }.map(\.rule.name)
                    #expect(holders == [decider.name], "seed \(seed) \(group.name) \(direction) \(flow)")
                }
            }
        }
    }
}
