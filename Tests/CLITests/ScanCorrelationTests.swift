import Foundation
import Testing

/// `exposure scan` correlates a capture with the topology of the same name. The expected findings are
/// the six worked out by hand for the sample pair in docs/correlation.md (what `exposure correlate`
/// reports for it); a capture of another name is not held against the topology.
@Suite("scan holds captures against the topology of the same name")
struct ScanCorrelationTests {
    static let pair = ["Topologies/correlation-every-check.json", "Captures/correlation-every-check.pcap"]

    func scanFolder(naming names: [String]) throws -> [String: Any] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "exposure-scan-pair-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for (source, name) in zip(Self.pair, names) {
            try FileManager.default.copyItem(
                at: ExposureBinary.packageRoot.appendingPathComponent(source), to: dir.appendingPathComponent(name))
        }
        let run = try ExposureBinary.run(["scan", "--format", "json", "--now", "2026-11-21T00:00:00Z"], in: dir)
        #expect(run.status == 1, "\(run.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
    }

    static func correlationChecks(_ report: [String: Any]) -> [String] {
        ((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["check"] as? String }
            .filter { $0.hasPrefix("correlation.") }.sorted()
    }

    @Test("a topology and a capture named alike give the correlation findings of the pair")
    func pairedByName() throws {
        let correlate = try ExposureBinary.run(
            ["correlate", "--topology", Self.pair[0], "--capture", Self.pair[1], "--format", "json"])
        let expected = try #require(
            try JSONSerialization.jsonObject(with: Data(correlate.stdout.utf8)) as? [String: Any])
        let report = try scanFolder(naming: ["estate.json", "estate.pcap"])
        #expect(!Self.correlationChecks(report).isEmpty)
        #expect(Self.correlationChecks(report) == Self.correlationChecks(expected))
    }

    @Test("a capture with another name is not held against the topology")
    func otherNamesAreNotPaired() throws {
        let report = try scanFolder(naming: ["estate.json", "branch-office.pcap"])
        #expect(Self.correlationChecks(report).isEmpty)
    }
}
