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

extension InternetExposedPort {
    /// A port counts as exposed when more internet addresses than this (a /16) may reach it. A rule
    /// limited to an office range or a partner's block is the fix this check recommends, not a finding.
    public static let minimumExposedSources: UInt64 = 65_536

    /// One sensitive port of one NIC configuration that the internet reaches, with the deciding rules.
    public struct Exposure: Sendable, Hashable {
        public var nic: NetworkInterface
        public var privateAddress: IPv4Address
        public var publicAddress: IPv4Address?
        public var publicIPName: String
        public var port: SensitivePort
        /// The allow rule that decided at each NSG evaluated, subnet first: `(nsg, rule)`.
        public var decidedBy: [(group: SecurityGroup, rule: SecurityRule)]
        /// Internet addresses that reach the port through exactly these rules.
        public var sources: IntervalSet
        /// The door the traffic comes in by.
        public var door: EntryPoint

        public static func == (a: Exposure, b: Exposure) -> Bool {
            a.nic.id == b.nic.id && a.privateAddress == b.privateAddress && a.port == b.port
                && a.decidedBy.map { "\($0.group.name)/\($0.rule.name)" }
                    == b.decidedBy.map { "\($0.group.name)/\($0.rule.name)" }
                && a.sources == b.sources && a.door == b.door
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(nic.id)
            hasher.combine(port)
        }
    }

