import Findings
import Testing

@testable import Topology

/// The four points on which the audit's old rule algebra and the reachability engine disagreed,
/// decided once in the engine (`Sources/Topology/Reachability/DESIGN.md`, examples F to I) from
/// Azure's documentation: every check and every flow verdict now follows the same decision.
@Suite("One engine: the decided semantic points")
struct EngineDecisionsTests {
    static let today = CalendarDay(year: 2026, month: 11, day: 21)

    /// One VNet 10.0.0.0/16, subnet s (10.0.1.0/24) behind `nsg`, web 10.0.1.4 with public IP 20.0.0.4.
    static func oneSubnet(_ rules: [SecurityRule]) -> HandBuiltTopology {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "s", "10.0.1.0/24", nsg: "nsg")
        t.nsg("nsg", rules)
        t.nic("web", ip: "10.0.1.4", subnet: "vnet/s", publicIP: "20.0.0.4")
        return t
    }

    static func flow(_ s: String, _ d: String, _ p: TransportProtocol, _ port: Int) -> Flow {
        Flow(source: NetworkAddress(s)!, destination: NetworkAddress(d)!, protocol: p, destinationPort: port)
    }

    static func names(_ verdict: FlowVerdict) -> [String] {
        verdict.decidedBy.map { "\($0.securityGroupName)/\($0.rule)" }
    }

    @Test("F: port ranges restrict TCP and UDP only; ICMP skips rules with ports and a later ICMP rule is not shadowed")
    func portRangesOnPortlessProtocols() {
        let t = Self.oneSubnet([
            auditRule("DenySsh", 100, .deny, .any, ports: "22", description: "d"),
            auditRule("DenyOtherPorts", 110, .deny, .any, ports: "0-21,23-65535", description: "d"),
            auditRule("AllowPing", 120, .allow, .icmp, ports: "*", description: "d"),
            auditRule("AllowWeb", 130, .allow, .tcp, ports: "80", description: "d"),
        ])
        let engine = ReachabilityEngine(network: t.network)
        // 100 and 110 cover every port, but an ICMP flow has none: only port-less rules (ports `*`) match it.
        let ping = engine.verify(Self.flow("198.51.100.7", "20.0.0.4", .icmp, 0))
        #expect(ping.verdict == .allowed)
        #expect(Self.names(ping) == ["nsg/AllowPing"])
        #expect(engine.verify(Self.flow("198.51.100.7", "20.0.0.4", .tcp, 80)).verdict == .denied)
        let report = t.audit(AuditOptions(today: Self.today))
        #expect(report.subjects(ShadowedRule.check) == ["nsg/AllowWeb"])
    }

    @Test("G: a peering declared Connected on one side only connects; a side listed as not connected does not")
    func oneSidedPeering() {
        var t = HandBuiltTopology()
        t.vnet("a", "10.0.0.0/16", peers: ["b"])
        t.vnet("b", "10.1.0.0/16")
        t.subnet("a", "s", "10.0.1.0/24", nsg: "nsg")
        t.subnet("b", "s", "10.1.1.0/24")
        t.nsg(
            "nsg",
            [
                auditRule("AllowVnetSsh", 100, from: "VirtualNetwork", ports: "22", description: "d"),
                auditRule("DenySshFromB", 110, .deny, from: "10.1.0.0/16", ports: "22", description: "d"),
            ])
        t.nic("a1", ip: "10.0.1.4", subnet: "a/s")
        t.nic("b1", ip: "10.1.1.4", subnet: "b/s")
        let engine = ReachabilityEngine(network: t.network)
        #expect(engine.verify(Self.flow("10.1.1.4", "10.0.1.4", .tcp, 22)).verdict == .allowed)
        // b's space is inside a's VirtualNetwork tag, so rule 100 takes every flow rule 110 could.
        #expect(t.audit(AuditOptions(today: Self.today)).subjects(ShadowedRule.check) == ["nsg/DenySshFromB"])
        // b lists its side as Initiated: no route, and b's space is Internet for a.
        t.network.virtualNetworks[1].peerings = [
            Peering(name: "b-to-a", remoteNetwork: HandBuiltTopology.id("vnet", "a"), isConnected: false)
        ]
        let cut = ReachabilityEngine(network: t.network)
        #expect(cut.verify(Self.flow("10.1.1.4", "10.0.1.4", .tcp, 22)).verdict == .unroutable)
        #expect(t.audit(AuditOptions(today: Self.today)).subjects(ShadowedRule.check).isEmpty)
    }

    @Test(
        "H: sources in benchmarking and IETF-assignment ranges never come from the internet, for paths and the audit alike"
    )
    func nonInternetRanges() throws {
        let t = Self.oneSubnet([
            auditRule("SshFromBenchmarking", 100, from: "198.18.0.0/15", ports: "22", description: "d"),
            auditRule("RdpFromIetf", 110, from: "192.0.0.0/24", ports: "3389", description: "d"),
        ])
        let engine = ReachabilityEngine(network: t.network)
        let report = try engine.paths(from: .internet, to: .resource("web"))
        #expect(report.paths.isEmpty)
        #expect(report.unreachable == ["web"])
        #expect(t.audit(AuditOptions(today: Self.today)).subjects(InternetExposedPort.check).isEmpty)
        // The documentation ranges stay internet addresses: examples use them for internet hosts.
        #expect(
            engine.internetAddresses(seenFrom: HandBuiltTopology.id("vnet", "vnet")).contains(
                NetworkAddress("203.0.113.9")!.value))
    }

    @Test("I: an unknown service tag lies inside Internet and *, outside every prefix, and decides no known address")
    func unknownServiceTags() {
        let coveredByAny = Self.oneSubnet([
            auditRule("DenyHttps", 100, .deny, ports: "443", description: "d"),
            auditRule("AllowStorage", 110, from: "Storage", ports: "443", description: "d"),
        ])
        #expect(
            coveredByAny.audit(AuditOptions(today: Self.today)).subjects(ShadowedRule.check) == ["nsg/AllowStorage"])
        let coveredByInternet = Self.oneSubnet([
            auditRule("DenyInternet", 100, .deny, from: "Internet", ports: "443", description: "d"),
            auditRule("AllowStorage", 110, from: "Storage", ports: "443", description: "d"),
        ])
        #expect(
            coveredByInternet.audit(AuditOptions(today: Self.today)).subjects(ShadowedRule.check) == [
                "nsg/AllowStorage"
            ])
        let notCoveredByPrefix = Self.oneSubnet([
            auditRule("Deny20", 100, .deny, from: "20.0.0.0/8", ports: "443", description: "d"),
            auditRule("AllowStorage", 110, from: "Storage", ports: "443", description: "d"),
        ])
        let report = notCoveredByPrefix.audit(AuditOptions(today: Self.today))
        #expect(report.subjects(ShadowedRule.check).isEmpty)
        #expect(report.warnings.contains { $0.contains("service tag 'Storage'") })
        let engine = ReachabilityEngine(network: notCoveredByPrefix.network)
        let verdict = engine.verify(Self.flow("40.1.2.3", "20.0.0.4", .tcp, 443))
        #expect(verdict.verdict == .denied)
        #expect(Self.names(verdict) == ["nsg/DenyAllInBound"])
    }
}
