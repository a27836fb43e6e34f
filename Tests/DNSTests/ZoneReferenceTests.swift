import Findings
import Foundation
import Testing

@testable import DNS

/// Each sample's verdict held against the reference verifiers on the same file: a zone fails when
/// exposure reports a finding at medium or above (an unsigned zone is medium), and that must agree with `ldns-verify-zone` (time
/// pinned with -t) and with BIND's `dnssec-verify` (which judges at the real clock, so the samples
/// whose verdict depends on the date are left to ldns-verify-zone). Skipped where a tool is missing.
@Suite("Zone verdicts agree with ldns-verify-zone and dnssec-verify")
struct ZoneReferenceTests {
    static let samples = [
        "healthy-nsec.zone", "healthy-nsec3.zone", "unsigned.zone", "bogus-signature.zone", "missing-signature.zone",
        "signature-expired.zone", "signature-not-yet-valid.zone", "expired-beside-valid-signature.zone",
    ]

    /// Samples whose verdict holds at any date until 2035 (dnssec-verify has no way to pin the time).
    static let dateIndependent: Set<String> = [
        "healthy-nsec.zone", "healthy-nsec3.zone", "unsigned.zone", "bogus-signature.zone", "missing-signature.zone",
        "signature-expired.zone", "signature-not-yet-valid.zone", "expired-beside-valid-signature.zone",
    ]

    @Test("the verdict matches ldns-verify-zone -t 20261121000000", arguments: samples)
    func agreesWithLDNS(_ sample: String) throws {
        guard
            let status = ZoneSamples.referenceStatus(
                "ldns-verify-zone", ["-t", "20261121000000", ZoneSamples.path(sample)])
        else { return }
        let report = try ZoneSamples.analyse(sample)
        #expect(report.fails(.medium) == (status != 0), "exposure: \(report.verdictLines), ldns-verify-zone: \(status)")
    }

    @Test("the verdict matches dnssec-verify", arguments: samples)
    func agreesWithBIND(_ sample: String) throws {
        guard Self.dateIndependent.contains(sample), Date().timeIntervalSince1970 < 2_051_222_400,
            let status = ZoneSamples.referenceStatus(
                "dnssec-verify", ["-q", "-o", "example.com", ZoneSamples.path(sample)])
        else { return }
        let report = try ZoneSamples.analyse(sample)
        #expect(report.fails(.medium) == (status != 0), "exposure: \(report.verdictLines), dnssec-verify: \(status)")
    }

    @Test("signatures expiring within 7 days: ldns-verify-zone -e P7D fails the zone too, and passes it at -e P3D")
    func expiringAgreesWithLDNS() throws {
        let path = ZoneSamples.path("signature-expiring.zone")
        guard
            let within7 = ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", "-e", "P7D", path]),
            let within3 = ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", "-e", "P3D", path])
        else { return }
        #expect(within7 != 0)
        #expect(within3 == 0)
        #expect(
            try ZoneSamples.analyse("signature-expiring.zone", expiryWarningDays: 7).ids() == [
                "dns.dnssec-signature-expiring"
            ])
        #expect(try ZoneSamples.analyse("signature-expiring.zone", expiryWarningDays: 3).findings.isEmpty)
    }
}
