import Correlation
import Findings
import SeededRandom
import Testing
import Topology

/// `exposure correlate`'s verdicts against the brute-force evaluator (Azure's documented NSG
/// semantics, applied rule by rule): random topologies, random observed flows. The expected
/// placement (which flows are judged, and the two address translations) is worked out here from the
/// model directly, not with the correlator's own lookups.
@Suite("Correlation on random topologies against a brute-force evaluator")
struct CorrelationAgreementTests {
    struct Case {
        var network: Network
        var observed: [ObservedFlow]
    }

    static func makeCase(seed: Int) -> Case {
        let (network, externals) = RandomTopology.make(seed: UInt64(seed))
        var rng = SeededGenerator(state: UInt64(seed) &* 104_729)
        let privates = network.interfaces.flatMap(\.privateAddresses)
        let publics = network.publicIPs.compactMap(\.address)
        let bare = [NetworkAddress("10.0.0.200")!, NetworkAddress("10.1.9.9")!]
        var observed: [ObservedFlow] = []
        for i in 0..<120 {
            let sources = privates + externals + bare + publics
            let source = sources[Int.random(in: 0..<sources.count, using: &rng)]
            let isInside = !externals.contains(source)
            // Hairpin flows (inside to a public IP of the topology) are left out, as in the engine's tests.
            let destinations = privates + externals + bare + (isInside ? [] : publics)
            let destination = destinations[Int.random(in: 0..<destinations.count, using: &rng)]
            let proto: TransportProtocol = Bool.random(using: &rng) ? .tcp : .udp
            let port = RandomTopology.candidatePorts[
                Int.random(in: 0..<RandomTopology.candidatePorts.count, using: &rng)]
            let flow = Flow(
                source: source, destination: destination, protocol: proto,
                sourcePort: Bool.random(using: &rng) ? 50000 : 80, destinationPort: port)
            let start: Int64 = 1_800_000_000_000_000
            observed.append(ObservedFlow(flow: flow, packets: 1 + i % 3, firstSeen: start + Int64(i) * 60_000_000))
        }
        return Case(network: network, observed: observed)
    }

    /// The NIC configuration holding an address as its private IP, or as its public IP.
    static func holder(_ network: Network, _ address: NetworkAddress) -> (
        nic: NetworkInterface, config: IPConfiguration
    )? {
        for nic in network.interfaces {
            for config in nic.ipConfigurations where config.privateAddress == address { return (nic, config) }
        }
        for pip in network.publicIPs where pip.address == address {
            for nic in network.interfaces {
                for config in nic.ipConfigurations where config.publicIP == pip.id { return (nic, config) }
            }
        }
        return nil
    }

    /// The flow as the rules see it, or nil when neither end is a NIC, or when one end is Azure's
    /// platform address 168.63.129.16 (it reaches private IPs directly; Azure documents it as
    /// platform traffic, not internet traffic).
    static func expectedJudged(_ network: Network, _ flow: Flow) -> Flow? {
        let platform = NetworkAddress("168.63.129.16")!
        if flow.source == platform || flow.destination == platform { return nil }
        let client = holder(network, flow.source)
        let server = holder(network, flow.destination)
        guard client != nil || server != nil else { return nil }
        var judged = flow
        if let client { judged.source = client.config.privateAddress! }
        let inVNet = network.virtualNetworks.contains { $0.addressSpace.contains { $0.contains(flow.source) } }
        if client == nil, !inVNet, let server, server.config.privateAddress == flow.destination,
            let pip = server.config.publicIP, let address = network.publicIPs.first(where: { $0.id == pip })?.address
        {
            judged.destination = address
        }
        return judged
    }

    @Test("every observed flow gets the brute-force verdict and deciding rules", arguments: 0..<40)
    func verdictsAgree(seed: Int) {
        let c = Self.makeCase(seed: seed)
        let brute = BruteForceEvaluator(network: c.network)
        let evaluated = Correlator(network: c.network).evaluate(c.observed)
        let expected = c.observed.compactMap { o in Self.expectedJudged(c.network, o.flow).map { (o, $0) } }
        #expect(evaluated.count == expected.count, "seed \(seed)")
        for (got, (observed, judged)) in zip(evaluated, expected) {
            #expect(got.observed == observed, "seed \(seed)")
            #expect(got.judged == judged, "seed \(seed) \(observed.flow)")
            let (verdict, names) = brute.verify(judged)
            #expect(got.verdict.verdict == verdict, "seed \(seed) \(judged)")
            #expect(
                got.verdict.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" } == names, "seed \(seed) \(judged)")
        }
    }

