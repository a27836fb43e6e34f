import ArgumentParser
import Correlation
import Findings
import Topology

/// `exposure correlate`: observed traffic held against the rules.
struct CorrelateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correlate",
        abstract: "Hold the traffic in packet captures against a topology's rules.",
        discussion: """
            Each connection opening in the captures (TCP SYN, first UDP datagram) with an end at a NIC of the \
            topology is judged by the reachability engine. Reports allow rules no traffic used (only when the \
            captures span --min-span seconds), allow rules much wider than their traffic (with a narrower rule \
            to paste), traffic the rules deny, management sessions from the internet, and hosts missing from \
            the export.

            Example:
              exposure correlate --topology Topologies/correlation-every-check.json \\
                --capture Captures/correlation-every-check.pcap

            --parameters and --service-tags read the topology as `exposure topology audit` does.
            """
    )

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Topology files (Azure JSON export, ARM template or Exposure YAML).", valueName: "file"))
    var topology: [String]

    @Option(parsing: .upToNextOption, help: ArgumentHelp("Capture files (pcap or pcapng).", valueName: "file"))
    var capture: [String]

    @Option(
        help: ArgumentHelp(
            "The least time the captures must span before a rule is reported unused (default 3600).",
            valueName: "seconds"))
    var minSpan: Double = 3600

    @Flag(
        help: ArgumentHelp(
            "Also report the capture audit's findings (legacy protocols, weak TLS, cleartext credentials), each "
                + "naming the rules that allow it (evidence allowedBy)."))
    var captureFindings = false

    @OptionGroup var topologyOptions: TopologyInputOptions

    @OptionGroup var outputOptions: OutputOptions

    func validate() throws {
        if topology.isEmpty { throw ValidationError("--topology needs at least one file") }
        if capture.isEmpty { throw ValidationError("--capture needs at least one file") }
        if !(minSpan >= 0) || !minSpan.isFinite {
            throw ValidationError("--min-span must be a number of seconds, 0 or more")
        }
    }

    func run() throws {
        try outputOptions.requireFindingsFormat()
        let report = try TrafficCorrelation.correlate(
            topologyFiles: topology, captureFiles: capture, parameterFiles: topologyOptions.parameterFiles,
            serviceTags: try topologyOptions.serviceTags(),
            options: CorrelationOptions(minimumSpanSeconds: minSpan, captureFindings: captureFindings))
        try outputOptions.emit(report)
    }
}
