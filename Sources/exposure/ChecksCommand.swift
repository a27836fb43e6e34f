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

    static var catalogue: [Check] {
        (TopologyCatalogue.checks + CaptureCatalogue.checks + DNSCatalogue.checks
            + CorrelationCatalogue.checks).sorted { $0.id < $1.id }
    }

    func run() throws {
        let checks = Self.catalogue
        switch format {
        case .json:
            let list: [JSONValue] = checks.map {
                [
                    "id": .string($0.id), "title": .string($0.title), "rationale": .string($0.rationale),
                    "remediation": .string($0.remediation), "defaultSeverity": .string($0.defaultSeverity.rawValue),
                ]
            }
            print(JSONValue.array(list).prettyText)
        case .markdown:
            print(Self.markdown(checks), terminator: "")
        case .text:
            for c in checks {
                print("\(c.id) [\(c.defaultSeverity)] \(c.title)\n  why: \(c.rationale)\n  fix: \(c.remediation)")
            }
            if checks.isEmpty { print("no checks are available in this version") }
        }
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
