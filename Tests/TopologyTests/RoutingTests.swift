import Foundation
import SeededRandom
import Testing

@testable import Topology

/// Route tables and Azure Firewalls: the shapes they are exported in, the hand-worked examples of
/// `Sources/Topology/Reachability/DESIGN.md` (P–U, from Azure's "Virtual network traffic routing"
/// and "Azure Firewall rule processing logic"), and the engine held to the brute-force evaluator.
@Suite("Routes and firewalls decide where a flow goes")
struct RoutingTests {
    typealias F = TopologyFixtures
    static let sub = F.sub

    static func vnet(
        _ name: String, _ space: String, subnets: [(String, String, String?, String?)],
        peers: [(String, Bool?)] = []
    ) -> String {
        let subnetText = subnets.map { s in
            var extra = ""
            if let nsg = s.2 {
                extra += ", \"networkSecurityGroup\": {\"id\": \"\(sub)/networkSecurityGroups/\(nsg)\"}"
            }
            if let rt = s.3 { extra += ", \"routeTable\": {\"id\": \"\(sub)/routeTables/\(rt)\"}" }
            return """
                {"id": "\(sub)/virtualNetworks/\(name)/subnets/\(s.0)", "name": "\(s.0)", "properties": {"addressPrefix": "\(s.1)"\(extra)}}
                """
        }.joined(separator: ",")
        let peerText = peers.map { p in
            let flag = p.1.map { ", \"allowForwardedTraffic\": \($0)" } ?? ""
            return """
                {"name": "\(name)-\(p.0)", "properties": {"remoteVirtualNetwork": {"id": "\(sub)/virtualNetworks/\(p.0)"}, "peeringState": "Connected"\(flag)}}
                """
        }.joined(separator: ",")
        return """
            {"id": "\(sub)/virtualNetworks/\(name)", "name": "\(name)", "type": "Microsoft.Network/virtualNetworks",
             "properties": {"addressSpace": {"addressPrefixes": ["\(space)"]}, "subnets": [\(subnetText)], "virtualNetworkPeerings": [\(peerText)]}}
            """
    }

    /// A route table; routes are (name, prefix, next hop type, next hop address).
    static func routeTable(_ name: String, _ routes: [(String, String, String, String?)]) -> String {
        let text = routes.map { r in
            let hop = r.3.map { ", \"nextHopIpAddress\": \"\($0)\"" } ?? ""
            return """
                {"name": "\(r.0)", "properties": {"addressPrefix": "\(r.1)", "nextHopType": "\(r.2)"\(hop)}}
                """
        }.joined(separator: ",")
        return """
            {"id": "\(sub)/routeTables/\(name)", "name": "\(name)", "type": "Microsoft.Network/routeTables",
             "properties": {"routes": [\(text)]}}
            """
    }

    /// A classic-rules firewall in the hub's AzureFirewallSubnet at 10.0.1.4.
    static func firewall(_ name: String, collections: String, policy: String? = nil) -> String {
        let policyText = policy.map { ", \"firewallPolicy\": {\"id\": \"\(sub)/firewallPolicies/\($0)\"}" } ?? ""
        return """
            {"id": "\(sub)/azureFirewalls/\(name)", "name": "\(name)", "type": "Microsoft.Network/azureFirewalls",
             "properties": {"ipConfigurations": [{"name": "c", "properties": {"privateIPAddress": "10.0.1.4",
               "subnet": {"id": "\(sub)/virtualNetworks/hub/subnets/AzureFirewallSubnet"}}}]\(policyText), \(collections)}}
            """
    }

    static func networkRule(_ name: String, _ proto: String, _ src: String, _ dst: String, _ port: String) -> String {
        """
        {"name": "\(name)", "protocols": ["\(proto)"], "sourceAddresses": ["\(src)"], "destinationAddresses": ["\(dst)"], "destinationPorts": ["\(port)"]}
        """
    }

