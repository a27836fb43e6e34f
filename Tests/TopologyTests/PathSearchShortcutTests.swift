import Findings
import SeededRandom
import Testing

@testable import Topology

/// The path search's two shortcuts (a proof that a target is unreachable, and a look two levels
/// ahead from the targets' side) must change its cost only: the same paths, hop for hop, as the
/// plain level-by-level search, and the same lengths as a breadth-first search over hops that the
/// brute-force evaluator allows flow by flow.
@Suite("Path search shortcuts")
struct PathSearchShortcutTests {
    /// One VNet; web (public IP) admits SSH from the internet, app admits SSH from web's subnet
    /// only, db (crown jewel) admits 1433 from app's subnet only, vault (crown jewel) admits 443
    /// from the internet only but has no public IP.
    static func chain() -> HandBuiltTopology {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        let closed = auditRule("DenyVnet", 200, .deny, .any, from: "VirtualNetwork", ports: "*")
        t.subnet("vnet", "a", "10.0.1.0/24", nsg: "nsgA")
        t.nsg("nsgA", [auditRule("SshIn", 100, from: "Internet", ports: "22")])
        t.subnet("vnet", "b", "10.0.2.0/24", nsg: "nsgB")
        t.nsg("nsgB", [auditRule("SshFromA", 100, from: "10.0.1.0/24", ports: "22"), closed])
        t.subnet("vnet", "c", "10.0.3.0/24", nsg: "nsgC")
        t.nsg("nsgC", [auditRule("SqlFromB", 100, from: "10.0.2.0/24", ports: "1433"), closed])
        t.subnet("vnet", "d", "10.0.4.0/24", nsg: "nsgD")
        t.nsg("nsgD", [auditRule("HttpsIn", 100, from: "Internet", ports: "443"), closed])
        t.nic("web", ip: "10.0.1.4", subnet: "vnet/a", publicIP: "20.0.0.4")
        t.nic("app", ip: "10.0.2.4", subnet: "vnet/b")
        t.nic("db", ip: "10.0.3.4", subnet: "vnet/c", tags: ["tier": "crown-jewel"])
        t.nic("vault", ip: "10.0.4.4", subnet: "vnet/d", tags: ["tier": "crown-jewel"])
        return t
    }

