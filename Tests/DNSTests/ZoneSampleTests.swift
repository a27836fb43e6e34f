import Findings
import Foundation
import Testing

@testable import DNS

/// Each sample against what Zones/make-samples.sh did to it (written down here by hand from the
/// script, not from the analyzer's output), with `--now` pinned to 2026-11-21T00:00:00Z.
@Suite("Zone samples give the findings their faults call for")
struct ZoneSampleTests {
    @Test("a healthy NSEC zone with a delegation and glue has no finding")
    func healthyNSEC() throws {
        let report = try ZoneSamples.analyse("healthy-nsec.zone")
        #expect(report.findings.isEmpty, "\(report.verdictLines)")
        #expect(report.warnings.isEmpty)
    }

    @Test("a healthy NSEC3 zone with no salt and no extra iterations has no finding")
    func healthyNSEC3() throws {
        let report = try ZoneSamples.analyse("healthy-nsec3.zone")
        #expect(report.findings.isEmpty, "\(report.verdictLines)")
    }

    @Test("an unsigned zone gets exactly dns.dnssec-unsigned")
    func unsigned() throws {
        let report = try ZoneSamples.analyse("unsigned.zone")
        #expect(report.verdictLines == ["dns.dnssec-unsigned medium example.com."])
    }

    @Test("a record changed after signing is a critical bogus signature naming owner and type")
    func bogusSignature() throws {
        let report = try ZoneSamples.analyse("bogus-signature.zone")
        #expect(report.verdictLines == ["dns.dnssec-bogus-signature critical www.example.com. A"])
    }

    @Test("a removed RRSIG is a missing signature for that RRset only")
    func missingSignature() throws {
        let report = try ZoneSamples.analyse("missing-signature.zone")
        #expect(report.verdictLines == ["dns.dnssec-missing-signature high mail.example.com. A"])
    }

    @Test("glue and the NS RRset of a delegation need no signature; its DS and NSEC do")
    func delegationsAreNotDemanded() throws {
        let report = try ZoneSamples.analyse("healthy-nsec.zone")
        #expect(!report.ids().contains("dns.dnssec-missing-signature"))
        // Removing the DS's RRSIG at the delegation must be reported.
        let text = try String(contentsOfFile: ZoneSamples.path("healthy-nsec.zone"), encoding: .utf8)
        let edited = text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !($0.hasPrefix("sub.example.com.") && $0.contains("\tRRSIG\tDS ")) }
            .joined(separator: "\n")
        let file = try ZoneSamples.temporaryZone(edited)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let options = ZoneCheckOptions(origin: "example.com", now: ZoneSamples.now)
        let report2 = try ZoneAnalyzer.analyze(file: file.path, options: options)
        #expect(report2.verdictLines == ["dns.dnssec-missing-signature high sub.example.com. DS"])
    }

    @Test("a zone signed for January 2020 has every authoritative RRset expired, all critical")
    func expired() throws {
        let report = try ZoneSamples.analyse("signature-expired.zone")
        // The signed RRsets: apex SOA NS MX DNSKEY NSEC (5), ns1 A NSEC (2), www A AAAA NSEC (3),
        // mail A NSEC (2), sub DS NSEC (2), a.b.c TXT NSEC (2), *.wild TXT NSEC (2): 18, every one expired.
        #expect(report.findings.count == 18)
        #expect(
            report.findings.allSatisfy { $0.check.id == "dns.dnssec-signature-expired" && $0.severity == .critical })
        #expect(report.findings.first?.evidence["expiration"] == "2020-02-01T00:00:00Z")
    }

    @Test("a zone signed from 2035 is not yet valid anywhere")
    func notYetValid() throws {
        let report = try ZoneSamples.analyse("signature-not-yet-valid.zone")
        #expect(report.findings.count == 18)
        #expect(report.ids() == ["dns.dnssec-signature-not-yet-valid"])
        #expect(report.findings.first?.evidence["inception"] == "2035-01-01T00:00:00Z")
    }

    @Test("signatures expiring on 2026-11-25 give one zone finding with the earliest expiry, 4 days out")
    func expiring() throws {
        let report = try ZoneSamples.analyse("signature-expiring.zone")
        #expect(report.findings.count == 1)
        let finding = try #require(report.findings.first)
        #expect(finding.check.id == "dns.dnssec-signature-expiring")
        #expect(finding.subject == "example.com.")
        #expect(finding.evidence["earliestExpiration"] == "2026-11-25T00:00:00Z")
        #expect(finding.evidence["secondsLeft"] == .int(4 * 86_400))
        #expect(finding.evidence["signaturesExpiringInWindow"] == 18)
        // With a 3-day warning window there is nothing to say.
        #expect(try ZoneSamples.analyse("signature-expiring.zone", expiryWarningDays: 3).findings.isEmpty)
    }

    @Test("under a day left the expiring finding is high, and after the expiry it turns into expired ones")
    func expiringTurnsUrgent() throws {
        // 2026-11-24T12:00:00Z: 12 hours before the 2026-11-25 expiry.
        let late = try ZoneSamples.analyse("signature-expiring.zone", now: 1_795_219_200 + 3 * 86_400 + 43_200)
        #expect(late.findings.count == 1)
        #expect(late.findings.first?.severity == .high)
        #expect(late.findings.first?.evidence["secondsLeft"] == .int(43_200))
        // 2026-11-26T00:00:00Z: a day after.
        let after = try ZoneSamples.analyse("signature-expiring.zone", now: 1_795_219_200 + 5 * 86_400)
        #expect(after.ids() == ["dns.dnssec-signature-expired"])
    }

    @Test("an expired signature beside a valid one is low: the RRset still validates")
    func expiredBesideValid() throws {
        let report = try ZoneSamples.analyse("expired-beside-valid-signature.zone")
        #expect(report.verdictLines == ["dns.dnssec-signature-expired low www.example.com. A"])
    }

    @Test("judged in 2037, past the healthy zone's expiry, every signature has expired")
    func judgedLater() throws {
        // 2037-06-01T00:00:00Z: after the 2036-01-01 expiry, before 2038.
        let report = try ZoneSamples.analyse("healthy-nsec.zone", now: 2_127_513_600)
        #expect(report.ids() == ["dns.dnssec-signature-expired"])
    }

    @Test("judged in 2100, after the 32-bit signed time libldns uses wraps, serial arithmetic still says expired")
    func judgedAfter2038() throws {
        // 2100-01-01T00:00:00Z. The 2036 expiration lies 64 years back: within 2^31 seconds, so RFC 4034
        // serial arithmetic must call it past.
        let report = try ZoneSamples.analyse("healthy-nsec.zone", now: 4_102_444_800)
        #expect(report.ids() == ["dns.dnssec-signature-expired"])
    }
}
