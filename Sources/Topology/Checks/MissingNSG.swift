import Findings

/// `topology.missing-nsg`: a subnet with no network security group, or a NIC with a public IP that
/// no group filters at either level.
///
/// Azure filters nothing at a level without a group. A subnet without one relies entirely on each
/// NIC's group; a NIC with a public IP and no group at either level is open on every port to the
/// whole internet. Rule-at-a-time checkers never see this, because there is no rule to look at.
/// Subnets where Azure forbids or manages filtering (`GatewaySubnet`, `AzureFirewallSubnet`,
/// `AzureFirewallManagementSubnet`, `RouteServerSubnet`) are not reported.
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
