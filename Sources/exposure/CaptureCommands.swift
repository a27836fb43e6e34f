import ArgumentParser
import Capture
import Findings

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Detect legacy and cleartext protocols in packet captures, by content rather than port.",
        subcommands: [CaptureAudit.self, CaptureLive.self]
    )
}

struct CaptureAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Report legacy and cleartext protocol use in pcap and pcapng files.",
        discussion: """
            Example:
              exposure capture audit Captures/telnet-on-port-2323.pcap --filter 'tcp'
            """
    )

    @Argument(help: "Capture files (pcap or pcapng); - reads standard input.")
    var files: [String]

    @Option(help: ArgumentHelp("Only packets matching this BPF expression.", valueName: "bpf"))
    var filter: String?

    @OptionGroup var clock: ClockOption

    @OptionGroup var checkOptions: CaptureCheckOptions

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        _ = try clock.moment()
        let options = try checkOptions.options()
        let names = InputNames()
        do {
            let report = try CaptureAnalyzer.analyze(
                files: names.captureFiles(files), filter: try BPFFilterLimit.checked(filter), options: options)
            try outputOptions.emit(names.restore(report))
        } catch let error as InputError {
            throw names.restore(error)
        }
    }
}

struct CaptureLive: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live",
        abstract: "Capture from a live interface (needs root) and report legacy protocol use.",
        discussion: """
            Example:
              exposure capture live --interface eth0 --duration 60 --filter 'not port 443'
            """
    )

    @Option(help: ArgumentHelp("The interface to capture on.", valueName: "name"))
    var interface: String

    @Option(help: ArgumentHelp("Stop after this many seconds (default: until Ctrl-C).", valueName: "seconds"))
    var duration: Double?

    @Option(help: ArgumentHelp("Only packets matching this BPF expression.", valueName: "bpf"))
    var filter: String?

    @OptionGroup var clock: ClockOption

    @OptionGroup var checkOptions: CaptureCheckOptions

    @OptionGroup var outputOptions: OutputOptions

    func run() throws {
        try outputOptions.requireFindingsFormat()
        _ = try clock.moment()
        if let duration, !(duration > 0) { throw ValidationError("--duration must be a positive number of seconds") }
        let options = try checkOptions.options()
        try outputOptions.emit(
            try CaptureAnalyzer.live(
                interface: interface, duration: duration, filter: try BPFFilterLimit.checked(filter), options: options))
    }
}

/// libpcap's optimizer grows about as the cube of a filter's terms (200 `or port` terms cost about
/// 1 s of CPU, 1,000 about 60 s and 411 MiB), so a `--filter` is refused, before libpcap sees it,
/// past these sizes.
enum BPFFilterLimit {
    static let maximumLength = 8192
    static let maximumTerms = 200

    /// The filter unchanged, or an `InputError` naming `--filter` and the limit it is past.
    static func checked(_ filter: String?) throws -> String? {
        guard let filter else { return nil }
        if filter.utf8.count > maximumLength {
            throw InputError(
                place: .other("--filter"),
                reason: "the BPF expression is \(filter.utf8.count) bytes long; at most \(maximumLength) are accepted")
        }
        // Terms are joined by `and`, `or`, `&&` and `||`: one more term than joining operators.
        let words = filter.lowercased().split { !$0.isLetter }
        let operators =
            words.filter { $0 == "and" || $0 == "or" }.count + filter.components(separatedBy: "&&").count - 1
            + filter.components(separatedBy: "||").count - 1
        if operators + 1 > maximumTerms {
            throw InputError(
                place: .other("--filter"),
                reason: "the BPF expression has \(operators + 1) terms; at most \(maximumTerms) are accepted "
                    + "(libpcap's optimizer cost grows as the cube of the terms)")
        }
        return filter
    }
}

/// `--internal` and `--approved-resolvers`, which `capture audit` and `capture live` share.
struct CaptureCheckOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Your own public ranges, counted as internal for remote-management checks (comma-separated).",
            valueName: "prefix,..."))
    var `internal`: String?

    @Option(
        help: ArgumentHelp(
            "Approved DNS resolvers; queries to any other are reported (comma-separated; off when not given).",
            valueName: "ip,..."))
    var approvedResolvers: String?

    func options() throws -> CaptureOptions {
        try CaptureOptions(internalRanges: `internal`, approvedResolvers: approvedResolvers)
    }
}
