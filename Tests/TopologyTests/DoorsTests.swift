import Findings
import Foundation
import Testing

@testable import Topology

/// Doors other than a NIC's public IP, read from the shapes Azure prints and judged as Azure
/// documents them: a load-balancing or NAT rule translates the frontend address and port to a
/// backend NIC's private address and backend port and the NSGs judge the translated flow; an
/// application gateway's backend sees the gateway's own subnet address; a Standard SKU public IP or
/// load balancer admits nothing unless an NSG on the path allows it, a Basic one with no NSG is
/// open; NAT gateways are outbound only and a bastion forwards nothing. The expected verdicts are
/// worked out by hand in Topologies/README.md and each is also held to the brute-force evaluator.
@Suite("Doors: load balancers, application gateways, SKUs, bastions")
struct DoorsTests {
    static func load(_ name: String) throws -> LoadedTopology {
        let relative = "Topologies/\(name)"
        let data = try Data(contentsOf: AuditSampleTests.root.appendingPathComponent(relative))
        return try TopologyLoader.load(documents: [(relative, data)])
    }

    static func audit(_ name: String) throws -> Report {
        TopologyAnalyzer.analyze(try load(name), options: AuditOptions(today: AuditSampleTests.today))
    }

    static func flow(_ source: String, _ destination: String, _ port: Int) -> Flow {
        Flow(
            source: IPv4Address(source)!, destination: IPv4Address(destination)!, protocol: .tcp, destinationPort: port)
    }

    /// The engine's verdict and deciding rules, checked against brute force on the way.
    static func verdict(_ network: Network, _ flow: Flow) -> (Verdict, [String]) {
        let got = ReachabilityEngine(network: network).verify(flow)
        let names = got.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" }
        let brute = BruteForceEvaluator(network: network).verify(flow)
        #expect(got.verdict == brute.0 && names == brute.1, "\(flow): engine \(got.verdict) \(names), brute \(brute)")
        return (got.verdict, names)
    }

