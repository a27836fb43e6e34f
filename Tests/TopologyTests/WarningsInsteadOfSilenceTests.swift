import Findings
import Testing

@testable import Topology

/// A question whose target names nothing must say so: a typo in a tag would otherwise look like a
/// clean answer ("No paths.", no lateral-movement finding).
@Suite("Targets that name nothing give warnings, not silence")
struct WarningsInsteadOfSilenceTests {
    /// web (public IP, SSH open to the internet) and db (tier=crown-jewel) in one VNet, no NSG
    /// beyond the subnet's: internet → web → db is a two-hop path (Azure's default rules let the
    /// VNet in).
    static func twoHosts() -> HandBuiltTopology {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "s", "10.0.1.0/24", nsg: "nsg")
        t.nsg("nsg", [auditRule("SshFromInternet", 100, from: "Internet", to: "10.0.1.4", ports: "22")])
        t.nic("web", ip: "10.0.1.4", subnet: "vnet/s", publicIP: "20.0.0.4")
        t.nic("db", ip: "10.0.1.5", subnet: "vnet/s", tags: ["tier": "crown-jewel"])
        return t
    }

    @Test("--crown-jewels naming a tag no host carries warns, and the check still runs for the others")
    func crownJewelTypoWarns() {
        let t = Self.twoHosts()
        var options = AuditOptions(today: CalendarDay(year: 2026, month: 11, day: 21))
        options.crownJewelTags = [("tier", "crownjewel"), ("tier", "crown-jewel")]
        let report = t.audit(options)
        #expect(report.warnings.contains { $0.contains("--crown-jewels tier=crownjewel matches no network interface") })
        #expect(!report.warnings.contains { $0.contains("tier=crown-jewel matches") })
        #expect(report.subjects(LateralMovementPath.check) == ["db"])
    }

    @Test("the default crown-jewel tag matching nothing stays quiet: most topologies have none")
    func defaultTagQuiet() {
        var t = HandBuiltTopology()
        t.vnet("vnet", "10.0.0.0/16")
        t.subnet("vnet", "s", "10.0.1.0/24")
        t.nic("web", ip: "10.0.1.4", subnet: "vnet/s")
        #expect(t.audit().warnings.isEmpty)
    }

    @Test("paths to a tag no host carries warns in the report and in its text and JSON")
    func pathsToNothingWarns() throws {
        let engine = ReachabilityEngine(network: Self.twoHosts().network)
        let report = try engine.paths(from: .internet, to: .tag(key: "no", value: "match"))
        #expect(report.paths.isEmpty)
        #expect(
            report.warnings == ["no network interface or VM carries the tag no=match, so there is nothing to reach"])
        #expect(report.text.contains("Warning: no network interface or VM carries the tag no=match"))
        guard case .object(let json) = report.json else {
            Issue.record("paths JSON is not an object")
            return
        }
        #expect(json["warnings"] == .strings(report.warnings))
        // A target that exists gives no warning and no `warnings` key.
        let found = try engine.paths(from: .internet, to: .crownJewels)
        #expect(found.paths.map(\.target) == ["db"])
        #expect(found.warnings.isEmpty)
        guard case .object(let clean) = found.json else { return }
        #expect(clean["warnings"] == nil)
    }

    @Test("a NIC the input gives no private address is named as such by paths, not called missing")
    func nicWithoutAddress() throws {
        var t = Self.twoHosts()
        t.network.interfaces.append(
            NetworkInterface(
                id: HandBuiltTopology.id("nic", "dynamic"), name: "dynamic",
                ipConfigurations: [IPConfiguration(name: "c", privateAddress: nil, subnet: nil)]))
        let engine = ReachabilityEngine(network: t.network)
        do {
            _ = try engine.paths(from: .internet, to: .resource("dynamic"))
            Issue.record("paths to a NIC without an address succeeded")
        } catch let error as InputError {
            #expect(error.reason.contains("'dynamic' has no private address in the topology"), "\(error)")
        }
    }
}

@Suite("The catalogue runs what it lists")
struct CatalogueTests {
    @Test("every listed check runs by default, and a selection runs only the checks it names")
    func catalogueRunsItsChecks() {
        #expect(TopologyCatalogue.checks.map(\.id) == TopologyCatalogue.all.map(\.check.id))
        #expect(Set(TopologyCatalogue.checks.map(\.id)).count == 13)
        let t = WarningsInsteadOfSilenceTests.twoHosts()
        let topology = LoadedTopology(network: t.network, warnings: [])
        let options = AuditOptions(today: CalendarDay(year: 2026, month: 11, day: 21))
        let all = TopologyAnalyzer.analyze(topology, options: options)
        // web has SSH open to the internet (critical), db is a crown jewel two hops away.
        #expect(
            Set(all.findings.map(\.check.id)).isSuperset(of: [
                InternetExposedPort.check.id, LateralMovementPath.check.id,
            ]))
        let only = TopologyAnalyzer.analyze(topology, options: options, checks: [LateralMovementPath.check.id])
        #expect(only.findings.map(\.check.id) == [LateralMovementPath.check.id])
        #expect(only.findings.map(\.subject) == ["db"])
    }
}
