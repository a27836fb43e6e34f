import Findings

/// `topology.asymmetric-route`: internet traffic that a door and the NSGs admit to a host whose
/// answers leave through an Azure Firewall the opening never crossed.
///
/// Azure's NSGs are stateful and need no rule for an answer, but its route does: a subnet whose
/// route table sends 0.0.0.0/0 to the hub firewall sends the answers to internet clients there
/// too. The firewall holds no session for a connection that came in through the host's public IP
/// or a public load balancer, so it drops the answer (Azure Firewall documentation: a public load
/// balancer or public IP behind a forced default route needs a route to the internet for the
/// answers, or DNAT on the firewall instead). The service does not work, and it is not an
/// exposure either: `internet-exposed-port` leaves those sources out and this check reports them,
/// since single packets (a UDP datagram, a SYN) still reach the host.
public enum AsymmetricRoute {
    public static let check = Check(
        id: "topology.asymmetric-route",
        title: "Internet traffic admitted whose answers an Azure Firewall drops",
        rationale:
            "An inbound connection that bypasses the firewall while the subnet's default route points at it gets its "
            + "answers dropped by the firewall: the published service fails, and one-way packets still reach the host.",
        remediation:
            "Publish the service through the firewall (a DNAT rule) instead of a public IP or public load balancer, or "
            + "route the clients' prefixes (or 0.0.0.0/0 for that subnet) to Internet; then check the NSGs again.",
        defaultSeverity: .medium
    )
}

extension AsymmetricRoute {
    static func findings(_ context: AuditContext) -> [Finding] {
        let network = context.network
        guard !network.routeTables.isEmpty, !network.firewalls.isEmpty else { return [] }
        var findings: [Finding] = []
        for nic in network.interfaces {
            for config in nic.ipConfigurations {
                guard let address = config.privateAddress, let subnetID = config.subnet,
                    let subnet = context.subnetsByID[subnetID]
                else { continue }
                let dropped = context.engine.answerDroppedSources(to: address)
                guard !dropped.isEmpty else { continue }
                for door in context.engine.entryPoints(to: address) {
                    let admitted = context.engine.sourcesPastFront(of: door).intersection(context.publicInternet)
                    // Behind an application gateway the backend answers the gateway.
                    let seen: IntervalSet
                    if let gateway = door.sourceSeenAs {
                        guard dropped.contains(gateway.value) else { continue }
                        seen = IntervalSet(gateway.value, gateway.value)
                    } else {
                        seen = admitted.intersection(dropped)
                    }
                    guard !seen.isEmpty else { continue }
                    let ports = door.backendPorts(forFrontend: .allPorts)
                    var admittedPorts: [String] = []
                    var chainText: [String] = []
                    for (transport, protocols) in [(TransportProtocol.tcp, ProtocolSet.tcp), (.udp, .udp)]
                    where door.protocols.contains(protocols) {
                        let probe = FlowRegion(
                            FlowBox(
                                sources: seen, destinations: IntervalSet(address.value, address.value),
                                protocols: protocols, destinationPorts: ports))
                        let chains = InternetExposedPort.inboundChains(
                            context, nic: nic, subnet: subnet, probe: probe)
                        var portsHere = IntervalSet()
                        for (chain, region) in chains {
                            if chain.isEmpty && door.closedUnlessAllowed { continue }
                            let p = region.boxes.reduce(IntervalSet()) { $0.union($1.destinationPorts) }
                            guard !p.isEmpty else { continue }
                            portsHere = portsHere.union(p)
                            let text = chain.map { "\($0.group.name)/\($0.rule.name)" }.joined(separator: ", ")
                            if !text.isEmpty && !chainText.contains(text) { chainText.append(text) }
                        }
                        if !portsHere.isEmpty {
                            admittedPorts.append(
                                "\(transport.rawValue) \(portsHere.intervals.map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)-\($0.1)" }.joined(separator: ","))"
                            )
                        }
                    }
                    guard !admittedPorts.isEmpty, let probeSource = seen.first,
                        let answer = context.engine.answerRoute(from: address, to: IPv4Address(probeSource))
                    else { continue }
                    let publicText = door.frontendAddress?.description ?? door.name
                    let doorText =
                        door.via == .publicIP ? "public IP \(publicText)" : "\(door.description) on \(publicText)"
                    let sources = door.sourceSeenAs == nil ? seen : admitted
                    findings.append(
                        Finding(
                            check: check, subject: nic.name,
                            message:
                                "\(AuditText.host(nic)) is admitted \(AuditText.list(admittedPorts)) from \(AuditText.count(sources.count)) internet addresses via \(doorText)\(chainText.isEmpty ? "" : " (\(AuditText.list(chainText)))"), but its answers leave by route \(answer.route.securityGroupName)/\(answer.route.rule) (\(answer.route.detail ?? "")) through \(answer.appliance), which never saw the opening and drops them: the connections cannot complete (asymmetric routing).",
                            evidence: [
                                "nic": .string(nic.name), "privateIP": .string(address.description),
                                "via": .string(door.via.rawValue), "door": .string(door.name),
                                "publicIP": .string(publicText), "admitted": .array(admittedPorts.map { .string($0) }),
                                "routeTable": .string(answer.route.securityGroupName),
                                "route": .string(answer.route.rule), "nextHop": .string(answer.route.detail ?? ""),
                                "firewall": .string(answer.name), "sourceAddresses": .int(Int(sources.count)),
                            ],
                            remediation:
                                "Publish this service through the firewall's DNAT rules instead of \(doorText), or give \(context.segmentName(subnet)) a route sending the answers to the clients' prefixes to Internet (not through the firewall).",
                            location: door.location ?? config.location ?? nic.location))
                }
            }
        }
        return findings
    }
}
