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
        .object(["flows": .array(results.map { Self.object($0.request, $0.verdict) })])
    }

    /// One flow's entry of the `flows` array.
    static func object(_ request: FlowRequest, _ verdict: FlowVerdict) -> JSONValue {
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
    }

    /// One flow's lines of the text document.
    static func line(_ request: FlowRequest, _ verdict: FlowVerdict) -> String {
        let port = request.hasPort ? "/\(request.flow.destinationPort)" : ""
        var line =
            "\(request.flow.source) -> \(request.flow.destination) \(request.flow.protocol.rawValue)\(port): \(verdict.verdict.rawValue.uppercased())"
        if !verdict.decidedBy.isEmpty {
            line += "\n    " + verdict.decidedBy.map(\.text).joined(separator: "\n    ")
        }
        if let note = verdict.note { line += "\n    (\(note))" }
        return line
    }

    static func summary(total: Int, allowed: Int, denied: Int, unroutable: Int) -> String {
        "\(total) flows: \(allowed) allowed, \(denied) denied, \(unroutable) unroutable"
    }

    /// One line per flow: the flow, the verdict, then each deciding rule in order.
    public var text: String {
        var lines = results.map { Self.line($0.request, $0.verdict) }
        let counts = Dictionary(grouping: results, by: { $0.verdict.verdict }).mapValues(\.count)
        lines.append(
            Self.summary(
                total: results.count, allowed: counts[.allowed] ?? 0, denied: counts[.denied] ?? 0,
                unroutable: counts[.unroutable] ?? 0))
        return lines.joined(separator: "\n") + "\n"
    }

    /// Decides the flows one at a time and hands the document to `output` piece by piece, so a
    /// million flows never sit in memory as one document: the same bytes as `json.prettyText`
    /// (plus a newline) or `text`. Pieces are about `chunk` characters long.
    public static func write(
        engine: ReachabilityEngine, requests: [FlowRequest], json: Bool, chunk: Int = 1 << 20,
        to output: (String) throws -> Void
    ) rethrows {
        var buffer = ""
        buffer.reserveCapacity(chunk + 4096)
        var counts = [0, 0, 0]
        if json { buffer += requests.isEmpty ? "{\n  \"flows\": []\n}\n" : "{\n  \"flows\": [" }
        for (n, request) in requests.enumerated() {
            let verdict = engine.verify(request.flow)
            switch verdict.verdict {
            case .allowed: counts[0] += 1
            case .denied: counts[1] += 1
            case .unroutable: counts[2] += 1
            }
            if json {
                // `prettyText` of the entry at the top level, indented to its place in the array.
                buffer += n == 0 ? "\n    " : ",\n    "
                let text = object(request, verdict).prettyText
                var first = true
                for part in text.split(separator: "\n", omittingEmptySubsequences: false) {
                    if !first { buffer += "\n    " }
                    first = false
                    buffer += part
                }
            } else {
                buffer += line(request, verdict)
                buffer += "\n"
            }
            if buffer.utf8.count >= chunk {
                try output(buffer)
                buffer.removeAll(keepingCapacity: true)
            }
        }
        if json {
            if !requests.isEmpty { buffer += "\n  ]\n}\n" }
        } else {
            buffer +=
                summary(total: requests.count, allowed: counts[0], denied: counts[1], unroutable: counts[2]) + "\n"
        }
        try output(buffer)
    }
}
