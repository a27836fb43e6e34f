import Foundation
import Testing
import Topology

import struct Findings.SourceLocation

/// The rule sets of `Sources/Topology/Reachability/DESIGN.md`, each verdict worked out by hand from
/// Azure's documentation ("How network security groups filter network traffic", "Application
/// security groups", "Virtual network peering").
@Suite("Hand-worked examples from Azure's documentation")
struct DocumentedExamplesTests {
    typealias F = TopologyFixtures

    /// A: the subnet NSG allows SSH from anywhere, the NIC NSG denies it from the internet.
    static let subnetAllowsNICDenies = F.list([
        F.vnet("vnet", "10.0.0.0/16", subnets: [("web", "10.0.2.0/24", "nsg-subnet"), ("ops", "10.0.1.0/24", nil)]),
        F.nsg("nsg-subnet", [F.rule("AllowSSH", 100, "Inbound", "Allow", "Tcp", "*", "*", "22")]),
        F.nsg("nsg-nic", [F.rule("DenySSHFromInternet", 100, "Inbound", "Deny", "Tcp", "Internet", "*", "22")]),
        F.publicIP("pip-web", "20.50.1.20"),
        F.nic("nic-web", "10.0.2.4", vnet: "vnet", subnet: "web", nsg: "nsg-nic", publicIP: "pip-web"),
        F.nic("nic-ops", "10.0.1.5", vnet: "vnet", subnet: "ops"),
    ])

    @Test("A flow the subnet NSG allows is denied when the NIC NSG denies it")
    func subnetAllowsNICDenies() throws {
        let engine = try F.engine(Self.subnetAllowsNICDenies)
        let fromInternet = engine.verify(flow("198.51.100.7", "20.50.1.20", .tcp, 22))
        #expect(fromInternet.verdict == .denied)
        #expect(fromInternet.ruleNames == ["nsg-subnet/AllowSSH", "nsg-nic/DenySSHFromInternet"])
        let fromVNet = engine.verify(flow("10.0.1.5", "10.0.2.4", .tcp, 22))
        #expect(fromVNet.verdict == .allowed)
        // The ops subnet and NIC have no NSG: nothing filters outbound; then subnet, then NIC inbound.
        #expect(fromVNet.ruleNames == ["nsg-subnet/AllowSSH", "nsg-nic/AllowVnetInBound"])
    }

    @Test("A rule naming the public IP as destination never matches: inbound rules see the private IP")
    func publicIPDestinationNeverMatches() throws {
        let engine = try F.engine(
            F.list([
                F.vnet("vnet", "10.0.0.0/16", subnets: [("web", "10.0.2.0/24", "nsg-web")]),
                F.nsg(
                    "nsg-web", [F.rule("AllowToPublicIP", 100, "Inbound", "Allow", "Tcp", "*", "20.50.1.20", "8080")]),
                F.publicIP("pip-web", "20.50.1.20"),
                F.nic("nic-web", "10.0.2.4", vnet: "vnet", subnet: "web", publicIP: "pip-web"),
            ]))
        let verdict = engine.verify(flow("198.51.100.7", "20.50.1.20", .tcp, 8080))
        #expect(verdict.verdict == .denied)
        #expect(verdict.ruleNames == ["nsg-web/DenyAllInBound"])
        let reach = engine.ruleReach(
            securityGroup: ResourceID("\(F.sub)/networkSecurityGroups/nsg-web"), direction: .inbound)
        let rule = try #require(reach.first { $0.rule.name == "AllowToPublicIP" })
        #expect(rule.matchesNothing)
        #expect(rule.reached.isEmpty)
    }

