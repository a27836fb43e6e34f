import ArgumentParser
import Findings
import Foundation

/// The formats of a findings report. (`topology verify-flows` and `topology paths` print answers,
/// not findings, and have their own: see `AnswerOutputOptions`.)
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, html
}

extension FailThreshold: ExpressibleByArgument {}

/// `--format`, `--output`, `--fail-on`, check selection, baselines and progress: the options every
/// findings command shares (docs/output.md lists them).
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: text, json, sarif or html (one self-contained page).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Exit with status 1 when a finding is at least this severe: critical, high, medium, low or never.")
    var failOn: FailThreshold = .high

    @Option(
        name: .customLong("check"),
        help: ArgumentHelp("Report only these checks (comma-separated, repeatable).", valueName: "id,..."))
    var checks: [String] = []

    @Option(
        name: .customLong("skip-check"),
        help: ArgumentHelp("Do not report these checks (comma-separated, repeatable).", valueName: "id,..."))
    var skippedChecks: [String] = []

    @Option(
        help: ArgumentHelp(
            "Report only findings whose fingerprint is not in this earlier JSON report.", valueName: "report.json"))
    var baseline: String?

    @Flag(help: "Show progress on standard error even when it is not a terminal.")
    var progress = false

    @Flag(help: "Show no progress.")
    var quiet = false

    /// Checks the findings options before any work: check ids, and the progress clock.
    func requireFindingsFormat() throws {
        FailureLog.register(self)
        _ = try CheckSelection(checks: checks, skipped: skippedChecks)
        ProgressReporter.shared.configure(forced: progress, quiet: quiet)
    }

    /// Prints a findings report in the chosen format and returns the exit status it calls for.
    ///
    /// On the way: an input that held nothing to analyse becomes a warning (every input: exit 2),
    /// the checks are selected, pointers get their line and column, findings get fingerprints
    /// (`relativePath` maps a file to its path from the scan root), and a baseline's findings are left out.
    func emit(_ report: Report, relativePath: ((String) -> String)? = nil) throws {
        try requireFindingsFormat()
        ProgressReporter.shared.finish()
        var report = report
        let empty = report.inputs.filter(\.holdsNothing)
        if !report.inputs.isEmpty && empty.count == report.inputs.count {
            throw InputError(
                file: empty.count == 1 ? empty[0].path : nil,
                reason: Self.nothingToAnalyse(empty, all: true))
        }
        if !empty.isEmpty { report.warnings.append(Self.nothingToAnalyse(empty, all: false)) }
        let selection = try CheckSelection(checks: checks, skipped: skippedChecks)
        report.filterFindings { selection.includes($0.check.id) }
        PointerRegions.fill(&report)
        report.assignFingerprints(relativePath: relativePath ?? Self.pathFromWorkingDirectory)
        if let baseline {
            let known = try Baseline.fingerprints(in: baseline)
            report.filterFindings { !known.contains($0.fingerprint ?? "") }
        }
        try render(report)
        if report.fails(failOn) { throw ExitCode(1) }
    }

    static func nothingToAnalyse(_ inputs: [InputCoverage], all: Bool) -> String {
        let what = inputs.map { input -> String in
            switch input.kind {
            case .topology:
                "\(input.path) holds no network resource (virtual network, subnet, NIC, NSG, public IP or VM)"
            case .capture: "\(input.path) holds no decodable packet"
            case .zone: "\(input.path) holds no record"
            case .server: "\(input.path) answered nothing"
            }
        }
        if all && inputs.count == 1 {
            let input = inputs[0]
            switch input.kind {
            case .topology:
                return "nothing to analyse: no network resource (virtual network, subnet, NIC, NSG, public IP or VM) "
                    + "was found; is this an Azure resource list, an ARM template or an Exposure topology?"
            case .capture: return "nothing to analyse: the capture holds no decodable packet"
            case .zone: return "nothing to analyse: the zone holds no record"
            case .server: return "nothing to analyse: the server answered nothing"
            }
        }
        return (all ? "nothing to analyse: " : "not analysed: ") + what.joined(separator: "; ")
    }

    /// Writes the report, streaming JSON and SARIF.
    func render(_ report: Report, failure: String? = nil) throws {
        let sink = try OutputSink(path: output)
        switch format {
        case .json: try JSONRenderer(coverage: true).render(report) { try sink.write($0) }
        case .sarif:
            let renderer = SARIFRenderer(workingDirectory: FileManager.default.currentDirectoryPath)
            try renderer.render(report, failure: failure) { try sink.write($0) }
        case .text: try TextRenderer(colour: useColour).render(report) { try sink.write($0) }
        case .html: try sink.write(HTMLRenderer().render(report))
        }
        try sink.close()
    }

    /// Writes a finished document to `--output` or standard output.
    func write(_ text: String) throws {
        ProgressReporter.shared.finish()
        let sink = try OutputSink(path: output)
        try sink.write(text)
        try sink.close()
    }

    /// A finding's file as the fingerprint sees it: relative to the working directory when below it,
    /// else its last component, so that the same checkout in two places gives the same fingerprints.
    static func pathFromWorkingDirectory(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        guard p.hasPrefix("/") else { return String(p) }
        let base = FileManager.default.currentDirectoryPath
        let prefix = base.hasSuffix("/") ? base : base + "/"
        if p.hasPrefix(prefix) { return String(p.dropFirst(prefix.count)) }
        return (String(p) as NSString).lastPathComponent
    }

    /// Colour only on a terminal, never into a file, and never when NO_COLOR is set.
    var useColour: Bool {
        output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}
