import Findings
import Foundation
import Testing

/// Each renderer on the fixed fixture, compared with expected output written by hand from the
/// contract's JSON shape and the text layout the README describes.
@Suite("Renderers")
struct RendererTests {
    static func expected(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Expected").appendingPathComponent(name)
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test("JSON output is exactly docs/output.md's document, keys sorted, findings in report order")
    func jsonMatchesExpected() throws {
        #expect(JSONRenderer().render(Fixtures.report) == (try Self.expected("report.json")))
    }

    @Test("text output groups by severity and ends with the summary line")
    func textMatchesExpected() throws {
        #expect(TextRenderer(colour: false).render(Fixtures.report) == (try Self.expected("report.txt")))
    }

    @Test("SARIF output matches the reviewed baseline")
    func sarifMatchesExpected() throws {
        #expect(SARIFRenderer().render(Fixtures.report) == (try Self.expected("report.sarif")))
    }

    @Test("JSON output parses as JSON and round-trips the escaped string")
    func jsonIsValid() throws {
        let data = Data(JSONRenderer().render(Fixtures.report).utf8)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let findings = try #require(object["findings"] as? [[String: Any]])
        let evidence = try #require(findings[1]["evidence"] as? [String: Any])
        #expect(evidence["note"] as? String == "said \"hi\"\nand left")
    }

    @Test("colour codes appear only when asked for")
    func colourOnlyWhenAsked() {
        #expect(!TextRenderer(colour: false).render(Fixtures.report).contains("\u{1B}["))
        #expect(TextRenderer(colour: true).render(Fixtures.report).contains("\u{1B}[1;31mCRITICAL (1)\u{1B}[0m"))
    }

    @Test("control characters from inputs are escaped in text output, never sent to the terminal")
    func controlCharactersAreEscaped() {
        let check = Fixtures.legacy
        let report = Report(findings: [
            Finding(check: check, subject: "evil\u{1B}[2J", message: "user \u{07}bell", evidence: ["user": "a\u{1B}b"])
        ])
        let text = TextRenderer().render(report)
        #expect(!text.contains("\u{1B}"))
        #expect(!text.contains("\u{07}"))
        #expect(text.contains("evil\\x1b[2J"))
        #expect(text.contains("user: a\\x1bb"))
    }

    @Test("an empty report says so in its summary")
    func emptyReportSummary() {
        #expect(TextRenderer().render(Report()) == "0 findings: 0 critical, 0 high, 0 medium, 0 low, 0 info\n")
    }
}
