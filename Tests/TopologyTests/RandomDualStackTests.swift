import SeededRandom
import Testing

@testable import Topology

extension RandomTopology {
    /// `make(seed:)` made dual stack, as Azure's dual-stack VNets are: each VNet gains the IPv6
    /// space fd00:db8:V::/48, each subnet fd00:db8:V:S::/64, about half the NICs an IPv6
    /// configuration (some with an IPv6 public IP), and about a third of the rules an IPv6 prefix
    /// among their sources or destinations (`::/0`, a VNet's /48, a subnet's /64, a NIC's /128, an
    /// internet /48), so IPv4 and IPv6 prefixes, `*` and the tags meet in one rule list.
    static func makeDualStack(seed: UInt64) -> (network: Network, externalAddresses: [NetworkAddress]) {
        var (network, externals) = make(seed: seed)
        var rng = SeededGenerator(state: seed &+ 0x1D6)
        for v in network.virtualNetworks.indices {
            network.virtualNetworks[v].addressSpace.append(NetworkPrefix("fd00:db8:\(v)::/48")!)
        }
        for s in network.subnets.indices {
            let v = network.subnets[s].virtualNetwork.lastComponent
            let sub = network.subnets[s].name.dropFirst()
            network.subnets[s].prefixes.append(NetworkPrefix("fd00:db8:\(v):\(sub)::/64")!)
        }
        var v6Hosts: [NetworkAddress] = []
        for n in network.interfaces.indices where Bool.random(using: &rng) {
            guard let first = network.interfaces[n].ipConfigurations.first, let subnet = first.subnet,
                let s = network.subnets.first(where: { $0.id == subnet })
            else { continue }
            let v = s.virtualNetwork.lastComponent
            let address = NetworkAddress("fd00:db8:\(v):\(s.name.dropFirst())::\(4 + n)")!
            v6Hosts.append(address)
            var config = IPConfiguration(
                name: "c6", privateAddress: address, subnet: subnet, publicIP: nil,
                applicationSecurityGroups: first.applicationSecurityGroups)
            config.isIPv6 = true
            if Bool.random(using: &rng) {
                let id = ResourceID("/pip/v6-\(n)")
                network.publicIPs.append(
                    PublicIPAddress(
                        id: id, name: "pip6-\(n)", address: NetworkAddress("2001:db8:ff::\(n + 1)"),
                        sku: [nil, .basic, .standard][Int.random(in: 0..<3, using: &rng)]))
                config.publicIP = id
            }
            network.interfaces[n].ipConfigurations.append(config)
        }
        let choices: [AddressMatch] =
            ["::/0", "fd00:db8::/32", "fd00:db8:1::/48", "fd00:db8:0:1::/64", "2001:db8:99::/48", "2001:db8:ff::/120"]
            .map { .prefix(NetworkPrefix($0)!) }
            + v6Hosts.prefix(2).map { .prefix(NetworkPrefix(network: $0, length: 128)) }
        for g in network.securityGroups.indices {
            for r in network.securityGroups[g].rules.indices where Int.random(in: 0..<3, using: &rng) == 0 {
                let match = choices[Int.random(in: 0..<choices.count, using: &rng)]
                if Bool.random(using: &rng) {
                    network.securityGroups[g].rules[r].sources.append(match)
                } else {
                    network.securityGroups[g].rules[r].destinations[0] = match
                }
            }
        }
        externals += ["2001:db8:99::7", "2001:db8:4::1", "fe80::1"].map { NetworkAddress($0)! }
        return (network, externals)
    }
}

