import ArgumentParser
import Findings
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
              exposure topology verify-flows Topologies/hub-and-spoke.json --flows flows.csv
            """
    )

    @Argument(help: "Topology files.")
    var files: [String]

    @Option(help: ArgumentHelp("CSV file of flows to decide.", valueName: "flows.csv"))
    var flows: String

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        throw NotYetAvailable("exposure topology verify-flows")
    }
}

struct TopologyPaths: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "paths",
        abstract: "Find shortest lateral-movement paths between endpoints.",
        discussion: """
            ENDPOINT is internet, an IP address, a resource name, subnet:VNET/SUBNET or tag:KEY=VALUE.

            Example:
              exposure topology paths Topologies/hub-and-spoke.json --from internet --to tag:tier=crown-jewel
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
        throw NotYetAvailable("exposure topology paths")
    }
}
