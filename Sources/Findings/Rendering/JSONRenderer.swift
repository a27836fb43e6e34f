/// The findings document of `../shared/CONTRACT.md`: tool, sorted findings, warnings and summary,
/// with sorted keys so the same input always prints the same bytes.
public struct JSONRenderer: Sendable {
    public init() {}

    public func render(_ report: Report) -> String {
        document(report).prettyText + "\n"
    }

    public func document(_ report: Report) -> JSONValue {
        let summary = report.summary
        var counts: [String: JSONValue] = [:]
        for s in Severity.allCases { counts[s.rawValue] = .int(summary[s]) }
        return .object([
            "tool": ["name": .string(ToolInfo.name), "version": .string(ToolInfo.version)],
            "findings": .array(report.findings.map(Self.finding)),
            "warnings": .strings(report.warnings),
            "summary": .object(counts),
        ])
    }

    static func finding(_ f: Finding) -> JSONValue {
        .object([
            "check": .string(f.check.id),
            "severity": .string(f.severity.rawValue),
            "subject": .string(f.subject),
            "message": .string(f.message),
            "evidence": .object(f.evidence),
            "remediation": .string(f.remediation),
            "location": location(f.location),
        ])
    }

    /// Only what is known: `file`, `line`, `pointer`.
    static func location(_ l: SourceLocation?) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let file = l?.file { members["file"] = .string(file) }
        if let line = l?.line { members["line"] = .int(line) }
        if let pointer = l?.pointer { members["pointer"] = .string(pointer) }
        return .object(members)
    }
}