/// The engine against the brute-force evaluator (which reads prefixes with `inet_pton`, apart from
/// the engine's intervals) on random dual-stack topologies. Flows keep their family, as in Azure.
@Suite("Random dual-stack topologies against the brute-force evaluator")
struct RandomDualStackTests {
    @Test("Every random flow of either family gets the brute-force verdict and deciding rules", arguments: 0..<30)
    func flowsAgree(seed: Int) {
        let (network, externals) = RandomTopology.makeDualStack(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        var rng = SeededGenerator(state: UInt64(seed) &* 7907)
        let privates = network.interfaces.flatMap(\.privateAddresses)
        let publics = network.publicIPs.compactMap(\.address)
        let bare = ["10.0.0.200", "fd00:db8:1:1::99"].map { NetworkAddress($0)! }
        let protocols: [TransportProtocol] = [.tcp, .udp, .icmp, .tcp]
        var checked = [0, 0]
        for _ in 0..<400 {
            let sources = privates + externals + bare
            let source = sources[Int.random(in: 0..<sources.count, using: &rng)]
            let isInside = privates.contains(source) || bare.contains(source)
            let destinations = (privates + externals + bare + (isInside ? [] : publics)).filter {
                $0.isIPv4 == source.isIPv4
            }
            guard !destinations.isEmpty else { continue }
            let destination = destinations[Int.random(in: 0..<destinations.count, using: &rng)]
            let proto = protocols[Int.random(in: 0..<protocols.count, using: &rng)]
            let port = RandomTopology.candidatePorts[
                Int.random(in: 0..<RandomTopology.candidatePorts.count, using: &rng)]
            let flow = Flow(
                source: source, destination: destination, protocol: proto,
                sourcePort: Bool.random(using: &rng) ? 50000 : 80, destinationPort: proto.hasPorts ? port : 0)
            let expected = brute.verify(flow)
            let got = engine.verify(flow)
            checked[source.isIPv4 ? 0 : 1] += 1
            #expect(got.verdict == expected.0, "seed \(seed) flow \(flow)")
            #expect(
                got.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" } == expected.1, "seed \(seed) flow \(flow)")
        }
        #expect(checked[1] > 50, "seed \(seed): IPv6 flows are drawn")
    }

    func bruteReaches(_ brute: BruteForceEvaluator, from: NetworkAddress, to: NetworkAddress) -> Bool {
        guard from.isIPv4 == to.isIPv4 else { return false }
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

    @Test("A one-hop path exists exactly when the host sends some flow of the target's family", arguments: 0..<12)
    func directReachabilityAgrees(seed: Int) throws {
        let (network, _) = RandomTopology.makeDualStack(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        for nic in network.interfaces {
            guard let a = nic.privateAddresses.first else { continue }
            for other in network.interfaces where other.id != nic.id {
                for b in other.privateAddresses {
                    let paths = try engine.paths(from: .address(a), to: .address(b))
                    // A host sends from whichever of its NIC's addresses has the target's family.
                    let expected = nic.privateAddresses.contains { bruteReaches(brute, from: $0, to: b) }
                    #expect((paths.paths.first?.hops.count == 1) == expected, "seed \(seed) \(a) -> \(b)")
                    for hop in paths.paths.flatMap(\.hops) {
                        guard let from = hop.fromAddress else { continue }
                        #expect(from.isIPv4 == hop.toAddress.isIPv4, "seed \(seed) hop \(hop) keeps its family")
                        let flow = Flow(
                            source: from, destination: hop.toAddress, protocol: hop.protocol,
                            sourcePort: hop.sourcePort, destinationPort: hop.port)
                        #expect(brute.verify(flow).0 == .allowed, "seed \(seed) hop \(hop.from) -> \(hop.to)")
                    }
                }
            }
        }
    }

    @Test("Internet exposure over either family agrees with brute force", arguments: 0..<20)
    func internetExposureAgrees(seed: Int) throws {
        let (network, _) = RandomTopology.makeDualStack(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        let outside = [
            "198.51.100.7", "8.8.8.8", "203.0.113.9", "20.0.0.1", "20.0.0.9", "11.0.0.1", "2001:db8:99::7",
            "2001:db8:ff::77", "2001:db8:4::1",
        ]
        .map { NetworkAddress($0)! }
        let frontends = network.publicIPs.compactMap(\.address)
        for nic in network.interfaces {
            var expected = false
            for address in nic.privateAddresses where !expected {
                search: for frontend in frontends where frontend.isIPv4 == address.isIPv4 {
                    for source in outside where source.isIPv4 == frontend.isIPv4 {
                        for proto in [TransportProtocol.tcp, .udp] {
                            for port in RandomTopology.candidatePorts {
                                for sourcePort in [80, 50000] {
                                    let flow = Flow(
                                        source: source, destination: frontend, protocol: proto,
                                        sourcePort: sourcePort, destinationPort: port)
                                    if brute.admittingBackends(flow).contains(address) {
                                        expected = true
                                        break search
                                    }
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
            // What the engine says comes in keeps its family: IPv6 sources only to IPv6 addresses.
            for piece in exposure {
                let destinationIsIPv4 = NetworkAddress(piece.flows.destinations.first ?? 0).isIPv4
                let family = IntervalSet.family(of: piece.flows.destinations.first ?? 0)
                #expect(family.isSuperset(of: piece.flows.sources), "seed \(seed) \(nic.name) \(destinationIsIPv4)")
            }
            let paths = try engine.paths(from: .internet, to: .resource(nic.name))
            #expect((paths.paths.first?.hops.count == 1) == expected, "seed \(seed) \(nic.name)")
        }
    }
}