    /// C: Azure's application security group example (AsgWeb, AsgLogic, AsgDb).
    static let applicationSecurityGroups = F.list([
        F.vnet("vnet", "10.0.0.0/16", subnets: [("app", "10.0.0.0/24", "nsg")]),
        """
        {"id": "\(F.sub)/networkSecurityGroups/nsg", "name": "nsg", "type": "Microsoft.Network/networkSecurityGroups",
         "properties": {"securityRules": [
           {"name": "Allow-HTTP-Inbound-Internet", "properties": {"priority": 100, "direction": "Inbound", "access": "Allow",
            "protocol": "Tcp", "sourceAddressPrefix": "Internet", "sourcePortRange": "*", "destinationPortRange": "80",
            "destinationApplicationSecurityGroups": [{"id": "\(F.sub)/applicationSecurityGroups/AsgWeb"}]}},
           {"name": "Allow-Database-BusinessLogic", "properties": {"priority": 110, "direction": "Inbound", "access": "Allow",
            "protocol": "Tcp", "sourcePortRange": "*", "destinationPortRange": "1433",
            "sourceApplicationSecurityGroups": [{"id": "\(F.sub)/applicationSecurityGroups/AsgLogic"}],
            "destinationApplicationSecurityGroups": [{"id": "\(F.sub)/applicationSecurityGroups/AsgDb"}]}},
           {"name": "Deny-Database-All", "properties": {"priority": 120, "direction": "Inbound", "access": "Deny",
            "protocol": "*", "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationPortRange": "1433",
            "destinationApplicationSecurityGroups": [{"id": "\(F.sub)/APPLICATIONSECURITYGROUPS/asgdb"}]}}
         ]}}
        """,
        F.asg("AsgWeb"), F.asg("AsgLogic"), F.asg("AsgDb"),
        F.publicIP("pip-web", "20.50.1.30"),
        F.nic("nic-web", "10.0.0.4", vnet: "vnet", subnet: "app", publicIP: "pip-web", asgs: ["AsgWeb"]),
        F.nic("nic-logic", "10.0.0.5", vnet: "vnet", subnet: "app", asgs: ["AsgLogic"]),
        F.nic("nic-db", "10.0.0.6", vnet: "vnet", subnet: "app", asgs: ["AsgDb"]),
    ])

    @Test("Application security groups decide by membership, ids compared case-insensitively")
    func applicationSecurityGroups() throws {
        let engine = try F.engine(Self.applicationSecurityGroups)
        let web = engine.verify(flow("198.51.100.7", "20.50.1.30", .tcp, 80))
        #expect(web.verdict == .allowed)
        #expect(web.ruleNames == ["nsg/Allow-HTTP-Inbound-Internet"])
        let logicToDb = engine.verify(flow("10.0.0.5", "10.0.0.6", .tcp, 1433))
        #expect(logicToDb.verdict == .allowed)
        #expect(logicToDb.ruleNames == ["nsg/AllowVnetOutBound", "nsg/Allow-Database-BusinessLogic"])
        let webToDb = engine.verify(flow("10.0.0.4", "10.0.0.6", .tcp, 1433))
        #expect(webToDb.verdict == .denied)
        #expect(webToDb.ruleNames == ["nsg/AllowVnetOutBound", "nsg/Deny-Database-All"])
        let sshToWeb = engine.verify(flow("198.51.100.7", "20.50.1.30", .tcp, 22))
        #expect(sshToWeb.verdict == .denied)
        #expect(sshToWeb.ruleNames == ["nsg/DenyAllInBound"])
    }

    static func peered(bSide: String) -> String {
        F.list([
            F.vnet("vnet-a", "10.0.0.0/16", subnets: [("s", "10.0.1.0/24", "nsg-a")], peers: [("vnet-b", "Connected")]),
            F.vnet("vnet-b", "10.1.0.0/16", subnets: [("s", "10.1.1.0/24", "nsg-b")], peers: [("vnet-a", bSide)]),
            F.vnet("vnet-c", "10.2.0.0/16", subnets: [("s", "10.2.1.0/24", nil)]),
            F.nsg("nsg-a", []), F.nsg("nsg-b", []),
            F.nic("nic-a", "10.0.1.4", vnet: "vnet-a", subnet: "s"),
            F.nic("nic-b", "10.1.1.4", vnet: "vnet-b", subnet: "s"),
            F.nic("nic-c", "10.2.1.4", vnet: "vnet-c", subnet: "s"),
        ])
    }

