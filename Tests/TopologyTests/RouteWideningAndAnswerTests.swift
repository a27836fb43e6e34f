import Foundation
import Testing

@testable import Topology

/// Examples R2-A to R2-D of `Sources/Topology/Reachability/DESIGN.md`, worked out by hand from
/// Azure's documentation: "Virtual network service tags" (`VirtualNetwork` holds "address prefixes
/// used on user-defined routes") and Azure Firewall's asymmetric-routing guidance (an answer routed
/// to a firewall that never saw the opening is dropped). Every flow is also held to the brute-force
/// evaluator, which reads both rules one flow at a time.
@Suite("Routes widen VirtualNetwork; answers come back by routes too")
struct RouteWideningAndAnswerTests {
    typealias F = TopologyFixtures
    typealias R = RoutingTests

    /// One VNet 10.5.0.0/16: web 10.5.1.4 (public IP 20.70.0.4, no SKU) in a subnet filtered by
    /// nsg-web (`rules`) whose route table sends 0.0.0.0/0 to NIC nva 10.5.9.4; host other 10.5.2.4.
    static func widened(rules: [String], routeTable: Bool = true) -> String {
        F.list([
            R.vnet(
                "v", "10.5.0.0/16",
                subnets: [
                    ("web", "10.5.1.0/24", "nsg-web", routeTable ? "rt-web" : nil), ("nva", "10.5.9.0/24", nil, nil),
                    ("other", "10.5.2.0/24", nil, nil),
                ]),
            F.nsg("nsg-web", rules),
            R.routeTable("rt-web", [("default", "0.0.0.0/0", "VirtualAppliance", "10.5.9.4")]),
            F.publicIP("pip-web", "20.70.0.4"),
            F.nic("web", "10.5.1.4", vnet: "v", subnet: "web", publicIP: "pip-web"),
            F.nic("nva", "10.5.9.4", vnet: "v", subnet: "nva"),
            F.nic("other", "10.5.2.4", vnet: "v", subnet: "other"),
        ])
    }

    static func agree(_ network: Network, _ flows: [Flow]) {
        let engine = ReachabilityEngine(network: network)
        let brute = BruteForceEvaluator(network: network)
        for f in flows {
            let got = engine.verify(f)
            let expected = brute.verifyRouted(f)
            #expect(got.verdict == expected.0, "\(f)")
            #expect(got.ruleNames == expected.1, "\(f)")
        }
    }

    static func audit(_ json: String) throws -> [String] {
        let report = TopologyAnalyzer.analyze(
            try F.load(json), options: AuditOptions(today: CalendarDay(year: 2026, month: 11, day: 21)))
        return AuditSampleTests.triples(report)
    }

    @Test("R2-A: a 0.0.0.0/0 route puts the internet inside VirtualNetwork, so AllowVnetInBound admits it")
    func defaultRouteWidensTheTag() throws {
        let internetSSH = flow("198.51.100.7", "20.70.0.4", .tcp, 22)
        let network = try F.load(Self.widened(rules: [])).network
        let v = ReachabilityEngine(network: network).verify(internetSSH)
        #expect(v.verdict == .allowed)
        #expect(v.ruleNames == ["nsg-web/AllowVnetInBound"])
        // The answer leaves by the same 0.0.0.0/0 route, to an appliance whose rules are unknown.
        #expect(v.note?.contains("could forward the answer") == true, "\(v.note ?? "")")
        // Without the route table the tag is the VNet alone: the default deny decides.
        let plain = try F.engine(Self.widened(rules: [], routeTable: false)).verify(internetSSH)
        #expect(plain.verdict == .denied)
        #expect(plain.ruleNames == ["nsg-web/DenyAllInBound"])
        // `Internet` is not narrowed by the route: a rule denying it still comes first.
        let denyInternet = F.rule("DenyInternet", 4000, "Inbound", "Deny", "*", "Internet", "*", "*")
        let fixed = try F.engine(Self.widened(rules: [denyInternet])).verify(internetSSH)
        #expect(fixed.ruleNames == ["nsg-web/DenyInternet"])
        Self.agree(
            network,
            [
                internetSSH, flow("10.5.2.4", "10.5.1.4", .tcp, 22), flow("10.5.1.4", "203.0.113.9", .tcp, 443),
                flow("10.5.1.4", "10.5.2.4", .udp, 53),
            ])
        let findings = try Self.audit(Self.widened(rules: []))
        #expect(findings.contains("critical internet-exposed-port web"), "\(findings)")
        #expect(findings.contains("high virtualnetwork-tag-widened-by-route nsg-web/AllowVnetInBound"), "\(findings)")
        let fixedFindings = try Self.audit(Self.widened(rules: [denyInternet]))
        #expect(!fixedFindings.contains { $0.contains("virtualnetwork-tag-widened-by-route") }, "\(fixedFindings)")
        #expect(!fixedFindings.contains { $0.contains("internet-exposed-port") }, "\(fixedFindings)")
    }

