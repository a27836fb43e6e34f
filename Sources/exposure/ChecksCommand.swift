import ArgumentParser
import Capture
import Correlation
import DNS
import Findings
import Topology

/// `exposure checks`: the check catalogue, from the analyzers' own entries, so documentation cannot
/// drift from the code. `--format markdown` prints the README's table.
struct ChecksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checks",
        abstract: "List every check Exposure can report, with why it matters and how to fix it.",
        discussion: """
            Example:
              exposure checks --format markdown
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    @Option(help: ArgumentHelp("Write the list to this file instead of standard output.", valueName: "file"))
    var output: String?

    static var catalogue: [Check] {
        (TopologyCatalogue.checks + CaptureCatalogue.checks + DNSCatalogue.checks
            + CorrelationCatalogue.checks).sorted { $0.id < $1.id }
    }

    func run() throws {
        let checks = Self.catalogue
        var text = ""
        switch format {
        case .json:
            let list: [JSONValue] = checks.map {
                [
                    "id": .string($0.id), "title": .string($0.title), "rationale": .string($0.rationale),
                    "remediation": .string($0.remediation), "defaultSeverity": .string($0.defaultSeverity.rawValue),
                ]
            }
            text = JSONValue.array(list).prettyText + "\n"
        case .markdown:
            text = Self.markdown(checks)
        case .text:
            for c in checks {
                text += "\(c.id) [\(c.defaultSeverity)] \(c.title)\n  why: \(c.rationale)\n  fix: \(c.remediation)\n"
            }
            if checks.isEmpty { text += "no checks are available in this version\n" }
        }
        let sink = try OutputSink(path: output)
        try sink.write(text)
        try sink.close()
    }

    static func markdown(_ checks: [Check]) -> String {
        var out = "| check | default severity | what it finds | why it matters | fix |\n|---|---|---|---|---|\n"
        for c in checks {
            let cells = [c.id, c.defaultSeverity.rawValue, c.title, c.rationale, c.remediation]
                .map { $0.replacingOccurrences(of: "|", with: "\\|") }
            // The anchor is what SARIF rules' helpUri points at (`Check.anchor`).
            out += "| <a id=\"\(c.anchor)\"></a>`\(cells[0])` | " + cells.dropFirst().joined(separator: " | ") + " |\n"
        }
        return out
    }
}
