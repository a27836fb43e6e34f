import Findings
import Testing

@testable import Topology

/// `topology.internet-exposed-port` on hand-built topologies. Verdicts worked out from Azure's
/// documented order: subnet NSG then NIC NSG inbound, both must allow, first match by priority,
/// a level without an NSG filters nothing, inbound rules see the private address.
@Suite("Internet-exposed ports on hand-built topologies")
struct AuditExposureTests {
    static func single(subnetRules: [SecurityRule]?, nicRules: [SecurityRule]?, publicIP: String? = "20.0.0.4")
        -> HandBuiltTopology
    {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "web", "10.0.1.0/24", nsg: subnetRules == nil ? nil : "subnet-nsg")
        if let subnetRules { t.nsg("subnet-nsg", subnetRules) }
        if let nicRules { t.nsg("nic-nsg", nicRules) }
        t.nic("web1", ip: "10.0.1.4", subnet: "vnet/web", publicIP: publicIP, nsg: nicRules == nil ? nil : "nic-nsg")
        return t
    }

    static func exposed(_ report: Report) -> [String] {
        report.findings.filter { $0.check.id == InternetExposedPort.check.id }.map { f in
            let ports = f.evidence["ports"].map { $0.compactText } ?? ""
            let chain = f.evidence["decidedBy"].map { $0.compactText } ?? ""
            return "\(f.subject) \(f.evidence["protocol"]?.compactText ?? "") \(ports) \(chain)"
        }.sorted()
    }

    @Test("RDP allowed from 0.0.0.0/0 by the subnet NSG, with no NIC NSG, is exposed and critical")
    func rdpFromAnywhere() throws {
        let t = Self.single(
            subnetRules: [auditRule("Rdp", 100, from: "0.0.0.0/0", ports: "3389")], nicRules: nil)
        let report = t.audit()
        #expect(
            Self.exposed(report) == [
                #"web1 "tcp" [3389] [{"direction":"inbound","nsg":"subnet-nsg","rule":"Rdp"}]"#
            ])
        let finding = try #require(report.findings.first { $0.check.id == InternetExposedPort.check.id })
        #expect(finding.severity == .critical)
        #expect(finding.evidence["publicIP"] == .string("20.0.0.4"))
        #expect(finding.location?.pointer == "/rules/Rdp")
    }

    @Test("a port the subnet NSG allows but the NIC NSG denies is not exposed")
    func subnetAllowsNICDenies() {
        let t = Self.single(
            subnetRules: [auditRule("Ssh", 100, from: "Internet", ports: "22")],
            nicRules: [auditRule("Https", 100, from: "Internet", ports: "443")])
        #expect(Self.exposed(t.audit()) == [])
    }

    @Test("both levels allowing gives a two-rule chain, subnet first")
    func bothLevelsAllow() {
        let t = Self.single(
            subnetRules: [auditRule("Sql", 100, from: "*", ports: "1433")],
            nicRules: [auditRule("SqlNic", 200, from: "Internet", ports: "1433-1434")])
        #expect(
            Self.exposed(t.audit()) == [
                #"web1 "tcp" [1433] [{"direction":"inbound","nsg":"subnet-nsg","rule":"Sql"},{"direction":"inbound","nsg":"nic-nsg","rule":"SqlNic"}]"#
            ])
    }

    @Test("a source limited to an office /24, a NIC without public IP and a public-IP destination are not exposed")
    func notExposed() {
        #expect(
            Self.exposed(
                Self.single(subnetRules: [auditRule("Ssh", 100, from: "203.0.113.0/24", ports: "22")], nicRules: nil)
                    .audit()
            ) == [])
        #expect(
            Self.exposed(
                Self.single(subnetRules: [auditRule("Ssh", 100, from: "*", ports: "22")], nicRules: nil, publicIP: nil)
                    .audit()) == [])
        #expect(
            Self.exposed(
                Self.single(subnetRules: [auditRule("Ssh", 100, from: "*", to: "20.0.0.4", ports: "22")], nicRules: nil)
                    .audit()) == [])
    }

    @Test("a deny at higher priority wins over a later allow")
    func denyFirst() {
        let t = Self.single(
            subnetRules: [
                auditRule("DenySsh", 100, .deny, from: "*", ports: "22"),
                auditRule("Ssh", 200, from: "*", ports: "22"),
            ], nicRules: nil)
        #expect(Self.exposed(t.audit()) == [])
    }

    @Test("with no NSG at all every sensitive TCP and UDP port is exposed with an empty chain")
    func unfiltered() {
        let report = Self.single(subnetRules: nil, nicRules: nil).audit()
        #expect(
            Self.exposed(report) == [
                "web1 \"tcp\" [20,21,22,23,135,139,445,512,513,514,1433,1521,2049,3306,3389,5432,5985,5986,6379,9200,27017] []",
                "web1 \"udp\" [69,135,137,138,161,2049,3389] []",
            ])
        #expect(
            report.findings.filter { $0.check.id == InternetExposedPort.check.id }.allSatisfy {
                $0.severity == .critical
            })
    }

    @Test("SNMP allowed by a protocol-any rule is a high (legacy) UDP exposure")
    func snmp() throws {
        let t = Self.single(
            subnetRules: [auditRule("Snmp", 100, .allow, .any, from: "Internet", ports: "161")], nicRules: nil)
        let report = t.audit()
        #expect(
            Self.exposed(report) == [#"web1 "udp" [161] [{"direction":"inbound","nsg":"subnet-nsg","rule":"Snmp"}]"#])
        #expect(report.findings.first { $0.check.id == InternetExposedPort.check.id }?.severity == .high)
    }

    @Test("--sensitive-port adds ports; bad values are refused")
    func customPorts() {
        var options = AuditOptions(today: CalendarDay(year: 2026, month: 11, day: 21))
        options.sensitivePorts.ports += SensitivePorts.parseCustom("tcp/8080") ?? []
        let t = Self.single(subnetRules: [auditRule("Web", 100, from: "*", ports: "8080")], nicRules: nil)
        #expect(
            Self.exposed(t.audit(options)) == [
                #"web1 "tcp" [8080] [{"direction":"inbound","nsg":"subnet-nsg","rule":"Web"}]"#
            ])
        #expect(Self.exposed(t.audit()) == [])
        #expect(SensitivePorts.parseCustom("icmp/1") == nil)
        #expect(SensitivePorts.parseCustom("tcp/*") == nil)
        #expect(SensitivePorts.parseCustom("udp/500-510")?.count == 11)
    }

    // MARK: lateral-movement-path

    /// web1 (public, SSH open) and db1 (private, crown jewel) in one VNet: the default
    /// AllowVnetInBound lets web1 reach db1 unless db's NSG denies the VNet first.
    static func webAndDatabase(databaseRules: [SecurityRule]) -> HandBuiltTopology {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "web", "10.0.1.0/24", nsg: "web-nsg")
        t.subnet("vnet", "db", "10.0.2.0/24", nsg: "db-nsg")
        t.nsg("web-nsg", [auditRule("Ssh", 100, from: "Internet", ports: "22")])
        t.nsg("db-nsg", databaseRules)
        t.nic("web1", ip: "10.0.1.4", subnet: "vnet/web", publicIP: "20.0.0.4", tags: ["role": "web"])
        t.nic("db1", ip: "10.0.2.4", subnet: "vnet/db", tags: ["tier": "crown-jewel"])
        return t
    }

    @Test("a crown jewel reachable through an exposed host gets a two-hop path naming the rules")
    func lateralPath() throws {
        let report = Self.webAndDatabase(databaseRules: [auditRule("Sql", 100, from: "10.0.1.0/24", ports: "1433")])
            .audit()
        let finding = try #require(report.findings.first { $0.check == LateralMovementPath.check })
        #expect(finding.subject == "db1")
        #expect(finding.severity == .high)
        #expect(finding.evidence["hopCount"] == .int(2))
        #expect(finding.message.contains("internet → web1 → db1"))
    }

    @Test("no path when the database denies the VNet before the default allow; --crown-jewels picks other assets")
    func noLateralPath() throws {
        let closed = Self.webAndDatabase(databaseRules: [
            auditRule("DenyVnet", 4000, .deny, .any, from: "VirtualNetwork", ports: "*")
        ])
        #expect(closed.audit().findings.filter { $0.check == LateralMovementPath.check }.isEmpty)
        var options = AuditOptions(today: CalendarDay(year: 2026, month: 11, day: 21))
        options.crownJewelTags = [("role", "web")]
        let direct = try #require(closed.audit(options).findings.first { $0.check == LateralMovementPath.check })
        #expect(direct.subject == "web1")
        #expect(direct.severity == .critical)
        #expect(direct.evidence["hopCount"] == .int(1))
    }
}
