import Findings

/// `topology.dedicated-public-ip`: a NIC (a VM's, as a rule) with its own public IP.
///
/// Microsoft's network security guidance treats public IPs as high-risk assets and prefers shared,
/// platform-managed front doors: a load balancer or application gateway publishes only the ports
/// of a service, and Azure Bastion reaches management ports without any public address on the VM.
/// A public IP on the NIC makes every port the NSGs leave open reachable from the whole internet,
/// and one rule change away from exposure when they do not.
public enum DedicatedPublicIP {
    public static let check = Check(
        id: "topology.dedicated-public-ip",
        title: "Network interface with its own public IP",
        rationale:
            "A public IP on a VM's network interface makes the host directly addressable from the internet; shared "
            + "front doors (load balancer, application gateway, Azure Bastion) publish only what is meant to be public.",
        remediation:
            "Remove the public IP from the network interface; publish services through a load balancer or an "
            + "application gateway with a WAF, and reach management ports through Azure Bastion.",
        defaultSeverity: .low
    )
}

extension DedicatedPublicIP {
    static func findings(_ context: AuditContext) -> [Finding] {
        var findings: [Finding] = []
        for nic in context.network.interfaces {
            for config in nic.ipConfigurations {
                guard let pipID = config.publicIP else { continue }
                let pip = context.publicIPsByID[pipID]
                let name = pip?.name ?? pipID.lastComponent
                let shown = pip?.address.map { "\(name) (\($0))" } ?? name
                var evidence: [String: JSONValue] = [
                    "nic": .string(nic.name), "ipConfiguration": .string(config.name), "publicIP": .string(name),
                ]
                if let address = pip?.address { evidence["address"] = .string(address.description) }
                if let sku = pip?.sku { evidence["sku"] = .string(sku.rawValue) }
                if let machine = nic.machineName { evidence["vm"] = .string(machine) }
                findings.append(
                    Finding(
                        check: check, subject: "\(nic.name)/\(config.name)",
                        message:
                            "\(AuditText.host(nic)) has its own public IP \(shown) on \(config.name): the host is addressable from the internet directly rather than through a shared front door.",
                        evidence: evidence,
                        remediation:
                            "Remove public IP \(name) from \(nic.name); publish its services through a load balancer or an application gateway with a WAF, and reach management ports through Azure Bastion.",
                        location: config.location ?? nic.location))
            }
        }
        return findings
    }
}
