import ArgumentParser
import DNS
import Findings

struct DNSZone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zone",
        abstract: "Verify a zone file's DNSSEC signatures, chains, algorithms and parameters.",
        discussion: """
            Example:
              exposure dns zone Zones/example.com.signed.zone --origin example.com --now 2026-11-21T00:00:00Z
            """
    )

    @Argument(help: "The zone file (RFC 1035 master file).")
    var file: String

    @Option(help: ArgumentHelp("The zone's origin.", valueName: "name"))
    var origin: String

    @Option(help: ArgumentHelp("DS or DNSKEY records the zone's keys must match.", valueName: "file"))
    var trustAnchor: String?

    @Option(help: ArgumentHelp("Warn about signatures expiring within this many days.", valueName: "days"))
    var expiryWarning: Int = 7

    @Option(help: ArgumentHelp("Judge validity at this time instead of now.", valueName: "RFC3339"))
    var now: String?

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        throw NotYetAvailable("exposure dns zone")
    }
}
