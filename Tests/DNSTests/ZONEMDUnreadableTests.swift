import Findings
import Foundation
import Testing

@testable import DNS

/// A regression input the `zone` fuzz target found (Fuzz/regressions/zone/): a zone with a ZONEMD that
/// Exposure's reader accepts and libldns' stream reader does not (`ldns-read-zone`, the reference,
/// refuses it too). The ZONEMD was reported as a high "does not verify: Syntax error"; it cannot be
/// checked at all, which is an info finding that says so.
@Suite("A ZONEMD libldns cannot read back is reported as unchecked, not as a mismatch")
struct ZONEMDUnreadableTests {
    static let file = ZoneSamples.packageRoot.appendingPathComponent(
        "Fuzz/regressions/zone/zonemd-zone-libldns-cannot-reread.zone")

    @Test("ldns-read-zone refuses the file, and the finding is info, saying it could not be checked")
    func unreadableZONEMDIsInfo() throws {
        let reference = Process()
        reference.executableURL = URL(fileURLWithPath: "/usr/bin/ldns-read-zone")
        reference.arguments = [Self.file.path]
        reference.standardOutput = FileHandle.nullDevice
        reference.standardError = FileHandle.nullDevice
        try reference.run()
        reference.waitUntilExit()
        #expect(reference.terminationStatus != 0, "ldns-read-zone reads the file: the input no longer shows the case")

        let report = try ZoneAnalyzer.analyze(
            file: Self.file.path, options: ZoneCheckOptions(origin: "example.com", now: ZoneSamples.now))
        let zonemd = report.findings.filter { $0.check.id == "dns.zonemd-mismatch" }
        #expect(zonemd.count == 1)
        #expect(zonemd.first?.severity == .info)
        #expect(zonemd.first?.message.contains("could not be checked") == true)
    }
}
