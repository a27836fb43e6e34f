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

            Example:
              exposure topology verify-flows Topologies/azure-hub-and-spoke.json --flows Topologies/flows/azure-hub-and-spoke.csv
            """
    )

    @Argument(help: "Topology files.")
    var files: [String]

    @Option(help: ArgumentHelp("CSV file of flows to decide.", valueName: "flows.csv"))
    var flows: String

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        if outputOptions.format == .dot || outputOptions.format == .sarif {
            throw ValidationError("verify-flows prints text or json")
        }
        let loaded = try TopologyLoader.load(files: files)
        let requests = try FlowList.load(file: flows)
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
            try handle.write(contentsOf: Data(text.utf8))
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

            Example:
              exposure topology paths Topologies/azure-hub-and-spoke.json --from internet --to tag:tier=crown-jewel
            """
    )

    @Argument(help: "Topology files.")
    var files: [String]

    @Option(help: ArgumentHelp("Where the paths start.", valueName: "endpoint"))
    var from: String

    @Option(help: ArgumentHelp("Where the paths end (default: every crown-jewel asset).", valueName: "endpoint"))
    var to: String?

    @Option(help: ArgumentHelp("Only hops that allow this protocol: tcp or udp.", valueName: "protocol"))
    var `protocol`: String?

    @Option(help: ArgumentHelp("Only hops that allow this destination port.", valueName: "port"))
    var port: Int?

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        if outputOptions.format == .sarif { throw ValidationError("paths prints text, json or dot") }
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
        let loaded = try TopologyLoader.load(files: files)
        let engine = ReachabilityEngine(network: loaded.network)
        let report = try engine.paths(from: source, to: target, protocol: transport, port: port)
        TopologyWarnings.print(loaded.warnings + engine.warnings + report.warnings)
        switch outputOptions.format {
        case .json: try outputOptions.write(report.json.prettyText + "\n")
        case .dot: try outputOptions.write(report.dot)
        default: try outputOptions.write(report.text)
        }
    }
}

/// Input problems that did not stop a topology command, on standard error.
enum TopologyWarnings {
    static func print(_ warnings: [String]) {
        for warning in warnings { FileHandleOutput.standardError("exposure: warning: \(warning)\n") }
    }
}
