import ArgumentParser
import Findings
import Foundation
import Scan

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Analyse every topology, capture and zone found below the given paths.",
        discussion: """
            With no PATH, scans the current directory. An input that an analyzer rejects, or one that
            holds nothing to analyse, is reported as a warning and the scan goes on (--strict: exit 2, as for
            any warning).
            FIFOs, sockets and devices met while walking are skipped with a warning.

            Example:
              exposure scan --format sarif --output exposure.sarif
              exposure scan Topologies Captures --now 2026-11-21T00:00:00Z

            --parameters and --service-tags apply to every topology the scan finds (and to the topologies
            it holds captures against).
            """
    )

    @Argument(help: "Files or folders to scan (default: the current directory).")
    var paths: [String] = []

    @Flag(help: "Exit 2 when any input was rejected, held nothing to analyse, or had a part skipped (any warning).")
    var strict = false

    @OptionGroup var clock: ClockOption

    @OptionGroup var topologyOptions: TopologyInputOptions

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        let options = ScanOptions(
            now: try clock.moment(), strict: strict, parameterFiles: topologyOptions.parameterFiles,
            serviceTags: try topologyOptions.serviceTags())
        let (inputs, warnings) = try InputDiscovery.discover(paths.isEmpty ? ["."] : paths)
        let report = try Scanner.scan(inputs, options: options, warnings: warnings) {
            ProgressReporter.shared.working(on: $0)
        }
        var fromRoot: [String: String] = [:]
        for input in inputs { fromRoot[input.path] = input.pathFromRoot }
        try outputOptions.emit(report) { fromRoot[$0] ?? OutputOptions.pathFromWorkingDirectory($0) }
    }
}