    @Test("Peered, connected VNets are inside VirtualNetwork; unpeered ones do not route")
    func peering() throws {
        let engine = try F.engine(Self.peered(bSide: "Connected"))
        let ab = engine.verify(flow("10.0.1.4", "10.1.1.4", .tcp, 22))
        #expect(ab.verdict == .allowed)
        #expect(ab.ruleNames == ["nsg-a/AllowVnetOutBound", "nsg-b/AllowVnetInBound"])
        #expect(engine.verify(flow("10.0.1.4", "10.2.1.4", .tcp, 22)).verdict == .unroutable)
        #expect(engine.verify(flow("10.2.1.4", "10.0.1.4", .tcp, 22)).verdict == .unroutable)
        let initiated = try F.engine(Self.peered(bSide: "Initiated"))
        #expect(initiated.verify(flow("10.0.1.4", "10.1.1.4", .tcp, 22)).verdict == .unroutable)
    }

    @Test("Peering is not transitive")
    func peeringIsNotTransitive() throws {
        let engine = try F.engine(
            F.list([
                F.vnet(
                    "hub", "10.0.0.0/16", subnets: [("s", "10.0.1.0/24", nil)],
                    peers: [("a", "Connected"), ("b", "Connected")]),
                F.vnet("a", "10.1.0.0/16", subnets: [("s", "10.1.1.0/24", "nsg")], peers: [("hub", "Connected")]),
                F.vnet("b", "10.2.0.0/16", subnets: [("s", "10.2.1.0/24", nil)], peers: [("hub", "Connected")]),
                F.nsg("nsg", []),
                F.nic("nic-hub", "10.0.1.4", vnet: "hub", subnet: "s"),
                F.nic("nic-a", "10.1.1.4", vnet: "a", subnet: "s"),
                F.nic("nic-b", "10.2.1.4", vnet: "b", subnet: "s"),
            ]))
        #expect(engine.verify(flow("10.0.1.4", "10.1.1.4", .tcp, 22)).verdict == .allowed)
        #expect(engine.verify(flow("10.2.1.4", "10.1.1.4", .tcp, 22)).verdict == .unroutable)
    }

    @Test("An export with default rules listed decides exactly like one without, and points at them")
    func defaultRulesListedOrNot() throws {
        let defaults = """
            , "defaultSecurityRules": [
              {"name": "AllowVnetInBound", "properties": {"priority": 65000, "direction": "Inbound", "access": "Allow", "protocol": "*",
               "sourceAddressPrefix": "VirtualNetwork", "sourcePortRange": "*", "destinationAddressPrefix": "VirtualNetwork", "destinationPortRange": "*"}},
              {"name": "DenyAllInBound", "properties": {"priority": 65500, "direction": "Inbound", "access": "Deny", "protocol": "*",
               "sourceAddressPrefix": "*", "sourcePortRange": "*", "destinationAddressPrefix": "*", "destinationPortRange": "*"}}]
            """
        func topology(_ extra: String) -> String {
            F.list([
                F.vnet("vnet", "10.0.0.0/16", subnets: [("s", "10.0.1.0/24", "nsg")]),
                """
                {"id": "\(F.sub)/networkSecurityGroups/nsg", "name": "nsg", "type": "Microsoft.Network/networkSecurityGroups",
                 "properties": {"securityRules": [\(F.rule("AllowHTTPS", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "443"))]\(extra)}}
                """,
                F.publicIP("pip", "20.1.1.1"),
                F.nic("nic", "10.0.1.4", vnet: "vnet", subnet: "s", publicIP: "pip"),
                F.nic("nic2", "10.0.1.5", vnet: "vnet", subnet: "s"),
            ])
        }
        let without = try F.engine(topology(""))
        let with = try F.engine(topology(defaults))
        for f in [
            flow("198.51.100.7", "20.1.1.1", .tcp, 443), flow("198.51.100.7", "20.1.1.1", .tcp, 22),
            flow("10.0.1.5", "10.0.1.4", .udp, 53), flow("10.0.1.4", "8.8.8.8", .tcp, 443),
        ] {
            #expect(without.verify(f).verdict == with.verify(f).verdict)
            #expect(without.verify(f).ruleNames == with.verify(f).ruleNames)
        }
        let denied = with.verify(flow("198.51.100.7", "20.1.1.1", .tcp, 22))
        #expect(denied.ruleNames == ["nsg/DenyAllInBound"])
        #expect(denied.decidedBy.last?.location?.pointer == "/1/properties/defaultSecurityRules/1")
        #expect(without.verify(flow("198.51.100.7", "20.1.1.1", .tcp, 22)).decidedBy.last?.location == nil)
    }

