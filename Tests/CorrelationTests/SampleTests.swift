import Findings
import Foundation
import Testing

@testable import Correlation

/// The sample pair made by `Topologies/make-correlation-sample.py`, held against the findings worked
/// out by hand in docs/correlation.md.
@Suite("The hand-worked correlation sample")
struct SampleTests {
    static let topology = "Topologies/correlation-every-check.json"
    static let capture = "Captures/correlation-every-check.pcap"

    static func report(minimumSpan: Double = 3600) throws -> Report {
        try TrafficCorrelation.correlate(
            topologyFiles: [packageRoot + "/" + topology], captureFiles: [packageRoot + "/" + capture],
            options: CorrelationOptions(minimumSpanSeconds: minimumSpan))
    }

    static func strings(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { if case .string(let s) = $0 { s } else { nil } }
    }

    static func rules(_ value: JSONValue?) -> [String] {
        guard case .array(let items)? = value else { return [] }
        return items.compactMap { item in
            guard case .object(let o) = item, case .string(let nsg)? = o["nsg"], case .string(let rule)? = o["rule"]
            else { return nil }
            return "\(nsg)/\(rule)"
        }
    }

    @Test("each check reports exactly the subjects worked out by hand (docs/correlation.md)")
    func handWorkedFindings() throws {
        let report = try Self.report()
        let got = report.findings.map { "\($0.severity.rawValue) \($0.check.id) \($0.subject)" }
        #expect(
            got == [
                "critical correlation.internet-management-observed web01-nic:22",
                "high correlation.denied-flow-observed 10.10.1.4 -> 10.10.3.4 tcp/1433",
                "medium correlation.allow-broader-than-traffic app-nsg/AllowHttpFromWeb",
                "medium correlation.allow-broader-than-traffic web-nsg/AllowSshFromInternet",
                "medium correlation.unknown-host-observed 10.10.2.9",
                "low correlation.unused-allow web-nsg/AllowFtpFromAnywhere",
            ])
        #expect(
            report.warnings == [
                "5 of the 10 addresses in the captures lie in no VNet address space and match no public IP of the "
                    + "topology; they are treated as internet addresses",
                "1 IPv6 flow opening was not correlated: the topology model is IPv4",
            ])
    }

    @Test("the evidence carries the hand-worked clients, rules, packets and span")
    func handWorkedEvidence() throws {
        let report = try Self.report()
        func finding(_ check: String, _ subject: String) throws -> Finding {
            try #require(report.findings.first { $0.check.id == check && $0.subject == subject })
        }
        let ssh = try finding("correlation.internet-management-observed", "web01-nic:22")
        #expect(Self.strings(ssh.evidence["clients"]) == ["198.51.100.23", "198.51.100.24"])
        #expect(Self.rules(ssh.evidence["decidedBy"]) == ["web-nsg/AllowSshFromInternet"])
        #expect(ssh.evidence["port"] == .int(22))

        let denied = try finding("correlation.denied-flow-observed", "10.10.1.4 -> 10.10.3.4 tcp/1433")
        #expect(Self.rules(denied.evidence["decidedBy"]) == ["web-nsg/AllowVnetOutBound", "data-nsg/DenyWebToData"])
        #expect(denied.evidence["packets"] == .int(5))

        let sshBroad = try finding("correlation.allow-broader-than-traffic", "web-nsg/AllowSshFromInternet")
        guard case .object(let suggested)? = sshBroad.evidence["suggested"] else {
            Issue.record("no suggested rule")
            return
        }
        #expect(Self.strings(suggested["sourceAddressPrefixes"]) == ["198.51.100.23", "198.51.100.24"])
        #expect(Self.strings(suggested["destinationPortRanges"]) == ["22"])

        let portsBroad = try finding("correlation.allow-broader-than-traffic", "app-nsg/AllowHttpFromWeb")
        guard case .object(let narrower)? = portsBroad.evidence["suggested"] else {
            Issue.record("no suggested rule")
            return
        }
        #expect(narrower["sourceAddressPrefix"] == .string("10.10.1.4"))
        #expect(Self.strings(narrower["destinationPortRanges"]) == ["8080"])

        let unknown = try finding("correlation.unknown-host-observed", "10.10.2.9")
        #expect(unknown.evidence["subnet"] == .string("estate-vnet/app-subnet"))
        #expect(unknown.evidence["packets"] == .int(5))

        let unused = try finding("correlation.unused-allow", "web-nsg/AllowFtpFromAnywhere")
        #expect(unused.evidence["captureStart"] == .string("2026-11-30T09:00:00Z"))
        #expect(unused.evidence["captureEnd"] == .string("2026-11-30T10:30:00Z"))
    }

    /// `Expected/correlation-every-check.json` was written once by `exposure correlate … --format json`
    /// and checked line by line against docs/correlation.md before it was committed.
    @Test("the JSON report is the committed one")
    func matchesExpectedJSON() throws {
        let expected = try String(
            contentsOfFile: packageRoot + "/Tests/CorrelationTests/Expected/correlation-every-check.json",
            encoding: .utf8)
        let got = JSONRenderer().render(try Self.report()).replacingOccurrences(of: packageRoot + "/", with: "")
        #expect(got == expected)
    }

    @Test("a capture shorter than --min-span gives no unused-allow and says how long it spans")
    func minimumSpan() throws {
        let report = try Self.report(minimumSpan: 7200)
        #expect(!report.findings.contains { $0.check.id == "correlation.unused-allow" })
        #expect(report.findings.count == 5)
        #expect(
            report.warnings.contains(
                "the captures span 90 min (2026-11-30T09:00:00Z to 2026-11-30T10:30:00Z), less than the 2 h that "
                    + "--min-span asks for: no rule is reported as unused"), "\(report.warnings)")
    }

    /// Worked by hand: app-nsg has no custom outbound rule (AllowVnetOutBound); at data-nsg inbound,
    /// AllowSqlFromApp is for 1433 and DenyWebToData for 10.10.1.0/24, so AllowVnetInBound decides.
    @Test("--capture-findings adds the capture audit's Telnet finding, naming the rules that allow it")
    func captureFindingsNameTheirRules() throws {
        let report = try TrafficCorrelation.correlate(
            topologyFiles: [packageRoot + "/" + Self.topology], captureFiles: [packageRoot + "/" + Self.capture],
            options: CorrelationOptions(captureFindings: true))
        #expect(report.findings.count == 7)
        let telnet = try #require(report.findings.first { $0.check.id == "capture.legacy-protocol" })
        #expect(telnet.subject == "10.10.3.4:23")
        #expect(Self.rules(telnet.evidence["allowedBy"]) == ["app-nsg/AllowVnetOutBound", "data-nsg/AllowVnetInBound"])
    }
}
