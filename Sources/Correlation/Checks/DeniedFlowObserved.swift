import Findings
import Topology

/// `correlation.denied-flow-observed`: traffic the captures show but the topology says cannot happen:
/// the engine denies it (the finding names the denying rule) or cannot route it at all. Either the
/// export is stale, or the traffic takes a path the model does not know (a route, a gateway, a
/// firewall). One finding per client, server, protocol and port, however many connections.
enum DeniedFlowObserved: CorrelationCheck {
    static let check = Check(
        id: "correlation.denied-flow-observed",
        title: "Observed traffic that the topology denies",
        rationale:
            "If traffic the rules deny is really flowing, the export no longer describes the network, or a path "
            + "bypasses the NSGs; either way the rules reviewed are not the rules enforced.",
        remediation:
            "Export the topology again and compare; if it is current, find the path the traffic takes (route "
            + "tables, gateways, appliances) and bring it under the intended rules.",
        defaultSeverity: .high
    )

    struct Key: Hashable {
        var source: NetworkAddress
        var destination: NetworkAddress
        var transport: TransportProtocol
        var port: Int
    }

    static func findings(_ context: CorrelationContext) -> [Finding] {
        var groups: [Key: [EvaluatedFlow]] = [:]
        var order: [Key] = []
        for flow in context.flows where flow.verdict.verdict != .allowed {
            let f = flow.observed.flow
            let key = Key(source: f.source, destination: f.destination, transport: f.protocol, port: f.destinationPort)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(flow)
        }
        return order.map { key in
            let members = groups[key]!
            let first = members.min { $0.observed.firstSeen < $1.observed.firstSeen }!
            let verdict = first.verdict
            let packets = members.reduce(0) { $0 + $1.observed.packets }
            let connections = members.count
            let what =
                "\(key.source) opened \(connections) connection\(connections == 1 ? "" : "s") to \(key.destination) on "
                + "\(key.transport.rawValue)/\(key.port)"
            let why: String
            if verdict.verdict == .denied, let rule = verdict.decidedBy.last {
                why = ", which the topology denies at \(rule.text)"
            } else {
                why = ", which the topology cannot route (\(verdict.note ?? "no path"))"
            }
            var evidence: [String: JSONValue] = [
                "source": .string(key.source.description), "destination": .string(key.destination.description),
                "protocol": .string(key.transport.rawValue), "port": .int(key.port),
                "decidedBy": CorrelationContext.decidedBy(verdict.decidedBy), "packets": .int(packets),
                "connections": .int(connections), "verdict": .string(verdict.verdict.rawValue),
                "firstSeen": .string(CorrelationContext.rfc3339(first.observed.firstSeen)),
            ]
            if first.judged.destination != key.destination {
                evidence["judgedDestination"] = .string(first.judged.destination.description)
            }
            if let note = verdict.note { evidence["note"] = .string(note) }
            return Finding(
                check: check, subject: "\(key.source) -> \(key.destination) \(key.transport.rawValue)/\(key.port)",
                message: what + why + ": the export may be stale, or the traffic takes a path the model does not know.",
                evidence: evidence,
                location: verdict.verdict == .denied ? verdict.decidedBy.last?.location : nil)
        }
    }
}
