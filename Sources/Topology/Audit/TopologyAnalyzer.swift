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

    /// An address set as CIDR blocks (IPv4 only; opaque service-tag points are left out).
    static func prefixes(_ set: IntervalSet) -> [String] {
        var out: [String] = []
        for interval in set.intervals {
            var lo = UInt64(interval.lower)
            let hi = UInt64(interval.upper)
            while lo <= hi {
                var size: UInt64 = 1
                var length = 32
                while length > 0 && lo % (size * 2) == 0 && lo + size * 2 - 1 <= hi {
                    size *= 2
                    length -= 1
                }
                out.append(length == 32 ? "\(IPv4Address(UInt32(lo)))" : "\(IPv4Address(UInt32(lo)))/\(length)")
                lo += size
            }
        }
        return out
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
