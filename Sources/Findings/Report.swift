/// The name and version every output document carries.
public enum ToolInfo {
    public static let name = "exposure"
    public static let version = "0.1.0"
    public static let informationURI = "https://github.com/exposure-analyzer/exposure"
    /// The check catalogue page; each check has an anchor there (`Check.anchor`).
    public static let checksPage = informationURI + "/blob/main/docs/checks.md"
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

/// What one run produced: sorted findings, the input problems that did not stop it, and how much of
/// each input was analysed.
public struct Report: Sendable {
    public private(set) var findings: [Finding]
    public var warnings: [String]
    /// One entry per input read, so an empty result can be told from a clean one.
    public var inputs: [InputCoverage]
    /// The DNSSEC chain of trust of each signed zone read, for the HTML report's graphs.
    public var trustChains: [TrustChain] = []

    public init(findings: [Finding] = [], warnings: [String] = [], inputs: [InputCoverage] = []) {
        self.findings = findings.sorted(by: Finding.reportOrder)
        self.warnings = warnings
        self.inputs = inputs
    }

    /// Adds another analysis' output, keeping the order stable.
    public mutating func merge(_ other: Report) {
        findings = (findings + other.findings).sorted(by: Finding.reportOrder)
        warnings += other.warnings
        inputs += other.inputs
        trustChains += other.trustChains
    }

    /// Keeps only the findings `keep` accepts (check selection, baselines), in the same order.
    public mutating func filterFindings(_ keep: (Finding) -> Bool) {
        findings = findings.filter(keep)
    }

    /// Changes findings in place; the report order is restored afterwards.
    public mutating func updateFindings(_ change: (inout [Finding]) -> Void) {
        change(&findings)
        findings.sort(by: Finding.reportOrder)
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
