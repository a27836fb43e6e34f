import Findings

/// `topology.internet-exposed-port`: a network interface whose management, database, file-sharing
/// or legacy ports really are reachable from the internet through its public IP.
///
/// "Really" is the point: the verdict comes from the reachability engine, which evaluates the subnet
/// and NIC security groups in order, with their default rules and priorities, so a port opened by a
/// subnet rule but closed again by the NIC's own group is not reported, while a NIC that no group
/// filters at all is. One finding per interface, protocol and chain of deciding rules, naming the
/// ports and the rules that let them in.
public enum InternetExposedPort {
    public static let check = Check(
        id: "topology.internet-exposed-port",
        title: "Sensitive port reachable from the internet",
        rationale:
            "Management, database, file-sharing and cleartext legacy services reachable from any internet address are "
            + "scanned within minutes of exposure and are the most common way into cloud networks.",
        remediation:
            "Remove the allow rule or narrow its source to known addresses; reach management ports through a bastion "
            + "or VPN and databases through private endpoints.",
        defaultSeverity: .critical
    )
}
