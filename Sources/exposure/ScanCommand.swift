import ArgumentParser
import Findings
import Foundation
import Scan

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Analyse every topology, capture and zone found below the given paths.",
        discussion: """
            With no PATH, scans the bundled samples (Topologies/, Captures/, Zones/). An input that an
            analyzer rejects is reported as a warning and the scan goes on.

            Example:
              exposure scan Topologies Captures --format sarif --output exposure.sarif
            """
    )

    @Argument(help: "Files or folders to scan (default: the bundled samples).")
    var paths: [String] = []

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        let roots = paths.isEmpty ? try SampleLocator.sampleFolders() : paths
        let inputs = try InputDiscovery.discover(roots)
        try outputOptions.emit(try Scanner.scan(inputs))
    }
}

/// Finds the bundled sample folders: below the working directory when run from a checkout, else
/// next to the sources this binary was built from.
enum SampleLocator {
    static let folders = ["Topologies", "Captures", "Zones"]

    static func sampleFolders() throws -> [String] {
        let fm = FileManager.default
        let sourceRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().path
        for root in [fm.currentDirectoryPath, sourceRoot] {
            let found = folders.map { (root as NSString).appendingPathComponent($0) }
                .filter { fm.fileExists(atPath: $0) }
            if !found.isEmpty { return found.map { relative($0, to: fm.currentDirectoryPath) } }
        }
        throw InputError(
            file: nil, reason: "no PATH given and the bundled samples (Topologies/, Captures/, Zones/) were not found")
    }

    private static func relative(_ path: String, to base: String) -> String {
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
