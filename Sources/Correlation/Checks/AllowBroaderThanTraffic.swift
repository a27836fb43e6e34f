import Findings
import Topology

/// `correlation.allow-broader-than-traffic`: a custom allow rule that decided observed flows, but
/// whose sources or destination ports are far wider than those seen: what it allows is at least
/// `factor` times what was used. The evidence carries the narrower rule as Azure rule properties,
/// ready to paste: the sources seen (when the sources are the wide part), the ports seen (when the
/// ports are), the rest as the rule has it.
///
/// Design note, four tiny cases (factor 16):
/// - source `Internet`, port 22, one client seen: sources far wider; suggest that client's /32, port 22.
/// - source 10.0.1.0/24, ports `*`, two hosts on 443: both wider; suggest the two /32s and 443.
/// - source 10.0.1.0/28 (16 addresses), port 443, one host: 16 ≥ 16 × 1, wider.
/// - ports 80 and 443, only 443 seen: 2 < 16, not wider; nothing reported.
enum AllowBroaderThanTraffic: CorrelationCheck {
    static let check = Check(
        id: "correlation.allow-broader-than-traffic",
        title: "Allow rule much wider than the traffic it carries",
        rationale:
            "Least privilege: a rule that admits the whole internet or every port when a few clients use one "
            + "port leaves the rest open for nobody's benefit. Azure's adaptive network hardening recommends "
            + "the same narrowing from observed traffic.",
        remediation:
            "Replace the rule's sources and ports with those in evidence.suggested (after checking no rare but "
            + "needed client was missing from the capture).",
        defaultSeverity: .medium
    )

    /// How many times wider than the observed traffic a rule must be to be reported.
    static let factor: Double = 16

    struct Usage {
        var decision: RuleDecision
        var sources: Set<NetworkAddress> = []
        var ports: Set<Int> = []
        var protocols: Set<TransportProtocol> = []
        var flows = 0
        var virtualNetwork: ResourceID?
    }

    static func findings(_ context: CorrelationContext) -> [Finding] {
        var usage: [CorrelationContext.RuleKey: Usage] = [:]
        var order: [CorrelationContext.RuleKey] = []
        for flow in context.allowedFlows {
            for d in flow.verdict.decidedBy where d.kind == .securityRule && d.access == .allow && !d.isDefault {
                let key = CorrelationContext.key(d)
                if usage[key] == nil {
                    order.append(key)
                    let side = d.direction == .inbound ? flow.judged.destination : flow.judged.source
                    usage[key] = Usage(decision: d, virtualNetwork: context.estate.nic(at: side)?.virtualNetwork)
                }
                usage[key]!.sources.insert(flow.judged.source)
                usage[key]!.ports.insert(flow.judged.destinationPort)
                usage[key]!.protocols.insert(flow.judged.protocol)
                usage[key]!.flows += 1
            }
        }
        var findings: [Finding] = []
        for key in order {
            let use = usage[key]!
            guard let group = context.securityGroup(key.securityGroup),
                let rule = group.rules.first(where: { $0.name == key.rule && $0.direction == key.direction })
            else { continue }
            let sourceSize = sourceCount(rule, vnet: use.virtualNetwork, context)
            let portSize = portCount(rule.destinationPorts)
            let wideSources = sourceSize.map { $0 >= factor * Double(use.sources.count) } ?? false
            let widePorts = Double(portSize) >= factor * Double(use.ports.count)
            guard wideSources || widePorts else { continue }
            let sources = use.sources.sorted()
            let ports = use.ports.sorted()
            var suggested: [String: JSONValue] = [
                "name": .string(rule.name), "priority": .int(rule.priority),
                "direction": .string(rule.direction.rawValue), "access": .string("Allow"),
                "protocol": .string(
                    use.protocols.count == 1 && rule.protocol == .any
                        ? (use.protocols.first! == .tcp ? "Tcp" : "Udp") : rule.protocol.rawValue),
                "description": .string(
                    "Narrowed to the traffic seen between \(context.captureStart) and \(context.captureEnd)"),
            ]
            if wideSources {
                suggested["sourceAddressPrefixes"] = .strings(sources.map(\.description))
            } else {
                addresses(rule.sources, prefix: "source", into: &suggested)
            }
            addresses(rule.destinations, prefix: "destination", into: &suggested)
            suggested["destinationPortRanges"] = .strings(
                widePorts ? ports.map(String.init) : rule.destinationPorts.map(\.description))
            if rule.sourcePorts == [.any] {
                suggested["sourcePortRange"] = "*"
            } else {
                suggested["sourcePortRanges"] = .strings(rule.sourcePorts.map(\.description))
            }
            var parts: [String] = []
            if wideSources {
                parts.append(
                    "\(sources.count) source\(sources.count == 1 ? "" : "s") of the \(Int(sourceSize!)) it admits")
            }
            if widePorts {
                parts.append("\(ports.count) port\(ports.count == 1 ? "" : "s") of the \(portSize) it opens")
            }
            findings.append(
                Finding(
                    check: check, subject: "\(group.name)/\(rule.name)",
                    message:
                        "\(rule.direction.rawValue) allow rule \(group.name)/\(rule.name) carried \(use.flows) observed "
                        + "flow\(use.flows == 1 ? "" : "s") using only \(parts.joined(separator: " and ")); "
                        + "evidence.suggested is the narrower rule.",
                    evidence: [
                        "nsg": .string(group.name), "rule": .string(rule.name),
                        "direction": .string(rule.direction.rawValue.lowercased()),
                        "observedSources": .strings(sources.map(\.description)),
                        "observedPorts": .array(ports.map { .int($0) }), "suggested": .object(suggested),
                    ],
                    location: rule.location))
        }
        return findings
    }

