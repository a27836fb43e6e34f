import Findings

/// `topology.public-web-without-waf`: an HTTP(S) service the internet reaches with no layer-7
/// service with a WAF in prevention mode in front — through a NIC's public IP whose NSGs allow a
/// web port (80, 443, 8080, 8443) in, a load balancer or NAT rule forwarding to one, or an
/// application gateway or Front Door whose WAF is off or only detects. A Front Door with a WAF in
/// Prevention counts as the layer-7 service in front of its origins, but an origin that also
/// admits the internet directly (not only Front Door's `AzureFrontDoor.Backend` addresses) is still
/// reported for that direct door, with a message that Front Door can be bypassed.
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
        // Front Doors by the public IP of the origin they send to.
        var frontDoorsOf: [ResourceID: Set<String>] = [:]
        for door in context.engine.entryPoints where door.via == .frontDoor {
            if let pip = door.publicIP { frontDoorsOf[pip, default: []].insert(door.resourceName ?? door.name) }
        }
        for nic in network.interfaces {
            for (door, allowed) in context.engine.internetEntries(of: nic.id) where !door.hasWAFPrevention {
                let box = allowed.flows
                guard box.protocols.contains(.tcp) else { continue }
                // A NIC's public IP publishes a web service when an allow rule lets web ports in; with
                // no NSG at all every port is open, which `missing-nsg` and `internet-exposed-port` report.
                if door.via == .publicIP && allowed.decidedBy.isEmpty { continue }
                let layer7 = door.via == .applicationGateway || door.via == .frontDoor
                let ports =
                    layer7
                    ? box.destinationPorts.intersection(door.backendPorts(forFrontend: .allPorts))
                    : IntervalSet(intervals: webPorts.map { ($0, $0) }).intersection(box.destinationPorts)
                guard !ports.isEmpty else { continue }
                // Front Door takes requests from every internet client; a direct door that only
                // Front Door's own addresses may use is no way around it.
                let fronted = door.publicIP.flatMap { frontDoorsOf[$0] } != nil
                let sources: IntervalSet
                switch door.via {
                case .frontDoor: sources = context.publicInternet
                case .applicationGateway:
                    sources = context.engine.sourcesPastFront(of: door).subtracting(
                        fronted ? context.engine.frontDoorAddresses : IntervalSet())
                default:
                    sources = box.sources.intersection(context.publicInternet).subtracting(
                        fronted ? context.engine.frontDoorAddresses : IntervalSet())
                }
                guard sources.count > InternetExposedPort.minimumExposedSources else { continue }
                let key =
                    "\(door.via)|\(door.name)|\(door.publicIP?.key ?? "")|\(door.via == .publicIP ? nic.id.key : "")"
                if byDoor[key] == nil {
                    order.append(key)
                    byDoor[key] = (door, [], [])
                }
                if !(byDoor[key]?.nics.contains { $0.id == nic.id } ?? true) { byDoor[key]?.nics.append(nic) }
                for (lo, hi) in ports.intervals where hi - lo < 16 {
                    for p in lo...hi { byDoor[key]?.ports.insert(door.frontendPort(forBackend: p)) }
                }
            }
        }
        var findings: [Finding] = []
        for key in order {
            guard let (door, nics, ports) = byDoor[key], let firstNIC = nics.first else { continue }
            let gateway = network.applicationGateways.first { $0.id == door.resource }
            let frontDoor = network.frontDoors.first { $0.id == door.resource }
            let waf: String
            switch (door.via, gateway?.wafMode, frontDoor?.wafMode) {
            case (.applicationGateway, .detection?, _), (.frontDoor, _, .detection?): waf = "Detection"
            case (.applicationGateway, _, _), (.frontDoor, _, _): waf = "none"
            default: waf = "none (layer 4)"
            }
            let bypassed = door.via == .frontDoor ? [] : (door.publicIP.flatMap { frontDoorsOf[$0] } ?? []).sorted()
            let frontend = door.frontendAddress?.description ?? door.publicIP?.lastComponent ?? door.name
            let portList = ports.sorted().map(String.init)
            let hosts = nics.map { AuditText.host($0) }
            var why: String
            switch door.via {
            case .applicationGateway:
                why =
                    waf == "Detection"
                    ? "the gateway's WAF is in Detection mode, which logs attacks without blocking them"
                    : "the gateway has no WAF"
            case .frontDoor:
                why =
                    waf == "Detection"
                    ? "the Front Door's WAF is in Detection mode, which logs attacks without blocking them"
                    : "not every endpoint of the Front Door has a WAF policy in Prevention mode"
            default: why = "no layer-7 service with a WAF in Prevention mode is in front"
            }
            if !bypassed.isEmpty {
                why +=
                    "; Front Door \(AuditText.list(bypassed.map { "'\($0)'" })) sends to this origin, but it also admits the internet directly, so Front Door and its WAF can be bypassed"
            }
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
                    ].merging(bypassed.isEmpty ? [:] : ["bypassedFrontDoor": .array(bypassed.map { .string($0) })]) {
                        a, _ in a
                    },
                    remediation:
                        !bypassed.isEmpty
                        ? "Let only Front Door reach \(AuditText.list(hosts)): allow the AzureFrontDoor.Backend service tag (and check the X-Azure-FDID header) instead of the internet in the NSG, or remove the direct door."
                        : door.via == .frontDoor
                            ? "Link a Front Door WAF policy in Prevention mode to every endpoint of \(frontDoor?.name ?? door.name) (a security policy for Standard/Premium)."
                            : door.via == .applicationGateway
                                ? "Attach a WAF policy in Prevention mode to \(gateway?.name ?? door.name) (or switch its WAF from Detection to Prevention once tuned)."
                                : "Publish \(AuditText.list(hosts)) through an application gateway with a WAF policy in Prevention mode, remove the direct door, and restrict the NSG to the gateway's subnet.",
                    location: door.location ?? firstNIC.location))
        }
        return findings
    }
}
