import Findings
import Foundation
import SeededRandom
import Testing

@testable import Topology

/// Private frontends as destinations: an internal load balancer's rules (Azure: the frontend's
/// private address and port reach every backend pool member on the backend port, the client's
/// address kept, since the load balancer does not translate the source; an HA-ports rule, protocol
/// All and port 0, forwards every TCP and UDP port untranslated; a Standard internal load balancer
/// admits traffic from its VNet with no NSG), and an application gateway's path-based rules and
/// private listener. Expected verdicts are DESIGN.md's examples D2-A and D2-B, worked by hand, and
/// each is held to the brute-force evaluator too.
@Suite("Internal doors: internal load balancers, gateway path maps and private listeners")
struct InternalDoorsTests {
    static let sub = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network"

    static func nic(
        _ name: String, _ address: String, subnet: String, pool: String? = nil, pip: String? = nil, tags: String = ""
    )
        -> String
    {
        let pools =
            pool.map {
                #", "loadBalancerBackendAddressPools": [{"id": "\#(sub)/loadBalancers/ilb/backendAddressPools/\#($0)"}]"#
            } ?? ""
        let pipRef = pip.map { #", "publicIPAddress": {"id": "\#(sub)/publicIPAddresses/\#($0)"}"# } ?? ""
        return #"""
            {"id": "\#(sub)/networkInterfaces/\#(name)", "name": "\#(name)", "type": "Microsoft.Network/networkInterfaces"\#(tags),
             "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "\#(address)",
               "subnet": {"id": "\#(sub)/virtualNetworks/vnet/subnets/\#(subnet)"}\#(pools)\#(pipRef)}}]}}
            """#
    }

    static func rule(
        _ name: String, _ priority: Int, _ direction: String, _ access: String, _ proto: String, _ source: String,
        _ destination: String, _ ports: String
    ) -> String {
        #"""
        {"name": "\#(name)", "properties": {"priority": \#(priority), "direction": "\#(direction)", "access": "\#(access)",
         "protocol": "\#(proto)", "sourceAddressPrefix": "\#(source)", "sourcePortRange": "*",
         "destinationAddressPrefix": "\#(destination)", "destinationPortRange": "\#(ports)", "description": "d"}}
        """#
    }

    /// Example D2-A (DESIGN.md): app1 may send to the internal frontends only, not to the backend
    /// subnet directly; the backends admit TCP 8080 from the app subnet only.
    static func exampleD2A(withLoadBalancer: Bool = true) -> String {
        let lb = #"""
            ,{"id": "\#(sub)/loadBalancers/ilb", "name": "ilb", "type": "Microsoft.Network/loadBalancers", "sku": {"name": "Standard"},
             "properties": {
               "frontendIPConfigurations": [
                 {"id": "\#(sub)/loadBalancers/ilb/frontendIPConfigurations/fe", "name": "fe", "properties": {"privateIPAddress": "10.0.2.6", "subnet": {"id": "\#(sub)/virtualNetworks/vnet/subnets/backend"}}},
                 {"id": "\#(sub)/loadBalancers/ilb/frontendIPConfigurations/fe-ha", "name": "fe-ha", "properties": {"privateIPAddress": "10.0.2.10", "subnet": {"id": "\#(sub)/virtualNetworks/vnet/subnets/backend"}}}],
               "backendAddressPools": [{"id": "\#(sub)/loadBalancers/ilb/backendAddressPools/web", "name": "web"},
                                       {"id": "\#(sub)/loadBalancers/ilb/backendAddressPools/ha", "name": "ha"}],
               "loadBalancingRules": [
                 {"name": "http", "properties": {"frontendIPConfiguration": {"id": "\#(sub)/loadBalancers/ilb/frontendIPConfigurations/fe"},
                   "backendAddressPool": {"id": "\#(sub)/loadBalancers/ilb/backendAddressPools/web"}, "protocol": "Tcp", "frontendPort": 80, "backendPort": 8080}},
                 {"name": "ha", "properties": {"frontendIPConfiguration": {"id": "\#(sub)/loadBalancers/ilb/frontendIPConfigurations/fe-ha"},
                   "backendAddressPool": {"id": "\#(sub)/loadBalancers/ilb/backendAddressPools/ha"}, "protocol": "All", "frontendPort": 0, "backendPort": 0}}]}}
            """#
        return """
            [
              {"id": "\(sub)/virtualNetworks/vnet", "name": "vnet", "type": "Microsoft.Network/virtualNetworks",
               "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                 {"id": "\(sub)/virtualNetworks/vnet/subnets/app", "name": "app", "properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": "\(sub)/networkSecurityGroups/app-nsg"}}},
                 {"id": "\(sub)/virtualNetworks/vnet/subnets/backend", "name": "backend", "properties": {"addressPrefix": "10.0.2.0/24", "networkSecurityGroup": {"id": "\(sub)/networkSecurityGroups/be-nsg"}}},
                 {"id": "\(sub)/virtualNetworks/vnet/subnets/ops", "name": "ops", "properties": {"addressPrefix": "10.0.3.0/24"}}]}},
              {"id": "\(sub)/networkSecurityGroups/app-nsg", "name": "app-nsg", "type": "Microsoft.Network/networkSecurityGroups",
               "properties": {"securityRules": [
                 \(rule("AllowHttpsIn", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "443")),
                 \(rule("AllowWebFrontend", 100, "Outbound", "Allow", "Tcp", "*", "10.0.2.6", "80")),
                 \(rule("AllowHaFrontend", 110, "Outbound", "Allow", "*", "*", "10.0.2.10", "*")),
                 \(rule("DenyBackendSubnet", 200, "Outbound", "Deny", "*", "*", "10.0.2.0/24", "*"))]}},
              {"id": "\(sub)/networkSecurityGroups/be-nsg", "name": "be-nsg", "type": "Microsoft.Network/networkSecurityGroups",
               "properties": {"securityRules": [
                 \(rule("AllowAppOn8080", 100, "Inbound", "Allow", "Tcp", "10.0.1.0/24", "*", "8080")),
                 \(rule("DenyAll", 200, "Inbound", "Deny", "*", "*", "*", "*"))]}},
              {"id": "\(sub)/publicIPAddresses/app1-pip", "name": "app1-pip", "type": "Microsoft.Network/publicIPAddresses",
               "sku": {"name": "Standard"}, "properties": {"ipAddress": "20.0.0.4"}},
              \(nic("app1", "10.0.1.4", subnet: "app", pip: "app1-pip")),
              \(nic("ops1", "10.0.3.4", subnet: "ops")),
              \(nic("be1", "10.0.2.4", subnet: "backend", pool: withLoadBalancer ? "web" : nil, tags: #", "tags": {"tier": "crown-jewel"}"#)),
              \(nic("be2", "10.0.2.5", subnet: "backend", pool: withLoadBalancer ? "web" : nil))
              \(withLoadBalancer ? lb : "")
            ]
            """
    }

    static func load(_ text: String) throws -> LoadedTopology {
        var topology = try TopologyLoader.load(documents: [("d2.json", Data(text.utf8))])
        // be2 is in the HA pool as well: a second membership given on the pool side.
        if let l = topology.network.loadBalancers.firstIndex(where: { $0.name == "ilb" }),
            let p = topology.network.loadBalancers[l].backendPools.firstIndex(where: { $0.name == "ha" })
        {
            topology.network.loadBalancers[l].backendPools[p].members.append(
                .ipConfiguration(ResourceID("\(sub)/networkInterfaces/be2/ipConfigurations/ipconfig1")))
        }
        return topology
    }

    static func flow(_ source: String, _ destination: String, _ port: Int, _ proto: TransportProtocol = .tcp)
        -> Flow
    {
        Flow(
            source: IPv4Address(source)!, destination: IPv4Address(destination)!, protocol: proto,
            destinationPort: port)
    }

    @Test(
        "Example D2-A: flows to an internal frontend reach the pool on the backend port, judged with the client's address"
    )
    func internalLoadBalancerVerdicts() throws {
        let network = try Self.load(Self.exampleD2A()).network
        let engine = ReachabilityEngine(network: network)
        let cases: [(Flow, Verdict, [String])] = [
            (
                Self.flow("10.0.1.4", "10.0.2.6", 80), .allowed,
                ["app-nsg/AllowWebFrontend", "ilb/http", "be-nsg/AllowAppOn8080"]
            ),
            (Self.flow("10.0.1.4", "10.0.2.4", 8080), .denied, ["app-nsg/DenyBackendSubnet"]),
            (Self.flow("10.0.3.4", "10.0.2.6", 80), .denied, ["ilb/http", "be-nsg/DenyAll"]),
            (Self.flow("10.0.1.4", "10.0.2.6", 8080), .unroutable, []),
            (
                Self.flow("10.0.1.4", "10.0.2.10", 8080), .allowed,
                ["app-nsg/AllowHaFrontend", "ilb/ha", "be-nsg/AllowAppOn8080"]
            ),
            (
                Self.flow("10.0.1.4", "10.0.2.10", 53, .udp), .denied,
                ["app-nsg/AllowHaFrontend", "ilb/ha", "be-nsg/DenyAll"]
            ),
            (Self.flow("198.51.100.7", "10.0.2.6", 80), .unroutable, []),
        ]
        let brute = BruteForceEvaluator(network: network)
        for (flow, verdict, names) in cases {
            let got = engine.verify(flow)
            let gotNames = got.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" }
            #expect(
                got.verdict == verdict && gotNames == names, "\(flow): \(got.verdict) \(gotNames) \(got.note ?? "")")
            let b = brute.verify(flow)
            #expect(b.0 == verdict && b.1 == names, "brute \(flow): \(b)")
        }
        let allowed = engine.verify(Self.flow("10.0.1.4", "10.0.2.6", 80))
        #expect(
            allowed.note?.contains("internal load balancer rule ilb/http forwards 10.0.2.6:80 to 10.0.2.4:8080")
                ?? false)
        let door = try #require(allowed.decidedBy.first { $0.kind == .doorRule })
        #expect(door.text == "load balancer ilb/http (10.0.2.6:80 -> 10.0.2.4:8080)")
        guard case .object(let json) = door.json else { throw InputError(file: nil, reason: "not an object") }
        #expect(json["kind"] == .string("doorRule") && json["via"] == .string("loadBalancer"))
        #expect(json["frontend"] == .string("10.0.2.6:80") && json["backend"] == .string("10.0.2.4:8080"))
    }

    @Test("Example D2-A: the path from the internet to the crown jewel goes through the internal frontend")
    func pathsThroughTheInternalFrontend() throws {
        let engine = ReachabilityEngine(network: try Self.load(Self.exampleD2A()).network)
        let report = try engine.paths(from: .internet, to: .crownJewels)
        let path = try #require(report.paths.first { $0.target == "be1" })
        #expect(path.hops.count == 2)
        #expect(path.hops.map(\.to) == ["app1", "be1"])
        let last = try #require(path.hops.last)
        #expect(last.toAddress == IPv4Address("10.0.2.6")! && last.port == 80 && last.protocol == .tcp)
        #expect(
            last.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" } == [
                "app-nsg/AllowWebFrontend", "ilb/http", "be-nsg/AllowAppOn8080",
            ])
        // ops1 has no NSG, but the backends admit only the app subnet: ops1 goes through app1
        // (AllowVnetInBound lets it in), two hops.
        let fromOps = try #require(try engine.paths(from: .resource("ops1"), to: .resource("be1")).paths.first)
        #expect(fromOps.hops.map(\.to) == ["app1", "be1"])
        // app1 to be2: through the frontend on 80 (a preferred port) rather than HA ports' 8080.
        let toBe2 = try #require(try engine.paths(from: .resource("app1"), to: .resource("be2")).paths.first)
        #expect(
            toBe2.hops.count == 1 && toBe2.hops[0].port == 80 && toBe2.hops[0].toAddress == IPv4Address("10.0.2.6")!)
        // Without the load balancer the backend subnet is closed to app1: no path.
        let bare = ReachabilityEngine(network: try Self.load(Self.exampleD2A(withLoadBalancer: false)).network)
        #expect(try bare.paths(from: .internet, to: .crownJewels).unreachable == ["be1"])
    }

    @Test("Example D2-A: the audit's lateral-movement-path names the hop through the internal load balancer")
    func auditSeesTheInternalDoor() throws {
        let report = TopologyAnalyzer.analyze(
            try Self.load(Self.exampleD2A()), options: AuditOptions(today: AuditSampleTests.today))
        let lateral = report.findings.filter { $0.check.id == "topology.lateral-movement-path" }
        #expect(lateral.map(\.subject) == ["be1"], "\(report.findings.map(\.check.id))")
        #expect(
            lateral.first?.message.contains("be1 on tcp/80 via load balancer ilb/http (10.0.2.6:80 -> 10.0.2.4:8080)")
                ?? false, "\(lateral.first?.message ?? "")")
        #expect(
            !report.findings.contains { $0.check.id == "topology.internet-exposed-port" && $0.subject.hasPrefix("be") })
    }

    // MARK: Random internal load balancers against brute force

    /// A random topology with two internal load balancers: frontends at .200 of a random subnet
    /// (no NIC holds it), pools of NICs of the frontend's VNet, rules on random candidate ports,
    /// sometimes HA ports.
    static func randomWithInternalDoors(seed: UInt64) -> (Network, [IPv4Address]) {
        var (network, _) = RandomTopology.make(seed: seed)
        var rng = SeededGenerator(state: seed &+ 7919)
        var frontends: [IPv4Address] = []
        let ports = RandomTopology.candidatePorts.filter { $0 != 0 }
        for l in 0..<2 {
            let v = Int.random(in: 0..<3, using: &rng)
            let s = Int.random(in: 0..<2, using: &rng)
            let address = IPv4Address("10.\(v).\(s).\(200 + l)")!
            frontends.append(address)
            let lb = ResourceID("/lb/\(l)")
            let fe = ResourceID("/lb/\(l)/fe")
            let pool = ResourceID("/lb/\(l)/pool")
            let members = network.interfaces.filter { nic in
                nic.ipConfigurations[0].subnet?.text.hasPrefix("/v/\(v)/") ?? false
            }.filter { _ in Bool.random(using: &rng) }.map {
                BackendTarget.ipConfiguration(ResourceID($0.id.text + "/ipConfigurations/c"))
            }
            var rules: [LoadBalancer.Rule] = []
            for r in 0..<2 {
                let ha = Int.random(in: 0..<4, using: &rng) == 0
                let proto: DoorProtocol = ha ? .all : [.tcp, .udp, .all][Int.random(in: 0..<3, using: &rng)]
                rules.append(
                    LoadBalancer.Rule(
                        name: "r\(r)", frontend: fe, backendPools: [pool], protocol: proto,
                        frontendPort: ha ? 0 : ports[Int.random(in: 0..<ports.count, using: &rng)],
                        backendPort: ha ? 0 : ports[Int.random(in: 0..<ports.count, using: &rng)]))
            }
            network.loadBalancers.append(
                LoadBalancer(
                    id: lb, name: "ilb\(l)", sku: Bool.random(using: &rng) ? .standard : nil,
                    frontends: [
                        .init(id: fe, name: "fe", privateAddress: address, subnet: ResourceID("/v/\(v)/s/\(s)"))
                    ],
                    backendPools: [.init(id: pool, name: "pool", members: members)], rules: rules))
        }
        return (network, frontends)
    }

    @Test(
        "Random internal load balancers: every flow to a frontend gets the brute-force verdict and rules",
        arguments: 0..<20)
    func randomFlowsToFrontends(seed: Int) {
        let (network, frontends) = Self.randomWithInternalDoors(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        for source in network.interfaces.flatMap(\.privateAddresses) {
            for frontend in frontends {
                for proto in [TransportProtocol.tcp, .udp] {
                    for port in RandomTopology.candidatePorts {
                        let flow = Flow(source: source, destination: frontend, protocol: proto, destinationPort: port)
                        let got = engine.verify(flow)
                        let expected = brute.verify(flow)
                        #expect(
                            got.verdict == expected.0,
                            "seed \(seed) \(flow): \(got.verdict) \(got.note ?? "") brute \(expected)")
                        if got.verdict == expected.0 && got.verdict != .unroutable {
                            #expect(
                                got.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" } == expected.1,
                                "seed \(seed) \(flow)")
                        }
                    }
                }
            }
        }
    }

    @Test(
        "Random internal load balancers: a one-hop path exists exactly when some flow reaches the host, directly or through a frontend",
        arguments: 0..<15)
    func randomOneHopPaths(seed: Int) throws {
        let (network, frontends) = Self.randomWithInternalDoors(seed: UInt64(seed))
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        let addresses = network.interfaces.flatMap(\.privateAddresses)
        func bruteReaches(_ a: IPv4Address, _ b: IPv4Address) -> Bool {
            for proto in [TransportProtocol.tcp, .udp] {
                for port in RandomTopology.candidatePorts {
                    for sourcePort in [80, 50000] {
                        let direct = Flow(
                            source: a, destination: b, protocol: proto, sourcePort: sourcePort, destinationPort: port)
                        if brute.verify(direct).0 == .allowed { return true }
                        for f in frontends {
                            var flow = direct
                            flow.destination = f
                            if brute.internalAdmittingBackends(flow).contains(b) { return true }
                        }
                    }
                }
            }
            return false
        }
        for a in addresses {
            for b in addresses where b != a {
                let paths = try engine.paths(from: .address(a), to: .address(b))
                let oneHop = paths.paths.first?.hops.count == 1
                #expect(oneHop == bruteReaches(a, b), "seed \(seed) \(a) -> \(b)")
                for hop in paths.paths.flatMap(\.hops) {
                    guard let from = hop.fromAddress else { continue }
                    let flow = Flow(
                        source: from, destination: hop.toAddress, protocol: hop.protocol, sourcePort: hop.sourcePort,
                        destinationPort: hop.port)
                    #expect(brute.verify(flow).0 == .allowed, "seed \(seed) hop \(hop.from) -> \(hop.to) \(flow)")
                }
            }
        }
    }

    // MARK: Application gateway: path maps and the private listener

    /// Example D2-B (DESIGN.md): gateway gw (subnet 10.0.5.0/24, gw-nsg) with a public listener on
    /// 443 routed by path map `paths` (default → web-pool on 80, /images/* → img-pool on 8080,
    /// /old/* → a redirect) and a private listener 10.0.5.10:80 → web-pool on 80.
    static let exampleD2B: String = {
        let gw = "\(sub)/applicationGateways/gw"
        return """
            [
              {"id": "\(sub)/virtualNetworks/vnet", "name": "vnet", "type": "Microsoft.Network/virtualNetworks",
               "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                 {"id": "\(sub)/virtualNetworks/vnet/subnets/app", "name": "app", "properties": {"addressPrefix": "10.0.1.0/24"}},
                 {"id": "\(sub)/virtualNetworks/vnet/subnets/gw-subnet", "name": "gw-subnet", "properties": {"addressPrefix": "10.0.5.0/24", "networkSecurityGroup": {"id": "\(sub)/networkSecurityGroups/gw-nsg"}}},
                 {"id": "\(sub)/virtualNetworks/vnet/subnets/web", "name": "web", "properties": {"addressPrefix": "10.0.6.0/24", "networkSecurityGroup": {"id": "\(sub)/networkSecurityGroups/web-nsg"}}}]}},
              {"id": "\(sub)/networkSecurityGroups/gw-nsg", "name": "gw-nsg", "type": "Microsoft.Network/networkSecurityGroups",
               "properties": {"securityRules": [
                 \(rule("AllowHttpsFromInternet", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "443")),
                 \(rule("AllowHttpFromVnet", 110, "Inbound", "Allow", "Tcp", "VirtualNetwork", "*", "80")),
                 \(rule("DenyAll", 200, "Inbound", "Deny", "*", "*", "*", "*"))]}},
              {"id": "\(sub)/networkSecurityGroups/web-nsg", "name": "web-nsg", "type": "Microsoft.Network/networkSecurityGroups",
               "properties": {"securityRules": [
                 \(rule("AllowGateway", 100, "Inbound", "Allow", "Tcp", "10.0.5.0/24", "*", "80-8080")),
                 \(rule("DenyAll", 200, "Inbound", "Deny", "*", "*", "*", "*"))]}},
              {"id": "\(sub)/publicIPAddresses/gw-pip", "name": "gw-pip", "type": "Microsoft.Network/publicIPAddresses",
               "sku": {"name": "Standard"}, "properties": {"ipAddress": "20.0.0.50"}},
              \(nic("app1", "10.0.1.4", subnet: "app")),
              \(nic("web1", "10.0.6.4", subnet: "web")),
              \(nic("img1", "10.0.6.5", subnet: "web")),
              {"id": "\(gw)", "name": "gw", "type": "Microsoft.Network/applicationGateways",
               "properties": {"sku": {"name": "Standard_v2", "tier": "Standard_v2"},
                 "gatewayIPConfigurations": [{"name": "gwip", "properties": {"subnet": {"id": "\(sub)/virtualNetworks/vnet/subnets/gw-subnet"}}}],
                 "frontendIPConfigurations": [
                   {"id": "\(gw)/frontendIPConfigurations/fe-public", "name": "fe-public", "properties": {"publicIPAddress": {"id": "\(sub)/publicIPAddresses/gw-pip"}}},
                   {"id": "\(gw)/frontendIPConfigurations/fe-private", "name": "fe-private", "properties": {"privateIPAddress": "10.0.5.10", "privateIPAllocationMethod": "Static", "subnet": {"id": "\(sub)/virtualNetworks/vnet/subnets/gw-subnet"}}}],
                 "frontendPorts": [{"id": "\(gw)/frontendPorts/p443", "name": "p443", "properties": {"port": 443}},
                                   {"id": "\(gw)/frontendPorts/p80", "name": "p80", "properties": {"port": 80}}],
                 "backendAddressPools": [
                   {"id": "\(gw)/backendAddressPools/web-pool", "name": "web-pool", "properties": {"backendAddresses": [{"ipAddress": "10.0.6.4"}]}},
                   {"id": "\(gw)/backendAddressPools/img-pool", "name": "img-pool", "properties": {"backendIPConfigurations": [{"id": "\(sub)/networkInterfaces/img1/ipConfigurations/ipconfig1"}]}},
                   {"id": "\(gw)/backendAddressPools/cdn-pool", "name": "cdn-pool", "properties": {"backendAddresses": [{"fqdn": "images.example.net"}]}}],
                 "backendHttpSettingsCollection": [
                   {"id": "\(gw)/backendHttpSettingsCollection/web-settings", "name": "web-settings", "properties": {"port": 80, "protocol": "Http"}},
                   {"id": "\(gw)/backendHttpSettingsCollection/img-settings", "name": "img-settings", "properties": {"port": 8080, "protocol": "Http"}}],
                 "httpListeners": [
                   {"id": "\(gw)/httpListeners/https-public", "name": "https-public", "properties": {"frontendIPConfiguration": {"id": "\(gw)/frontendIPConfigurations/fe-public"}, "frontendPort": {"id": "\(gw)/frontendPorts/p443"}, "protocol": "Https"}},
                   {"id": "\(gw)/httpListeners/http-private", "name": "http-private", "properties": {"frontendIPConfiguration": {"id": "\(gw)/frontendIPConfigurations/fe-private"}, "frontendPort": {"id": "\(gw)/frontendPorts/p80"}, "protocol": "Http"}}],
                 "urlPathMaps": [{"id": "\(gw)/urlPathMaps/paths", "name": "paths", "properties": {
                   "defaultBackendAddressPool": {"id": "\(gw)/backendAddressPools/web-pool"},
                   "defaultBackendHttpSettings": {"id": "\(gw)/backendHttpSettingsCollection/web-settings"},
                   "pathRules": [
                     {"name": "images", "properties": {"paths": ["/images/*"], "backendAddressPool": {"id": "\(gw)/backendAddressPools/img-pool"}, "backendHttpSettings": {"id": "\(gw)/backendHttpSettingsCollection/img-settings"}}},
                     {"name": "old", "properties": {"paths": ["/old/*"], "redirectConfiguration": {"id": "\(gw)/redirectConfigurations/to-new"}}}]}}],
                 "requestRoutingRules": [
                   {"name": "public-rule", "properties": {"ruleType": "PathBasedRouting", "priority": 100, "httpListener": {"id": "\(gw)/httpListeners/https-public"}, "urlPathMap": {"id": "\(gw)/urlPathMaps/paths"}}},
                   {"name": "private-rule", "properties": {"ruleType": "Basic", "priority": 200, "httpListener": {"id": "\(gw)/httpListeners/http-private"}, "backendAddressPool": {"id": "\(gw)/backendAddressPools/web-pool"}, "backendHttpSettings": {"id": "\(gw)/backendHttpSettingsCollection/web-settings"}}}]}}
            ]
            """
    }()

    @Test(
        "Example D2-B: every pool of a path map is reached from the public listener; the private listener is a door from inside"
    )
    func gatewayPathMapAndPrivateListener() throws {
        let loaded = try TopologyLoader.load(documents: [("d2b.json", Data(Self.exampleD2B.utf8))])
        #expect(!loaded.warnings.contains { $0.contains("path-based") })
        #expect(loaded.warnings.contains { $0.contains("images.example.net") && $0.contains("cdn-pool") })
        let network = loaded.network
        let gateway = try #require(network.applicationGateways.first)
        #expect(gateway.routes.map(\.name) == ["public-rule/default", "public-rule/images", "private-rule"])
        #expect(gateway.routes.map(\.backendPort) == [80, 8080, 80])
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        let cases: [(Flow, Verdict, [String])] = [
            (
                Self.flow("198.51.100.7", "20.0.0.50", 443), .allowed,
                ["gw-nsg/AllowHttpsFromInternet", "web-nsg/AllowGateway"]
            ),
            (
                Self.flow("10.0.1.4", "10.0.5.10", 80), .allowed,
                ["gw/private-rule", "gw-nsg/AllowHttpFromVnet", "web-nsg/AllowGateway"]
            ),
            (Self.flow("10.0.1.4", "10.0.5.10", 443), .unroutable, []),
            (Self.flow("198.51.100.7", "10.0.5.10", 80), .unroutable, []),
        ]
        for (flow, verdict, names) in cases {
            let got = engine.verify(flow)
            let gotNames = got.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" }
            #expect(
                got.verdict == verdict && gotNames == names, "\(flow): \(got.verdict) \(gotNames) \(got.note ?? "")")
            let b = brute.verify(flow)
            #expect(b.0 == verdict && b.1 == names, "brute \(flow): \(b)")
        }
        // Both pools of the path map are backends of the public listener: img1 only through /images/*.
        let images = try #require(engine.entryPoints.first { $0.name == "gw/public-rule/images" })
        #expect(!images.isInternal && images.backendPort == 8080)
        let toImg = try #require(try engine.paths(from: .internet, to: .resource("img1")).paths.first)
        #expect(toImg.hops.count == 1 && toImg.hops[0].port == 443)
        #expect(
            brute.admittingBackends(Self.flow("198.51.100.7", "20.0.0.50", 443)) == [
                IPv4Address("10.0.6.4")!, IPv4Address("10.0.6.5")!,
            ])
        // The private listener is no door from the internet, but app1 reaches web1 through it.
        let fromApp = try #require(try engine.paths(from: .resource("app1"), to: .resource("web1")).paths.first)
        #expect(fromApp.hops.count == 1 && fromApp.hops[0].toAddress == IPv4Address("10.0.5.10")!)
        let report = TopologyAnalyzer.analyze(loaded, options: AuditOptions(today: AuditSampleTests.today))
        let web = report.findings.filter { $0.check.id == "topology.public-web-without-waf" }.map(\.subject)
        #expect(web == ["gw/public-rule/default", "gw/public-rule/images"], "\(web)")
    }

    @Test("A path rule or routing rule naming settings or a path map the gateway lacks is a warning naming it")
    func gatewayPathMapBadReferences() throws {
        let broken = Self.exampleD2B
            .replacingOccurrences(
                of: "backendHttpSettingsCollection/img-settings\"}}}", with: "backendHttpSettingsCollection/gone\"}}}"
            )
            .replacingOccurrences(
                of: "\"urlPathMap\": {\"id\": \"\(Self.sub)/applicationGateways/gw/urlPathMaps/paths\"}",
                with: "\"urlPathMap\": {\"id\": \"\(Self.sub)/applicationGateways/gw/urlPathMaps/nope\"}")
        let loaded = try TopologyLoader.load(documents: [("d2b.json", Data(broken.utf8))])
        #expect(
            loaded.warnings.contains {
                $0.contains("routing rule 'public-rule' of 'gw' names path map nope, which the gateway does not define")
            }, "\(loaded.warnings)")
        #expect(loaded.network.applicationGateways.first?.routes.map(\.name) == ["private-rule"])
    }

    @Test("The Front Door sample's flows get the verdicts Topologies/README.md works out, and brute force agrees")
    func frontDoorSampleFlows() throws {
        let network = try DoorsTests.load("azure-front-door-internal-doors.json").network
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        let expected: [(Flow, Verdict, [String])] = [
            (
                Self.flow("10.60.1.4", "10.60.2.6", 1433), .allowed,
                ["app-nsg/AllowSqlFrontend", "sql-ilb/sql", "data-nsg/AllowAppSql"]
            ),
            (Self.flow("10.60.1.4", "10.60.2.4", 1433), .denied, ["app-nsg/DenyDataSubnet"]),
            (
                Self.flow("10.60.6.4", "10.60.2.6", 1433), .denied,
                ["web-nsg/AllowVnetOutBound", "sql-ilb/sql", "data-nsg/DenyAllElse"]
            ),
            (Self.flow("10.60.1.4", "10.60.2.6", 22), .unroutable, []),
            (
                Self.flow("10.60.1.4", "10.60.5.10", 80), .allowed,
                ["app-nsg/AllowVnetOutBound", "shop-gw/intranet", "gw-nsg/AllowVnetHttp", "web-nsg/AllowGatewayHttp"]
            ),
            (Self.flow("198.51.100.7", "20.60.0.5", 443), .denied, ["gw-nsg/DenyAllInBound"]),
            (Self.flow("198.51.100.7", "20.60.0.9", 443), .allowed, ["web-nsg/AllowLegacyHttps"]),
            (Self.flow("198.51.100.7", "10.60.2.6", 1433), .unroutable, []),
        ]
        let csv = try String(
            contentsOf: AuditSampleTests.root.appendingPathComponent(
                "Topologies/flows/azure-front-door-internal-doors.csv"),
            encoding: .utf8)
        let listed = csv.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("#") }.map(String.init)
        #expect(listed == expected.map { "\($0.0.source),\($0.0.destination),tcp,\($0.0.destinationPort)" })
        for (flow, verdict, names) in expected {
            let got = engine.verify(flow)
            #expect(
                got.verdict == verdict && got.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" } == names, "\(flow)"
            )
            let b = brute.verify(flow)
            #expect(b.0 == verdict && b.1 == names, "brute \(flow): \(b)")
        }
    }
}
