import Foundation
import Testing

@Suite("exposure correlate, end to end")
struct CorrelateCLITests {
    static let sample = [
        "correlate", "--topology", "Topologies/correlation-every-check.json", "--capture",
        "Captures/correlation-every-check.pcap",
    ]

    @Test("the sample pair gives the six hand-worked findings (docs/correlation.md) and exit status 1")
    func samplePair() throws {
        let run = try ExposureBinary.run(Self.sample + ["--format", "json"])
        #expect(run.status == 1, "\(run.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(
            findings.compactMap { $0["check"] as? String } == [
                "correlation.internet-management-observed", "correlation.denied-flow-observed",
                "correlation.allow-broader-than-traffic", "correlation.allow-broader-than-traffic",
                "correlation.unknown-host-observed", "correlation.unused-allow",
            ])
    }

    @Test("--fail-on critical still fails on the SSH session from the internet; --fail-on never does not")
    func failOn() throws {
        #expect(try ExposureBinary.run(Self.sample + ["--fail-on", "critical"]).status == 1)
        #expect(try ExposureBinary.run(Self.sample + ["--fail-on", "never"]).status == 0)
    }

    @Test("--min-span longer than the capture drops unused-allow with a warning")
    func minSpan() throws {
        let run = try ExposureBinary.run(Self.sample + ["--min-span", "86400", "--format", "json"])
        #expect(run.status == 1)
        #expect(!run.stdout.contains("correlation.unused-allow"))
        #expect(run.stdout.contains("less than the 24 h that --min-span asks for"))
    }

    @Test("a missing capture exits 2 naming it; a missing --capture is a usage error")
    func badInput() throws {
        let missing = try ExposureBinary.run([
            "correlate", "--topology", "Topologies/correlation-every-check.json", "--capture", "no/such.pcap",
        ])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("no/such.pcap"), "\(missing.stderr)")
        let usage = try ExposureBinary.run(["correlate", "--topology", "Topologies/correlation-every-check.json"])
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--capture"), "\(usage.stderr)")
    }

    @Test("exposure checks lists the five correlation checks")
    func catalogue() throws {
        let run = try ExposureBinary.run(["checks"])
        for id in [
            "correlation.unused-allow", "correlation.allow-broader-than-traffic", "correlation.denied-flow-observed",
            "correlation.internet-management-observed", "correlation.unknown-host-observed",
        ] {
            #expect(run.stdout.contains(id), "\(id) missing")
        }
    }
}
