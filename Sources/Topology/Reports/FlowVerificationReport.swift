import Findings

/// The `verify-flows` document: one verdict per flow, in input order.
public struct FlowVerificationReport: Sendable {
    public var results: [(request: FlowRequest, verdict: FlowVerdict)]

    /// Decides every flow of `requests` on `engine`.
    public init(engine: ReachabilityEngine, requests: [FlowRequest]) {
        results = requests.map { ($0, engine.verify($0.flow)) }
    }

    /// `{"flows": [{"source", "destination", "protocol", "port", "verdict", "decidedBy"}]}`, plus
    /// `sourcePort` and, when there is one, a `note` (translation or why unroutable).
    public var json: JSONValue {
        .object([
            "flows": .array(
                results.map { request, verdict in
                    var object: [String: JSONValue] = [
                        "source": .string(request.flow.source.description),
                        "destination": .string(request.flow.destination.description),
                        "protocol": .string(request.flow.protocol.rawValue),
                        "port": request.hasPort ? .int(request.flow.destinationPort) : .null,
                        "sourcePort": request.flow.protocol.hasPorts ? .int(request.flow.sourcePort) : .null,
                        "verdict": .string(verdict.verdict.rawValue),
                        "decidedBy": .array(verdict.decidedBy.map(\.json)),
                    ]
                    if let note = verdict.note { object["note"] = .string(note) }
                    return .object(object)
                })
        ])
    }

    /// One line per flow: the flow, the verdict, then each deciding rule in order.
    public var text: String {
        var lines: [String] = []
        for (request, verdict) in results {
            let port = request.hasPort ? "/\(request.flow.destinationPort)" : ""
            var line =
                "\(request.flow.source) -> \(request.flow.destination) \(request.flow.protocol.rawValue)\(port): \(verdict.verdict.rawValue.uppercased())"
            if !verdict.decidedBy.isEmpty {
                line += "\n    " + verdict.decidedBy.map(\.text).joined(separator: "\n    ")
            }
            if let note = verdict.note { line += "\n    (\(note))" }
            lines.append(line)
        }
        let counts = Dictionary(grouping: results, by: { $0.verdict.verdict }).mapValues(\.count)
        lines.append(
            "\(results.count) flows: \(counts[.allowed] ?? 0) allowed, \(counts[.denied] ?? 0) denied, \(counts[.unroutable] ?? 0) unroutable"
        )
        return lines.joined(separator: "\n") + "\n"
    }
}
