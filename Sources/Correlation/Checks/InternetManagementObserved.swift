import Findings
import Topology

/// `correlation.internet-management-observed`: a management session (SSH, RDP, WinRM, Telnet, VNC or
/// SMB, by its well-known server port) seen opening from an internet address to a NIC of the
/// topology. The configuration may only suggest exposure; this is evidence that it is used, with the
/// rules that let it in. One finding per NIC, port and deciding rules.
enum InternetManagementObserved: CorrelationCheck {
    static let check = Check(
        id: "correlation.internet-management-observed",
        title: "Management session opened from the internet",
        rationale:
            "Remote management ports reached from the internet are the first thing attackers scan and "
            + "brute-force; a session seen in the capture shows the exposure is real, not theoretical.",
        remediation:
            "Close the port to the internet (remove or narrow the allowing rule) and reach the host through "
            + "Azure Bastion, a VPN or just-in-time access.",
        defaultSeverity: .critical
    )

    /// Management services by transport and server port.
    static func service(_ transport: TransportProtocol, _ port: Int) -> String? {
        switch (transport, port) {
        case (.tcp, 22): "SSH"
        case (.tcp, 23): "Telnet"
        case (.tcp, 3389), (.udp, 3389): "RDP"
        case (.tcp, 5985), (.tcp, 5986): "WinRM"
        case (.tcp, 5900...5903): "VNC"
        case (.tcp, 445), (.tcp, 139): "SMB"
        default: nil
        }
    }

    struct Key: Hashable {
        var interface: Int
        var transport: TransportProtocol
        var port: Int
        var decidedBy: [RuleDecision]
    }

    static func findings(_ context: CorrelationContext) -> [Finding] {
        var groups: [Key: [EvaluatedFlow]] = [:]
        var order: [Key] = []
        for flow in context.flows where flow.fromInternet {
            guard let nic = flow.serverInterface,
                service(flow.judged.protocol, flow.judged.destinationPort) != nil
            else { continue }
            let key = Key(
                interface: nic, transport: flow.judged.protocol, port: flow.judged.destinationPort,
                decidedBy: flow.verdict.decidedBy)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(flow)
        }
        return order.map { key in
            let members = groups[key]!
            let nic = context.interface(key.interface)
            let name = service(key.transport, key.port)!
            let clients = Set(members.map(\.observed.flow.source)).sorted()
            let verdict = members[0].verdict
            let host = nic.machineName.map { "VM \($0) (NIC \(nic.name))" } ?? "NIC \(nic.name)"
            let clientText = clients.count == 1 ? "1 internet address" : "\(clients.count) internet addresses"
            let how: String
            switch verdict.verdict {
            case .allowed:
                let rules = verdict.decidedBy.map(\.text)
                how = rules.isEmpty ? ", through no NSG at all" : ", let in by \(rules.joined(separator: " then "))"
            case .denied:
                how = ", although the topology denies it at \(verdict.decidedBy.last?.text ?? "an NSG")"
            case .unroutable:
                how = ", although the topology has no path for it (\(verdict.note ?? "unroutable"))"
            }
            let allowing = verdict.decidedBy.last { $0.kind == .securityRule && $0.access == .allow && !$0.isDefault }
            return Finding(
                check: check, subject: "\(nic.name):\(key.port)",
                message:
                    "\(name) (\(key.transport.rawValue)/\(key.port)) was opened from \(clientText) to \(host)\(how).",
                evidence: [
                    "nic": .string(nic.name), "port": .int(key.port), "protocol": .string(key.transport.rawValue),
                    "service": .string(name), "clients": .strings(clients.map(\.description)),
                    "decidedBy": CorrelationContext.decidedBy(verdict.decidedBy),
                    "verdict": .string(verdict.verdict.rawValue), "connections": .int(members.count),
                    "packets": .int(members.reduce(0) { $0 + $1.observed.packets }),
                ],
                location: allowing?.location ?? nic.location)
        }
    }
}