    @Test("A target three hops away and one nothing can reach: the hand-worked answer, with and without shortcuts")
    func handWorkedChain() throws {
        let network = Self.chain().network
        let fast = ReachabilityEngine(network: network)
        let plain = ReachabilityEngine(network: network)
        plain.searchShortcuts = false
        let report = try fast.paths(from: .internet, to: .crownJewels)
        #expect(report == (try plain.paths(from: .internet, to: .crownJewels)))
        #expect(report.unreachable == ["vault"])
        #expect(report.paths.count == 1)
        let hops = report.paths.first?.hops ?? []
        #expect(
            hops.map { "\($0.from)->\($0.to) \($0.protocol.rawValue)/\($0.port)" } == [
                "internet->web tcp/22", "web->app tcp/22", "app->db tcp/1433",
            ])
        guard hops.count == 3 else { return }
        #expect(hops[0].decidedBy.map { "\($0.securityGroupName)/\($0.rule)" } == ["nsgA/SshIn"])
        #expect(hops[1].decidedBy.last?.rule == "SshFromA")
        #expect(hops[2].decidedBy.last?.rule == "SqlFromB")
    }

    /// Subnets whose NSGs admit TCP from a few other subnets only, so paths run several hops.
    static func layered(seed: UInt64) -> Network {
        var rng = SeededGenerator(state: seed)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        var t = HandBuiltTopology()
        t.vnet("hub", "10.0.0.0/16", peers: ["spoke"])
        t.vnet("spoke", "10.1.0.0/16", peers: ["hub"])
        let ports = ["22", "443", "1433", "80", "*"]
        for v in 0..<2 {
            for s in 0..<5 {
                let name = "n\(v)\(s)"
                var rules: [SecurityRule] = []
                if pick(3) == 0 {
                    rules.append(auditRule("FromInternet", 100, from: "Internet", ports: ports[pick(5)]))
                }
                for k in 0..<(1 + pick(2)) {
                    rules.append(
                        auditRule(
                            "From\(k)", 110 + k, from: "10.\(pick(2)).\(pick(5)).0/24", ports: ports[pick(5)]))
                }
                if pick(4) != 0 {
                    rules.append(auditRule("DenyVnet", 300, .deny, .any, from: "VirtualNetwork", ports: "*"))
                }
                t.nsg(name, rules)
                t.subnet(v == 0 ? "hub" : "spoke", "s\(s)", "10.\(v).\(s).0/24", nsg: name)
            }
        }
        for n in 0..<18 {
            let v = pick(2)
            let s = pick(5)
            t.nic(
                "nic\(n)", ip: "10.\(v).\(s).\(4 + n)", subnet: "\(v == 0 ? "hub" : "spoke")/s\(s)",
                publicIP: pick(4) == 0 ? "20.0.0.\(n + 1)" : nil, tags: pick(3) == 0 ? ["tier": "crown-jewel"] : [:])
        }
        return t.network
    }

    /// Fewest hops from the internet to each NIC, by breadth-first search over hops the
    /// brute-force evaluator allows on some TCP or UDP port.
    static func bruteDistances(_ network: Network) -> [String: Int] {
        let brute = BruteForceEvaluator(network: network)
        let ports = [22, 80, 443, 1433, 3389, 8080]
        func allowed(_ from: NetworkAddress, _ to: NetworkAddress) -> Bool {
            ports.contains { port in
                [TransportProtocol.tcp, .udp].contains {
                    brute.verify(Flow(source: from, destination: to, protocol: $0, destinationPort: port)).0 == .allowed
                }
            }
        }
        var distance: [String: Int] = [:]
        var frontier: [NetworkInterface] = []
        for nic in network.interfaces {
            guard let pip = nic.publicIPIDs.first, let address = network.publicIP(pip)?.address,
                allowed(NetworkAddress("198.51.100.7")!, address)
            else { continue }
            distance[nic.name] = 1
            frontier.append(nic)
        }
        var level = 1
        while !frontier.isEmpty {
            level += 1
            var next: [NetworkInterface] = []
            for a in frontier {
                for b in network.interfaces where distance[b.name] == nil {
                    if allowed(a.privateAddresses[0], b.privateAddresses[0]) {
                        distance[b.name] = level
                        next.append(b)
                    }
                }
            }
            frontier = next
        }
        return distance
    }

    @Test(
        "Random layered topologies: the same paths with and without shortcuts, as short as brute force finds",
        arguments: 0..<30)
    func randomLayered(seed: Int) throws {
        let network = Self.layered(seed: UInt64(seed))
        let fast = ReachabilityEngine(network: network)
        let plain = ReachabilityEngine(network: network)
        plain.searchShortcuts = false
        let report = try fast.paths(from: .internet, to: .crownJewels)
        #expect(report == (try plain.paths(from: .internet, to: .crownJewels)), "seed \(seed)")
        let distances = Self.bruteDistances(network)
        for path in report.paths {
            #expect(path.hops.count == distances[path.target], "seed \(seed) \(path.target)")
        }
        for name in report.unreachable { #expect(distances[name] == nil, "seed \(seed) \(name)") }
        for nic in network.interfaces where nic.tags["tier"] == "crown-jewel" {
            let fromHost = try fast.paths(from: .resource(network.interfaces[0].name), to: .resource(nic.name))
            let plainFromHost = try plain.paths(from: .resource(network.interfaces[0].name), to: .resource(nic.name))
            #expect(fromHost == plainFromHost, "seed \(seed) nic0 -> \(nic.name)")
        }
    }

    /// The look two levels ahead ranks a class reached only through an internal door after the
    /// sweep of its foothold, as `successors` lists it: random topologies with internal load
    /// balancers (`InternalDoorsTests.randomWithInternalDoors`) and random crown jewels must give
    /// the plain search's paths, hop for hop.
    @Test(
        "Random internal load balancers: the same paths with and without shortcuts",
        arguments: 0..<30)
    func randomInternalDoors(seed: Int) throws {
        var (network, _) = InternalDoorsTests.randomWithInternalDoors(seed: UInt64(seed))
        var rng = SeededGenerator(state: UInt64(seed) &+ 31)
        for i in network.interfaces.indices where rng.next() % 3 == 0 {
            network.interfaces[i].tags["tier"] = "crown-jewel"
        }
        let fast = ReachabilityEngine(network: network)
        let plain = ReachabilityEngine(network: network)
        plain.searchShortcuts = false
        let report = try fast.paths(from: .internet, to: .crownJewels)
        #expect(report == (try plain.paths(from: .internet, to: .crownJewels)), "seed \(seed)")
        for nic in network.interfaces.prefix(4) where nic.tags["tier"] == nil {
            #expect(
                (try fast.paths(from: .resource(nic.name), to: .crownJewels))
                    == (try plain.paths(from: .resource(nic.name), to: .crownJewels)), "seed \(seed) from \(nic.name)")
        }
    }

    /// Hand-worked: web (public IP, SSH from the internet) may reach b1 (10.0.2.4) only through the
    /// internal load balancer's frontend 10.0.2.10 (its outbound NSG denies b1's subnet), and b2
    /// (10.0.3.4) directly on SSH; both may reach db (crown jewel) on 1433. The level-by-level
    /// search lists web's sweep (b2) before its door hops (b1), although b1's address comes first,
    /// so db's last hop leaves b2; the look two levels ahead must choose the same.
    @Test("A door hop ranks after the sweep: the look-ahead keeps the plain search's last two hops")
    func doorHopRanksAfterTheSweep() throws {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        let closed = auditRule("DenyVnet", 300, .deny, .any, from: "VirtualNetwork", ports: "*")
        t.subnet("vnet", "web", "10.0.1.0/24", nsg: "nsgWeb")
        t.nsg(
            "nsgWeb",
            [
                auditRule("SshIn", 100, from: "Internet", ports: "22"),
                auditRule("ToFrontend", 100, to: "10.0.2.10/32", ports: "80", direction: .outbound),
                auditRule("NotToB1", 200, .deny, .any, to: "10.0.2.0/24", ports: "*", direction: .outbound),
            ])
        t.subnet("vnet", "s1", "10.0.2.0/24", nsg: "nsgB1")
        t.nsg("nsgB1", [auditRule("AppFromWeb", 100, from: "10.0.1.0/24", ports: "8080"), closed])
        t.subnet("vnet", "s2", "10.0.3.0/24", nsg: "nsgB2")
        t.nsg("nsgB2", [auditRule("SshFromWeb", 100, from: "10.0.1.0/24", ports: "22"), closed])
        t.subnet("vnet", "d", "10.0.4.0/24", nsg: "nsgD")
        t.nsg("nsgD", [auditRule("SqlFromApps", 100, from: "10.0.2.0/24,10.0.3.0/24", ports: "1433"), closed])
        t.nic("web", ip: "10.0.1.4", subnet: "vnet/web", publicIP: "20.0.0.4")
        t.nic("b1", ip: "10.0.2.4", subnet: "vnet/s1")
        t.nic("b2", ip: "10.0.3.4", subnet: "vnet/s2")
        t.nic("db", ip: "10.0.4.4", subnet: "vnet/d", tags: ["tier": "crown-jewel"])
        var network = t.network
        let fe = ResourceID("/lb/ilb/fe")
        let pool = ResourceID("/lb/ilb/pool")
        network.loadBalancers.append(
            LoadBalancer(
                id: ResourceID("/lb/ilb"), name: "ilb", sku: .standard,
                frontends: [
                    .init(
                        id: fe, name: "fe", privateAddress: IPv4Address("10.0.2.10")!,
                        subnet: HandBuiltTopology.id("subnet", "vnet/s1"))
                ],
                backendPools: [
                    .init(
                        id: pool, name: "pool",
                        members: [.ipConfiguration(ResourceID("/tiny/nic/b1/ipConfigurations/ipconfig1"))])
                ],
                rules: [
                    LoadBalancer.Rule(
                        name: "http", frontend: fe, backendPools: [pool], protocol: .tcp, frontendPort: 80,
                        backendPort: 8080)
                ]))
        let fast = ReachabilityEngine(network: network)
        let plain = ReachabilityEngine(network: network)
        plain.searchShortcuts = false
        let report = try fast.paths(from: .internet, to: .crownJewels)
        #expect(report == (try plain.paths(from: .internet, to: .crownJewels)))
        #expect(
            report.paths.first?.hops.map { "\($0.from)->\($0.to) \($0.protocol.rawValue)/\($0.port)" } == [
                "internet->web tcp/22", "web->b2 tcp/22", "b2->db tcp/1433",
            ])
        // b1 is reached, through the frontend only.
        let toB1 = try plain.paths(from: .resource("web"), to: .resource("b1"))
        #expect(toB1.paths.first?.hops.map { "\($0.toAddress):\($0.port)" } == ["10.0.2.10:80"])
    }
}
