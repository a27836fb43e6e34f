import Findings
import Foundation
import Testing
import Topology

import enum Findings.InputPlace

@Suite("Importing Azure exports, ARM templates and Exposure YAML")
struct ImportTests {
    typealias F = TopologyFixtures

    func load(_ documents: [(String, String)]) throws -> LoadedTopology {
        try TopologyLoader.load(documents: documents.map { ($0.0, Data($0.1.utf8)) })
    }

    func error(_ documents: [(String, String)]) -> InputError? {
        do {
            _ = try load(documents)
            return nil
        } catch let e as InputError {
            return e
        } catch {
            return nil
        }
    }

    @Test("A REST-style {\"value\": [...]} list and a bare array give the same network")
    func valueWrapper() throws {
        let resources = DocumentedExamplesTests.subnetAllowsNICDenies
        let bare = try load([("a.json", resources)]).network
        let wrapped = try load([("b.json", "{\"value\": \(resources)}")]).network
        #expect(bare.interfaces.map(\.id) == wrapped.interfaces.map(\.id))
        #expect(bare.securityGroups.map(\.rules).count == wrapped.securityGroups.count)
        #expect(wrapped.subnets.first { $0.name == "web" }?.securityGroup?.lastComponent == "nsg-subnet")
        let pointer = wrapped.securityGroups.first { $0.name == "nsg-nic" }?.rules.first?.location?.pointer
        #expect(pointer?.hasPrefix("/value/") == true)
    }

