/// The findings document (see docs/output.md): tool, inputs, sorted findings with fingerprints,
/// warnings and summary, with sorted keys so the same input always prints the same bytes.
public struct JSONRenderer: Sendable {
    /// Whether the document lists `inputs`. The command line always does; an analyzer's own tests
    /// compare findings documents without it, so their expected reports stay about findings.
    public var coverage: Bool

    public init(coverage: Bool = false) {
        self.coverage = coverage
    }

    public func render(_ report: Report) -> String {
        var text = ""
        try? render(report) { text += $0 }
        return text
    }

    /// Streams the document to `sink` in pieces of about 64 KiB, ending with a newline.
    public func render(_ report: Report, to sink: @escaping (String) throws -> Void) throws {
        var stream = DocumentStream(sink: sink)
        try stream.key("findings", level: 0, first: true)
        try stream.array(report.findings, level: 1, Self.finding)
        if coverage {
            try stream.key("inputs", level: 0, first: false)
            try stream.array(report.inputs, level: 1, Self.input)
        }
        try stream.key("summary", level: 0, first: false)
        try stream.append(Self.summary(report).prettyText(level: 1))
        try stream.key("tool", level: 0, first: false)
        try stream.append(Self.tool.prettyText(level: 1))
        try stream.key("warnings", level: 0, first: false)
        try stream.array(report.warnings, level: 1) { .string($0) }
        try stream.endObject(level: 0)
        try stream.append("\n")
        try stream.flush()
    }

    /// The whole document as one value (for tests and small reports).
    public func document(_ report: Report) -> JSONValue {
        var members: [String: JSONValue] = [
            "tool": Self.tool,
            "findings": .array(report.findings.map(Self.finding)),
            "warnings": .strings(report.warnings),
            "summary": Self.summary(report),
        ]
        if coverage { members["inputs"] = .array(report.inputs.map(Self.input)) }
        return .object(members)
    }

    static let tool: JSONValue = ["name": .string(ToolInfo.name), "version": .string(ToolInfo.version)]

    static func summary(_ report: Report) -> JSONValue {
        let summary = report.summary
        var counts: [String: JSONValue] = [:]
        for s in Severity.allCases { counts[s.rawValue] = .int(summary[s]) }
        return .object(counts)
    }

    static func input(_ i: InputCoverage) -> JSONValue {
        [
            "path": .string(i.path), "kind": .string(i.kind.rawValue),
            "analysed": .object(i.analysed.mapValues { .int($0) }),
        ]
    }

    static func finding(_ f: Finding) -> JSONValue {
        var members: [String: JSONValue] = [
            "check": .string(f.check.id),
            "severity": .string(f.severity.rawValue),
            "subject": .string(f.subject),
            "message": .string(f.message),
            "evidence": .object(f.evidence),
            "remediation": .string(f.remediation),
            "location": location(f.location),
        ]
        if let fingerprint = f.fingerprint { members["fingerprint"] = .string(fingerprint) }
        return .object(members)
    }

    /// Only what is known: `file`, `line`, `column`, `pointer`.
    static func location(_ l: SourceLocation?) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let file = l?.file { members["file"] = .string(file) }
        if let line = l?.line { members["line"] = .int(line) }
        if let column = l?.column { members["column"] = .int(column) }
        if let pointer = l?.pointer { members["pointer"] = .string(pointer) }
        return .object(members)
    }
}
