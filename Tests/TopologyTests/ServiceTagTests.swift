import Findings
import Foundation
import SeededRandom
import Testing

@testable import Topology

/// `--service-tags FILE`: Azure's published service tag file resolves the tags rules name to
/// their IPv4 prefixes (DESIGN.md examples V and W). The fixture is our own file in Azure's shape,
/// made by `Tests/TopologyTests/ServiceTags/make-service-tags.py`; its prefixes are invented, so
/// the expected answers below are worked by hand from the fixture, and the random test holds the
/// engine to the brute-force evaluator reading the same table.
@Suite("Service tags from Azure's published file")
struct ServiceTagTests {
    static let today = CalendarDay(year: 2026, month: 11, day: 21)
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("ServiceTags/ServiceTags_Sample.json")

    static func sample() throws -> ServiceTags {
        try ServiceTags.parse(try Data(contentsOf: fixture), file: "ServiceTags_Sample.json")
    }

    static func flow(_ s: String, _ d: String, _ port: Int) -> Flow {
        Flow(source: NetworkAddress(s)!, destination: NetworkAddress(d)!, protocol: .tcp, destinationPort: port)
    }

    @Test("The file's tags are read by name, case-insensitively, IPv6 prefixes kept beside IPv4 ones")
    func readsTheFile() throws {
        let tags = try Self.sample()
        #expect(tags.tagCount == 7)
        #expect(tags.changeNumber == 7)
        #expect(tags.cloud == "Public")
        // The fixture's Storage lists 40.20.0.0/17, 40.21.8.0/21 and 2001:db8:120::/48, in that order.
        #expect(
            tags.prefixes(of: "storage")?.map(\.description) == ["40.20.0.0/17", "40.21.8.0/21", "2001:db8:120::/48"])
        #expect(tags.prefixes(of: "SQL.WESTEUROPE")?.map(\.description) == ["40.30.16.0/24", "40.30.17.0/24"])
        #expect(tags.prefixes(of: "AzureCloud.WestEurope")?.count == 4)
        #expect(tags.prefixes(of: "Storage.EastUS") == nil)
        // 1 + 1 + 1 + 2 IPv6 prefixes in the fixture.
        #expect(tags.prefixes.values.reduce(0) { $0 + $1.count { !$0.isIPv4 } } == 5)
    }

    @Test("A file of the wrong shape is refused with the file and the JSON pointer of the problem")
    func badFiles() {
        func failure(_ text: String) -> String {
            do {
                _ = try ServiceTags.parse(Data(text.utf8), file: "tags.json")
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(failure("{").hasPrefix("tags.json: at /: not valid JSON"))
        #expect(failure("[]").hasPrefix("tags.json: at /: expected Azure's service tag file"))
        #expect(failure("{\"cloud\": \"Public\"}").contains("there is no `values` list"))
        #expect(failure("{\"values\": {}}").hasPrefix("tags.json: at /values: `values` must be a list"))
        #expect(failure("{\"values\": [{\"properties\": {}}]}").hasPrefix("tags.json: at /values/0/name:"))
        #expect(failure("{\"values\": [{\"name\": \"Sql\"}]}").hasPrefix("tags.json: at /values/0/properties:"))
        #expect(
            failure("{\"values\": [{\"name\": \"Sql\", \"properties\": {\"addressPrefixes\": \"1.2.3.0/24\"}}]}")
                .hasPrefix("tags.json: at /values/0/properties/addressPrefixes: service tag 'Sql' needs"))
        #expect(
            failure(
                "{\"values\": [{\"name\": \"A\", \"properties\": {\"addressPrefixes\": []}}, {\"name\": \"Sql\", \"properties\": {\"addressPrefixes\": [\"1.2.3.0/24\", \"1.2.3.300/24\"]}}]}"
            )
                == "tags.json: at /values/1/properties/addressPrefixes/1: '1.2.3.300/24' in service tag 'Sql' is not an IPv4 or IPv6 prefix"
        )
        #expect(failure("{\"resources\": []}").hasPrefix("tags.json: at /resources: this is an ARM template"))
    }

    /// One VNet 10.0.0.0/16, subnet s behind `nsg`, web 10.0.1.4 with public IP 20.0.0.4.
    static func oneSubnet(_ rules: [SecurityRule], tags: ServiceTags?) -> HandBuiltTopology {
        var t = EngineDecisionsTests.oneSubnet(rules)
        t.network.serviceTags = tags
        return t
    }

    @Test("V: Allow Storage without the file decides no known address; with it, Storage's addresses are let in")
    func allowStorage() throws {
        let rules = [auditRule("AllowStorage", 100, from: "Storage", ports: "443", description: "d")]
        let without = ReachabilityEngine(network: Self.oneSubnet(rules, tags: nil).network)
        let denied = without.verify(Self.flow("40.20.1.2", "20.0.0.4", 443))
        #expect(denied.verdict == .denied)
        #expect(EngineDecisionsTests.names(denied) == ["nsg/DenyAllInBound"])
        #expect(without.warnings.count == 1)
        #expect(without.warnings[0].contains("service tag 'Storage'"))
        #expect(without.warnings[0].contains("--service-tags FILE"))

        let with = ReachabilityEngine(network: Self.oneSubnet(rules, tags: try Self.sample()).network)
        #expect(with.warnings.isEmpty)
        let allowed = with.verify(Self.flow("40.20.1.2", "20.0.0.4", 443))
        #expect(allowed.verdict == .allowed)
        #expect(EngineDecisionsTests.names(allowed) == ["nsg/AllowStorage"])
        #expect(with.verify(Self.flow("40.21.15.255", "20.0.0.4", 443)).verdict == .allowed)
        // 40.20.128.0 is AzureCloud but not Storage (Storage ends at 40.20.127.255).
        #expect(with.verify(Self.flow("40.20.128.0", "20.0.0.4", 443)).verdict == .denied)
        #expect(with.verify(Self.flow("40.20.1.2", "20.0.0.4", 22)).verdict == .denied)
        // Storage's addresses are public: the audit sees an internet exposure on 443 only from them.
        let report = Self.oneSubnet(rules, tags: try Self.sample()).audit(AuditOptions(today: Self.today))
        #expect(!report.warnings.contains { $0.contains("service tag") })
    }

    @Test("W: a shadowing that appears only once Storage.WestEurope's prefixes are known")
    func shadowingWithRealPrefixes() throws {
        let rules = [
            auditRule("Deny40-20", 100, .deny, from: "40.20.0.0/16", ports: "443", description: "d"),
            auditRule("AllowStorageWestEurope", 110, from: "Storage.WestEurope", ports: "443", description: "d"),
        ]
        let without = Self.oneSubnet(rules, tags: nil).audit(AuditOptions(today: Self.today))
        #expect(without.subjects(ShadowedRule.check).isEmpty)
        let with = Self.oneSubnet(rules, tags: try Self.sample()).audit(AuditOptions(today: Self.today))
        #expect(with.subjects(ShadowedRule.check) == ["nsg/AllowStorageWestEurope"])
        // Sql.WestEurope (40.30.16.0/23) is not inside 40.20.0.0/16: not shadowed with the file either.
        let sql = [
            auditRule("Deny40-20", 100, .deny, from: "40.20.0.0/16", ports: "443", description: "d"),
            auditRule("AllowSqlWestEurope", 110, from: "sql.westeurope", ports: "443", description: "d"),
        ]
        #expect(
            Self.oneSubnet(sql, tags: try Self.sample()).audit(AuditOptions(today: Self.today)).subjects(
                ShadowedRule.check
            ).isEmpty)
    }

    @Test("A tag the file does not list keeps the conservative token, with a warning naming the tag and the file")
    func tagMissingFromTheFile() throws {
        let rules = [
            auditRule("DenyInternet", 100, .deny, from: "Internet", ports: "443", description: "d"),
            auditRule("AllowEventHub", 110, from: "EventHub", ports: "443", description: "d"),
        ]
        let t = Self.oneSubnet(rules, tags: try Self.sample())
        let engine = ReachabilityEngine(network: t.network)
        #expect(
            engine.warnings == [
                "service tag 'EventHub' is not in the service tag file ServiceTags_Sample.json; rules using it decide no flow from or to a known address, and only rules covering all of Internet take its place"
            ])
        // The token lies inside Internet, as in example I.
        #expect(t.audit(AuditOptions(today: Self.today)).subjects(ShadowedRule.check) == ["nsg/AllowEventHub"])
    }

    @Test("Random rule sets naming service tags: every engine verdict agrees with the brute-force evaluator")
    func agreesWithBruteForce() throws {
        let tags = try Self.sample()
        let names = [
            "Storage", "storage.westeurope", "Sql", "SQL.WestEurope", "AzureCloud.westeurope", "AzureMonitor",
            "EventHub",
        ]
        var rng = SeededGenerator(state: 1213)
        func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        // Addresses in and around the tags' ranges, and outside them.
        let probes = [
            "40.20.0.1", "40.20.64.9", "40.20.79.255", "40.20.80.0", "40.20.127.255", "40.20.128.1", "40.21.8.0",
            "40.21.16.0", "40.30.16.200", "40.30.17.1", "40.30.18.0", "40.30.63.255", "40.30.64.0", "40.41.7.7",
            "40.42.1.77", "40.42.2.20", "40.42.2.40", "198.51.100.7", "10.0.1.4", "10.0.2.4",
        ]
        for round in 0..<40 {
            var rules: [SecurityRule] = []
            for r in 0..<6 {
                let inbound = pick(3) != 0
                let tag = names[pick(names.count)]
                let other = ["*", "40.20.0.0/16", "40.30.16.0/24", "Internet", "VirtualNetwork"][pick(5)]
                let (from, to) = inbound ? (pick(4) == 0 ? other : tag, "*") : ("*", pick(4) == 0 ? other : tag)
                rules.append(
                    auditRule(
                        "r\(r)", 100 + 10 * r, pick(3) == 0 ? .deny : .allow, pick(2) == 0 ? .tcp : .any, from: from,
                        to: to, ports: ["443", "*", "22,443"][pick(3)], direction: inbound ? .inbound : .outbound,
                        description: "d"))
            }
            var t = Self.oneSubnet(rules, tags: tags)
            t.subnet("vnet", "t", "10.0.2.0/24")
            t.nic("app", ip: "10.0.2.4", subnet: "vnet/t")
            let engine = ReachabilityEngine(network: t.network)
            let brute = BruteForceEvaluator(network: t.network)
            for probe in probes {
                for destination in ["20.0.0.4", "10.0.1.4", "40.20.64.9", "40.30.17.1", "40.42.2.20"] {
                    for port in [22, 443] {
                        let f = Self.flow(probe, destination, port)
                        // Hairpin flows (inside to the topology's own public IP) are left out, as in
                        // the other random tests.
                        if f.source == f.destination || (probe.hasPrefix("10.") && destination == "20.0.0.4") {
                            continue
                        }
                        let (expected, decidedBy) = brute.verify(f)
                        let verdict = engine.verify(f)
                        #expect(verdict.verdict == expected, "round \(round): \(f)")
                        #expect(EngineDecisionsTests.names(verdict) == decidedBy, "round \(round): \(f)")
                    }
                }
            }
        }
    }
}