    @Test("Outbound evaluates the NIC NSG before the subnet NSG; a missing NSG filters nothing")
    func outboundOrder() throws {
        let engine = try F.engine(
            F.list([
                F.vnet(
                    "vnet", "10.0.0.0/16", subnets: [("s", "10.0.1.0/24", "nsg-subnet"), ("open", "10.0.2.0/24", nil)]),
                F.nsg("nsg-subnet", [F.rule("DenyDNSOut", 100, "Outbound", "Deny", "Udp", "*", "*", "53")]),
                F.nsg("nsg-nic", [F.rule("AllowDNSOut", 100, "Outbound", "Allow", "Udp", "*", "*", "53")]),
                F.nic("nic", "10.0.1.4", vnet: "vnet", subnet: "s", nsg: "nsg-nic"),
                F.nic("nic-open", "10.0.2.4", vnet: "vnet", subnet: "open"),
            ]))
        let dns = engine.verify(flow("10.0.1.4", "8.8.8.8", .udp, 53))
        #expect(dns.verdict == .denied)
        #expect(dns.ruleNames == ["nsg-nic/AllowDNSOut", "nsg-subnet/DenyDNSOut"])
        let open = engine.verify(flow("10.0.2.4", "8.8.8.8", .udp, 53))
        #expect(open.verdict == .allowed)
        #expect(open.decidedBy.isEmpty)
    }

    @Test("An NSG on both the subnet and the NIC is evaluated at both levels")
    func sameNSGTwice() throws {
        let engine = try F.engine(
            F.list([
                F.vnet("vnet", "10.0.0.0/16", subnets: [("s", "10.0.1.0/24", "nsg")]),
                F.nsg("nsg", [F.rule("AllowSSH", 100, "Inbound", "Allow", "Tcp", "VirtualNetwork", "*", "22")]),
                F.nic("nic1", "10.0.1.4", vnet: "vnet", subnet: "s", nsg: "nsg"),
                F.nic("nic2", "10.0.1.5", vnet: "vnet", subnet: "s", nsg: "nsg"),
            ]))
        let ssh = engine.verify(flow("10.0.1.5", "10.0.1.4", .tcp, 22))
        #expect(ssh.verdict == .allowed)
        #expect(ssh.ruleNames == ["nsg/AllowVnetOutBound", "nsg/AllowVnetOutBound", "nsg/AllowSSH", "nsg/AllowSSH"])
    }
}

@Suite("What each rule really gets")
struct RuleReachTests {
    @Test("A deny rule inside an earlier allow's range is shadowed and names the rule that covers it")
    func shadowedRule() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Topologies/azure-hub-and-spoke.json")
        let network = try TopologyLoader.load(files: [url.path]).network
        let engine = ReachabilityEngine(network: network)
        let nsg = try #require(network.securityGroups.first { $0.name == "nsg-data" })
        let reach = engine.ruleReach(securityGroup: nsg.id, direction: .inbound)
        let byName = Dictionary(uniqueKeysWithValues: reach.map { ($0.rule.name, $0) })
        // 10.0.2.0/24 ⊂ 10.0.0.0/16: AllowSSHFromHub (110) takes every SSH flow DenySSHFromWeb (120) could.
        let shadowed = try #require(byName["DenySSHFromWeb"])
        #expect(shadowed.isShadowed)
        #expect(shadowed.coveredBy.map(\.name).contains("AllowSSHFromHub"))
        #expect(byName["AllowSSHFromHub"]?.reached.isEmpty == false)
        #expect(byName["AllowSQLFromApp"]?.isShadowed == false)
        // DenyVnetInBound (4000) takes all remaining VNet traffic, so AllowVnetInBound (65000) gets none.
        #expect(byName["AllowVnetInBound"]?.isShadowed == true)
        #expect(byName["DenyAllInBound"]?.reached.isEmpty == false)
    }
}
