import Findings
import Foundation
import Topology

/// Reads the topology files a command names (`-` is standard input; pipes work; the same file twice
/// is read once) and loads them as one topology.
enum TopologyInput {
    static func load(_ files: [String], parameterFiles: [String] = [], serviceTagFile: String? = nil) throws -> (
        topology: LoadedTopology, files: [String]
    ) {
        let parameters = try ARMParameters.load(files: parameterFiles)
        let serviceTags = try serviceTagFile.map { try ServiceTags.parse(try InputFiles.read($0), file: $0) }
        let files = InputFiles.distinct(files)
        var documents: [(name: String, data: Data)] = []
        for file in files {
            ProgressReporter.shared.working(on: file)
            let data = try InputFiles.read(file)
            let lower = file.lowercased()
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml"), data.count <= 4 << 20,
                let text = String(data: data, encoding: .utf8), JustificationFile.looksLikeJustificationFile(text)
            {
                throw InputError(
                    file: file, place: .line(1),
                    reason: "this is a justification file, not a topology; pass it with --justifications")
            }
            documents.append((file, data))
        }
        var topology = try TopologyLoader.load(documents: documents, parameters: parameters)
        if let serviceTags {
            topology.network.serviceTags = serviceTags
            topology.warnings += serviceTags.notes
        }
        return (topology, files)
    }

    /// `--justifications FILE`, from any readable file or `-`.
    static func justifications(_ path: String) throws -> JustificationFile {
        let data = try InputFiles.read(path, limit: 4 << 20)
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, reason: "the file is not UTF-8 text")
        }
        return try JustificationFile.parse(text, file: path)
    }

    /// Refuses a topology in which no file held anything to analyse (an empty list, an export of
    /// storage accounts only, a Kubernetes manifest, `segments: []`).
    static func requireContent(_ topology: LoadedTopology, files: [String]) throws -> [InputCoverage] {
        let coverage = topology.coverage(of: files)
        let empty = coverage.filter(\.holdsNothing)
        if !coverage.isEmpty && empty.count == coverage.count {
            throw InputError(
                file: empty.count == 1 ? empty[0].path : nil, reason: OutputOptions.nothingToAnalyse(empty, all: true))
        }
        return coverage
    }
}
