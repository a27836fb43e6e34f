import Findings

/// `topology.public-web-without-waf`: an HTTP(S) service the internet reaches with no layer-7
/// service with a WAF in prevention mode in front — through a NIC's public IP whose NSGs allow a
/// web port (80, 443, 8080, 8443) in, a load balancer or NAT rule forwarding to one, or an
/// application gateway whose WAF is off or only detects.
///
/// The hardening guidance restricts internet-facing web applications to a layer-7 front door with a
/// web application firewall that blocks (prevention mode): a layer-4 door passes every request
/// through, and a WAF in detection mode only logs the attack. The reachability comes from the
/// engine (doors, translation, NSGs, SKU); this check only asks it and reads the door's WAF.
public enum PublicWebWithoutWAF {
    public static let check = Check(
        id: "topology.public-web-without-waf",
        title: "Internet-facing web service without a WAF in prevention mode",
        rationale:
            "Web applications reachable from the internet through a layer-4 door, or behind a WAF that only detects, "
            + "receive every attack request; a layer-7 front door with a WAF in prevention mode blocks them.",
        remediation:
            "Publish the service through an application gateway (or Front Door) with a WAF policy in Prevention mode, "
            + "and restrict the backend's NSG to the gateway's subnet.",
        defaultSeverity: .medium
    )
}

extension PublicWebWithoutWAF {
    /// TCP ports where a layer-4 door is taken to publish a web service.
    static let webPorts: Set<UInt32> = [80, 443, 8080, 8443]

    static func findings(_ context: AuditContext) -> [Finding] {
        let network = context.network
        var byDoor: [String: (door: EntryPoint, nics: [NetworkInterface], ports: Set<UInt32>)] = [:]
        var order: [String] = []
        for nic in network.interfaces {
            for (door, allowed) in context.engine.internetEntries(of: nic.id) where !door.hasWAFPrevention {
                let box = allowed.flows
                guard box.protocols.contains(.tcp) else { continue }
                // A NIC's public IP publishes a web service when an allow rule lets web ports in; with
                // no NSG at all every port is open, which `missing-nsg` and `internet-exposed-port` report.
                if door.via == .publicIP && allowed.decidedBy.isEmpty { continue }
                let layer7 = door.via == .applicationGateway
                let ports =
                    layer7
                    ? box.destinationPorts.intersection(door.backendPorts(forFrontend: .allPorts))
                    : IntervalSet(intervals: webPorts.map { ($0, $0) }).intersection(box.destinationPorts)
                guard !ports.isEmpty else { continue }
                let sources =
                    layer7
                    ? context.engine.sourcesPastFront(of: door) : box.sources.intersection(context.publicInternet)
                guard sources.count > InternetExposedPort.minimumExposedSources else { continue }
                let key =
                    "\(door.via)|\(door.name)|\(door.publicIP?.key ?? "")|\(door.via == .publicIP ? nic.id.key : "")"
                if byDoor[key] == nil {
                    order.append(key)
                    byDoor[key] = (door, [], [])
                }
                if !(byDoor[key]?.nics.contains { $0.id == nic.id } ?? true) { byDoor[key]?.nics.append(nic) }
                for (lo, hi) in ports.intervals where hi - lo < 16 {
                    for p in lo...hi { byDoor[key]?.ports.insert(door.frontendPort(forBackend: UInt32(p))) }
                }
            }
        }
        var findings: [Finding] = []
        for key in order {
            guard let (door, nics, ports) = byDoor[key], let firstNIC = nics.first else { continue }
            let gateway = network.applicationGateways.first { $0.id == door.resource }
            let waf: String
            switch (door.via, gateway?.wafMode) {
            case (.applicationGateway, .detection?): waf = "Detection"
            case (.applicationGateway, _): waf = "none"
            default: waf = "none (layer 4)"
            }
            let frontend = door.frontendAddress?.description ?? door.publicIP?.lastComponent ?? door.name
            let portList = ports.sorted().map(String.init)
            let hosts = nics.map { AuditText.host($0) }
            let why =
                door.via == .applicationGateway
                ? (waf == "Detection"
                    ? "the gateway's WAF is in Detection mode, which logs attacks without blocking them"
                    : "the gateway has no WAF") : "no layer-7 service with a WAF in Prevention mode is in front"
            let subject = door.via == .publicIP ? firstNIC.name : door.name
            findings.append(
                Finding(
                    check: check, subject: subject,
                    message:
                        "Web traffic from the internet reaches \(AuditText.list(hosts)) via \(door.description)\(door.via == .publicIP ? "" : " on \(frontend)") port \(AuditText.list(portList)): \(why).",
                    evidence: [
                        "via": .string(door.via.rawValue), "door": .string(door.name), "frontend": .string(frontend),
                        "ports": .array(ports.sorted().map { .int(Int($0)) }),
                        "backends": .array(nics.map { .string($0.name) }), "waf": .string(waf),
                    ],
                    remediation:
                        door.via == .applicationGateway
                        ? "Attach a WAF policy in Prevention mode to \(gateway?.name ?? door.name) (or switch its WAF from Detection to Prevention once tuned)."
                        : "Publish \(AuditText.list(hosts)) through an application gateway with a WAF policy in Prevention mode, remove the direct door, and restrict the NSG to the gateway's subnet.",
                    location: door.location ?? firstNIC.location))
        }
        return findings
    }
}
