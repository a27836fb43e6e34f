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
}
