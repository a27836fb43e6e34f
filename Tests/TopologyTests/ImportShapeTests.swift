import Findings
import Foundation
import Testing
import Topology

import enum Findings.InputPlace

/// Every JSON input shape is read correctly or refused by name. The expected verdicts are worked
/// out by hand from Azure's documented NSG order (subnet NSG then NIC NSG inbound; a level without
/// an NSG filters nothing) and Azure's address allocation (the first four addresses of a subnet and
/// its last are reserved).
@Suite("Input shapes: SDK exports, samples, refusals and limits")
struct ImportShapeTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Topologies")

    func load(_ name: String, _ text: String) throws -> LoadedTopology {
        try TopologyLoader.load(documents: [(name, Data(text.utf8))])
    }

    func error(_ name: String, _ text: String) -> InputError? {
        do {
            _ = try load(name, text)
            return nil
        } catch let e as InputError {
            return e
        } catch {
            return nil
        }
    }

    static func exposures(_ report: Report) -> [String] {
        report.findings.filter { $0.check.id == "topology.internet-exposed-port" }.map {
            "\($0.severity) \($0.subject) \($0.evidence["ports"]?.compactText ?? "")"
        }.sorted()
    }

    @Test("The vm-simple-linux-shaped template: the Dynamic NIC gets 10.1.0.4 and SSH from the internet is critical")
    func armLinuxVMSample() throws {
        let path = Self.samples.appendingPathComponent("arm-linux-vm-ssh-open-dynamic-address.json").path
        let loaded = try TopologyLoader.load(files: [path])
        let nic = try #require(loaded.network.interfaces.first)
        // 10.1.0.0/24: .0–.3 reserved, so the first NIC gets .4.
        #expect(nic.privateAddresses.map(\.description) == ["10.1.0.4"])
        #expect(nic.machineName == "web-vm")
        #expect(loaded.warnings.contains { $0.contains("dynamic private address") && $0.contains("10.1.0.4") })
        let report = TopologyAnalyzer.analyze(loaded)
        #expect(Self.exposures(report) == ["critical web-vm-nic [22]"])
        let engine = ReachabilityEngine(network: loaded.network)
        let paths = try engine.paths(from: .internet, to: .resource("web-vm"))
        #expect(paths.paths.map(\.target) == ["web-vm"])
    }

    @Test(
        "A JavaScript SDK export whose NICs' subnets are absent: each NIC's NSG and public IP still give a critical exposure"
    )
    func sdkExportSample() throws {
        let path = Self.samples.appendingPathComponent("azure-sdk-js-nics-without-subnets.json").path
        let loaded = try TopologyLoader.load(files: [path])
        #expect(loaded.warnings.filter { $0.contains("analysed with what is known") }.count == 3)
        let report = TopologyAnalyzer.analyze(loaded)
        #expect(
            Self.exposures(report) == [
                "critical mongo-1-nic [27017]", "critical mysql-1-nic [3306]", "critical ops-1-nic [22]",
            ])
        // The subnet is unknown, not missing: no missing-nsg finding about it.
        #expect(!report.findings.contains { $0.check.id == "topology.missing-nsg" })
    }

    @Test("Python SDK as_dict() output (snake_case) reads like the REST shape")
    func pythonSDK() throws {
        let sub = "/subscriptions/1/resourceGroups/rg/providers/Microsoft.Network"
        let text = """
            [{"id": "\(sub)/virtualNetworks/v", "name": "v", "type": "Microsoft.Network/virtualNetworks",
              "address_space": {"address_prefixes": ["10.0.0.0/16"]},
              "subnets": [{"id": "\(sub)/virtualNetworks/v/subnets/s", "name": "s", "address_prefix": "10.0.1.0/24",
                "network_security_group": {"id": "\(sub)/networkSecurityGroups/nsg"}}]},
             {"id": "\(sub)/networkSecurityGroups/nsg", "name": "nsg", "type": "Microsoft.Network/networkSecurityGroups",
              "security_rules": [{"name": "AllowRDP", "protocol": "Tcp", "source_port_range": "*", "destination_port_range": "3389",
                "source_address_prefix": "*", "destination_address_prefix": "*", "access": "Allow", "priority": 100,
                "direction": "Inbound", "provisioning_state": "Succeeded"}],
              "default_security_rules": []},
             {"id": "\(sub)/publicIPAddresses/pip", "name": "pip", "type": "Microsoft.Network/publicIPAddresses",
              "ip_address": "20.1.2.3", "public_ip_allocation_method": "Static"},
             {"id": "\(sub)/networkInterfaces/nic", "name": "nic", "type": "Microsoft.Network/networkInterfaces",
              "tags": {"owner_team": "ops"},
              "ip_configurations": [{"name": "ipconfig1", "private_ip_address": "10.0.1.10", "private_ip_allocation_method": "Static",
                "subnet": {"id": "\(sub)/virtualNetworks/v/subnets/s"}, "public_ip_address": {"id": "\(sub)/publicIPAddresses/pip"}}]}]
            """
        let loaded = try load("python.json", text)
        #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
        let nsg = try #require(loaded.network.securityGroups.first)
        #expect(nsg.rules.map(\.name) == ["AllowRDP"])
        #expect(loaded.network.subnets.first?.securityGroup == nsg.id)
        #expect(loaded.network.publicIPs.first?.address?.description == "20.1.2.3")
        #expect(loaded.network.interfaces.first?.tags == ["owner_team": "ops"])
        let report = TopologyAnalyzer.analyze(loaded)
        #expect(Self.exposures(report) == ["critical nic [3389]"])
        #expect(!report.findings.contains { $0.check.id == "topology.missing-nsg" })
    }

    @Test("Shapes that are not Azure resources are refused, naming what they are")
    func refusedShapes() throws {
        let parameters = error(
            "p.json",
            #"{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {}}"#
        )
        #expect(parameters?.reason.contains("ARM parameters file") == true)
        #expect(parameters?.reason.contains("--parameters") == true)
        let terraform = error("tf.json", #"{"format_version": "1.2", "terraform_version": "1.6.0", "values": {}}"#)
        #expect(terraform?.reason.contains("Terraform") == true)
        let aws = error("cf.json", #"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}"#)
        #expect(aws?.reason.contains("CloudFormation") == true)
        let bicep = error("main.bicep", "param location string = resourceGroup().location\n")
        #expect(bicep?.reason.contains("az bicep build") == true)
        let unknown = error("x.json", #"{"networks": []}"#)
        #expect(unknown?.reason.contains("`networks`") == true)
        #expect(unknown?.place == .pointer(""))
        let scalar = error("n.json", "42")
        #expect(scalar?.reason.contains("JSON number") == true)
        let badResources = error("r.json", #"{"resources": "none"}"#)
        #expect(badResources?.reason.contains("`resources` is a JSON string") == true)
    }

    @Test("A resource id twice in one file is a warning; two NSGs of one name in a template too")
    func duplicates() throws {
        let nsg = TopologyFixtures.nsg("nsg", [])
        let listed = try load("dup.json", "[\(nsg), \(nsg)]")
        #expect(listed.warnings.contains { $0.contains("dup.json: at /1:") && $0.contains("appears twice") })
        let template = """
            {"resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "same", "properties": {}},
                           {"type": "Microsoft.Network/networkSecurityGroups", "name": "same", "properties": {}}]}
            """
        let loaded = try load("t.json", template)
        #expect(
            loaded.warnings.contains {
                $0.contains("at /resources/1") && $0.contains("defines") && $0.contains("twice")
            })
        #expect(loaded.network.securityGroups.count == 1)
    }

    @Test("Names and descriptions longer than Azure allows are refused with their pointer")
    func overlongText() throws {
        let long = String(repeating: "n", count: 100_000)
        let name = error("long.json", "[\(TopologyFixtures.nsg(long, []))]")
        #expect(name?.place == .pointer("/0/name"))
        #expect(name?.reason.contains("at most 80") == true)
        let ruleName = error(
            "rule.json",
            "[\(TopologyFixtures.nsg("nsg", [TopologyFixtures.rule(String(repeating: "r", count: 81), 100, "Inbound", "Allow", "Tcp", "*", "*", "22")]))]"
        )
        #expect(ruleName?.place == .pointer("/0/properties/securityRules/0/name"))
        let described = TopologyFixtures.rule("r", 100, "Inbound", "Allow", "Tcp", "*", "*", "22").replacingOccurrences(
            of: "\"priority\"", with: "\"description\": \"\(String(repeating: "d", count: 141))\", \"priority\"")
        let description = error("d.json", "[\(TopologyFixtures.nsg("nsg", [described]))]")
        #expect(description?.place == .pointer("/0/properties/securityRules/0/properties/description"))
        #expect(description?.reason.contains("at most 140") == true)
        // Exactly at the limits is fine.
        let atLimit = try load("ok.json", "[\(TopologyFixtures.nsg(String(repeating: "n", count: 80), []))]")
        #expect(atLimit.network.securityGroups.count == 1)
    }

    @Test("Dynamic addresses skip the four reserved ones and addresses already taken, in NIC id order")
    func dynamicAllocation() throws {
        // 10.0.1.0/29 holds .0–.7: .0–.3 and .7 are reserved, .4 is static on nic-a, so nic-b gets
        // .5 and nic-c .6; nic-d finds the subnet full and keeps no address, with a warning.
        let sub = TopologyFixtures.sub
        func dynamic(_ name: String) -> String {
            """
            {"id": "\(sub)/networkInterfaces/\(name)", "name": "\(name)", "type": "Microsoft.Network/networkInterfaces",
             "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAllocationMethod": "Dynamic",
               "subnet": {"id": "\(sub)/virtualNetworks/v/subnets/s"}}}]}}
            """
        }
        let text = TopologyFixtures.list([
            TopologyFixtures.vnet("v", "10.0.0.0/16", subnets: [("s", "10.0.1.0/29", nil)]),
            dynamic("nic-d"), dynamic("nic-c"), dynamic("nic-b"),
            TopologyFixtures.nic("nic-a", "10.0.1.4", vnet: "v", subnet: "s"),
        ])
        let loaded = try load("dyn.json", text)
        let addresses = loaded.network.interfaces.map {
            "\($0.name)=\($0.privateAddresses.map(\.description).joined())"
        }
        #expect(addresses == ["nic-a=10.0.1.4", "nic-b=10.0.1.5", "nic-c=10.0.1.6", "nic-d="])
        #expect(loaded.warnings.contains { $0.contains("'nic-d'") && $0.contains("none can be allocated") })
    }
}
