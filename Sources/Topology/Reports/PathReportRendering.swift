import Findings
import Foundation

extension PathHop {
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "from": .string(from), "to": .string(to), "protocol": .string(`protocol`.rawValue), "port": .int(port),
            "sourcePort": .int(sourcePort),
            "decidedBy": .array(decidedBy.map(\.json)), "toAddress": .string(toAddress.description),
        ]
        if let fromAddress { object["fromAddress"] = .string(fromAddress.description) }
        return .object(object)
    }
}

extension PathReport {
    /// `{"paths": [{"target", "hops": [...]}], "unreachable": [targets]}`.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "paths": .array(
                paths.map { path in
                    ["target": .string(path.target), "hops": .array(path.hops.map(\.json))]
                }),
            "unreachable": .strings(unreachable),
        ]
        if !warnings.isEmpty { object["warnings"] = .strings(warnings) }
        return .object(object)
    }

    /// Each path drawn hop by hop, the allowing rules under each arrow.
    public var text: String {
        var out = ""
        for path in paths {
            out += "\(path.target): \(path.hops.count) hop\(path.hops.count == 1 ? "" : "s")\n"
            for (i, hop) in path.hops.enumerated() {
                if i == 0 {
                    let address = hop.fromAddress.map { $0.description == hop.from ? "" : " (\($0))" } ?? ""
                    out += "  \(hop.from)\(address)\n"
                }
                out += "    │ \(hop.protocol.rawValue)/\(hop.port)  "
                out += hop.decidedBy.filter { $0.access == .allow }.map { "\($0.securityGroupName)/\($0.rule)" }
                    .joined(separator: ", ")
                out += "\n    ▼\n"
                out += "  \(hop.to) (\(hop.toAddress))\n"
            }
            out += "\n"
        }
        if paths.isEmpty { out += "No paths.\n" }
        for warning in warnings { out += "Warning: \(warning)\n" }
        if !unreachable.isEmpty { out += "Unreachable: \(unreachable.joined(separator: ", "))\n" }
        return out
    }

    /// A Graphviz digraph of every hop of every path; unreachable targets drawn dashed.
    public var dot: String {
        func quote(_ s: String) -> String {
            "\""
                + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var lines = ["digraph paths {", "  rankdir=LR;", "  node [shape=box];"]
        var edges: [String] = []
        var nodes: [String] = []
        for path in paths {
            nodes.append("  \(quote(path.target)) [style=bold];")
            for hop in path.hops {
                let rules = hop.decidedBy.filter { $0.access == .allow }.map { "\($0.securityGroupName)/\($0.rule)" }
                let label = (["\(hop.protocol.rawValue)/\(hop.port)"] + rules).joined(separator: "\n")
                edges.append("  \(quote(hop.from)) -> \(quote(hop.to)) [label=\(quote(label))];")
            }
        }
        if paths.contains(where: { $0.hops.first?.from == "internet" }) {
            nodes.append("  \"internet\" [shape=ellipse];")
        }
        for target in unreachable { nodes.append("  \(quote(target)) [style=dashed];") }
        var seen: Set<String> = []
        for line in nodes + edges where seen.insert(line).inserted { lines.append(line) }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }
}