    /// Every sensitive port the public internet reaches on every NIC, through every door the
    /// engine knows (its public IPs, load balancer and NAT rules, gateway listeners), evaluated
    /// symbolically on the translated flow: inbound through the subnet's NSG, then the NIC's, first
    /// match by priority. A Standard SKU door with no NSG on the path admits nothing.
    public static func exposures(_ context: AuditContext) -> [Exposure] {
        let network = context.network
        let internet = context.publicInternet
        var result: [Exposure] = []
        for nic in network.interfaces {
            for config in nic.ipConfigurations {
                guard let address = config.privateAddress, let subnetID = config.subnet,
                    let subnet = context.subnetsByID[subnetID]
                else { continue }
                let destination = IntervalSet(address.value, address.value)
                // Sources whose answers an Azure Firewall drops on the way back get no connection
                // (`asymmetric-route` reports them).
                let dropped = context.engine.answerDroppedSources(to: address)
                for door in context.engine.entryPoints(to: address) {
                    // Behind an application gateway the backend sees the gateway; the internet
                    // addresses that count are those the gateway's own subnet lets in.
                    let admitted = context.engine.sourcesPastFront(of: door).intersection(internet)
                    guard !admitted.isEmpty else { continue }
                    let probeSources = (door.sourceSeenAs.map { IntervalSet($0.value, $0.value) } ?? admitted)
                        .subtracting(dropped)
                    guard !probeSources.isEmpty else { continue }
                    // One probe per transport carrying every sensitive port, split by port afterwards:
                    // the walk through the rules is the same for all of them.
                    for (transport, protocols) in [(TransportProtocol.tcp, ProtocolSet.tcp), (.udp, .udp)]
                    where door.protocols.contains(protocols) {
                        let reachable = door.backendPorts(forFrontend: .allPorts)
                        let ports = context.options.sensitivePorts.ports.filter {
                            $0.transport == transport && reachable.contains(UInt32($0.port))
                        }
                        guard !ports.isEmpty else { continue }
                        let probe = FlowRegion(
                            FlowBox(
                                sources: probeSources, destinations: destination, protocols: protocols,
                                destinationPorts: IntervalSet(
                                    intervals: ports.map { (UInt32($0.port), UInt32($0.port)) })))
                        for (chain, region) in inboundChains(context, nic: nic, subnet: subnet, probe: probe) {
                            if chain.isEmpty && door.closedUnlessAllowed { continue }
                            for port in ports {
                                var sources = region.boxes.filter { $0.destinationPorts.contains(UInt32(port.port)) }
                                    .reduce(IntervalSet()) { $0.union($1.sources) }
                                guard !sources.isEmpty else { continue }
                                if door.sourceSeenAs != nil { sources = admitted }
                                result.append(
                                    Exposure(
                                        nic: nic, privateAddress: address, publicAddress: door.frontendAddress,
                                        publicIPName: door.publicIP?.lastComponent ?? door.name, port: port,
                                        decidedBy: chain, sources: sources, door: door))
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// The flows of `probe` (addressed to the NIC's private address) that pass inbound through the
    /// subnet's NSG and then the NIC's, split by the chain of allow rules that decide them. A level
    /// without an NSG filters nothing and adds no rule to the chain.
    static func inboundChains(_ context: AuditContext, nic: NetworkInterface, subnet: Subnet, probe: FlowRegion)
        -> [(chain: [(group: SecurityGroup, rule: SecurityRule)], region: FlowRegion)]
    {
        let levels = [subnet.securityGroup, nic.securityGroup].compactMap { id in id.flatMap { context.groupsByID[$0] }
        }
        var chains: [(chain: [(group: SecurityGroup, rule: SecurityRule)], region: FlowRegion)] = [([], probe)]
        for group in levels {
            var next: [(chain: [(group: SecurityGroup, rule: SecurityRule)], region: FlowRegion)] = []
            for (chain, passed) in chains {
                for (view, flows) in context.walk(passed, through: group.id, .inbound, at: subnet)
                where view.rule.access == .allow {
                    next.append((chain + [(group, view.rule)], flows))
                }
            }
            chains = next
        }
        return chains
    }

    static func findings(_ context: AuditContext) -> [Finding] {
        // Ports count as exposed by all their chains together; findings group ports by chain.
        let all = exposures(context)
        var totalByPort: [String: UInt64] = [:]
        for e in all {
            totalByPort["\(e.nic.id.key)|\(e.privateAddress)|\(e.port.transport)/\(e.port.port)", default: 0] +=
                e.sources.count
        }
        var groups: [String: [Exposure]] = [:]
        var order: [String] = []
        for e in all {
            let portKey = "\(e.nic.id.key)|\(e.privateAddress)|\(e.port.transport)/\(e.port.port)"
            guard (totalByPort[portKey] ?? 0) > minimumExposedSources else { continue }
            let chain = e.decidedBy.map { "\($0.group.name)/\($0.rule.name)" }.joined(separator: ",")
            let key = "\(e.nic.id.key)|\(e.privateAddress)|\(e.port.transport)|\(chain)|\(e.door.via)|\(e.door.name)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(e)
        }
        var findings: [Finding] = []
        for key in order {
            guard let exposures = groups[key], let first = exposures.first else { continue }
            let ports = Array(Set(exposures.map(\.port.port))).sorted()
            let services = Array(Set(exposures.map(\.port.service))).sorted()
            let severity = exposures.map(\.port.serviceClass.severity).max() ?? check.defaultSeverity
            let sources = exposures.reduce(IntervalSet()) { $0.union($1.sources) }
            let publicText = first.publicAddress?.description ?? first.publicIPName
            let transport = first.port.transport.rawValue
            let decidedBy: [JSONValue] = first.decidedBy.map {
                .object([
                    "nsg": .string($0.group.name), "rule": .string($0.rule.name), "direction": .string("inbound"),
                ])
            }
            let door = first.door
            let doorText =
                door.via == .publicIP
                ? "public IP \(publicText)"
                : "\(door.description) on \(publicText):\(AuditText.list(ports.map { String(door.frontendPort(forBackend: UInt32($0))) }))"
            let skuNote =
                first.decidedBy.isEmpty && door.sku == nil ? " (the SKU is not given: read as Basic, open)" : ""
            let via =
                first.decidedBy.isEmpty
                ? "no network security group filters it" + skuNote
                : "allowed by " + AuditText.list(first.decidedBy.map { "\($0.group.name)/\($0.rule.name)" })
            let portText = ports.map(String.init)
            let sourcePrefixes = AuditText.prefixes(sources)
            let sourceText =
                sources == context.publicInternet
                ? "any internet address" : "\(AuditText.count(sources.count)) internet addresses"
            let last = first.decidedBy.last
            findings.append(
                Finding(
                    check: check, severity: severity, subject: first.nic.name,
                    message:
                        "\(AuditText.host(first.nic)) is reachable from \(sourceText) on \(transport) \(AuditText.list(portText)) (\(AuditText.list(services))) via \(doorText): \(via).",
                    evidence: [
                        "nic": .string(first.nic.name), "publicIP": .string(publicText),
                        "privateIP": .string(first.privateAddress.description), "protocol": .string(transport),
                        "ports": .array(ports.map { .int($0) }), "services": .array(services.map { .string($0) }),
                        "decidedBy": .array(decidedBy), "sourceAddresses": .int(Int(sources.count)),
                        "sources": .array(sourcePrefixes.prefix(16).map { .string($0) }),
                        "via": .string(door.via.rawValue), "door": .string(door.name),
                        "frontendPorts": .array(ports.map { .int(Int(door.frontendPort(forBackend: UInt32($0)))) }),
                    ],
                    remediation: last.map {
                        "Narrow the source of \($0.group.name)/\($0.rule.name) to the addresses that need \(AuditText.list(services)), or remove the rule; reach management ports through a bastion or VPN."
                    }
                        ?? "Associate a network security group with \(first.nic.name) or its subnet that denies these ports from the internet.",
                    location: last.map { SourceLocation.of($0.rule, in: $0.group) } ?? first.nic.location))
        }
        return findings + firewallDNATFindings(context)
    }
}
