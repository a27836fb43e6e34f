import Findings
import Testing

@Suite("Report order, summary and thresholds")
struct ReportTests {
    @Test("findings sort by severity, then check, then subject, whatever order they arrive in")
    func stableOrder() {
        let subjects = Fixtures.report.findings.map(\.subject)
        #expect(subjects == ["nic-jump", "10.0.0.5:2323", "example.com.", "10.0.0.8:445"])
        let reversed = Report(findings: Fixtures.report.findings.reversed())
        #expect(reversed.findings == Fixtures.report.findings)
    }

    @Test("the summary counts every severity, zero included")
    func summaryCounts() {
        let s = Fixtures.report.summary
        #expect(s[.critical] == 1 && s[.high] == 1 && s[.medium] == 1 && s[.low] == 0 && s[.info] == 1)
        #expect(s.total == 4)
    }

    @Test(
        "--fail-on: a report fails when its worst finding is at or above the threshold",
        arguments: [
            (Severity.medium, FailThreshold.critical, false), (.medium, .high, false), (.medium, .medium, true),
            (.medium, .low, true), (.critical, .never, false), (.info, .low, false), (.low, .low, true),
            (.critical, .critical, true),
        ]
    )
    func thresholds(worst: Severity, threshold: FailThreshold, fails: Bool) {
        let report = Report(findings: [Finding(check: Fixtures.legacy, severity: worst, subject: "s", message: "m")])
        #expect(report.fails(threshold) == fails)
    }

    @Test("an empty report never fails")
    func emptyNeverFails() {
        for t in FailThreshold.allCases { #expect(!Report().fails(t)) }
    }
}
