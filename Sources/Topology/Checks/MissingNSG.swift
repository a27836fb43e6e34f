import Findings

/// `topology.missing-nsg`: a subnet with no network security group, or a NIC with a public IP that
/// no group filters at either level.
///
/// Azure filters nothing at a level without a group. A subnet without one relies entirely on each
/// NIC's group; a NIC with a Basic (or unstated) SKU public IP and no group at either level is open
/// on every port to the whole internet (a Standard one is closed until a group allows something). Rule-at-a-time checkers never see this, because there is no rule to look at.
/// Subnets where Azure forbids or manages filtering (`GatewaySubnet`, `AzureFirewallSubnet`,
/// `AzureFirewallManagementSubnet`, `RouteServerSubnet`, `AzureBastionSubnet`) are not reported.
public enum MissingNSG {
    public static let check = Check(
        id: "topology.missing-nsg",
        title: "Subnet or internet-facing NIC without a network security group",
        rationale:
            "Without a security group nothing filters traffic at that level; an interface with a public IP and no "
            + "group anywhere accepts every port from the whole internet.",
        remediation:
            "Associate a network security group with the subnet (and, for internet-facing NICs, make sure one of the "
            + "two levels denies what is not needed).",
        defaultSeverity: .medium
    )
}

extension MissingNSG {
    /// Subnets Azure manages itself or where it rejects an NSG; reporting them would be noise.
    static let exemptSubnetNames: Set<String> = [
        "gatewaysubnet", "azurefirewallsubnet", "azurefirewallmanagementsubnet", "routeserversubnet",
        "azurebastionsubnet",
    ]

    static func findings(_ context: AuditContext) -> [Finding] {
        let network = context.network
        var findings: [Finding] = []
        var unfilteredSubnets = Set<ResourceID>()
        var interfacesBySubnet: [ResourceID: [NetworkInterface]] = [:]
        for nic in network.interfaces {
            for subnetID in Set(nic.subnetIDs) { interfacesBySubnet[subnetID, default: []].append(nic) }
        }
        for subnet in network.subnets {
            if let nsg = subnet.securityGroup, context.groupsByID[nsg] != nil { continue }
            unfilteredSubnets.insert(subnet.id)
            // A subnet the input does not hold: its NSG is unknown, not missing.
            if subnet.isInferred || exemptSubnetNames.contains(subnet.name.lowercased()) { continue }
            let vnetName = context.networksByID[subnet.virtualNetwork]?.name ?? subnet.virtualNetwork.lastComponent
            let hosts = interfacesBySubnet[subnet.id] ?? []
            let hostText =
                hosts.isEmpty
                ? "it has no network interfaces yet, but any added later are unfiltered at this level"
                : "its \(hosts.count) network interface(s) rely on their own NSG alone"
            findings.append(
                Finding(
                    check: check, subject: "\(vnetName)/\(subnet.name)",
                    message: "Subnet \(vnetName)/\(subnet.name) has no network security group: \(hostText).",
                    evidence: [
                        "subnet": .string(subnet.name), "vnet": .string(vnetName),
                        "prefixes": .array(subnet.prefixes.map { .string($0.description) }),
                        "interfaces": .array(hosts.map { .string($0.name) }),
                    ],
                    remediation:
                        "Associate a network security group with \(vnetName)/\(subnet.name) that allows only what its hosts need.",
                    location: subnet.location))
        }
        for nic in network.interfaces where !nic.publicIPIDs.isEmpty {
            if let nsg = nic.securityGroup, context.groupsByID[nsg] != nil { continue }
            guard nic.subnetIDs.allSatisfy({ unfilteredSubnets.contains($0) }) else { continue }
            // Standard SKU public IPs admit nothing without an NSG that allows it: closed, not open.
            if nic.publicIPIDs.allSatisfy({ context.publicIPsByID[$0]?.sku == .standard }) { continue }
            let addresses = nic.publicIPIDs.compactMap { context.publicIPsByID[$0]?.address?.description }
            let shown = addresses.isEmpty ? "its public IP" : "public IP \(AuditText.list(addresses))"
            findings.append(
                Finding(
                    check: check, severity: .high, subject: nic.name,
                    message:
                        "Network interface \(AuditText.host(nic)) has \(shown) and no network security group on it or its subnet: every port is open to the internet.",
                    evidence: [
                        "nic": .string(nic.name), "publicIP": .array(addresses.map { .string($0) }),
                        "subnets": .array(nic.subnetIDs.map { .string($0.lastComponent) }),
                    ],
                    remediation:
                        "Associate a network security group with \(nic.name) or its subnet that denies inbound internet traffic except the services meant to be public.",
                    location: nic.location))
        }
        return findings
    }
}
