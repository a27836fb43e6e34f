/// SARIF 2.1.0, one run, one rule per check that produced a finding, with the catalogue's help text.
///
/// Levels: critical and high are `error`, medium is `warning`, low and info are `note`; the exact
/// severity is kept in each result's properties and as `security-severity` on rules, which code
/// scanning dashboards read.
public struct SARIFRenderer: Sendable {
    public static let schema = "https://json.schemastore.org/sarif-2.1.0.json"

    public init() {}

    public func render(_ report: Report) -> String {
        document(report).prettyText + "\n"
    }

    public func document(_ report: Report) -> JSONValue {
        let checks = report.checksUsed
        var ruleIndex: [String: Int] = [:]
        for (n, c) in checks.enumerated() { ruleIndex[c.id] = n }
        let driver: JSONValue = [
            "name": .string(ToolInfo.name),
            "version": .string(ToolInfo.version),
            "semanticVersion": .string(ToolInfo.version),
            "informationUri": .string(ToolInfo.informationURI),
            "rules": .array(checks.map(Self.rule)),
        ]
        var run: [String: JSONValue] = [
            "tool": ["driver": driver],
            "results": .array(report.findings.map { Self.result($0, ruleIndex: ruleIndex[$0.check.id] ?? 0) }),
            "columnKind": "unicodeCodePoints",
        ]
        if !report.warnings.isEmpty {
            run["invocations"] = [
                [
                    "executionSuccessful": true,
                    "toolExecutionNotifications": .array(
                        report.warnings.map { ["level": "warning", "message": ["text": .string($0)]] }
                    ),
                ]
            ]
        }
        return ["$schema": .string(Self.schema), "version": "2.1.0", "runs": [.object(run)]]
    }

    static func level(_ s: Severity) -> String {
        switch s {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    /// The 0–10 score GitHub code scanning groups by (critical ≥ 9, high ≥ 7, medium ≥ 4).
    static func securitySeverity(_ s: Severity) -> String {
        switch s {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        case .info: "0.0"
        }
    }

    static func rule(_ c: Check) -> JSONValue {
        let helpText = "\(c.rationale)\n\nRemediation: \(c.remediation)"
        return [
            "id": .string(c.id),
            "name": .string(c.id),
            "shortDescription": ["text": .string(c.title)],
            "fullDescription": ["text": .string(c.rationale)],
            "help": [
                "text": .string(helpText),
                "markdown": .string("**\(c.title)**\n\n\(c.rationale)\n\n**Remediation:** \(c.remediation)"),
            ],
            "defaultConfiguration": ["level": .string(level(c.defaultSeverity))],
            "properties": [
                "tags": .strings(["security", c.area]),
                "security-severity": .string(securitySeverity(c.defaultSeverity)),
            ],
        ]
    }

    static func result(_ f: Finding, ruleIndex: Int) -> JSONValue {
        var location: [String: JSONValue] = [:]
        if let file = f.location?.file {
            var physical: [String: JSONValue] = ["artifactLocation": ["uri": .string(file)]]
            if let line = f.location?.line, line > 0 { physical["region"] = ["startLine": .int(line)] }
            location["physicalLocation"] = .object(physical)
        }
        var logical: [JSONValue] = [["name": .string(f.subject), "kind": "resource"]]
        if let pointer = f.location?.pointer {
            logical.append(["fullyQualifiedName": .string(pointer), "kind": "element"])
        }
        location["logicalLocations"] = .array(logical)
        return [
            "ruleId": .string(f.check.id),
            "ruleIndex": .int(ruleIndex),
            "level": .string(level(f.severity)),
            "message": ["text": .string(f.message)],
            "locations": [.object(location)],
            "properties": [
                "severity": .string(f.severity.rawValue),
                "subject": .string(f.subject),
                "remediation": .string(f.remediation),
                "evidence": .object(f.evidence),
            ],
        ]
    }
}
