import Findings
import Foundation
import Topology

/// What the correlation checks read: the judged flows, the capture's time span, and which NSGs the
/// captures can speak for. Built once per run; the checks only read it.
struct CorrelationContext {
    /// A rule as `decidedBy` names it.
    struct RuleKey: Hashable {
        var securityGroup: ResourceID
        var rule: String
        var direction: Direction
    }

    let network: Network
    let estate: Estate
    let engine: ReachabilityEngine
    let traffic: ObservedTraffic
    let flows: [EvaluatedFlow]
    let options: CorrelationOptions
    /// NSGs that filter at least one NIC the captures saw send or receive, and no NIC whose address
    /// lies where VNet address spaces overlap: only their rules can be judged unused.
    private(set) var judgedSecurityGroups: Set<ResourceID> = []
    private(set) var warnings: [String] = []

    init(correlator: Correlator, traffic: ObservedTraffic, flows: [EvaluatedFlow], options: CorrelationOptions) {
        network = correlator.network
        estate = correlator.estate
        engine = correlator.engine
        self.traffic = traffic
        self.flows = flows
        self.options = options
        warnings += engine.warnings
        for (a, b, prefix) in estate.overlaps {
            warnings.append(
                "virtual networks '\(a.name)' and '\(b.name)' have overlapping address spaces (\(prefix)): an "
                    + "address there is placed in the first; rules of NSGs filtering either are not judged unused")
        }
        var unsure: Set<ResourceID> = []
        var seen: Set<ResourceID> = []
        let overlapping = Set(estate.overlaps.flatMap { [$0.0.id, $0.1.id] })
        for nic in network.interfaces {
            let groups = estate.securityGroups(of: nic)
            let inOverlap = nic.subnetIDs.contains { id in
                network.subnet(id).map { overlapping.contains($0.virtualNetwork) } ?? false
            }
            if inOverlap { unsure.formUnion(groups) }
            let addresses =
                nic.privateAddresses
                + nic.publicIPIDs.compactMap { network.publicIP($0)?.address }
            if addresses.contains(where: { traffic.packetsByAddress[$0] != nil }) { seen.formUnion(groups) }
        }
        judgedSecurityGroups = seen.subtracting(unsure)

        let addresses = traffic.packetsByAddress.keys
        let outside = addresses.filter { estate.isInternet($0) && $0 != Correlator.platformAddress }.count
        if !addresses.isEmpty && outside == addresses.count {
            warnings.append(
                "no address in the captures belongs to the topology (all \(addresses.count) lie in no VNet and "
                    + "match no public IP): check that the captures and the export describe the same estate")
        } else if outside > 0 {
            warnings.append(
                "\(outside) of the \(addresses.count) addresses in the captures lie in no VNet address space and "
                    + "match no public IP of the topology; they are treated as internet addresses")
        }
        let platform = traffic.flows.count { Correlator.isPlatform($0.flow) }
        if platform > 0 {
            warnings.append(
                "\(platform) flow\(platform == 1 ? "" : "s") to or from Azure's platform address 168.63.129.16 (DNS, "
                    + "DHCP, health probes) \(platform == 1 ? "was" : "were") not judged: NSGs do not filter it as internet traffic"
            )
        }
        if traffic.ipv6Openings > 0 {
            warnings.append(
                "\(traffic.ipv6Openings) IPv6 flow opening\(traffic.ipv6Openings == 1 ? " was" : "s were") not "
                    + "correlated: the topology model is IPv4")
        }
        if !isLongEnough {
            warnings.append(
                "the captures span \(Self.duration(traffic.spanSeconds)) (\(spanText)), less than the "
                    + "\(Self.duration(options.minimumSpanSeconds)) that --min-span asks for: no rule is reported as unused"
            )
        }
    }

    /// Whether the captures span enough time for unused-allow verdicts.
    var isLongEnough: Bool { traffic.start != nil && traffic.spanSeconds >= max(options.minimumSpanSeconds, 1e-6) }

    var captureStart: String { traffic.start.map(Self.rfc3339) ?? "" }
    var captureEnd: String { traffic.end.map(Self.rfc3339) ?? "" }
    var spanText: String { traffic.start == nil ? "no packets" : "\(captureStart) to \(captureEnd)" }

    static func rfc3339(_ microseconds: Int64) -> String {
        let seconds = Double(microseconds) / 1_000_000
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        if microseconds % 1_000_000 != 0 { formatter.formatOptions.insert(.withFractionalSeconds) }
        return formatter.string(from: Date(timeIntervalSince1970: seconds))
    }

    /// `0 s`, `42.5 s`, `20 min`, `1.5 h`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 120 { return String(format: "%g s", (seconds * 1000).rounded() / 1000) }
        if seconds < 7200 { return String(format: "%g min", (seconds / 6).rounded() / 10) }
        return String(format: "%g h", (seconds / 360).rounded() / 10)
    }

    func interface(_ index: Int) -> NetworkInterface { network.interfaces[index] }

    func securityGroup(_ id: ResourceID) -> SecurityGroup? { network.securityGroup(id) }

    /// Whether an NSG is attached to a subnet or a NIC.
    func isAttached(_ id: ResourceID) -> Bool {
        network.subnets.contains { $0.securityGroup == id } || network.interfaces.contains { $0.securityGroup == id }
    }

    /// Flows the topology allows end to end.
    var allowedFlows: [EvaluatedFlow] { flows.filter { $0.verdict.verdict == .allowed } }

    static func key(_ d: RuleDecision) -> RuleKey {
        RuleKey(securityGroup: d.securityGroup, rule: d.rule, direction: d.direction)
    }

    static func decidedBy(_ decisions: [RuleDecision]) -> JSONValue { .array(decisions.map(\.json)) }
}
