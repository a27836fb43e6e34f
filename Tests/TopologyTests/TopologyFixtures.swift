import Foundation
import Topology

/// Small topologies written inline as Azure JSON, so each test shows its whole input.
enum TopologyFixtures {
    static let sub = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network"

    static func load(_ json: String, name: String = "inline.json") throws -> LoadedTopology {
        try TopologyLoader.load(documents: [(name, Data(json.utf8))])
    }

    static func engine(_ json: String) throws -> ReachabilityEngine {
        ReachabilityEngine(network: try load(json).network)
    }

    static func rule(
        _ name: String, _ priority: Int, _ direction: String, _ access: String, _ proto: String, _ source: String,
        _ destination: String, _ port: String
    ) -> String {
        """
        {"name": "\(name)", "properties": {"priority": \(priority), "direction": "\(direction)", "access": "\(access)",
         "protocol": "\(proto)", "sourceAddressPrefix": "\(source)", "sourcePortRange": "*",
         "destinationAddressPrefix": "\(destination)", "destinationPortRange": "\(port)"}}
        """
    }

    static func nsg(_ name: String, _ rules: [String]) -> String {
        """
        {"id": "\(sub)/networkSecurityGroups/\(name)", "name": "\(name)", "type": "Microsoft.Network/networkSecurityGroups",
         "properties": {"securityRules": [\(rules.joined(separator: ","))]}}
        """
    }

    static func vnet(
        _ name: String, _ space: String, subnets: [(String, String, String?)], peers: [(String, String)] = []
    )
        -> String
    {
        let subnetText = subnets.map { s in
            let nsg = s.2.map { ", \"networkSecurityGroup\": {\"id\": \"\(sub)/networkSecurityGroups/\($0)\"}" } ?? ""
            return """
                {"id": "\(sub)/virtualNetworks/\(name)/subnets/\(s.0)", "name": "\(s.0)", "properties": {"addressPrefix": "\(s.1)"\(nsg)}}
                """
        }.joined(separator: ",")
        let peerText = peers.map { p in
            """
            {"name": "\(name)-\(p.0)", "properties": {"remoteVirtualNetwork": {"id": "\(sub)/virtualNetworks/\(p.0)"}, "peeringState": "\(p.1)"}}
            """
        }.joined(separator: ",")
        return """
            {"id": "\(sub)/virtualNetworks/\(name)", "name": "\(name)", "type": "Microsoft.Network/virtualNetworks",
             "properties": {"addressSpace": {"addressPrefixes": ["\(space)"]}, "subnets": [\(subnetText)], "virtualNetworkPeerings": [\(peerText)]}}
            """
    }

    static func nic(
        _ name: String, _ address: String, vnet: String, subnet: String, nsg: String? = nil, publicIP: String? = nil,
        asgs: [String] = []
    ) -> String {
        let nsgText = nsg.map { ", \"networkSecurityGroup\": {\"id\": \"\(sub)/networkSecurityGroups/\($0)\"}" } ?? ""
        let pipText = publicIP.map { ", \"publicIPAddress\": {\"id\": \"\(sub)/publicIPAddresses/\($0)\"}" } ?? ""
        let asgText = asgs.map { "{\"id\": \"\(sub)/applicationSecurityGroups/\($0)\"}" }.joined(separator: ",")
        return """
            {"id": "\(sub)/networkInterfaces/\(name)", "name": "\(name)", "type": "Microsoft.Network/networkInterfaces",
             "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "\(address)",
               "subnet": {"id": "\(sub)/virtualNetworks/\(vnet)/subnets/\(subnet)"}\(pipText), "applicationSecurityGroups": [\(asgText)]}}]\(nsgText)}}
            """
    }

    static func publicIP(_ name: String, _ address: String) -> String {
        """
        {"id": "\(sub)/publicIPAddresses/\(name)", "name": "\(name)", "type": "Microsoft.Network/publicIPAddresses",
         "properties": {"ipAddress": "\(address)"}}
        """
    }

    static func asg(_ name: String) -> String {
        """
        {"id": "\(sub)/applicationSecurityGroups/\(name)", "name": "\(name)", "type": "Microsoft.Network/applicationSecurityGroups", "properties": {}}
        """
    }

    static func list(_ resources: [String]) -> String { "[" + resources.joined(separator: ",\n") + "]" }
}

extension FlowVerdict {
    /// `nsg/rule` names, for compact expectations.
    var ruleNames: [String] { decidedBy.map { "\($0.securityGroupName)/\($0.rule)" } }
}

func flow(_ source: String, _ destination: String, _ proto: TransportProtocol = .tcp, _ port: Int) -> Flow {
    Flow(
        source: NetworkAddress(source)!, destination: NetworkAddress(destination)!, protocol: proto,
        destinationPort: port)
}
