import ArgumentParser
import Findings
import Foundation
import Topology

struct TopologyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topology",
        abstract: "Analyse exported network topology: Azure resource exports, ARM templates, Exposure YAML.",
        subcommands: [TopologyAudit.self, TopologyVerifyFlows.self, TopologyPaths.self]
    )
}

struct TopologyVerifyFlows: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-flows",
        abstract: "Decide, for each flow in a CSV file, whether the topology allows it and which rules decide.",
        discussion: """
            FLOWS.csv has the header source,destination,protocol,port (optional source_port).
            Prints every flow's verdict and exits 0; --fail-on does not apply (no findings).

            Example:
              exposure topology verify-flows Topologies/azure-hub-and-spoke.json \\
                --flows Topologies/flows/azure-hub-and-spoke.csv
            """
    )

    @Argument(help: "Topology files; - reads standard input.")
    var files: [String]

    @Option(
        help: ArgumentHelp("CSV file of flows to decide (RFC 4180; - reads standard input).", valueName: "flows.csv"))
    var flows: String

    @OptionGroup var topologyOptions: TopologyInputOptions

    @OptionGroup var outputOptions: AnswerOutputOptions<FlowsFormat>

    func run() throws {
        outputOptions.start()
        let (loaded, read) = try TopologyInput.load(
            files, options: topologyOptions)
        _ = try TopologyInput.requireContent(loaded, files: read)
        let requests = try FlowList.parse(try InputFiles.read(flows), file: flows)
        let engine = ReachabilityEngine(network: loaded.network)
        TopologyWarnings.print(loaded.warnings + engine.warnings)
        // Streamed: a million verdicts never become one document in memory.
        let output = try StreamedOutput(path: outputOptions.output)
        try FlowVerificationReport.write(engine: engine, requests: requests, json: outputOptions.format == .json) {
            try output.write($0)
        }
        try output.close()
    }
}

/// `--output FILE` or standard output, written piece by piece; a failed write (disk full, closed
/// pipe) is an error naming the file, so a cut-off document never looks complete.
final class StreamedOutput {
    private let handle: FileHandle
    private let path: String?

    init(path: String?) throws {
        self.path = path
        guard let path else {
            handle = FileHandle.standardOutput
            return
        }
        guard FileManager.default.createFile(atPath: path, contents: nil),
            let handle = FileHandle(forWritingAtPath: path)
        else { throw InputError(file: path, reason: "cannot write the output file") }
        self.handle = handle
    }

    func write(_ text: String) throws {
        do {
            // The string's own bytes, not a `Data` copy built byte by byte (a tenth of
            // verify-flows' CPU with a million flows).
            var text = text
            try text.withUTF8 { try handle.write(contentsOf: UnsafeRawBufferPointer($0)) }
        } catch {
            throw InputError(
                file: path ?? "standard output", reason: "cannot write the output (\(error.localizedDescription))")
        }
    }

    func close() throws {
        guard path != nil else { return }
        do { try handle.close() } catch {
            throw InputError(file: path, reason: "cannot write the output file (\(error.localizedDescription))")
        }
    }
}

struct TopologyPaths: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "Find shortest lateral-movement paths between endpoints.",
        discussion: """
            ENDPOINT is internet, an IP address, a resource name, subnet:VNET/SUBNET or tag:KEY=VALUE.
            Prints the paths and exits 0; --fail-on does not apply (no findings).

            Example:
              exposure topology paths Topologies/azure-hub-and-spoke.json \\
                --from internet --to tag:tier=crown-jewel
            """
    )

    @Argument(help: "Topology files; - reads standard input.")
    var files: [String]

    @Option(help: ArgumentHelp("Where the paths start.", valueName: "endpoint"))
    var from: String

    @Option(help: ArgumentHelp("Where the paths end (default: every crown-jewel asset).", valueName: "endpoint"))
    var to: String?

    @Option(help: ArgumentHelp("Only hops that allow this protocol: tcp or udp.", valueName: "protocol"))
    var `protocol`: String?

    @OptionGroup var topologyOptions: TopologyInputOptions

    @Option(help: ArgumentHelp("Only hops that allow this destination port.", valueName: "port"))
    var port: Int?

    @OptionGroup var outputOptions: AnswerOutputOptions<PathsFormat>

    func run() throws {
        outputOptions.start()
        var transport: TransportProtocol?
        if let text = `protocol` {
            guard let parsed = TransportProtocol(text), parsed.hasPorts else {
                throw ValidationError("--protocol must be tcp or udp")
            }
            transport = parsed
        }
        if let port, !(0...65535).contains(port) { throw ValidationError("--port must be 0-65535") }
        let source = try Endpoint(parsing: from)
        let target = try to.map { try Endpoint(parsing: $0) } ?? .crownJewels
        let (loaded, read) = try TopologyInput.load(
            files, options: topologyOptions)
        _ = try TopologyInput.requireContent(loaded, files: read)
        let engine = ReachabilityEngine(network: loaded.network)
        let report = try engine.paths(from: source, to: target, protocol: transport, port: port)
        TopologyWarnings.print(loaded.warnings + engine.warnings + report.warnings)
        switch outputOptions.format {
        case .json: try outputOptions.write(report.json.prettyText + "\n")
        case .dot: try outputOptions.write(report.dot)
        case .text: try outputOptions.write(report.text)
        }
    }
}

/// Input problems that did not stop a topology command, on standard error.
enum TopologyWarnings {
    static func print(_ warnings: [String]) {
        for warning in warnings { FileHandleOutput.standardError("exposure: warning: \(warning)\n") }
    }
}

/// The formats `topology verify-flows` prints.
enum FlowsFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

/// The formats `topology paths` prints.
enum PathsFormat: String, ExpressibleByArgument, CaseIterable { case text, json, dot }

/// `--format`, `--output` and progress for the commands that print an answer rather than findings
/// (`verify-flows`, `paths`): they take no `--fail-on`, `--check` or `--baseline` and exit 0 once the
/// answer is written.
struct AnswerOutputOptions<Format: ExpressibleByArgument & CaseIterable & RawRepresentable>: ParsableArguments
where Format.RawValue == String {
    @Option(
        help: ArgumentHelp(
            "Output format: \(Format.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
    var format: Format = Format.allCases.first!

    @Option(help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Flag(help: "Show progress on standard error even when it is not a terminal.")
    var progress = false

    @Flag(help: "Show no progress.")
    var quiet = false

    init() {}

    func start() {
        ProgressReporter.shared.configure(forced: progress, quiet: quiet)
    }

    func write(_ text: String) throws {
        ProgressReporter.shared.finish()
        let sink = try OutputSink(path: output)
        try sink.write(text)
        try sink.close()
    }
}
