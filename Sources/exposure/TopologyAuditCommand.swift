import ArgumentParser
import Findings
import Topology

struct TopologyAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Report exposure and allowlist findings for a topology.",
        discussion: """
            Several files form one topology.

            Example:
              exposure topology audit Topologies/hub-and-spoke.json --format json
            """
    )

    @Argument(help: "Topology files (Azure JSON export, ARM template or Exposure YAML).")
    var files: [String]

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        throw NotYetAvailable("exposure topology audit")
    }
}
