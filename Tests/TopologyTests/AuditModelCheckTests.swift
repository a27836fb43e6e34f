import Findings
import Testing

@testable import Topology

/// Each check on tiny hand-built topologies: one that fires, one that must not. The expected verdicts
/// are worked out in the comments from Azure's documented NSG semantics.
@Suite("Audit checks on hand-built topologies")
struct AuditModelCheckTests {
    /// One VNet 10.0.0.0/16 with web (10.0.1.0/24) and db (10.0.2.0/24) subnets, both behind `nsg`.
    static func twoSubnets(_ rules: [SecurityRule]) -> HandBuiltTopology {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "web", "10.0.1.0/24", nsg: "nsg")
        t.subnet("vnet", "db", "10.0.2.0/24", nsg: "nsg")
        t.nsg("nsg", rules)
        t.nic("web1", ip: "10.0.1.4", subnet: "vnet/web")
        t.nic("db1", ip: "10.0.2.4", subnet: "vnet/db")
        return t
    }

    // MARK: missing-nsg

    @Test("a subnet without an NSG is reported; GatewaySubnet and a filtered subnet are not")
    func missingSubnetNSG() {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "open", "10.0.1.0/24")
        t.subnet("vnet", "GatewaySubnet", "10.0.255.0/27")
        t.subnet("vnet", "filtered", "10.0.2.0/24", nsg: "nsg")
        t.nsg("nsg", [])
        t.nic("vm1", ip: "10.0.1.4", subnet: "vnet/open")
        let report = t.audit()
        #expect(report.subjects(MissingNSG.check) == ["vnet/open"])
        #expect(report.finding(MissingNSG.check, "vnet/open")?.severity == .medium)
        #expect(report.finding(MissingNSG.check, "vnet/open")?.location?.pointer == "/subnets/open")
    }

    @Test(
        "a NIC with a public IP and no NSG at either level is open to the internet; one NSG at either level is enough")
    func missingNICNSG() {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "open", "10.0.1.0/24")
        t.subnet("vnet", "filtered", "10.0.2.0/24", nsg: "nsg")
        t.nsg("nsg", [])
        t.nic("exposed", ip: "10.0.1.4", subnet: "vnet/open", publicIP: "20.0.0.4")
        t.nic("nic-filtered", ip: "10.0.1.5", subnet: "vnet/open", publicIP: "20.0.0.5", nsg: "nsg")
        t.nic("subnet-filtered", ip: "10.0.2.4", subnet: "vnet/filtered", publicIP: "20.0.0.6")
        t.nic("private", ip: "10.0.1.6", subnet: "vnet/open")
        let report = t.audit()
        #expect(report.subjects(MissingNSG.check) == ["exposed", "vnet/open"])
        let finding = report.finding(MissingNSG.check, "exposed")
        #expect(finding?.severity == .high)
        #expect(finding?.evidence["publicIP"] == .array([.string("20.0.0.4")]))
    }

    @Test("an NSG id that names nothing filters nothing, so the subnet counts as unfiltered")
    func danglingNSGReference() {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "s", "10.0.1.0/24", nsg: "ghost")
        #expect(t.audit().subjects(MissingNSG.check) == ["vnet/s"])
    }

    // MARK: unjustified-allow

    @Test("an allow rule without description is unjustified; a described allow and a deny are not")
    func unjustified() {
        let t = Self.twoSubnets([
            auditRule("Bare", 100, from: "10.0.1.0/24", ports: "443"),
            auditRule("Described", 110, from: "10.0.1.0/24", ports: "8443", description: "API"),
            auditRule("DenyBare", 120, .deny, from: "*", ports: "23"),
            auditRule("Blank", 130, from: "10.0.1.0/24", ports: "9000", description: "   "),
        ])
        let report = t.audit()
        #expect(report.subjects(UnjustifiedAllow.check) == ["nsg/Bare", "nsg/Blank"])
        #expect(report.finding(UnjustifiedAllow.check, "nsg/Bare")?.location?.pointer == "/rules/Bare")
    }

    @Test("a justification file entry justifies a rule until its review date; after it the rule is reported")
    func justificationFile() throws {
        let t = Self.twoSubnets([
            auditRule("Current", 100, from: "10.0.1.0/24", ports: "443"),
            auditRule("Expired", 110, from: "10.0.1.0/24", ports: "8443"),
            auditRule("DueToday", 120, from: "10.0.1.0/24", ports: "9443"),
        ])
        let file = try JustificationFile.parse(
            """
            justifications:
              - {rule: nsg/Current, why: web to db, owner: team-a, review-by: 2027-01-01}
              - {rule: NSG/expired, why: old, owner: team-b, review-by: 2026-11-20}
              - {rule: "*/DueToday", why: due, owner: team-c, review-by: 2026-11-21}
            """)
        let report = t.audit(AuditOptions(justifications: file, today: CalendarDay(year: 2026, month: 11, day: 21)))
        #expect(report.subjects(UnjustifiedAllow.check) == ["nsg/Expired"])
        let finding = report.finding(UnjustifiedAllow.check, "nsg/Expired")
        #expect(finding?.message.contains("2026-11-20") == true)
        #expect(finding?.evidence["owner"] == .string("team-b"))
    }

    @Test("a fully shadowed broad allow is reported as shadowed, not as overly broad: it lets nothing in")
    func shadowedBroadAllowIsNotOverlyBroad() {
        // 10.9.0.0/16 lies inside 10.0.0.0/8, and rule 120 allows it first on every protocol and
        // port, so rule 140 decides no flow at all (Azure: the lowest priority number that matches).
        let t = Self.twoSubnets([
            auditRule("AllFromSlash8", 120, .allow, .any, from: "10.0.0.0/8", ports: "*", description: "d"),
            auditRule("AnyFromOtherVnet", 140, .allow, .any, from: "10.9.0.0/16", ports: "*", description: "d"),
        ])
        let report = t.audit()
        #expect(report.subjects(OverlyBroadAllow.check) == ["nsg/AllFromSlash8"])
        #expect(report.subjects(ShadowedRule.check) == ["nsg/AnyFromOtherVnet"])
    }

    @Test("an overly broad message names each port with its own service: ssh (22) and 8080")
    func portsLabelledOneByOne() {
        let t = Self.twoSubnets([
            auditRule("SshAndProxy", 100, from: "Internet", ports: "22,8080", description: "d")
        ])
        let message = t.audit().finding(OverlyBroadAllow.check, "nsg/SshAndProxy")?.message ?? ""
        // Only 22 is SSH's port in the sensitive list; 8080 is no service of it.
        #expect(message.contains("to ssh (22) and 8080"), "\(message)")
        #expect(!message.contains("ssh (22 and 8080)"))
    }

    // MARK: overly-broad-allow

    @Test("broad sources to sensitive or wide ports, and any-to-any between segments, are overly broad")
    func overlyBroad() {
        let t = Self.twoSubnets([
            auditRule("SshFromAnywhere", 100, from: "0.0.0.0/0", ports: "22", description: "d"),
            auditRule("HttpsFromInternet", 110, from: "Internet", ports: "443", description: "d"),
            auditRule("AllFromSlash8", 120, .allow, .any, from: "10.0.0.0/8", ports: "*", description: "d"),
            auditRule("WideFromInternet", 130, from: "Internet", ports: "1000-9999", description: "d"),
            // Before AllFromSlash8, which would otherwise shadow it (see the next test).
            auditRule("AnyFromOtherVnet", 115, .allow, .any, from: "10.9.0.0/16", ports: "*", description: "d"),
            auditRule("AnyWithinSubnets", 150, .allow, .any, from: "10.0.1.0/24", ports: "*", description: "d"),
            auditRule("SshFromOffice", 160, from: "203.0.113.0/24", ports: "22", description: "d"),
        ])
        let report = t.audit()
        // HttpsFromInternet: a public web port is what Internet rules are for. AnyWithinSubnets: the
        // web subnet is one of the segments the NSG protects. SshFromOffice: a /24 source.
        #expect(
            report.subjects(OverlyBroadAllow.check) == [
                "nsg/AllFromSlash8", "nsg/AnyFromOtherVnet", "nsg/SshFromAnywhere", "nsg/WideFromInternet",
            ])
        #expect(report.finding(OverlyBroadAllow.check, "nsg/WideFromInternet")?.severity == .high)
        #expect(report.finding(OverlyBroadAllow.check, "nsg/SshFromAnywhere")?.severity == .medium)
        #expect(
            report.finding(OverlyBroadAllow.check, "nsg/AllFromSlash8")?.evidence["sourceAddresses"] == .int(16_777_216)
        )
    }

    // MARK: shadowed-rule

    @Test("an allow inside an earlier allow is redundant and names the covering rule")
    func redundantAllow() throws {
        let t = Self.twoSubnets([
            auditRule("SshFromVnet", 100, from: "10.0.0.0/16", ports: "22", description: "d"),
            auditRule("SshFromWeb", 110, from: "10.0.1.0/24", ports: "22", description: "d"),
            auditRule("SshFromWide", 120, .deny, from: "10.0.0.0/8", ports: "22", description: "d"),
        ])
        let report = t.audit()
        // SshFromWide is not shadowed: 10.1.0.0/16 and others are outside 10.0.0.0/16.
        #expect(report.subjects(ShadowedRule.check) == ["nsg/SshFromWeb"])
        let finding = try #require(report.finding(ShadowedRule.check, "nsg/SshFromWeb"))
        #expect(finding.severity == .low)
        #expect(finding.evidence["redundant"] == .bool(true))
        #expect(
            finding.evidence["coveredBy"]
                == .array([
                    .object(["rule": .string("SshFromVnet"), "priority": .int(100), "access": .string("allow")])
                ]))
    }

    @Test("a rule covered only by several earlier rules together is shadowed, naming all of them")
    func shadowedByUnion() throws {
        let t = Self.twoSubnets([
            auditRule("LowPorts", 100, from: "*", ports: "0-1000", description: "d"),
            auditRule("HighPorts", 110, .deny, from: "*", ports: "1001-65535", description: "d"),
            auditRule("AllTcp", 120, from: "10.0.1.0/24", ports: "*", description: "d"),
            auditRule("Dns", 130, .allow, .udp, from: "10.0.1.0/24", ports: "53", description: "d"),
        ])
        let report = t.audit()
        #expect(report.subjects(ShadowedRule.check) == ["nsg/AllTcp"])
        let finding = try #require(report.finding(ShadowedRule.check, "nsg/AllTcp"))
        #expect(finding.severity == .medium)
        let names =
            (finding.evidence["coveredBy"].flatMap { value -> [String]? in
                guard case .array(let items) = value else { return nil }
                return items.compactMap { item in
                    guard case .object(let o) = item, case .string(let n)? = o["rule"] else { return nil }
                    return n
                }
            }) ?? []
        #expect(names == ["LowPorts", "HighPorts"])
    }

    @Test("an allow after a deny of the whole VNet is shadowed when its ASGs lie inside the VNet")
    func shadowedASGRule() {
        var t = Self.twoSubnets([
            auditRule(
                "DenyVnet", 4000, .deny, .any, from: "VirtualNetwork", to: "VirtualNetwork", ports: "*",
                description: "d"),
            auditRule("SmbFromWeb", 4010, from: "asg:web", to: "asg:db", ports: "445", description: "d"),
        ])
        t.asg("web")
        t.asg("db")
        t.network.interfaces[0].ipConfigurations[0].applicationSecurityGroups = [HandBuiltTopology.id("asg", "web")]
        t.network.interfaces[1].ipConfigurations[0].applicationSecurityGroups = [HandBuiltTopology.id("asg", "db")]
        #expect(t.audit().subjects(ShadowedRule.check) == ["nsg/SmbFromWeb"])
    }

    // MARK: ineffective-rule

    @Test("a public IP as inbound destination, an unused ASG and an unattached NSG are ineffective")
    func ineffective() {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.vnet("other", "10.9.0.0/16")
        t.subnet("vnet", "web", "10.0.1.0/24", nsg: "nsg")
        t.asg("used")
        t.asg("unused")
        t.nic("web1", ip: "10.0.1.4", subnet: "vnet/web", publicIP: "20.0.0.4", asgs: ["used"])
        t.nsg(
            "nsg",
            [
                auditRule("ToPublicIp", 100, from: "Internet", to: "20.0.0.4", ports: "443", description: "d"),
                auditRule("FromUnusedAsg", 110, from: "asg:unused", to: "*", ports: "22", description: "d"),
                auditRule("ToOtherVnet", 120, from: "*", to: "10.9.1.0/24", ports: "22", description: "d"),
                auditRule("ToUsedAsg", 130, from: "Internet", to: "asg:used", ports: "443", description: "d"),
                auditRule("ToOwnSubnet", 140, from: "10.0.0.0/16", to: "10.0.1.0/24", ports: "8443", description: "d"),
                auditRule("MixedList", 150, from: "*", to: "10.0.1.4,20.0.0.4", ports: "80", description: "d"),
            ])
        t.nsg("orphan", [auditRule("Anything", 100, from: "*", ports: "80", description: "d")])
        let report = t.audit()
        #expect(
            report.subjects(IneffectiveRule.check) == [
                "nsg/FromUnusedAsg", "nsg/MixedList", "nsg/ToOtherVnet", "nsg/ToPublicIp", "orphan",
            ])
        let publicIP = report.finding(IneffectiveRule.check, "nsg/ToPublicIp")
        #expect(publicIP?.severity == .medium)
        #expect(publicIP?.message.contains("10.0.1.4") == true)
        #expect(report.finding(IneffectiveRule.check, "nsg/MixedList")?.severity == .low)
        #expect(report.finding(IneffectiveRule.check, "orphan")?.severity == .low)
    }

    // MARK: legacy-protocol-allowed

    @Test("telnet across subnets or from the internet is reported; within one subnet or behind a deny it is not")
    func legacy() throws {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "web", "10.0.1.0/24", nsg: "web-nsg")
        t.subnet("vnet", "db", "10.0.2.0/24", nsg: "db-nsg")
        t.nsg(
            "web-nsg",
            [
                auditRule("TelnetWithinWeb", 100, from: "10.0.1.0/24", ports: "23", description: "d"),
                auditRule("TftpFromInternet", 110, .allow, .udp, from: "Internet", ports: "69", description: "d"),
            ])
        t.nsg(
            "db-nsg",
            [
                auditRule("DenyTelnet", 90, .deny, from: "*", ports: "23", description: "d"),
                auditRule("TelnetFromWeb", 100, from: "10.0.1.0/24", ports: "23", description: "d"),
                auditRule("SmbFromWeb", 110, from: "10.0.1.0/24", ports: "445", description: "d"),
                auditRule("HttpsFromWeb", 120, from: "10.0.1.0/24", ports: "443", description: "d"),
            ])
        let report = t.audit()
        #expect(report.subjects(LegacyProtocolAllowed.check) == ["db-nsg/SmbFromWeb", "web-nsg/TftpFromInternet"])
        #expect(report.finding(LegacyProtocolAllowed.check, "web-nsg/TftpFromInternet")?.severity == .high)
        let smb = try #require(report.finding(LegacyProtocolAllowed.check, "db-nsg/SmbFromWeb"))
        #expect(smb.severity == .medium)
        #expect(smb.evidence["segments"] == .array([.string("vnet/web -> vnet/db")]))
    }

    @Test("rules are compared within the traffic that meets the NSG; outbound rules are checked too")
    func shadowingWithinDomain() {
        let t = Self.twoSubnets([
            // Destinations outside the NSG's subnets never meet it: this rule is ineffective, not shadowed.
            auditRule("DenyAllTcp", 100, .deny, from: "*", ports: "*", description: "d"),
            auditRule("ToOtherVnet", 110, from: "*", to: "10.9.0.0/16", ports: "22", description: "d"),
            auditRule(
                "OutDenyWeb", 100, .deny, .any, from: "*", to: "Internet", ports: "*", direction: .outbound,
                description: "d"),
            auditRule(
                "OutHttps", 110, from: "10.0.1.0/24", to: "Internet", ports: "443", direction: .outbound,
                description: "d"),
        ])
        let report = t.audit()
        #expect(report.subjects(ShadowedRule.check) == ["nsg/OutHttps"])
        #expect(report.subjects(IneffectiveRule.check) == ["nsg/ToOtherVnet"])
    }

    @Test("a justification entry that names no rule of the topology becomes a warning with its line")
    func staleJustification() throws {
        let t = Self.twoSubnets([auditRule("Https", 100, from: "10.0.1.0/24", ports: "443")])
        let file = try JustificationFile.parse(
            """
            justifications:
              - {rules: [nsg/Https, nsg/Renamed, "*/Gone"], why: w, owner: o, review-by: 2027-01-01}
            """, file: "j.yaml")
        let report = t.audit(AuditOptions(justifications: file, today: CalendarDay(year: 2026, month: 11, day: 21)))
        #expect(
            report.warnings == [
                "j.yaml: line 2: the justification for nsg/Renamed names no rule in the topology",
                "j.yaml: line 2: the justification for */Gone names no rule in the topology",
            ])
        #expect(report.subjects(UnjustifiedAllow.check).isEmpty)
    }
}
