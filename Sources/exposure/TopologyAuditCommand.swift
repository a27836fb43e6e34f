import ArgumentParser
import Findings
import Topology

struct TopologyAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Report exposure and allowlist findings for a topology.",
        discussion: """
            Several files form one topology. A justification file (YAML, see docs/audit.md) records why allow
            rules exist, who owns them and when to review them again.

            Example:
              exposure topology audit Topologies/azure-three-tier-asg.json \\
                --justifications Topologies/azure-three-tier-asg.justifications.yaml
            """
    )

    @Argument(help: "Topology files (Azure JSON export, ARM template or Exposure YAML); - reads standard input.")
    var files: [String]

    @OptionGroup var topologyOptions: TopologyInputOptions

    @Option(help: ArgumentHelp("YAML file of rule justifications (why, owner, review-by).", valueName: "file"))
    var justifications: String?

    @Option(
        help: ArgumentHelp(
            "Tag marking crown-jewel assets (repeatable; default tier=crown-jewel).", valueName: "key=value"))
    var crownJewels: [String] = []

    @Option(
        help: ArgumentHelp(
            "Another port to treat as sensitive, e.g. tcp/8080 or udp/500 (repeatable).", valueName: "proto/port"))
    var sensitivePort: [String] = []

    @Option(
        help: ArgumentHelp(
            "Judge review dates at this moment instead of now: an RFC 3339 time or a day (YYYY-MM-DD, UTC).",
            valueName: "RFC3339"))
    var now: String?

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        var options = AuditOptions()
        if let now {
            guard let day = CalendarDay(String(now.prefix(10))) else {
                throw ValidationError("--now takes a date written YYYY-MM-DD (or an RFC 3339 time), got '\(now)'")
            }
            options.today = day
        }
        if !crownJewels.isEmpty {
            options.crownJewelTags = try crownJewels.map { text in
                let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ValidationError("--crown-jewels takes KEY=VALUE, got '\(text)'")
                }
                return (parts[0], parts[1])
            }
        }
        for text in sensitivePort {
            guard let ports = SensitivePorts.parseCustom(text) else {
                throw ValidationError(
                    "--sensitive-port takes tcp/PORT, udp/PORT or a range of at most 1024 ports, got '\(text)'")
            }
            options.sensitivePorts.ports += ports
        }
        if let justifications { options.justifications = try TopologyInput.justifications(justifications) }
        let (topology, read) = try TopologyInput.load(
            files, options: topologyOptions)
        var report = TopologyAnalyzer.analyze(topology, options: options)
        report.inputs = topology.coverage(of: read)
        TopologyWarnings.print(report.warnings)
        try outputOptions.emit(report)
    }
}