    /// How many addresses a rule's sources admit, seen from `vnet`; nil when a service tag's size is
    /// unknown offline. Overlapping entries count twice, which errs towards "not wider".
    static func sourceCount(_ rule: SecurityRule, vnet: ResourceID?, _ context: CorrelationContext) -> Double? {
        let all = 4_294_967_296.0
        var total = 0.0
        for match in rule.sources {
            switch match {
            case .any: total += all
            case .prefix(let p): total += Double(p.last - p.first) + 1
            case .serviceTag(let tag):
                let inside = virtualNetworkTagSize(vnet, context)
                switch tag.lowercased() {
                case "virtualnetwork": total += inside
                case "internet": total += all - inside
                default: return nil
                }
            case .applicationSecurityGroup(let id):
                total += Double(
                    context.network.interfaces.reduce(0) { n, nic in
                        n + nic.ipConfigurations.count { $0.applicationSecurityGroups.contains(id) }
                    })
            case .unsupported: break
            }
        }
        return min(total, all)
    }

    /// The `VirtualNetwork` tag's size: the VNet's space and its connected peers'.
    static func virtualNetworkTagSize(_ vnet: ResourceID?, _ context: CorrelationContext) -> Double {
        guard let vnet else { return 0 }
        return context.network.virtualNetworks.filter { context.engine.routes(vnet, $0.id) }.reduce(0.0) { sum, v in
            sum + v.addressSpace.reduce(0.0) { $0 + Double($1.last - $1.first) + 1 }
        }
    }

    /// Distinct ports the ranges cover.
    static func portCount(_ ranges: [PortRange]) -> Int {
        var count = 0
        var next = 0
        for r in ranges.sorted(by: { $0.lower < $1.lower }) {
            let lower = max(r.lower, next)
            if r.upper >= lower { count += r.upper - lower + 1 }
            next = max(next, r.upper + 1)
        }
        return count
    }

    /// A rule's addresses as Azure properties: one entry in the singular field (which alone takes
    /// service tags and `*`), several in the plural, application security groups by id.
    static func addresses(_ matches: [AddressMatch], prefix: String, into out: inout [String: JSONValue]) {
        var asgs: [JSONValue] = []
        var texts: [String] = []
        for match in matches {
            if case .applicationSecurityGroup(let id) = match {
                asgs.append(["id": .string(id.text)])
            } else {
                texts.append(match.description)
            }
        }
        if !asgs.isEmpty { out["\(prefix)ApplicationSecurityGroups"] = .array(asgs) }
        if texts.count == 1 {
            out["\(prefix)AddressPrefix"] = .string(texts[0])
        } else if !texts.isEmpty {
            out["\(prefix)AddressPrefixes"] = .strings(texts)
        }
    }
}
