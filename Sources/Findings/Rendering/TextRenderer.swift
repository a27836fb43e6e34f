/// The report for people: findings grouped by severity, each with where, evidence and fix, and a
/// one-line summary at the end. Colour is for terminals only; the caller decides.
public struct TextRenderer: Sendable {
    public var colour: Bool
    /// Longest evidence value printed before it is shortened with an ellipsis.
    public var evidenceWidth = 160

    public init(colour: Bool = false) {
        self.colour = colour
    }

    public func render(_ report: Report) -> String {
        var text = ""
        try? render(report) { text += $0 }
        return text
    }

    /// Streams the report to `sink`, a finding block at a time.
    public func render(_ report: Report, to sink: (String) throws -> Void) throws {
        for severity in Severity.allCases {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            try sink(paint("\(severity.rawValue.uppercased()) (\(group.count))", Self.code(severity)) + "\n")
            for f in group { try sink(block(f)) }
            try sink("\n")
        }
        try sink(tail(report))
    }

    /// Warnings, the coverage line and the summary line.
    private func tail(_ report: Report) -> String {
        var out = ""
        if !report.warnings.isEmpty {
            out += paint("WARNINGS (\(report.warnings.count))", "33") + "\n"
            for w in report.warnings { out += "  ! \(Self.visible(w))\n" }
            out += "\n"
        }
        if !report.inputs.isEmpty { out += coverageLine(report) + "\n" }
        out += summaryLine(report) + "\n"
        return out
    }

    /// `analysed 3 inputs: 2 topology (40 nics, 12 resources, 30 rules), 1 capture (1200 packets, 40 flows)`:
    /// the counts of each kind summed, so an empty result can be told from a clean one.
    public func coverageLine(_ report: Report) -> String {
        var parts: [String] = []
        for kind in InputCoverage.Kind.allCases {
            let inputs = report.inputs.filter { $0.kind == kind }
            guard !inputs.isEmpty else { continue }
            var totals: [String: Int] = [:]
            for input in inputs { totals.merge(input.analysed, uniquingKeysWith: +) }
            let counts = totals.keys.sorted().map { "\(totals[$0]!) \($0)" }.joined(separator: ", ")
            parts.append("\(inputs.count) \(kind.rawValue) (\(counts))")
        }
        let n = report.inputs.count
        return "analysed \(n) input\(n == 1 ? "" : "s"): " + parts.joined(separator: ", ")
    }

    /// `3 findings: 1 critical, 2 high, 0 medium, 0 low, 0 info; 1 warning`
    public func summaryLine(_ report: Report) -> String {
        let s = report.summary
        let counts = Severity.allCases.map { "\(s[$0]) \($0.rawValue)" }.joined(separator: ", ")
        let noun = s.total == 1 ? "finding" : "findings"
        var line = "\(s.total) \(noun): \(counts)"
        let w = report.warnings.count
        if w > 0 { line += "; \(w) warning\(w == 1 ? "" : "s")" }
        return line
    }

    private func block(_ f: Finding) -> String {
        var out = "  - " + paint(f.check.id, "1") + "  \(Self.visible(f.subject))\n"
        out += "    \(Self.visible(f.message))\n"
        if let location = f.location, !location.isEmpty {
            out += "    where: \(Self.visible(location.displayText))\n"
        }
        for key in f.evidence.keys.sorted() {
            out += "    \(Self.visible(key)): \(shorten(Self.visible(Self.plain(f.evidence[key]!))))\n"
        }
        out += "    fix: \(Self.visible(f.remediation))\n"
        return out
    }

    /// Strings without quotes, lists joined by commas, anything else as compact JSON.
    static func plain(_ v: JSONValue) -> String {
        switch v {
        case .string(let s): s
        case .array(let items) where items.allSatisfy({ if case .string = $0 { true } else { false } }):
            items.map { plain($0) }.joined(separator: ", ")
        default: v.compactText
        }
    }

    /// Text from inputs (user names, banners, descriptions) may hold control characters: a newline
    /// would break the layout and an escape sequence would reach the terminal. They print escaped.
    static func visible(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where isControl(scalar):
                let hex = String(scalar.value, radix: 16)
                out += "\\x" + (hex.count < 2 ? "0" : "") + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    private func shorten(_ s: String) -> String {
        s.count <= evidenceWidth ? s : String(s.prefix(evidenceWidth - 1)) + "…"
    }

    private func paint(_ s: String, _ code: String) -> String {
        colour ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s
    }

    private static func code(_ s: Severity) -> String {
        switch s {
        case .critical: "1;31"
        case .high: "31"
        case .medium: "33"
        case .low: "36"
        case .info: "2"
        }
    }
}