    @Test(
        "unused-allow, denied-flow, unknown-host and internet-management findings are what brute force says",
        arguments: 0..<40)
    func findingsAgree(seed: Int) {
        let c = Self.makeCase(seed: seed)
        let brute = BruteForceEvaluator(network: c.network)
        var traffic = ObservedTraffic(flows: c.observed)
        for o in c.observed {
            traffic.packetsByAddress[o.flow.source, default: 0] += o.packets
            traffic.packetsByAddress[o.flow.destination, default: 0] += o.packets
        }
        traffic.start = c.observed.map(\.firstSeen).min()
        traffic.end = c.observed.map(\.firstSeen).max()
        let report = Correlator(network: c.network).correlate(traffic)

        var used: Set<String> = []
        var denied: Set<String> = []
        for o in c.observed {
            guard let judged = Self.expectedJudged(c.network, o.flow) else { continue }
            let (verdict, names) = brute.verify(judged)
            if verdict == .allowed {
                used.formUnion(names)
            } else {
                let f = o.flow
                denied.insert("\(f.source) -> \(f.destination) \(f.protocol.rawValue)/\(f.destinationPort)")
            }
        }
        // NSGs of NICs that appear in the traffic (their own, and their subnets').
        var judgedGroups: Set<ResourceID> = []
        for nic in c.network.interfaces {
            let addresses =
                nic.privateAddresses
                + nic.publicIPIDs.compactMap { id in
                    c.network.publicIPs.first { $0.id == id }?.address
                }
            guard addresses.contains(where: { traffic.packetsByAddress[$0] != nil }) else { continue }
            if let g = nic.securityGroup { judgedGroups.insert(g) }
            for s in nic.subnetIDs {
                if let g = c.network.subnets.first(where: { $0.id == s })?.securityGroup { judgedGroups.insert(g) }
            }
        }
        var unused: Set<String> = []
        for group in c.network.securityGroups where judgedGroups.contains(group.id) {
            for rule in group.rules where rule.access == .allow && !used.contains("\(group.name)/\(rule.name)") {
                unused.insert("\(group.name)/\(rule.name)")
            }
        }
        let subjects = { (check: String) in
            Set(report.findings.filter { $0.check.id == check }.map(\.subject))
        }
        // Inventory gaps: addresses inside a VNet's space that no NIC holds (the generator never uses
        // a subnet's first four or last address).
        let nicAddresses = Set(c.network.interfaces.flatMap(\.privateAddresses))
        let unknown = Set(
            traffic.packetsByAddress.keys.filter { address in
                !nicAddresses.contains(address)
                    && c.network.virtualNetworks.contains { $0.addressSpace.contains { $0.contains(address) } }
            }.map(\.description))
        // Management sessions from the internet: the well-known ports among the generator's candidates.
        let management: Set<Int> = [22, 23, 3389]
        var sessions: Set<String> = []
        for o in c.observed where management.contains(o.flow.destinationPort) {
            let f = o.flow
            guard f.protocol == .tcp || f.destinationPort == 3389, f.source != NetworkAddress("168.63.129.16")!,
                Self.holder(c.network, f.source) == nil,
                !c.network.virtualNetworks.contains(where: { $0.addressSpace.contains { $0.contains(f.source) } }),
                let server = Self.holder(c.network, f.destination)
            else { continue }
            sessions.insert("\(server.nic.name):\(f.destinationPort)")
        }
        #expect(subjects("correlation.unknown-host-observed") == unknown, "seed \(seed)")
        #expect(subjects("correlation.internet-management-observed") == sessions, "seed \(seed)")
        #expect(subjects("correlation.unused-allow") == unused, "seed \(seed)")
        #expect(subjects("correlation.denied-flow-observed") == denied, "seed \(seed)")
    }
}
