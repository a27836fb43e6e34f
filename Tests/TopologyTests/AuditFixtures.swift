import Findings

@testable import Topology

/// Builds tiny topologies by hand for the audit tests: names instead of resource ids, rules in one line.
struct HandBuiltTopology {
    var network = Network()

    static func id(_ kind: String, _ name: String) -> ResourceID { ResourceID("/tiny/\(kind)/\(name)") }

    mutating func vnet(_ name: String, _ space: String, peers: [String] = []) {
        network.virtualNetworks.append(
            VirtualNetwork(
                id: Self.id("vnet", name), name: name, addressSpace: [NetworkPrefix(space)!],
                peerings: peers.map { Peering(name: "\(name)-to-\($0)", remoteNetwork: Self.id("vnet", $0)) }))
    }

    mutating func subnet(_ vnet: String, _ name: String, _ prefix: String, nsg: String? = nil) {
        network.subnets.append(
            Subnet(
                id: Self.id("subnet", "\(vnet)/\(name)"), name: name, virtualNetwork: Self.id("vnet", vnet),
                prefixes: [NetworkPrefix(prefix)!], securityGroup: nsg.map { Self.id("nsg", $0) },
                location: SourceLocation(file: "tiny.json", pointer: "/subnets/\(name)")))
    }

    mutating func nsg(_ name: String, _ rules: [SecurityRule]) {
        network.securityGroups.append(
            SecurityGroup(
                id: Self.id("nsg", name), name: name, rules: rules,
                location: SourceLocation(file: "tiny.json", pointer: "/nsgs/\(name)")))
    }

    mutating func asg(_ name: String) {
        network.applicationSecurityGroups.append(ApplicationSecurityGroup(id: Self.id("asg", name), name: name))
    }

    /// `subnet` is `VNET/SUBNET`.
    mutating func nic(
        _ name: String, ip: String, subnet: String, publicIP: String? = nil, nsg: String? = nil, asgs: [String] = [],
        tags: [String: String] = [:]
    ) {
        var pipID: ResourceID?
        if let publicIP {
            let id = Self.id("pip", "\(name)-pip")
            network.publicIPs.append(PublicIPAddress(id: id, name: "\(name)-pip", address: NetworkAddress(publicIP)))
            pipID = id
        }
        network.interfaces.append(
            NetworkInterface(
                id: Self.id("nic", name), name: name,
                ipConfigurations: [
                    IPConfiguration(
                        name: "ipconfig1", privateAddress: NetworkAddress(ip), subnet: Self.id("subnet", subnet),
                        publicIP: pipID, applicationSecurityGroups: asgs.map { Self.id("asg", $0) })
                ], securityGroup: nsg.map { Self.id("nsg", $0) }, tags: tags,
                location: SourceLocation(file: "tiny.json", pointer: "/nics/\(name)")))
    }

    func audit(_ options: AuditOptions = AuditOptions(today: CalendarDay(year: 2026, month: 11, day: 21))) -> Report {
        TopologyAnalyzer.analyze(LoadedTopology(network: network, warnings: []), options: options)
    }
}

/// `*`, a service tag, `asg:NAME` or a prefix.
func auditMatch(_ text: String) -> AddressMatch {
    if text == "*" { return .any }
    if text.hasPrefix("asg:") {
        return .applicationSecurityGroup(HandBuiltTopology.id("asg", String(text.dropFirst(4))))
    }
    if let prefix = NetworkPrefix(text) { return .prefix(prefix) }
    return .serviceTag(text)
}

func auditRule(
    _ name: String, _ priority: Int, _ access: Access = .allow, _ proto: RuleProtocol = .tcp, from: String = "*",
    to: String = "*", ports: String, direction: Direction = .inbound, description: String = ""
) -> SecurityRule {
    SecurityRule(
        name: name, priority: priority, direction: direction, access: access, protocol: proto,
        sources: from.split(separator: ",").map { auditMatch(String($0)) },
        destinations: to.split(separator: ",").map { auditMatch(String($0)) },
        destinationPorts: ports.split(separator: ",").map { PortRange($0)! }, description: description,
        location: SourceLocation(file: "tiny.json", pointer: "/rules/\(name)"))
}

extension Report {
    func subjects(_ check: Check) -> [String] {
        findings.filter { $0.check.id == check.id }.map(\.subject).sorted()
    }

    func finding(_ check: Check, _ subject: String) -> Finding? {
        findings.first { $0.check.id == check.id && $0.subject == subject }
    }
}
