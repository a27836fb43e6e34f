import Findings
import Foundation
import Testing

@testable import Topology

/// The bundled samples against the findings worked out by hand in `Topologies/README.md`, and against
/// committed expected output (checked by hand against the same analysis). Set
/// `EXPOSURE_UPDATE_EXPECTED=1` to rewrite the expected files after a deliberate change, then review
/// the diff.
@Suite("Audit of the bundled samples")
struct AuditSampleTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let today = CalendarDay(year: 2026, month: 11, day: 21)

    /// Audits `Topologies/NAME` as `exposure scan` does (with `NAME.justifications.yaml` if present),
    /// naming files relative to the package root so locations match the CLI's.
    static func audit(_ name: String, justified: Bool = true) throws -> Report {
        let relative = "Topologies/\(name)"
        let data = try Data(contentsOf: root.appendingPathComponent(relative))
        let topology = try TopologyLoader.load(documents: [(relative, data)])
        var options = AuditOptions(today: today)
        let companion = root.appendingPathComponent(
            "Topologies/" + (name as NSString).deletingPathExtension + ".justifications.yaml")
        if justified, FileManager.default.fileExists(atPath: companion.path) {
            options.justifications = try JustificationFile.load(path: companion.path)
        }
        return TopologyAnalyzer.analyze(topology, options: options)
    }

    static func triples(_ report: Report) -> [String] {
        report.findings.map { "\($0.severity) \($0.check.id.dropFirst("topology.".count)) \($0.subject)" }
    }

    @Test("hub-and-spoke with a jump box gives the 20 findings worked out in Topologies/README.md")
    func hubAndSpoke() throws {
        let report = try Self.audit("azure-hub-and-spoke-jump-box.json")
        #expect(
            Self.triples(report) == [
                "critical internet-exposed-port build01-nic",
                "critical internet-exposed-port build01-nic",
                "critical internet-exposed-port jumpbox01-nic",
                "high lateral-movement-path prod-db01",
                "high missing-nsg build01-nic",
                "medium ineffective-rule dev-nsg/AllowPreviewOnPublicIp",
                "medium legacy-protocol-allowed dev-nsg/AllowAllFromCorp",
                "medium legacy-protocol-allowed dev-nsg/AllowTelnetFromHub",
                "medium missing-nsg hub-vnet/shared-subnet",
                "medium overly-broad-allow dev-nsg/AllowAllFromCorp",
                "medium overly-broad-allow jump-nsg/AllowRdpFromAnywhere",
                "medium public-web-without-waf dev-web01-nic",
                "low dedicated-public-ip build01-nic/ipconfig1",
                "low dedicated-public-ip dev-web01-nic/ipconfig1",
                "low dedicated-public-ip jumpbox01-nic/ipconfig1",
                "low ineffective-rule old-dmz-nsg",
                "low shadowed-rule jump-nsg/AllowSshFromOfficeWifi",
                "low unjustified-allow dev-nsg/AllowAllFromCorp",
                "low unjustified-allow dev-nsg/AllowPreviewOnPublicIp",
                "low unjustified-allow jump-nsg/AllowRdpFromAnywhere",
            ])
        #expect(report.warnings.isEmpty)
        let jump = try #require(report.findings.first { $0.subject == "jumpbox01-nic" })
        #expect(jump.evidence["ports"] == .array([.int(3389)]))
        #expect(jump.location?.pointer == "/3/properties/securityRules/1")
        let telnet = try #require(
            report.findings.first {
                $0.subject == "dev-nsg/AllowAllFromCorp" && $0.check == LegacyProtocolAllowed.check
            })
        #expect(telnet.message.contains("telnet") == false, "rule 110 takes Telnet from the hub first")
    }

    @Test("without its justification file the Telnet rule is unjustified too")
    func hubAndSpokeUnjustified() throws {
        let report = try Self.audit("azure-hub-and-spoke-jump-box.json", justified: false)
        #expect(report.findings.count == 21)
        #expect(
            report.findings.contains {
                $0.check == UnjustifiedAllow.check && $0.subject == "dev-nsg/AllowTelnetFromHub"
            })
    }

    @Test("the three-tier ASG shop gives its 9 findings and no internet exposure")
    func threeTier() throws {
        let report = try Self.audit("azure-three-tier-asg.json")
        #expect(
            Self.triples(report) == [
                "high lateral-movement-path shop-db01",
                "medium ineffective-rule shop-nsg/AllowSshFromMgmt",
                "medium legacy-protocol-allowed shop-nsg/AllowFtpFromWeb",
                "medium overly-broad-allow shop-nsg/AllowSshToWebFromInternet",
                "medium public-web-without-waf shop-web01-nic",
                "medium shadowed-rule shop-nsg/AllowSmbFromApp",
                "low dedicated-public-ip shop-web01-nic/ipconfig1",
                "low unjustified-allow shop-nsg/AllowFtpFromWeb",
                "low unjustified-allow shop-nsg/AllowSshToWebFromInternet",
            ])
        let path = try #require(report.findings.first { $0.check == LateralMovementPath.check })
        #expect(path.evidence["hopCount"] == .int(3))
    }

    @Test("the on-premises YAML plant gives its 12 findings, with YAML line numbers")
    func onPremises() throws {
        let report = try Self.audit("yaml-on-premises-plant.yaml")
        #expect(
            Self.triples(report) == [
                "critical internet-exposed-port mail01",
                "high lateral-movement-path historian01",
                "medium legacy-protocol-allowed corp-servers/smb-from-users",
                "medium legacy-protocol-allowed plant-rules/snmp-from-corp",
                "medium missing-nsg plant/legacy-hmi",
                "medium overly-broad-allow dmz-rules/ssh-to-mail",
                "medium public-web-without-waf vpn-gw",
                "medium shadowed-rule plant-rules/modbus-from-users",
                "low dedicated-public-ip mail01/primary",
                "low dedicated-public-ip vpn-gw/primary",
                "low unjustified-allow dmz-rules/ssh-to-mail",
                "low unjustified-allow plant-rules/snmp-from-corp",
            ])
        let ssh = try #require(report.findings.first { $0.check == InternetExposedPort.check })
        #expect(ssh.location?.line == 87)  // `- name: ssh-to-mail`
        let path = try #require(report.findings.first { $0.check == LateralMovementPath.check })
        guard case .array(let hops)? = path.evidence["hops"] else {
            Issue.record("no hops")
            return
        }
        let route = hops.compactMap { hop -> String? in
            guard case .object(let o) = hop, case .string(let to)? = o["to"] else { return nil }
            return to
        }
        #expect(route == ["vpn-gw", "fileserver01", "historian01"])
    }

    @Test("the hub-and-spoke firewall sample gives the 8 findings worked out in Topologies/README.md")
    func hubFirewall() throws {
        let report = try Self.audit("azure-hub-firewall-udr-spokes.json")
        #expect(
            Self.triples(report) == [
                "critical internet-exposed-port vm-jump-nic",
                "high lateral-movement-path vm-db1",
                "medium asymmetric-route vm-web1-nic",
                "medium asymmetric-route vm-web2-nic",
                "medium legacy-protocol-allowed nsg-legacy/AllowSmbFromWeb",
                "medium virtualnetwork-tag-widened-by-route nsg-data/AllowVnetInBound",
                "medium virtualnetwork-tag-widened-by-route nsg-legacy/AllowVnetInBound",
                "medium virtualnetwork-tag-widened-by-route nsg-web/AllowVnetInBound",
            ])
        #expect(report.warnings.isEmpty, "\(report.warnings)")
        let jump = try #require(report.findings.first { $0.subject == "vm-jump-nic" })
        #expect(jump.evidence["via"] == "firewallDNAT")
        #expect(jump.evidence["publicIP"] == "20.60.0.10")
        #expect(jump.evidence["ports"] == .array([.int(3389)]))
        let path = try #require(report.findings.first { $0.subject == "vm-db1" })
        guard case .array(let hops)? = path.evidence["hops"] else {
            Issue.record("no hops in \(path.evidence)")
            return
        }
        let route = hops.compactMap { hop -> String? in
            guard case .object(let o) = hop, case .string(let to)? = o["to"] else { return nil }
            return to
        }
        // The load balancer's HTTPS answers leave through the firewall (0.0.0.0/0), which drops them
        // (asymmetric routing), so the only way in is the firewall's DNAT rule to the jump host.
        #expect(route == ["vm-jump", "vm-db1"])
        let web = try #require(report.findings.first { $0.subject == "vm-web1-nic" })
        #expect(web.evidence["route"] == "default-via-firewall")
        #expect(web.evidence["firewall"] == "fw-hub")
        let engine = ReachabilityEngine(
            network: try TopologyLoader.load(documents: [
                (
                    "s.json",
                    Data(contentsOf: Self.root.appendingPathComponent("Topologies/azure-hub-firewall-udr-spokes.json"))
                )
            ]).network)
        let viaJump = try engine.paths(from: .internet, to: .resource("vm-jump"))
        #expect(viaJump.paths.first?.hops.map(\.port) == [3389])
        #expect(viaJump.paths.first?.hops.first?.toAddress == IPv4Address("20.60.0.10"))
    }

    @Test(
        "each sample's JSON report equals its committed expected output",
        arguments: [
            "azure-hub-and-spoke-jump-box.json", "azure-three-tier-asg.json", "yaml-on-premises-plant.yaml",
            "azure-hub-firewall-udr-spokes.json",
        ])
    func expectedOutput(_ name: String) throws {
        let rendered = JSONRenderer().render(try Self.audit(name))
        let expectedURL = Self.root.appendingPathComponent(
            "Tests/TopologyTests/Expected/audit-" + (name as NSString).deletingPathExtension + ".json")
        if ProcessInfo.processInfo.environment["EXPOSURE_UPDATE_EXPECTED"] == "1" {
            try rendered.write(to: expectedURL, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: expectedURL, encoding: .utf8)
        #expect(rendered == expected)
    }
}
