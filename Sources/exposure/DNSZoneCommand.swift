import ArgumentParser
import DNS
import Findings
import Foundation

struct DNSZone: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zone",
        abstract: "Verify a zone file's DNSSEC signatures, chains, algorithms and parameters.",
        discussion: """
            Example:
              exposure dns zone Zones/healthy-nsec.zone --origin example.com \\
                --now 2026-11-21T00:00:00Z
            """
    )

    @Argument(help: "The zone file (RFC 1035 master file); - reads standard input.")
    var file: String

    @Option(help: ArgumentHelp("The zone's origin.", valueName: "name"))
    var origin: String

    @Option(help: ArgumentHelp("DS or DNSKEY records the zone's keys must match.", valueName: "file"))
    var trustAnchor: String?

    @Option(help: ArgumentHelp("Warn about signatures expiring within this many days.", valueName: "days"))
    var expiryWarning: Int = 7

    @Option(help: ArgumentHelp("Judge validity at this time instead of now.", valueName: "RFC3339"))
    var now: String?

    @Flag(help: "Follow $INCLUDE directives (refused by default: a zone file must not make exposure read other files).")
    var allowInclude = false

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        guard expiryWarning >= 0 else {
            throw InputError(file: nil, reason: "--expiry-warning must be a number of days, 0 or more")
        }
        var moment = Int64(Date().timeIntervalSince1970)
        if let now {
            guard let parsed = ZoneClock.parse(now) else {
                throw InputError(
                    file: nil, reason: "--now '\(now)' is not an RFC 3339 time such as 2026-11-21T00:00:00Z")
            }
            moment = parsed
        }
        // `-` and pipes: libldns reads a private copy; reports and errors name what was given.
        let names = InputNames()
        do {
            let options = ZoneCheckOptions(
                origin: origin, trustAnchorFile: try trustAnchor.map { try InputFiles.readablePath($0, names: names) },
                expiryWarningDays: expiryWarning, now: moment, allowInclude: allowInclude)
            let report = try ZoneAnalyzer.analyze(
                file: try InputFiles.readablePath(file, names: names), options: options)
            try outputOptions.emit(names.restore(report))
        } catch let error as InputError {
            throw names.restore(error)
        }
    }
}
