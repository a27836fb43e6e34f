import ArgumentParser
import DNS
import Findings

struct DNSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dns",
        abstract: "Verify DNSSEC zone hardening and probe DNS servers and resolvers.",
        subcommands: [DNSZone.self, DNSResolver.self, DNSServer.self]
    )
}

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

struct DNSResolver: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolver",
        abstract: "Check which resolvers a host uses and whether they validate DNSSEC and answer cookies.",
        discussion: """
            These are active probes: run them only against resolvers you are responsible for.

            Example:
              exposure dns resolver --resolv-conf /etc/resolv.conf --approved 10.0.0.53,10.0.1.53
            """
    )

    @Option(help: ArgumentHelp("Read resolvers from this file.", valueName: "file"))
    var resolvConf: String?

    @Option(help: ArgumentHelp("A resolver to check (repeatable).", valueName: "ip[:port]"))
    var server: [String] = []

    @Option(help: ArgumentHelp("The resolvers that are allowed, comma-separated.", valueName: "ip,..."))
    var approved: String?

    @Option(help: ArgumentHelp("A name that must validate (AD set).", valueName: "name"))
    var signedName: String?

    @Option(help: ArgumentHelp("A name with broken DNSSEC that must fail (SERVFAIL).", valueName: "name"))
    var bogusName: String?

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        throw NotYetAvailable("exposure dns resolver")
    }
}

struct DNSServer: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Probe an authoritative server: zone transfer, version, recursion, cookies, rate limiting.",
        discussion: """
            These are active probes: run them only against servers you are responsible for.

            Example:
              exposure dns server 127.0.0.1:5353 --zone example.com --burst 200
            """
    )

    @Argument(help: ArgumentHelp("The server to probe.", valueName: "ip[:port]"))
    var server: String

    @Option(help: ArgumentHelp("A zone the server is authoritative for.", valueName: "name"))
    var zone: String

    @Option(help: ArgumentHelp("Queries in the rate-limiting burst.", valueName: "n"))
    var burst: Int = 200

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        throw NotYetAvailable("exposure dns server")
    }
}
