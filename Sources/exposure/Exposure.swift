import ArgumentParser
import Findings

/// The root command: `exposure topology|capture|dns|scan|checks`.
struct Exposure: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exposure",
        abstract: "Find where a network is more open than it should be, offline and from evidence.",
        discussion: """
            Exposure reads exported network configuration, packet captures and DNS zones, and probes
            DNS servers, then reports findings as text, JSON, SARIF or HTML.

            Exit status: 0 no finding at or above --fail-on (default high), 1 some finding at or
            above it, 2 unusable input or arguments, or a report that could not be written.

            Example:
              exposure scan Topologies Captures Zones --now 2026-11-21T00:00:00Z
              exposure topology audit Topologies/azure-hub-and-spoke.json --format sarif
            """,
        version: ToolInfo.version,
        subcommands: [
            TopologyCommand.self, CaptureCommand.self, DNSCommand.self, ScanCommand.self, ChecksCommand.self,
            CorrelateCommand.self,
        ]
    )
}
