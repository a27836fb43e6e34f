import ArgumentParser
import DNS
import Findings

struct DNSResolver: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolver",
        abstract: "Check which resolvers a host uses and whether they validate DNSSEC, answer cookies and limit rates.",
        discussion: """
            These are active probes: run them only against resolvers you are responsible for.

            Example:
              exposure dns resolver --resolv-conf /etc/resolv.conf \\
                --approved 10.0.0.53,10.0.1.53
            """
    )

    @Option(
        help: ArgumentHelp(
            "Read resolvers from this file (default /etc/resolv.conf when no --server is given).",
            valueName: "file"
        )
    )
    var resolvConf: String?

    @Option(help: ArgumentHelp("A resolver to check (repeatable).", valueName: "ip[:port]"))
    var server: [String] = []

    @Option(help: ArgumentHelp("The resolvers that are allowed, comma-separated.", valueName: "ip,..."))
    var approved: String?

    @Option(help: ArgumentHelp("A name that must validate (AD set); default isc.org.", valueName: "name"))
    var signedName: String?

    @Option(
        help: ArgumentHelp(
            "A name with broken DNSSEC that must fail (SERVFAIL); default dnssec-failed.org.", valueName: "name")
    )
    var bogusName: String?

    @Option(
        help: ArgumentHelp(
            "Identical queries for --signed-name in a burst, sent once at most 1,000 a second, to see query rate "
                + "limiting (default 0: no burst; resolvers are often shared).", valueName: "n")
    )
    var burst: Int = 0

    @OptionGroup var timing: ProbeTimingOptions

    @OptionGroup var clock: ClockOption

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        _ = try clock.moment()
        let report = try ResolverProbe(
            resolvConfPath: resolvConf,
            servers: server,
            approved: approved,
            signedName: signedName ?? ResolverProbe.defaultSignedName,
            bogusName: bogusName ?? ResolverProbe.defaultBogusName,
            burst: burst,
            limits: try timing.limits()
        ).analyze()
        try outputOptions.emit(report)
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

    @Option(
        help: ArgumentHelp(
            "Identical queries in the rate-limiting burst, sent once at most 1,000 a second (0 skips it).",
            valueName: "n"
        )
    )
    var burst: Int = 200

    @Option(
        help: ArgumentHelp(
            "A name outside the server's zones, for the recursion probe (default the first of example.com., "
                + "example.net., example.org. outside --zone).", valueName: "name")
    )
    var outsideName: String?

    @OptionGroup var timing: ProbeTimingOptions

    @OptionGroup var clock: ClockOption

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        _ = try clock.moment()
        let report = try ServerProbe(
            server: server,
            zone: zone,
            burst: burst,
            outsideName: outsideName,
            limits: try timing.limits()
        ).analyze()
        try outputOptions.emit(report)
    }
}

/// `--timeout`, shared by the probe commands.
struct ProbeTimingOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Seconds to wait for each reply (0.1 to 30); UDP queries are sent at most 3 times.",
            valueName: "seconds"
        )
    )
    var timeout: Double = QueryLimits().timeout

    func limits() throws -> QueryLimits { try QueryLimits.checked(timeout: timeout) }
}
