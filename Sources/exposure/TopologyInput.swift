import ArgumentParser
import Findings
import Foundation
import Topology

/// Reads the topology files a command names (`-` is standard input; pipes work; the same file twice
/// is read once) and loads them as one topology.
enum TopologyInput {
    /// `load` with the options every topology command takes.
    static func load(_ files: [String], options: TopologyInputOptions) throws -> (
        topology: LoadedTopology, files: [String]
    ) {
        try load(files, parameterFiles: options.parameterFiles, serviceTagFile: options.serviceTagFile)
    }

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

/// What every topology command takes beside its files: ARM parameters and Azure's service tags.
struct TopologyInputOptions: ParsableArguments {
    @Option(
        name: .customLong("parameters"),
        help: ArgumentHelp("ARM parameters file for the templates (repeatable; later files win).", valueName: "file"))
    var parameterFiles: [String] = []

    @Option(
        name: .customLong("service-tags"),
        help: ArgumentHelp(
            "Azure's published service tag file (ServiceTags_Public_*.json): rules naming Storage, Sql.WestEurope and the like match its IPv4 prefixes.",
            valueName: "file"))
    var serviceTagFile: String?

    /// The service tag file, parsed (nil without `--service-tags`).
    func serviceTags() throws -> ServiceTags? {
        try serviceTagFile.map { try ServiceTags.parse(try InputFiles.read($0), file: $0) }
    }
}
