/// The name and version every output document carries.
public enum ToolInfo {
    public static let name = "exposure"
    public static let version = "0.1.0"
    public static let informationURI = "https://github.com/exposure-analyzer/exposure"
}

/// Counts of findings by severity.
public struct Summary: Sendable, Hashable {
    public var counts: [Severity: Int]

    public init(_ findings: [Finding]) {
        var counts: [Severity: Int] = [:]
        for s in Severity.allCases { counts[s] = 0 }
        for f in findings { counts[f.severity, default: 0] += 1 }
        self.counts = counts
    }

    public subscript(severity: Severity) -> Int { counts[severity] ?? 0 }
    public var total: Int { counts.values.reduce(0, +) }
}

/// What one run produced: sorted findings and the input problems that did not stop it.
public struct Report: Sendable {
    public private(set) var findings: [Finding]
    public private(set) var warnings: [String]

    public init(findings: [Finding] = [], warnings: [String] = []) {
        self.findings = findings.sorted(by: Finding.reportOrder)
        self.warnings = warnings
    }

    /// Adds another analysis' output, keeping the order stable.
    public mutating func merge(_ other: Report) {
        findings = (findings + other.findings).sorted(by: Finding.reportOrder)
        warnings += other.warnings
    }

    public var summary: Summary { Summary(findings) }

    /// The most severe finding's severity, if there is any finding.
    public var worstSeverity: Severity? { findings.first?.severity }

    /// Whether the run should exit with status 1 under `threshold`.
    public func fails(_ threshold: FailThreshold) -> Bool {
        guard let worst = worstSeverity else { return false }
        return threshold.fails(on: worst)
    }

    /// The distinct checks that produced findings, sorted by id.
    public var checksUsed: [Check] {
        var seen: [String: Check] = [:]
        for f in findings where seen[f.check.id] == nil { seen[f.check.id] = f.check }
        return seen.keys.sorted().map { seen[$0]! }
    }
}
