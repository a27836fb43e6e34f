import Findings
import Foundation
import Testing

@testable import DNS

/// Each sample's verdict held against the reference verifiers on the same file: a zone fails when
/// exposure reports a finding at medium or above (an unsigned zone is medium), and that must agree with `ldns-verify-zone` (time
/// pinned with -t) and with BIND's `dnssec-verify` (which judges at the real clock, so the samples
/// whose verdict depends on the date are left to ldns-verify-zone). A test whose reference tool is
/// missing is skipped, saying which (`scripts/install-deps.sh test` installs them).
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

    static let ldns = Testing.ConditionTrait.enabled(
        if: ZoneSamples.hasTool("ldns-verify-zone"), "ldns-verify-zone (ldnsutils) is not installed")
    static let bind = Testing.ConditionTrait.enabled(
        if: ZoneSamples.dnssecVerifyCanJudgeSamples,
        "dnssec-verify (bind9-utils) is not installed, or it is 2035 or later")

    @Test("the verdict matches ldns-verify-zone -t 20261121000000", ldns, arguments: samples)
    func agreesWithLDNS(_ sample: String) throws {
        let status = try #require(
            ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", ZoneSamples.path(sample)]))
        let report = try ZoneSamples.analyse(sample)
        #expect(report.fails(.medium) == (status != 0), "exposure: \(report.verdictLines), ldns-verify-zone: \(status)")
    }

    @Test("the verdict matches dnssec-verify", bind, arguments: samples.filter(dateIndependent.contains))
    func agreesWithBIND(_ sample: String) throws {
        let status = try #require(
            ZoneSamples.referenceStatus("dnssec-verify", ["-q", "-o", "example.com", ZoneSamples.path(sample)]))
        let report = try ZoneSamples.analyse(sample)
        #expect(report.fails(.medium) == (status != 0), "exposure: \(report.verdictLines), dnssec-verify: \(status)")
    }

    /// Chain samples: dnssec-verify rejects all of them; ldns-verify-zone misses the wrong bitmap, the
    /// missing NSEC3 of an empty non-terminal and the stray NSEC3 (measured with ldnsutils 1.8.3), so only the
    /// chain breaks it does see are held against it.
    static let chainSamples = [
        "nsec-broken-chain.zone", "nsec-missing-name.zone", "nsec-wrong-bitmap.zone",
        "nsec3-missing-empty-non-terminal.zone", "ttl-above-original-ttl.zone",
    ]

    @Test("chain and TTL faults that dnssec-verify rejects are findings", bind, arguments: chainSamples)
    func chainAgreesWithBIND(_ sample: String) throws {
        let status = try #require(
            ZoneSamples.referenceStatus("dnssec-verify", ["-q", "-o", "example.com", ZoneSamples.path(sample)]))
        #expect(status != 0)
        #expect(try ZoneSamples.analyse(sample).fails(.medium))
    }

    @Test(
        "chain breaks ldns-verify-zone sees are high findings too", ldns,
        arguments: ["nsec-broken-chain.zone", "nsec-missing-name.zone"])
    func chainAgreesWithLDNS(_ sample: String) throws {
        let status = try #require(
            ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", ZoneSamples.path(sample)]))
        #expect(status != 0)
        #expect(try ZoneSamples.analyse(sample).fails(.high))
    }

    @Test(
        "hardening samples validate for both references: their findings are about practice, not breakage", ldns, bind,
        arguments: ["weak-algorithm-rsasha1-1024.zone", "nsec3-parameters-not-recommended.zone", "zonemd-valid.zone"])
    func hardeningStillValidates(_ sample: String) throws {
        let ldns = ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", ZoneSamples.path(sample)])
        let bind = ZoneSamples.referenceStatus("dnssec-verify", ["-q", "-o", "example.com", ZoneSamples.path(sample)])
        #expect(ldns == 0)
        #expect(bind == 0)
        let report = try ZoneSamples.analyse(sample)
        #expect(!report.ids().contains("dns.dnssec-bogus-signature"))
        #expect(!report.ids().contains("dns.dnssec-missing-signature"))
        #expect(!report.ids().contains("dns.dnssec-nsec-chain"))
    }

    @Test("a stale ZONEMD fails ldns-verify-zone as it fails exposure", ldns)
    func zonemdAgreesWithLDNS() throws {
        let status = try #require(
            ZoneSamples.referenceStatus(
                "ldns-verify-zone", ["-t", "20261121000000", ZoneSamples.path("zonemd-mismatch.zone")]))
        #expect(status != 0)
        #expect(try ZoneSamples.analyse("zonemd-mismatch.zone").fails(.high))
    }

    @Test(
        "signatures expiring within 7 days: ldns-verify-zone -e P7D fails the zone too, and passes it at -e P3D", ldns)
    func expiringAgreesWithLDNS() throws {
        let path = ZoneSamples.path("signature-expiring.zone")
        let within7 = try #require(
            ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", "-e", "P7D", path]))
        let within3 = try #require(
            ZoneSamples.referenceStatus("ldns-verify-zone", ["-t", "20261121000000", "-e", "P3D", path]))
        #expect(within7 != 0)
        #expect(within3 == 0)
        #expect(
            try ZoneSamples.analyse("signature-expiring.zone", expiryWarningDays: 7).ids() == [
                "dns.dnssec-signature-expiring"
            ])
        #expect(try ZoneSamples.analyse("signature-expiring.zone", expiryWarningDays: 3).findings.isEmpty)
    }
}
