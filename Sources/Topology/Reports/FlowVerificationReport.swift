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

    /// One flow's entry as `json.prettyText` lays it out inside the `flows` array (keys sorted,
    /// two spaces a level), written straight into `out`: a million entries would spend most of
    /// their time building and sorting dictionaries otherwise.
    static func appendJSON(_ request: FlowRequest, _ verdict: FlowVerdict, to out: inout String) {
        if verdict.decidedBy.isEmpty {
            out += "    {\n      \"decidedBy\": [],\n"
        } else {
            out += "    {\n      \"decidedBy\": ["
            for (i, d) in verdict.decidedBy.enumerated() {
                out += i == 0 ? "\n        " : ",\n        "
                if d.kind == .doorRule, appendDoorRule(d, to: &out) { continue }
                guard d.kind == .securityRule else {
                    // Routes, firewall and door rules: their own shape (`RuleDecision.json`),
                    // indented to this depth (rendered once per rule in the engine's tables).
                    out += d.nestedJSON
                    continue
                }
                out += "{\n          \"access\": "
                appendString(d.access == .allow ? "allow" : "deny", to: &out)
                out += ",\n          \"direction\": "
                appendString(d.direction == .inbound ? "inbound" : "outbound", to: &out)
                out += ",\n          \"nsg\": "
                appendString(d.securityGroupName, to: &out)
                out += ",\n          \"priority\": "
                out += String(d.priority)
                out += ",\n          \"rule\": "
                appendString(d.rule, to: &out)
                out += "\n        }"
            }
            out += "\n      ],\n"
        }
        out += "      \"destination\": "
        appendString(request.flow.destination.description, to: &out)
        if let note = verdict.note {
            out += ",\n      \"note\": "
            appendString(note, to: &out)
        }
        out += ",\n      \"port\": "
        out += request.hasPort ? String(request.flow.destinationPort) : "null"
        out += ",\n      \"protocol\": "
        appendString(request.flow.protocol.rawValue, to: &out)
        out += ",\n      \"source\": "
        appendString(request.flow.source.description, to: &out)
        out += ",\n      \"sourcePort\": "
        out += request.flow.protocol.hasPorts ? String(request.flow.sourcePort) : "null"
        out += ",\n      \"verdict\": "
        appendString(verdict.verdict.rawValue, to: &out)
        out += "\n    }"
    }

    /// A door rule's entry, as `RuleDecision.json` has it, written straight: door decisions name
    /// the flow's own frontend and backend, so each flow has its own. False (nothing written)
    /// when its detail is not one `frontend -> backend` pair.
    static func appendDoorRule(_ d: RuleDecision, to out: inout String) -> Bool {
        guard let detail = d.detail, let arrow = detail.firstRange(of: " -> "),
            detail[arrow.upperBound...].firstRange(of: " -> ") == nil
        else { return false }
        out += "{\n          \"access\": "
        appendString(d.access == .allow ? "allow" : "deny", to: &out)
        out += ",\n          \"backend\": "
        appendString(String(detail[arrow.upperBound...]), to: &out)
        out += ",\n          \"frontend\": "
        appendString(String(detail[..<arrow.lowerBound]), to: &out)
        out += ",\n          \"kind\": \"doorRule\",\n          \"resource\": "
        appendString(d.securityGroupName, to: &out)
        out += ",\n          \"rule\": "
        appendString(d.rule, to: &out)
        out += ",\n          \"via\": "
        appendString(d.collection ?? "", to: &out)
        out += "\n        }"
        return true
    }

    /// A JSON string literal: plain text as it is, anything needing escapes through `JSONValue`.
    static func appendString(_ s: String, to out: inout String) {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }) {
            out += "\""
            out += s
            out += "\""
        } else {
            out += JSONValue.string(s).prettyText
        }
    }

    /// One flow's lines of the text document.
    static func line(_ request: FlowRequest, _ verdict: FlowVerdict) -> String {
        var line = ""
        appendLine(request, verdict, to: &line)
        return line
    }

    /// `line`, written straight into `out` (no intermediate strings per flow).
    static func appendLine(_ request: FlowRequest, _ verdict: FlowVerdict, to out: inout String) {
        out += request.flow.source.description
        out += " -> "
        out += request.flow.destination.description
        out += " "
        out += request.flow.protocol.rawValue
        if request.hasPort {
            out += "/"
            out += String(request.flow.destinationPort)
        }
        switch verdict.verdict {
        case .allowed: out += ": ALLOWED"
        case .denied: out += ": DENIED"
        case .unroutable: out += ": UNROUTABLE"
        }
        for d in verdict.decidedBy {
            out += "\n    "
            out += d.text
        }
        if let note = verdict.note {
            out += "\n    ("
            out += note
            out += ")"
        }
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
                buffer += n == 0 ? "\n" : ",\n"
                appendJSON(request, verdict, to: &buffer)
            } else {
                appendLine(request, verdict, to: &buffer)
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