    /// RoutingTests' hub and spokes (no NSGs; both spokes send 0.0.0.0/0 to the firewall) with a
    /// host web 10.1.1.10 in spoke1 holding public IP 20.70.0.10.
    static func hubWithPublicSpokeHost() -> String {
        R.hubAndSpokes(
            collections: R.allowSpokes,
            extra: [
                F.publicIP("pip-web", "20.70.0.10"),
                F.nic("web", "10.1.1.10", vnet: "spoke1", subnet: "s", publicIP: "pip-web"),
            ])
    }

    @Test("R2-B: a host with its own public IP behind a default route to the firewall: the answer is dropped")
    func answerThroughTheFirewallIsDropped() throws {
        let json = Self.hubWithPublicSpokeHost()
        let network = try F.load(json).network
        let engine = ReachabilityEngine(network: network)
        let fromInternet = engine.verify(flow("198.51.100.7", "20.70.0.10", .tcp, 22))
        #expect(fromInternet.verdict == .denied)
        #expect(fromInternet.ruleNames == ["rt1/all", "fw/answer without a session (asymmetric route)"])
        #expect(fromInternet.note?.contains("asymmetric route") == true)
        // From the hub the answer takes the peering's /16 system route, longer than 0.0.0.0/0.
        let fromHub = engine.verify(flow("10.0.3.4", "10.1.1.10", .tcp, 22))
        #expect(fromHub.verdict == .allowed)
        #expect(fromHub.ruleNames.isEmpty)
        // Through the firewall both ways (spoke2 → spoke1 on 1433 is not allowed by it; spoke1 → spoke2 is).
        #expect(engine.verify(flow("10.1.1.10", "10.2.1.4", .tcp, 1433)).verdict == .allowed)
        let paths = try engine.paths(from: .internet, to: .resource("web"))
        #expect(paths.paths.isEmpty)
        Self.agree(
            network,
            [
                flow("198.51.100.7", "20.70.0.10", .tcp, 22), flow("198.51.100.7", "20.70.0.10", .udp, 161),
                flow("10.0.3.4", "10.1.1.10", .tcp, 22), flow("10.1.1.10", "10.2.1.4", .tcp, 1433),
            ])
        let findings = try Self.audit(json)
        #expect(findings.contains("medium asymmetric-route web"), "\(findings)")
        #expect(!findings.contains { $0.contains("internet-exposed-port web") }, "\(findings)")
    }

    @Test("R2-C: spoke to spoke through the firewall leaves by AllowVnetOutBound, as Azure names it")
    func spokeToSpokeIsVirtualNetwork() throws {
        let engine = ReachabilityEngine(network: try RoutingTests.sampleNetwork())
        let v = engine.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 1433))
        #expect(v.verdict == .allowed)
        #expect(
            v.ruleNames == [
                "nsg-web/AllowVnetOutBound", "rt-spoke-web/spoke-data-via-firewall", "fw-hub/WebToSql",
                "nsg-data/AllowSqlFromWeb",
            ])
    }

    @Test("R2-D: a hub host reaching a spoke directly, whose answer the spoke routes to the firewall: dropped")
    func hubToSpokeAsymmetric() throws {
        var network = try F.load(R.hubAndSpokes(collections: R.allowSpokes)).network
        let rt2 = try #require(network.routeTables.firstIndex { $0.name == "rt2" })
        network.routeTables[rt2].routes.append(
            Route(
                name: "mgmt", addressPrefix: IPv4Prefix("10.0.3.0/24")!, nextHopType: .virtualAppliance,
                nextHopAddress: IPv4Address("10.0.1.4")))
        let engine = ReachabilityEngine(network: network)
        let v = engine.verify(flow("10.0.3.4", "10.2.1.4", .tcp, 22))
        #expect(v.verdict == .denied)
        #expect(v.ruleNames == ["rt2/mgmt", "fw/answer without a session (asymmetric route)"])
        // Spoke to spoke passes the firewall both ways: its answer is no stranger to it.
        #expect(engine.verify(flow("10.1.1.4", "10.2.1.4", .tcp, 1433)).verdict == .allowed)
        // `paths` sees the same: no direct hop from the hub host to b; the way is through a, whose
        // traffic to b passes the firewall both ways.
        let paths = try engine.paths(from: .address(IPv4Address("10.0.3.4")!), to: .address(IPv4Address("10.2.1.4")!))
        #expect(paths.paths.first?.hops.map(\.to) == ["a", "b"])
        Self.agree(
            network,
            [
                flow("10.0.3.4", "10.2.1.4", .tcp, 22), flow("10.1.1.4", "10.2.1.4", .tcp, 1433),
                flow("10.2.1.4", "10.0.3.4", .tcp, 22),
            ])
    }
}
