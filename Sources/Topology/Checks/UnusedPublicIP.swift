import Findings

/// `topology.unused-public-ip`: a public IP attached to nothing — no NIC, load balancer or
/// application gateway frontend, NAT gateway, bastion, firewall or VPN gateway holds it.
///
/// An unattached public IP is an internet address the estate owns that nobody watches: attaching it
/// to a host later (by mistake, or to "test quickly") exposes that host at once, and a Standard one
/// costs money idle. The guidance treats public IPs as high-risk assets to keep inventoried.
public enum UnusedPublicIP {
    public static let check = Check(
        id: "topology.unused-public-ip",
        title: "Public IP attached to nothing",
        rationale:
            "An unattached public IP is an owned internet address nobody watches; attaching it to a host later exposes "
            + "that host immediately.",
        remediation: "Delete the public IP, or record why it is reserved (for example in its tags).",
        defaultSeverity: .low
    )
}

extension UnusedPublicIP {
    /// Every public IP some resource of the input (or Azure's own `ipConfiguration` back-reference) holds.
    static func usedPublicIPs(_ context: AuditContext) -> Set<ResourceID> {
        let network = context.network
        var used = Set(network.interfaces.flatMap(\.publicIPIDs))
        for lb in network.loadBalancers { used.formUnion(lb.frontends.compactMap(\.publicIP)) }
        for gateway in network.applicationGateways { used.formUnion(gateway.frontends.compactMap(\.publicIP)) }
        for door in network.outboundOnlyDoors { used.formUnion(door.publicIPs) }
        for firewall in network.firewalls { used.formUnion(firewall.publicIPs) }
        for door in context.engine.entryPoints { if let pip = door.publicIP { used.insert(pip) } }
        for pip in network.publicIPs where pip.attachedTo != nil { used.insert(pip.id) }
        return used
    }

    static func findings(_ context: AuditContext) -> [Finding] {
        let used = usedPublicIPs(context)
        return context.network.publicIPs.filter { !used.contains($0.id) }.map { pip in
            var evidence: [String: JSONValue] = ["publicIP": .string(pip.name)]
            if let address = pip.address { evidence["address"] = .string(address.description) }
            if let sku = pip.sku { evidence["sku"] = .string(sku.rawValue) }
            let shown = pip.address.map { "\(pip.name) (\($0))" } ?? pip.name
            return Finding(
                check: check, subject: pip.name,
                message:
                    "Public IP \(shown) is attached to no network interface, load balancer, gateway, bastion or NAT gateway in the input.",
                evidence: evidence,
                remediation: "Delete public IP \(pip.name), or tag it with why it is reserved and who owns it.",
                location: pip.location)
        }
    }
}