    @Test("az network nsg list output (flattened properties) attaches NSGs through their back-references")
    func nsgListOutput() throws {
        let nsgList = """
            [{"id": "\(F.sub)/networkSecurityGroups/nsg-web", "name": "nsg-web", "type": "Microsoft.Network/networkSecurityGroups",
              "securityRules": [{"name": "AllowHTTPS", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
                "sourceAddressPrefix": "", "sourceAddressPrefixes": ["198.51.100.0/24", "203.0.113.0/24"], "sourcePortRange": "*",
                "destinationAddressPrefix": "*", "destinationPortRange": "", "destinationPortRanges": ["443", "8443-8444"]}],
              "subnets": [{"id": "\(F.sub.uppercased())/VIRTUALNETWORKS/VNET/SUBNETS/WEB"}]}]
            """
        let vnet = F.list([F.vnet("vnet", "10.0.0.0/16", subnets: [("web", "10.0.2.0/24", nil)])])
        let network = try load([("vnet.json", vnet), ("nsgs.json", nsgList)]).network
        let subnet = try #require(network.subnets.first)
        #expect(subnet.securityGroup?.lastComponent == "nsg-web")
        let rule = try #require(network.securityGroups.first?.rules.first)
        #expect(
            rule.sources == [.prefix(NetworkPrefix("198.51.100.0/24")!), .prefix(NetworkPrefix("203.0.113.0/24")!)])
        #expect(rule.destinationPorts == [PortRange(443, 443), PortRange(8443, 8444)])
        #expect(rule.location?.file == "nsgs.json")
        #expect(rule.location?.pointer == "/0/securityRules/0")
    }

    @Test("References that point nowhere become warnings with a JSON pointer")
    func danglingReferences() throws {
        let loaded = try load([
            (
                "dangling.json",
                F.list([
                    F.vnet(
                        "vnet", "10.0.0.0/16", subnets: [("s", "10.0.1.0/24", "nsg-missing")],
                        peers: [("vnet-gone", "Connected")]),
                    F.nic(
                        "nic", "10.0.1.4", vnet: "vnet", subnet: "s", nsg: "nsg-also-missing", publicIP: "pip-missing"),
                ])
            )
        ])
        let text = loaded.warnings.joined(separator: "\n")
        #expect(loaded.warnings.count == 4, "\(text)")
        #expect(text.contains("dangling.json: at /0/properties/subnets/0: subnet 's' names network security group"))
        #expect(
            text.contains("dangling.json: at /1/properties/ipConfigurations/0: network interface 'nic' names public IP")
        )
        #expect(text.contains("at /0/properties/virtualNetworkPeerings/0: peering"))
        #expect(text.contains("nsg-also-missing"))
        // The missing NSG filters nothing: the flow is decided by no rule at all.
        let engine = ReachabilityEngine(network: loaded.network)
        #expect(engine.verify(flow("10.0.1.4", "8.8.8.8", .tcp, 443)).verdict == .allowed)
    }

    @Test("A NIC whose subnet is missing is still analysed with its own NSG; overlapping addresses are warned about")
    func strayInterfaces() throws {
        let loaded = try load([
            (
                "stray.json",
                F.list([
                    F.vnet("a", "10.0.0.0/16", subnets: [("s", "10.0.1.0/24", nil)]),
                    F.vnet("b", "10.0.0.0/16", subnets: [("s", "10.0.1.0/24", nil)]),
                    F.nic("nic-a", "10.0.1.4", vnet: "a", subnet: "s"),
                    F.nic("nic-b", "10.0.1.4", vnet: "b", subnet: "s"),
                    F.nic("nic-lost", "10.0.9.4", vnet: "a", subnet: "gone", nsg: "nsg-lost"),
                    F.nsg("nsg-lost", [F.rule("DenySSH", 100, "Inbound", "Deny", "Tcp", "*", "*", "22")]),
                ])
            )
        ])
        #expect(
            loaded.warnings.contains {
                $0.contains("nic-lost") && $0.contains("subnet") && $0.contains("analysed with what is known")
            }, "\(loaded.warnings)")
        let engine = ReachabilityEngine(network: loaded.network)
        #expect(engine.warnings.contains { $0.contains("10.0.1.4 is the address of both 'nic-a' and 'nic-b'") })
        // Its own NSG still decides (Azure: the NIC's NSG applies whatever the subnet's is).
        let ssh = engine.verify(flow("10.0.1.4", "10.0.9.4", .tcp, 22))
        #expect(ssh.verdict == .denied)
        #expect(ssh.ruleNames == ["nsg-lost/DenySSH"])
        #expect(engine.verify(flow("10.0.1.4", "10.0.9.4", .tcp, 443)).verdict == .allowed)
    }

    @Test("Unusable input names the file and the place")
    func unusableInput() throws {
        let badJSON = error([("broken.json", "[\n{\"id\": 1,,}\n]")])
        #expect(badJSON?.file == "broken.json")
        #expect(badJSON?.place == .line(2))
        let noPriority = error([
            (
                "rules.json",
                """
                [{"id": "/x/nsg", "name": "nsg", "type": "Microsoft.Network/networkSecurityGroups",
                  "properties": {"securityRules": [{"name": "r", "properties": {"direction": "Inbound", "access": "Allow"}}]}}]
                """
            )
        ])
        #expect(noPriority?.place == .pointer("/0/properties/securityRules/0/properties/priority"))
        let badPrefix = error([("p.json", F.list([F.vnet("v", "10.0.0.300/16", subnets: [])]))])
        #expect(badPrefix?.place == .pointer("/0/properties/addressSpace/addressPrefixes"))
        let notAList = error([("n.json", "{\"hello\": 1}")])
        #expect(notAList?.place == .pointer(""))
        let badPort = error([
            ("port.json", F.list([F.nsg("nsg", [F.rule("r", 100, "Inbound", "Allow", "Tcp", "*", "*", "70000")])]))
        ])
        #expect(badPort?.reason.contains("70000") == true)
    }

    @Test("The JSON reader handles escapes and Unicode, and refuses deep nesting and trailing text with a line")
    func jsonReader() throws {
        let escaped = try load([
            (
                "e.json",
                F.list([F.nsg("nsg\\u00e9", [])]).replacingOccurrences(
                    of: "\"name\": \"nsg\\u00e9\"", with: "\"name\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\"")
            )
        ])
        #expect(escaped.network.securityGroups.first?.name == "café 😀 \"q\"")
        let deep = error([("deep.json", String(repeating: "[", count: 10_000))])
        #expect(deep?.reason.contains("nesting") == true)
        let trailing = error([("t.json", "[]\n\n]")])
        #expect(trailing?.place == .line(3))
        let truncated = error([("cut.json", "[{\"id\": \"x\",\n \"name\": \"a")])
        #expect(truncated?.place == .line(2))
    }

    @Test("ARM templates resolve parameters(), variables(), concat() and resourceId(), with child rules")
    func armTemplate() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Topologies/arm-template-web-tier.json")
        let loaded = try TopologyLoader.load(files: [url.path])
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let network = loaded.network
        let nsg = try #require(network.securityGroups.first)
        #expect(nsg.name == "vnet-app-web-nsg")
        #expect(nsg.rules.map(\.name) == ["AllowHTTPS", "AllowSSHFromAdmins"])
        #expect(nsg.rules[1].sources == [.prefix(NetworkPrefix("198.51.100.0/24")!)])
        #expect(network.subnets.first?.securityGroup == nsg.id)
        let nic = try #require(network.interfaces.first)
        #expect(nic.subnetIDs == [network.subnets[0].id])
        #expect(nic.machineName == "vm-web")
        #expect(nic.hasTag("tier", "frontend"))
        #expect(nic.publicIPIDs == [network.publicIPs[0].id])
    }

    static let yaml = """
        segments:
          - name: office
            addressSpace: [192.168.0.0/16]
            peers: [dc]
            subnets:
              - {name: staff, prefix: 192.168.10.0/24, ruleSet: edge}
          - name: dc
            addressSpace: 172.16.0.0/16
            subnets:
              - {name: servers, prefix: 172.16.1.0/24}
        groups: [admins]
        hosts:
          - {name: laptop, segment: office, subnet: staff, address: 192.168.10.20, groups: [admins], publicIP: 203.0.113.7}
          - {name: files, segment: dc, subnet: servers, address: 172.16.1.10, tags: {tier: crown-jewel}}
        ruleSets:
          - name: edge
            rules:
              - name: rdp-in
                priority: 100
                direction: inbound
                access: allow
                protocol: tcp
                source: internet
                destination: group:admins
                ports: 3389
        justifications:
          edge/rdp-in: Remote support
        """

    @Test("The YAML format builds segments, peers both ways, hosts, groups, rule sets and justifications")
    func yamlTopology() throws {
        let loaded = try load([("net.yaml", Self.yaml)])
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let network = loaded.network
        #expect(network.virtualNetworks.count == 2)
        let rule = try #require(network.securityGroups.first?.rules.first)
        #expect(rule.description == "Remote support")
        #expect(rule.location?.line == 18)
        #expect(rule.destinations == [.applicationSecurityGroup(ResourceID("yaml:/groups/admins"))])
        let engine = ReachabilityEngine(network: network)
        #expect(engine.verify(flow("198.51.100.1", "203.0.113.7", .tcp, 3389)).verdict == .allowed)
        #expect(engine.verify(flow("172.16.1.10", "192.168.10.20", .tcp, 22)).verdict == .allowed)
    }

    @Test("YAML errors name the line; alias bombs are refused")
    func yamlErrors() throws {
        let missing = error([("bad.yaml", "hosts:\n  - name: x\n    segment: s\n")])
        #expect(missing?.place == .line(2))
        #expect(missing?.reason.contains("subnet") == true)
        let syntax = error([("syntax.yaml", "segments: [a, b\nhosts: {")])
        #expect(syntax?.file == "syntax.yaml")
        #expect(syntax?.place != nil)
        var bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...9 {
            bomb +=
                "a\(i): &a\(i) [*a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1), *a\(i-1)]\n"
        }
        bomb += "hosts: *a9\n"
        // Refused quickly with a line, whatever shape check or the node budget stops it first.
        let refused = error([("bomb.yaml", bomb)])
        #expect(refused?.place != nil)
    }
}