    @Test("`az network lb show` output (settings flattened) is read: SKU, frontends, rules, NAT rules, pools")
    func loadBalancerShowShape() throws {
        let lb = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/loadBalancers/lb1"
        let nic = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n1"
        let json = """
            [{"id": "\(lb)", "name": "lb1", "type": "Microsoft.Network/loadBalancers", "sku": {"name": "Standard", "tier": "Regional"},
              "frontendIPConfigurations": [{"id": "\(lb)/frontendIPConfigurations/fe", "name": "fe",
                 "publicIPAddress": {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/publicIPAddresses/p"}}],
              "backendAddressPools": [{"id": "\(lb)/backendAddressPools/pool", "name": "pool",
                 "backendIPConfigurations": [{"id": "\(nic)/ipConfigurations/ipconfig1"},
                                             {"id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/gone/ipConfigurations/ipconfig1"}],
                 "loadBalancerBackendAddresses": [{"name": "a", "ipAddress": "10.0.0.9"}]}],
              "loadBalancingRules": [{"name": "web", "frontendIPConfiguration": {"id": "\(lb)/frontendIPConfigurations/fe"},
                 "backendAddressPool": {"id": "\(lb)/backendAddressPools/pool"}, "protocol": "Tcp", "frontendPort": 443, "backendPort": 8443}],
              "inboundNatRules": [{"id": "\(lb)/inboundNatRules/ssh", "name": "ssh", "frontendIPConfiguration": {"id": "\(lb)/frontendIPConfigurations/fe"},
                 "protocol": "Tcp", "frontendPort": 50022, "backendPort": 22, "backendIPConfiguration": {"id": "\(nic)/ipConfigurations/ipconfig1"}}],
              "inboundNatPools": [{"id": "\(lb)/inboundNatPools/rdp", "name": "rdp", "frontendIPConfiguration": {"id": "\(lb)/frontendIPConfigurations/fe"},
                 "protocol": "Tcp", "frontendPortRangeStart": 50000, "frontendPortRangeEnd": 50099, "backendPort": 3389}]},
             {"id": "\(nic)", "name": "n1", "type": "Microsoft.Network/networkInterfaces",
              "ipConfigurations": [{"name": "ipconfig1", "privateIPAddress": "10.0.0.4"}]}]
            """
        let topology = try TopologyLoader.load(documents: [("lb.json", Data(json.utf8))])
        let read = try #require(topology.network.loadBalancers.first)
        #expect(read.sku == .standard)
        #expect(read.frontends.map(\.name) == ["fe"])
        #expect(
            read.rules.map { "\($0.name) \($0.protocol.rawValue) \($0.frontendPort)->\($0.backendPort)" } == [
                "web Tcp 443->8443"
            ])
        #expect(read.natRules.map { "\($0.name) \($0.frontendPorts)->\($0.backendPort)" } == ["ssh 50022...50022->22"])
        #expect(
            read.natPools.map { "\($0.name) \($0.frontendPorts)->\($0.backendPort)" } == ["rdp 50000...50099->3389"])
        // The member naming a NIC that is not in the input is a warning naming the pool, and is ignored.
        #expect(read.backendPools.first?.members.count == 2)
        #expect(
            topology.warnings.contains {
                $0.contains("backend pool 'pool' of load balancer 'lb1'") && $0.contains("networkInterfaces/gone")
                    && $0.contains("ignored")
            }, "\(topology.warnings)")
    }

    @Test(
        "A NIC naming a backend pool that is not in the input is a warning naming the NIC, and the membership is ignored"
    )
    func missingPoolIsAWarning() throws {
        let json = """
            [{"id": "/n/nic1", "name": "nic1", "type": "Microsoft.Network/networkInterfaces",
              "properties": {"ipConfigurations": [{"name": "c", "properties": {"privateIPAddress": "10.0.0.4",
                 "loadBalancerBackendAddressPools": [{"id": "/lb/missing/backendAddressPools/p"}]}}]}}]
            """
        let topology = try TopologyLoader.load(documents: [("nic.json", Data(json.utf8))])
        #expect(
            topology.warnings.contains { $0.contains("'nic1'") && $0.contains("/lb/missing/backendAddressPools/p") })
    }

    @Test(
        "Standard LB with a bastion: HTTPS through the rule is allowed by the NSG, SSH through the NAT rule to an unfiltered VM is closed (Standard)"
    )
    func standardLoadBalancerVerdicts() throws {
        let network = try Self.load("azure-standard-lb-with-bastion.json").network
        // Azure: the NSG judges the translated flow 198.51.100.7 → 10.40.1.4:443.
        #expect(
            Self.verdict(network, Self.flow("198.51.100.7", "20.90.2.10", 443)) == (
                .allowed, ["web-nsg/AllowHttpsFromInternet"]
            ))
        // Standard SKU: ops-subnet and ops01-nic have no NSG, so nothing allows it: closed.
        #expect(Self.verdict(network, Self.flow("198.51.100.7", "20.90.2.10", 50022)) == (.denied, []))
        // No rule of the load balancer listens on 22.
        #expect(Self.verdict(network, Self.flow("198.51.100.7", "20.90.2.10", 22)).0 == .unroutable)
        // The bastion reaches the web VMs on 22 from its subnet; its public IP forwards nothing.
        #expect(
            Self.verdict(network, Self.flow("10.40.250.4", "10.40.1.4", 22)) == (
                .allowed, ["web-nsg/AllowManagementFromBastion"]
            ))
        let bastion = ReachabilityEngine(network: network).verify(Self.flow("198.51.100.7", "20.90.2.20", 22))
        #expect(bastion.verdict == .unroutable && bastion.note?.contains("Azure Bastion") == true)
        let natgw = ReachabilityEngine(network: network).verify(Self.flow("198.51.100.7", "20.90.2.30", 443))
        #expect(natgw.verdict == .unroutable && natgw.note?.contains("outbound traffic only") == true)
    }

    @Test(
        "The same NAT rule through a Basic load balancer with no NSG is open; with no SKU given it is open, with a note"
    )
    func basicAndUnknownSKUsAreOpen() throws {
        var network = try Self.load("azure-standard-lb-with-bastion.json").network
        network.loadBalancers[0].sku = .basic
        for i in network.publicIPs.indices { network.publicIPs[i].sku = .basic }
        #expect(Self.verdict(network, Self.flow("198.51.100.7", "20.90.2.10", 50022)) == (.allowed, []))
        for i in network.publicIPs.indices { network.publicIPs[i].sku = nil }
        network.loadBalancers[0].sku = nil
        let unknown = ReachabilityEngine(network: network).verify(Self.flow("198.51.100.7", "20.90.2.10", 50022))
        #expect(unknown.verdict == .allowed)
        #expect(unknown.note?.contains("SKU is not given") == true)
    }

    @Test("A Standard public IP on a NIC with no NSG admits nothing; a Basic one is open (the old rule)")
    func standardPublicIPOnNIC() throws {
        var network = try Self.load("azure-hub-and-spoke-jump-box.json").network
        // build01 has no NSG at either level and a Basic public IP: open.
        #expect(Self.verdict(network, Self.flow("198.51.100.7", "20.61.15.7", 22)) == (.allowed, []))
        let i = try #require(network.publicIPs.firstIndex { $0.name == "build01-pip" })
        network.publicIPs[i].sku = .standard
        #expect(Self.verdict(network, Self.flow("198.51.100.7", "20.61.15.7", 22)) == (.denied, []))
        let report = TopologyAnalyzer.analyze(
            LoadedTopology(network: network, warnings: []), options: AuditOptions(today: AuditSampleTests.today))
        #expect(!report.findings.contains { $0.check == InternetExposedPort.check && $0.subject == "build01-nic" })
        #expect(!report.findings.contains { $0.check == MissingNSG.check && $0.subject == "build01-nic" })
        let paths = try ReachabilityEngine(network: network).paths(from: .internet, to: .resource("build01"))
        // Not from the internet directly: only through another host (the jump box).
        #expect(paths.paths.first?.hops.first?.to != "build01")
        #expect((paths.paths.first?.hops.count ?? 2) >= 2)
    }

    @Test(
        "Application gateway: the listener's request reaches the pool on port 80, judged with the gateway's address as source"
    )
    func applicationGatewayVerdicts() throws {
        var network = try Self.load("azure-app-gateway-waf-detection.json").network
        let gateway = try #require(network.applicationGateways.first)
        #expect(gateway.wafMode == .detection)
        #expect(gateway.listeners.map(\.port) == [443] && gateway.routes.map(\.backendPort) == [80])
        #expect(network.serviceAccesses.map(\.name) == ["Microsoft.Storage"])
        #expect(
            Self.verdict(network, Self.flow("198.51.100.7", "20.90.3.10", 443))
                == (.allowed, ["app-gw-nsg/AllowHttpsFromInternet", "app-web-nsg/AllowHttpFromGateway"]))
        // The backend's NSG sees the gateway's subnet address, not the client: the same rule as a
        // deny refuses the request, though the client is on the internet.
        let web = try #require(network.securityGroups.firstIndex { $0.name == "app-web-nsg" })
        network.securityGroups[web].rules[0].access = .deny
        #expect(
            Self.verdict(network, Self.flow("198.51.100.7", "20.90.3.10", 443))
                == (.denied, ["app-gw-nsg/AllowHttpsFromInternet", "app-web-nsg/AllowHttpFromGateway"]))
        // Port 80 on the gateway has no listener.
        #expect(Self.verdict(network, Self.flow("198.51.100.7", "20.90.3.10", 80)).0 == .unroutable)
    }

    @Test("paths --from internet enters through the NAT rule (RDP on 50001) and the load-balancing rule")
    func pathsThroughDoors() throws {
        let network = try Self.load("arm-load-balanced-pair-rdp-nat.json").network
        let report = try ReachabilityEngine(network: network).paths(from: .internet, to: .resource("vm0"))
        let hop = try #require(report.paths.first?.hops.first)
        #expect(report.paths.first?.hops.count == 1)
        // RDP is preferred over HTTP; the internet addresses the NAT rule's frontend port.
        #expect(hop.port == 50001 && hop.protocol == .tcp)
    }

    static func triples(_ name: String) throws -> [String] {
        AuditSampleTests.triples(try audit(name))
    }

    @Test("The door samples give the findings worked out in Topologies/README.md")
    func doorSamples() throws {
        #expect(
            try Self.triples("arm-internal-load-balancer-two-vms.json") == ["medium missing-nsg vNet/backendSubnet"])
        #expect(
            try Self.triples("arm-load-balanced-pair-rdp-nat.json") == [
                "critical internet-exposed-port vm0-nic", "critical internet-exposed-port vm1-nic",
                "medium missing-nsg pair-vnet/web", "medium public-web-without-waf pair-lb/http",
            ])
        #expect(
            try Self.triples("azure-standard-lb-with-bastion.json") == [
                "medium missing-nsg web-vnet/ops-subnet", "medium public-web-without-waf web-lb/https",
                "low unused-public-ip old-web-pip",
            ])
        #expect(
            try Self.triples("azure-app-gateway-waf-detection.json") == ["medium public-web-without-waf app-gw/shop"])
        #expect(
            try Self.triples("azure-front-door-internal-doors.json") == [
                "high lateral-movement-path db1", "medium public-web-without-waf legacy-web-nic",
                "low dedicated-public-ip legacy-web-nic/ipconfig1",
            ])
        let nat = try Self.audit("arm-load-balanced-pair-rdp-nat.json").findings.first {
            $0.check == InternetExposedPort.check
        }
        #expect(nat?.evidence["via"] == .string("natRule"))
        #expect(nat?.evidence["frontendPorts"] == .array([.int(50001)]))
        #expect(nat?.evidence["ports"] == .array([.int(3389)]))
    }

    @Test("A gateway whose WAF policy is in Prevention mode is no finding")
    func preventionModeIsNoFinding() throws {
        var network = try Self.load("azure-app-gateway-waf-detection.json").network
        network.applicationGateways[0].wafMode = .prevention
        let report = TopologyAnalyzer.analyze(
            LoadedTopology(network: network, warnings: []), options: AuditOptions(today: AuditSampleTests.today))
        #expect(!report.findings.contains { $0.check == PublicWebWithoutWAF.check })
    }

    @Test("A bastion naming its public IP by bare name (as the load-balancer-standard-create quickstart does) holds it")
    func bareNamePublicIPIsResolved() throws {
        let template = """
            {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
             "contentVersion": "1.0.0.0", "variables": {"pip": "bastion-pip"},
             "resources": [
               {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2021-08-01", "name": "v",
                "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
                               "subnets": [{"name": "AzureBastionSubnet", "properties": {"addressPrefix": "10.0.1.0/24"}}]}},
               {"type": "Microsoft.Network/bastionHosts", "apiVersion": "2021-08-01", "name": "b",
                "properties": {"ipConfigurations": [{"name": "IpConf", "properties": {
                  "publicIPAddress": {"id": "[variables('pip')]"},
                  "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'AzureBastionSubnet')]"}}}]}},
               {"type": "Microsoft.Network/publicIPAddresses", "apiVersion": "2021-08-01", "name": "[variables('pip')]",
                "sku": {"name": "Standard"}, "properties": {"publicIPAllocationMethod": "Static"}}]}
            """
        let topology = try TopologyLoader.load(documents: [("bastion.json", Data(template.utf8))])
        #expect(topology.network.outboundOnlyDoors.first?.kind == .bastion)
        #expect(topology.network.publicIPs.first?.sku == .standard)
        let report = TopologyAnalyzer.analyze(topology, options: AuditOptions(today: AuditSampleTests.today))
        #expect(!report.findings.contains { $0.check == UnusedPublicIP.check }, "\(AuditSampleTests.triples(report))")
        #expect(report.findings.isEmpty, "\(AuditSampleTests.triples(report))")
    }
}