    /// Hub (10.0.0.0/16, firewall at 10.0.1.4) peered with two spokes; both spokes send everything
    /// to the firewall.
    static func hubAndSpokes(collections: String, spokeFlag: Bool? = true, policy: String? = nil, extra: [String] = [])
        -> String
    {
        F.list(
            [
                vnet(
                    "hub", "10.0.0.0/16",
                    subnets: [("AzureFirewallSubnet", "10.0.1.0/26", nil, nil), ("mgmt", "10.0.3.0/24", nil, nil)],
                    peers: [("spoke1", true), ("spoke2", true)]),
                vnet("spoke1", "10.1.0.0/16", subnets: [("s", "10.1.1.0/24", nil, "rt1")], peers: [("hub", spokeFlag)]),
                vnet("spoke2", "10.2.0.0/16", subnets: [("s", "10.2.1.0/24", nil, "rt2")], peers: [("hub", spokeFlag)]),
                routeTable(
                    "rt1",
                    [
                        ("all", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4"),
                        ("s2", "10.2.0.0/16", "VirtualAppliance", "10.0.1.4"),
                    ]),
                routeTable(
                    "rt2",
                    [
                        ("all", "0.0.0.0/0", "VirtualAppliance", "10.0.1.4"),
                        ("s1", "10.1.0.0/16", "VirtualAppliance", "10.0.1.4"),
                    ]),
                firewall("fw", collections: collections, policy: policy),
                F.nic("a", "10.1.1.4", vnet: "spoke1", subnet: "s"),
                F.nic("b", "10.2.1.4", vnet: "spoke2", subnet: "s"),
                F.nic("m", "10.0.3.4", vnet: "hub", subnet: "mgmt"),
            ] + extra)
    }

    static let allowSpokes = """
        "networkRuleCollections": [{"name": "spokes", "properties": {"priority": 200, "action": {"type": "Allow"},
          "rules": [\(networkRule("AllowSql", "TCP", "10.1.0.0/16", "10.2.0.0/16", "1433"))]}}]
        """

    // MARK: P–U, the hand-worked examples

    @Test("P: the longest prefix wins; a peered hub is reached directly, the other spoke through the firewall")
    func longestPrefix() throws {
        let engine = try F.engine(Self.hubAndSpokes(collections: Self.allowSpokes))
        let toHub = engine.verify(flow("10.1.1.4", "10.0.3.4", .tcp, 22))
        #expect(toHub.verdict == .allowed)
        #expect(toHub.ruleNames.isEmpty)
        let toSpoke = engine.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 1433))
        #expect(toSpoke.verdict == .allowed)
        #expect(toSpoke.ruleNames == ["rt1/s2", "fw/AllowSql"])
        let denied = engine.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 22))
        #expect(denied.verdict == .denied)
        #expect(denied.ruleNames == ["rt1/s2", "fw/no rule matched (Azure Firewall denies by default)"])
        // Without the routes the spokes are not peered: the same flow is unroutable.
        var network = try F.load(Self.hubAndSpokes(collections: Self.allowSpokes)).network
        for i in network.subnets.indices { network.subnets[i].routeTable = nil }
        #expect(
            ReachabilityEngine(network: network).verify(flow("10.1.1.4", "10.2.1.4", .tcp, 1433)).verdict == .unroutable
        )
    }

    @Test("Q: a user route on the VNet's own prefix beats the system route; None drops")
    func userRouteWinsTie() throws {
        let json = F.list([
            Self.vnet("v", "10.5.0.0/16", subnets: [("a", "10.5.1.0/24", nil, "rt"), ("b", "10.5.2.0/24", nil, nil)]),
            Self.routeTable("rt", [("blackhole", "10.5.0.0/16", "None", nil)]),
            F.nic("x", "10.5.1.4", vnet: "v", subnet: "a"), F.nic("y", "10.5.2.4", vnet: "v", subnet: "b"),
        ])
        let engine = try F.engine(json)
        let out = engine.verify(flow("10.5.1.4", "10.5.2.4", .tcp, 22))
        #expect(out.verdict == .denied)
        #expect(out.ruleNames == ["rt/blackhole"])
        // Routes apply to traffic leaving the subnet that has them: the reverse flow is delivered.
        #expect(engine.verify(flow("10.5.2.4", "10.5.1.4", .tcp, 22)).verdict == .allowed)
        let paths = try engine.paths(from: .resource("x"), to: .resource("y"))
        #expect(paths.paths.isEmpty)
        #expect(try engine.paths(from: .resource("y"), to: .resource("x")).paths.count == 1)
    }

    @Test("R: network rules are tried before application rules, whatever the collection priorities")
    func networkBeforeApplication() throws {
        let collections = """
            "networkRuleCollections": [{"name": "deny-web", "properties": {"priority": 300, "action": {"type": "Deny"},
              "rules": [\(Self.networkRule("DenyHttps", "TCP", "*", "*", "443"))]}}],
            "applicationRuleCollections": [{"name": "allow-web", "properties": {"priority": 100, "action": {"type": "Allow"},
              "rules": [{"name": "AllowAll", "sourceAddresses": ["*"], "protocols": [{"protocolType": "Https", "port": 443}], "targetFqdns": ["*"]}]}}]
            """
        let engine = try F.engine(Self.hubAndSpokes(collections: collections))
        let v = engine.verify(flow("10.1.1.4", "203.0.113.9", .tcp, 443))
        #expect(v.verdict == .denied)
        #expect(v.ruleNames == ["rt1/all", "fw/DenyHttps"])
        let http = engine.verify(flow("10.1.1.4", "203.0.113.9", .tcp, 80))
        #expect(http.verdict == .denied)
    }

    @Test("S: a parent policy's rules come before the child's; a missing parent lets anything through, with a warning")
    func parentPolicyFirst() throws {
        let policies = [
            """
            {"id": "\(Self.sub)/firewallPolicies/base", "name": "base", "type": "Microsoft.Network/firewallPolicies", "properties": {}}
            """,
            """
            {"id": "\(Self.sub)/firewallPolicies/base/ruleCollectionGroups/org", "name": "org",
             "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
             "properties": {"priority": 900, "ruleCollections": [{"ruleCollectionType": "FirewallPolicyFilterRuleCollection",
               "name": "deny-sql", "priority": 900, "action": {"type": "Deny"},
               "rules": [{"ruleType": "NetworkRule", "name": "DenySql", "ipProtocols": ["TCP"], "sourceAddresses": ["*"],
                          "destinationAddresses": ["*"], "destinationPorts": ["1433"]}]}]}}
            """,
            """
            {"id": "\(Self.sub)/firewallPolicies/child", "name": "child", "type": "Microsoft.Network/firewallPolicies",
             "properties": {"basePolicy": {"id": "\(Self.sub)/firewallPolicies/base"}}}
            """,
            """
            {"id": "\(Self.sub)/firewallPolicies/child/ruleCollectionGroups/app", "name": "app",
             "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
             "properties": {"priority": 100, "ruleCollections": [{"ruleCollectionType": "FirewallPolicyFilterRuleCollection",
               "name": "allow-sql", "priority": 100, "action": {"type": "Allow"},
               "rules": [{"ruleType": "NetworkRule", "name": "AllowSql", "ipProtocols": ["TCP"], "sourceAddresses": ["10.1.0.0/16"],
                          "destinationAddresses": ["10.2.0.0/16"], "destinationPorts": ["1433", "5432"]}]}]}}
            """,
        ]
        let engine = try F.engine(Self.hubAndSpokes(collections: "\"x\": 1", policy: "child", extra: policies))
        let sql = engine.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 1433))
        #expect(sql.verdict == .denied)
        #expect(sql.ruleNames == ["rt1/s2", "fw/DenySql"])
        #expect(engine.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 5432)).verdict == .allowed)
        // The parent not in the input: its rules are unknown and come first.
        let loaded = try F.load(
            Self.hubAndSpokes(collections: "\"x\": 1", policy: "child", extra: [policies[2], policies[3]]))
        #expect(
            loaded.warnings.contains {
                $0.contains("Azure Firewall 'fw' uses parent policy") && $0.contains("firewallPolicies/base")
                    && $0.contains("conservative")
            }, "\(loaded.warnings)")
        let conservative = ReachabilityEngine(network: loaded.network).verify(flow("10.1.1.4", "10.2.1.4", .tcp, 1433))
        #expect(conservative.verdict == .allowed)
        #expect(conservative.ruleNames == ["rt1/s2", "fw/rules of missing policy base"])
    }

    @Test("T: a spoke that refuses forwarded traffic is not reached through the hub's firewall")
    func forwardedTrafficFlag() throws {
        let refused = try F.engine(Self.hubAndSpokes(collections: Self.allowSpokes, spokeFlag: false))
        let v = refused.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 1433))
        #expect(v.verdict == .unroutable)
        #expect(v.note?.contains("allowForwardedTraffic false") == true)
        // Only through the hub's host m (two hops): nothing forwarded reaches b.
        #expect(try refused.paths(from: .resource("a"), to: .resource("b")).paths.first?.hops.count == 2)
        // Not stated: read as allowed (the conservative reading).
        let unstated = try F.engine(Self.hubAndSpokes(collections: Self.allowSpokes, spokeFlag: nil))
        #expect(unstated.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 1433)).verdict == .allowed)
        let path = try #require(try unstated.paths(from: .resource("a"), to: .resource("b")).paths.first)
        #expect(path.hops.map(\.port) == [1433])
    }

    @Test("U: an appliance with unknown rules could forward; a route loop is a warning, never a hang")
    func applianceAndLoop() throws {
        // Two NVAs in the hub, each subnet routing the spokes to the other.
        let json = F.list([
            Self.vnet(
                "hub", "10.0.0.0/16",
                subnets: [("n1", "10.0.5.0/24", nil, "rtn1"), ("n2", "10.0.6.0/24", nil, "rtn2")],
                peers: [("spoke1", true), ("spoke2", true)]),
            Self.vnet("spoke1", "10.1.0.0/16", subnets: [("s", "10.1.1.0/24", nil, "rt1")], peers: [("hub", true)]),
            Self.vnet("spoke2", "10.2.0.0/16", subnets: [("s", "10.2.1.0/24", nil, nil)], peers: [("hub", true)]),
            Self.routeTable("rt1", [("s2", "10.2.0.0/16", "VirtualAppliance", "10.0.5.4")]),
            Self.routeTable("rtn1", [("s2", "10.2.0.0/16", "VirtualAppliance", "10.0.6.4")]),
            Self.routeTable("rtn2", [("s2", "10.2.0.0/16", "VirtualAppliance", "10.0.5.4")]),
            F.nic("nva1", "10.0.5.4", vnet: "hub", subnet: "n1"), F.nic("nva2", "10.0.6.4", vnet: "hub", subnet: "n2"),
            F.nic("a", "10.1.1.4", vnet: "spoke1", subnet: "s"), F.nic("b", "10.2.1.4", vnet: "spoke2", subnet: "s"),
        ])
        let engine = try F.engine(json)
        #expect(engine.warnings.contains { $0.contains("route loop") && $0.contains("rtn1/s2") }, "\(engine.warnings)")
        #expect(engine.warnings.contains { $0.contains("'nva1'") && $0.contains("could forward") })
        let v = engine.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 22))
        #expect(v.verdict == .allowed)
        #expect(v.note?.contains("could forward") == true)
        #expect(v.note?.contains("route loop") == true)
        #expect(try engine.paths(from: .resource("a"), to: .resource("b")).paths.count == 1)
    }

    @Test("U2: a loop that only a more specific route's addresses meet is warned about too")
    func loopOfAMoreSpecificRoute() throws {
        // spoke1 sends 10.2.0.0/16 to nva1; nva1's subnet sends only 10.2.1.0/24 on to nva2, whose
        // subnet sends it back: 10.2.0.0 (the /16's first address) leaves the hub directly, 10.2.1.x loops.
        let json = F.list([
            Self.vnet(
                "hub", "10.0.0.0/16",
                subnets: [("n1", "10.0.5.0/24", nil, "rtn1"), ("n2", "10.0.6.0/24", nil, "rtn2")],
                peers: [("spoke1", true), ("spoke2", true)]),
            Self.vnet("spoke1", "10.1.0.0/16", subnets: [("s", "10.1.1.0/24", nil, "rt1")], peers: [("hub", true)]),
            Self.vnet("spoke2", "10.2.0.0/16", subnets: [("s", "10.2.1.0/24", nil, nil)], peers: [("hub", true)]),
            Self.routeTable("rt1", [("s2", "10.2.0.0/16", "VirtualAppliance", "10.0.5.4")]),
            Self.routeTable("rtn1", [("db", "10.2.1.0/24", "VirtualAppliance", "10.0.6.4")]),
            Self.routeTable("rtn2", [("db", "10.2.1.0/24", "VirtualAppliance", "10.0.5.4")]),
            F.nic("nva1", "10.0.5.4", vnet: "hub", subnet: "n1"), F.nic("nva2", "10.0.6.4", vnet: "hub", subnet: "n2"),
            F.nic("a", "10.1.1.4", vnet: "spoke1", subnet: "s"), F.nic("b", "10.2.1.4", vnet: "spoke2", subnet: "s"),
        ])
        let engine = try F.engine(json)
        #expect(
            engine.warnings.contains {
                $0.contains("route loop: traffic to 10.2.1.0 goes rt1/s2 -> rtn1/db -> rtn2/db")
            }, "\(engine.warnings)")
        let v = engine.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 22))
        #expect(v.verdict == .allowed)
        #expect(v.note?.contains("route loop") == true)
    }

    // MARK: Shapes

    @Test("`az network route-table show` and `az network firewall show` (flattened) are read")
    func azShapes() throws {
        let routeTable = """
            {"id": "\(Self.sub)/routeTables/rt1", "name": "rt1", "type": "Microsoft.Network/routeTables",
             "disableBgpRoutePropagation": true, "provisioningState": "Succeeded",
             "routes": [{"name": "all", "addressPrefix": "0.0.0.0/0", "nextHopType": "VirtualAppliance",
                         "nextHopIpAddress": "10.0.1.4", "provisioningState": "Succeeded"}],
             "subnets": [{"id": "\(Self.sub)/virtualNetworks/spoke1/subnets/s"}]}
            """
        let firewall = """
            {"id": "\(Self.sub)/azureFirewalls/fw", "name": "fw", "type": "Microsoft.Network/azureFirewalls",
             "ipConfigurations": [{"name": "c", "privateIPAddress": "10.0.1.4",
                                   "subnet": {"id": "\(Self.sub)/virtualNetworks/hub/subnets/AzureFirewallSubnet"},
                                   "publicIPAddress": {"id": "\(Self.sub)/publicIPAddresses/fw-pip"}}],
             "natRuleCollections": [{"name": "dnat", "priority": 100, "action": {"type": "Dnat"},
               "rules": [{"name": "Ssh", "protocols": ["TCP"], "sourceAddresses": ["*"], "destinationAddresses": ["20.9.9.9"],
                          "destinationPorts": ["2222"], "translatedAddress": "10.1.1.4", "translatedPort": "22"}]}],
             "networkRuleCollections": [{"name": "net", "priority": 200, "action": {"type": "Allow"},
               "rules": [{"name": "Range", "protocols": ["Any"], "sourceAddresses": ["10.1.1.0-10.1.1.255"],
                          "destinationAddresses": ["198.51.100.0/24"], "destinationPorts": ["*"]}]}]}
            """
        let json = F.list([
            Self.vnet(
                "hub", "10.0.0.0/16", subnets: [("AzureFirewallSubnet", "10.0.1.0/26", nil, nil)],
                peers: [("spoke1", true)]),
            Self.vnet("spoke1", "10.1.0.0/16", subnets: [("s", "10.1.1.0/24", nil, nil)], peers: [("hub", true)]),
            routeTable, firewall, F.publicIP("fw-pip", "20.9.9.9"), F.nic("a", "10.1.1.4", vnet: "spoke1", subnet: "s"),
        ])
        let loaded = try F.load(json)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let table = try #require(loaded.network.routeTables.first)
        #expect(table.disableBgpRoutePropagation)
        #expect(loaded.network.subnets.first { $0.name == "s" }?.routeTable == table.id)
        let engine = ReachabilityEngine(network: loaded.network)
        #expect(engine.verify(flow("10.1.1.4", "198.51.100.7", .udp, 53)).ruleNames == ["rt1/all", "fw/Range"])
        #expect(engine.verify(flow("10.1.1.4", "203.0.113.7", .tcp, 80)).verdict == .denied)
        let dnat = engine.verify(flow("198.51.100.7", "20.9.9.9", .tcp, 2222))
        #expect(dnat.verdict == .allowed)
        #expect(dnat.ruleNames == ["fw/Ssh"])
        #expect(dnat.note?.contains("to 10.1.1.4:22, from 10.0.1.4") == true)
        let report = try engine.paths(from: .internet, to: .resource("a"))
        let hop = try #require(report.paths.first?.hops.first)
        #expect(hop.port == 2222)
        #expect(hop.toAddress == IPv4Address("20.9.9.9"))
    }

    @Test("An ARM template's route table and firewall deploy like the resource list's")
    func armTemplate() throws {
        let template = """
            {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
             "contentVersion": "1.0.0.0", "parameters": {"fwIp": {"type": "string", "defaultValue": "10.0.1.4"}},
             "resources": [
              {"type": "Microsoft.Network/routeTables", "apiVersion": "2023-04-01", "name": "rt1",
               "properties": {"routes": [{"name": "all", "properties": {"addressPrefix": "0.0.0.0/0",
                 "nextHopType": "VirtualAppliance", "nextHopIpAddress": "[parameters('fwIp')]"}}]}},
              {"type": "Microsoft.Network/virtualNetworks", "apiVersion": "2023-04-01", "name": "v",
               "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]}, "subnets": [
                 {"name": "AzureFirewallSubnet", "properties": {"addressPrefix": "10.0.1.0/26"}},
                 {"name": "s", "properties": {"addressPrefix": "10.0.2.0/24",
                   "routeTable": {"id": "[resourceId('Microsoft.Network/routeTables', 'rt1')]"}}}]}},
              {"type": "Microsoft.Network/azureFirewalls", "apiVersion": "2023-04-01", "name": "fw",
               "properties": {"ipConfigurations": [{"name": "c", "properties": {"privateIPAddress": "[parameters('fwIp')]",
                 "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 'AzureFirewallSubnet')]"}}}],
                 "networkRuleCollections": [{"name": "net", "properties": {"priority": 100, "action": {"type": "Deny"},
                   "rules": [{"name": "NoSmb", "protocols": ["TCP"], "sourceAddresses": ["*"], "destinationAddresses": ["*"], "destinationPorts": ["445"]}]}}]}},
              {"type": "Microsoft.Network/networkInterfaces", "apiVersion": "2023-04-01", "name": "n",
               "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.2.4",
                 "subnet": {"id": "[resourceId('Microsoft.Network/virtualNetworks/subnets', 'v', 's')]"}}}]}}
             ]}
            """
        let loaded = try F.load(template, name: "template.json")
        let engine = ReachabilityEngine(network: loaded.network)
        let v = engine.verify(flow("10.0.2.4", "203.0.113.5", .tcp, 445))
        #expect(v.verdict == .denied)
        #expect(v.ruleNames == ["rt1/all", "fw/NoSmb"])
    }

    @Test("A route table Azure would refuse stops the run, naming the file and the JSON pointer")
    func badRoutes() throws {
        let unknownHop = F.list([Self.routeTable("rt", [("x", "10.0.0.0/8", "Nowhere", nil)])])
        #expect {
            try F.load(unknownHop)
        } throws: { error in
            "\(error)".contains("inline.json") && "\(error)".contains("/0/properties/routes/0/properties/nextHopType")
        }
        let noAddress = F.list([Self.routeTable("rt", [("x", "10.0.0.0/8", "VirtualAppliance", nil)])])
        #expect {
            try F.load(noAddress)
        } throws: { error in
            "\(error)".contains("nextHopIpAddress") && "\(error)".contains("gives no IPv4")
        }
        let noPriority = Self.hubAndSpokes(
            collections: """
                "networkRuleCollections": [{"name": "c", "properties": {"action": {"type": "Allow"}, "rules": []}}]
                """)
        #expect {
            try F.load(noPriority)
        } throws: { error in
            "\(error)".contains("rule collection 'c' has no numeric `priority`")
        }
    }

    // MARK: The engine against the brute-force evaluator

    static let sample = AuditSampleTests.root.appendingPathComponent("Topologies/azure-hub-firewall-udr-spokes.json")

    static func sampleNetwork() throws -> Network {
        try TopologyLoader.load(documents: [("sample.json", Data(contentsOf: sample))]).network
    }

    static let ports = [22, 23, 53, 443, 445, 1433, 3389, 8080]

    /// Every flow between the sample's hosts, the firewall's public IP and two internet hosts.
    static func grid(_ network: Network) -> [Flow] {
        let hosts = network.interfaces.flatMap(\.privateAddresses)
        let outside = [IPv4Address("198.51.100.7")!, IPv4Address("8.8.8.8")!]
        let firewallPublic = [IPv4Address("20.60.0.10")!]
        var flows: [Flow] = []
        for s in hosts + outside {
            for d in hosts + outside + firewallPublic where s != d {
                if outside.contains(s) && hosts.contains(d) { continue }
                for p in ports {
                    for proto in [TransportProtocol.tcp, .udp] {
                        flows.append(
                            Flow(source: s, destination: d, protocol: proto, sourcePort: 50000, destinationPort: p))
                    }
                }
            }
        }
        return flows
    }

    func agree(_ network: Network, _ label: String) {
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        let hosts = network.interfaces.compactMap { nic in nic.privateAddresses.first.map { (nic, $0) } }
        for f in Self.grid(network) {
            let expected = brute.verifyRouted(f)
            let got = engine.verify(f)
            #expect(got.verdict == expected.0, "\(label): \(f)")
            #expect(got.ruleNames == expected.1, "\(label): \(f)")
        }
        // The class graph (paths, the audit) against the same verdicts: a one-hop path from a to b
        // exists exactly when some port lets a flow from a reach b.
        for (a, aa) in hosts {
            for (b, ba) in hosts where a.id != b.id {
                for p in Self.ports {
                    let direct = brute.verifyRouted(flow(aa.description, ba.description, .tcp, p)).0 == .allowed
                    let report = try? engine.paths(from: .address(aa), to: .address(ba), protocol: .tcp, port: p)
                    let oneHop = report?.paths.first.map { $0.hops.count == 1 } ?? false
                    #expect(oneHop == direct, "\(label): \(a.name) -> \(b.name) tcp/\(p)")
                }
            }
        }
    }

    @Test("The sample's flows get the verdicts Topologies/README.md works out by hand")
    func sampleFlowsAsWorkedOut() throws {
        let engine = ReachabilityEngine(network: try Self.sampleNetwork())
        let expected: [(Flow, Verdict, String?)] = [
            (flow("10.1.1.4", "10.2.1.4", .tcp, 1433), .allowed, "fw-hub/WebToSql"),
            (
                flow("10.1.1.4", "10.2.1.4", .tcp, 22), .denied,
                "fw-hub/no rule matched (Azure Firewall denies by default)"
            ),
            (flow("10.1.1.4", "10.2.1.4", .tcp, 23), .denied, "fw-hub/DenyTelnetEverywhere"),
            (flow("10.1.1.4", "10.2.2.4", .tcp, 445), .denied, "rt-spoke-web/no-legacy"),
            (flow("10.1.1.5", "8.8.8.8", .udp, 53), .allowed, "rt-firewall/forced-tunnel"),
            (flow("10.1.1.5", "203.0.113.80", .tcp, 443), .allowed, "fw-hub/WindowsUpdate"),
            (flow("198.51.100.7", "20.60.0.10", .tcp, 3389), .allowed, "nsg-mgmt/AllowRdpFromFirewall"),
            (flow("198.51.100.7", "20.60.0.10", .tcp, 22), .denied, "fw-hub/no DNAT rule matched"),
            (flow("10.0.3.4", "10.2.1.4", .tcp, 22), .allowed, "nsg-data/AllowSshFromJump"),
            (
                flow("10.2.1.4", "10.1.1.4", .tcp, 3389), .denied,
                "fw-hub/no rule matched (Azure Firewall denies by default)"
            ),
        ]
        for (f, verdict, decisive) in expected {
            let got = engine.verify(f)
            #expect(got.verdict == verdict, "\(f)")
            if let decisive { #expect(got.ruleNames.contains(decisive), "\(f): \(got.ruleNames)") }
        }
    }

    @Test("The hub-and-spoke firewall sample: every flow and every direct hop as the brute-force evaluator has it")
    func sampleAgrees() throws {
        agree(try Self.sampleNetwork(), "sample")
    }

    @Test(
        "Random route tables on the sample: the engine still agrees with the brute-force evaluator", arguments: 0..<30)
    func randomRoutesAgree(seed: Int) throws {
        var network = try Self.sampleNetwork()
        var rng = SeededGenerator(state: UInt64(seed) &* 104_729 &+ 17)
        let prefixes = [
            "0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.2.0.0/16", "10.2.1.0/24", "10.2.2.0/24", "10.0.3.0/24",
            "10.1.1.4/32",
        ]
        let hops: [(NextHopType, String?)] = [
            (.virtualAppliance, "10.0.1.4"), (.virtualAppliance, "10.0.3.4"), (.virtualAppliance, "10.9.9.9"),
            (.none, nil), (.internet, nil), (.vnetLocal, nil), (.virtualNetworkGateway, nil),
        ]
        for t in network.routeTables.indices {
            var routes: [Route] = []
            for i in 0..<Int.random(in: 1...4, using: &rng) {
                let prefix = prefixes[Int.random(in: 0..<prefixes.count, using: &rng)]
                guard !routes.contains(where: { $0.addressPrefix.description == prefix }) else { continue }
                let hop = hops[Int.random(in: 0..<hops.count, using: &rng)]
                routes.append(
                    Route(
                        name: "r\(i)", addressPrefix: IPv4Prefix(prefix)!, nextHopType: hop.0,
                        nextHopAddress: hop.1.flatMap { IPv4Address($0) }))
            }
            network.routeTables[t].routes = routes
        }
        // Peering flags at random too.
        for v in network.virtualNetworks.indices {
            for p in network.virtualNetworks[v].peerings.indices {
                network.virtualNetworks[v].peerings[p].allowForwardedTraffic =
                    [true, false, nil][Int.random(in: 0..<3, using: &rng)]
            }
        }
        agree(network, "seed \(seed)")
    }
}
