import Findings

/// `topology.internet-exposed-port` through an Azure Firewall: a DNAT rule that translates the
/// firewall's public address and port to a host's sensitive port is as much an exposure as a
/// public IP on the host's NIC. The engine decides it end to end (the DNAT rule, the routes from
/// the firewall, the NSGs at the host, which see the firewall's address as the source); evidence
/// `via` is `firewallDNAT`.
extension InternetExposedPort {
    static func firewallDNATFindings(_ context: AuditContext) -> [Finding] {
        let network = context.network
        guard !network.firewalls.isEmpty else { return [] }
        var findings: [Finding] = []
        for transport in [TransportProtocol.tcp, .udp] {
            let ports = context.options.sensitivePorts.ports.filter { $0.transport == transport }
            guard !ports.isEmpty else { continue }
            let exposures = context.engine.firewallDNATExposures(protocol: transport, ports: ports.map(\.port))
            for exposure in exposures where exposure.sources.breadth > minimumExposedSources {
                guard let nic = network.interface(exposure.interface),
                    let port = ports.first(where: { $0.port == exposure.port })
                else { continue }
                let chain = exposure.decidedBy.map(\.text)
                let sourceText =
                    exposure.sources == context.publicInternet
                    ? "any internet address" : "\(AuditText.addressCount(exposure.sources)) internet addresses"
                let dnat = exposure.decidedBy.first
                findings.append(
                    Finding(
                        check: check, severity: port.serviceClass.severity, subject: nic.name,
                        message:
                            "\(AuditText.host(nic)) is reachable from \(sourceText) on \(transport.rawValue) \(exposure.port) (\(port.service)) via Azure Firewall \(exposure.firewall)'s DNAT rule \(exposure.rule) on \(exposure.publicAddress):\(exposure.publicPort): allowed by \(AuditText.list(chain)).",
                        evidence: [
                            "nic": .string(nic.name), "publicIP": .string(exposure.publicAddress.description),
                            "privateIP": .string(exposure.privateAddress.description),
                            "protocol": .string(transport.rawValue), "ports": .array([.int(exposure.port)]),
                            "services": .array([.string(port.service)]), "via": "firewallDNAT",
                            "firewall": .string(exposure.firewall), "publicPort": .int(exposure.publicPort),
                            "decidedBy": .array(exposure.decidedBy.map(\.json)),
                            "sourceAddresses": .int(Int(exposure.sources.ipv4Count)),
                            "sources": .array(AuditText.prefixes(exposure.sources).prefix(16).map { .string($0) }),
                        ],
                        remediation:
                            "Narrow the source addresses of DNAT rule \(exposure.rule) on \(exposure.firewall) to the addresses that need \(port.service), or remove it; reach management ports through Azure Bastion or a VPN.",
                        location: dnat?.location ?? nic.location))
            }
        }
        return findings
    }
}
