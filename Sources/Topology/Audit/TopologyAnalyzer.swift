import Findings
import Foundation

/// What the audit is told besides the topology.
public struct AuditOptions: Sendable {
    /// Entries of `--justifications FILE`, if given.
    public var justifications: JustificationFile?
    /// The day review dates are compared with (UTC today unless a test fixes it).
    public var today: CalendarDay
    /// Tags that mark crown-jewel assets (`tier=crown-jewel` unless `--crown-jewels` says otherwise).
    public var crownJewelTags: [(key: String, value: String)]
    /// The ports `internet-exposed-port` reports.
    public var sensitivePorts: SensitivePorts

    public init(
        justifications: JustificationFile? = nil, today: CalendarDay = CalendarDay(Date()),
        crownJewelTags: [(key: String, value: String)] = [("tier", "crown-jewel")],
        sensitivePorts: SensitivePorts = SensitivePorts()
    ) {
        self.justifications = justifications
        self.today = today
        self.crownJewelTags = crownJewelTags
        self.sensitivePorts = sensitivePorts
    }
}

/// The one entry point of the Topology analyzer (`exposure topology audit`): builds the
/// reachability engine once, runs every check of `TopologyCatalogue` against it and returns their
/// findings, with the loader's, the engine's and the checks' warnings.
public enum TopologyAnalyzer {
    /// `engine`, when given, must be built from `topology.network`; passing the one a caller already
    /// has (for `paths`, say) saves building it twice. `checks`, when given, names the check ids to
    /// run; the others are skipped.
    public static func analyze(
        _ topology: LoadedTopology, options: AuditOptions = AuditOptions(), engine: ReachabilityEngine? = nil,
        checks: Set<String>? = nil
    ) -> Report {
        let context = AuditContext(network: topology.network, options: options, engine: engine)
        var findings: [Finding] = []
        var warnings = topology.warnings + context.engine.warnings
        for entry in TopologyCatalogue.all where checks?.contains(entry.check.id) ?? true {
            let outcome = entry.run(context)
            findings += outcome.findings
            warnings += outcome.warnings
        }
        return Report(findings: findings, warnings: warnings + staleJustifications(context))
    }

    /// Justification entries that name no rule of the topology: usually a rule renamed or deleted,
    /// leaving an entry that justifies nothing.
    static func staleJustifications(_ context: AuditContext) -> [String] {
        guard let file = context.options.justifications else { return [] }
        var warnings: [String] = []
        for entry in file.entries {
            for selector in entry.rules {
                let used = context.network.securityGroups.contains { group in
                    group.rules.contains { selector.matches(nsg: group.name, rule: $0.name) }
                }
                if used { continue }
                var place = entry.location.file.map { "\($0): " } ?? ""
                if let line = entry.location.line { place += "line \(line): " }
                warnings.append("\(place)the justification for \(selector) names no rule in the topology")
            }
        }
        return warnings
    }

    /// Loads `files` as one topology and analyzes it.
    public static func analyze(
        files: [String], parameterFiles: [String] = [], serviceTags: ServiceTags? = nil,
        options: AuditOptions = AuditOptions()
    ) throws -> Report {
        for file in files where file.lowercased().hasSuffix(".yaml") || file.lowercased().hasSuffix(".yml") {
            if let data = FileManager.default.contents(atPath: file), data.count <= JustificationFile.maximumBytes,
                let text = String(data: data, encoding: .utf8), JustificationFile.looksLikeJustificationFile(text)
            {
                throw InputError(
                    file: file, place: .line(1),
                    reason: "this is a justification file, not a topology; pass it with --justifications")
            }
        }
        let topology = try TopologyLoader.load(files: files, parameterFiles: parameterFiles, serviceTags: serviceTags)
        var report = analyze(topology, options: options)
        report.inputs = topology.coverage(of: files)
        return report
    }
}

/// Formatting shared by the checks' messages and evidence.
enum AuditText {
    /// `1,234,567`.
    static func count(_ n: UInt64) -> String {
        let digits = String(n)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return out
    }

    /// How many addresses a set holds, per family: `1,024` when it holds IPv4 only (as before
    /// IPv6), `2^64 IPv6`, `1,024 IPv4 and 2^64 IPv6`. IPv6 counts of 2^64 and more are given
    /// as a power of two (rounded down, `about` when not exact).
    static func addressCount(_ set: IntervalSet) -> String {
        let v4 = set.ipv4Count
        let v6 = set.ipv6Count
        func six() -> String {
            if v6 < UInt128(1) << 64 { return count(UInt64(v6)) + " IPv6" }
            let exponent = 127 - v6.leadingZeroBitCount
            return (v6 == UInt128(1) << UInt128(exponent) ? "" : "about ") + "2^\(exponent) IPv6"
        }
        if v6 == 0 { return count(v4) }
        if v4 == 0 { return six() }
        return "\(count(v4)) IPv4 and \(six())"
    }

    /// An address set as CIDR blocks of their family (a host as its bare address), IPv4 first.
    static func prefixes(_ set: IntervalSet) -> [String] {
        let blocks = set.intervals.flatMap { NetworkPrefix.covering($0.lower, $0.upper) }
        return (blocks.filter(\.isIPv4) + blocks.filter { !$0.isIPv4 }).map {
            $0.isHost ? $0.network.description : $0.description
        }
    }

    /// A port set as `22`, `20-21`, `*`.
    static func ports(_ set: IntervalSet) -> [String] {
        if set == IntervalSet.allPorts { return ["*"] }
        return set.intervals.map { $0.lower == $0.upper ? "\($0.lower)" : "\($0.lower)-\($0.upper)" }
    }

    /// `vm01 (vm01-nic)` for a NIC of a VM, the NIC's name alone otherwise.
    static func host(_ nic: NetworkInterface) -> String {
        nic.hostName == nic.name ? nic.name : "\(nic.hostName) (\(nic.name))"
    }

    static func list(_ items: [String]) -> String {
        switch items.count {
        case 0: ""
        case 1: items[0]
        case 2: "\(items[0]) and \(items[1])"
        default: items.dropLast().joined(separator: ", ") + " and " + items[items.count - 1]
        }
    }

    static func ruleEvidence(_ rule: SecurityRule, _ group: SecurityGroup) -> [String: JSONValue] {
        [
            "nsg": .string(group.name), "rule": .string(rule.name), "priority": .int(rule.priority),
            "direction": .string(rule.direction.rawValue.lowercased()),
            "access": .string(rule.access.rawValue.lowercased()),
        ]
    }
}
