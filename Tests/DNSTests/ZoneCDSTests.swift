import Findings
import Foundation
import Testing

@testable import DNS

/// `dns.dnssec-cds-mismatch` on the samples Zones/make-cds-samples.sh makes, with what the script did
/// to each written down by hand, and on edits of them for the cases the samples do not show. Neither
/// reference verifier checks CDS (both pass all three samples), so the expectations come from RFC 7344
/// and RFC 8078 and from the keys printed in each sample.
@Suite("CDS and CDNSKEY must name the zone's keys")
struct ZoneCDSTests {
    @Test("CDS and CDNSKEY naming the KSK give no finding")
    func matchingKSK() throws {
        let report = try ZoneSamples.analyse("cds-matching-ksk.zone")
        #expect(report.findings.isEmpty, "\(report.verdictLines)")
    }

    @Test("a CDS naming key 56591, absent from the DNSKEY RRset (16132, 8949), is one high finding")
    func cdsNamingNoKey() throws {
        let report = try ZoneSamples.analyse("cds-naming-no-key.zone")
        #expect(report.verdictLines == ["dns.dnssec-cds-mismatch high example.com. CDS"])
        let finding = try #require(report.findings.first)
        #expect(finding.evidence["problem"] == "no-matching-key")
        #expect(finding.evidence["records"] == .strings(["CDS 56591 13 2"]))
        #expect(finding.evidence["dnskeyTags"] == .array([.int(16132), .int(8949)]))
    }

    @Test("the RFC 8078 delete request alone is sound")
    func deleteAlone() throws {
        let report = try ZoneSamples.analyse("cds-delete.zone")
        #expect(report.findings.isEmpty, "\(report.verdictLines)")
    }

    @Test("a delete request beside a real CDS is a finding for that RRset")
    func deleteMixed() throws {
        let report = try analyseEdited("cds-matching-ksk.zone", adding: "example.com.\t3600\tIN\tCDS\t0 0 0 00")
        #expect(report.verdictLines.contains("dns.dnssec-cds-mismatch high example.com. CDS"))
        #expect(report.findings.first?.evidence["problem"] == "delete-mixed")
    }

    @Test("a CDNSKEY that is not in the DNSKEY RRset is a finding for the CDNSKEY RRset")
    func cdnskeyNotInZone() throws {
        // The ZSK of cds-naming-no-key with the first byte of its public key changed: not a key of the zone.
        let zsk = "256 3 13 QvmcRkd9bwem9CpWhoeGHyH0u0Dyc1gHII4ZmFR6tfTah4zXp0k7qSOIL+9/lD6tqQt/WwxQM1dkCoSDCQoECA=="
        let report = try analyseEdited("cds-naming-no-key.zone", adding: "example.com.\t3600\tIN\tCDNSKEY\t\(zsk)")
        #expect(
            report.findings.contains { $0.evidence["type"] == "CDNSKEY" && $0.evidence["problem"] == "no-matching-key" }
        )
    }

    @Test("CDS and CDNSKEY each naming a key of the zone, but different keys, disagree")
    func disagree() throws {
        // cds-matching-ksk with a CDNSKEY added for its ZSK: the CDNSKEY RRset then names the ZSK and the
        // KSK, the CDS RRset the KSK alone.
        let text = try String(contentsOfFile: ZoneSamples.path("cds-matching-ksk.zone"), encoding: .utf8)
        let zskLine = try #require(
            text.split(separator: "\n").first { $0.contains("\tDNSKEY\t256 3 13 ") })
        let zskKey = try #require(zskLine.split(separator: "\t").last?.split(separator: ";").first)
        let report = try analyseEdited(
            "cds-matching-ksk.zone",
            adding: "example.com.\t3600\tIN\tCDNSKEY\t\(zskKey.trimmingCharacters(in: .whitespaces))")
        #expect(report.verdictLines == ["dns.dnssec-cds-mismatch high example.com. CDS"])
        #expect(report.findings.first?.evidence["problem"] == "cds-cdnskey-disagree")
    }

    /// The sample with one record added (its signatures are not checked by this check).
    private func analyseEdited(_ sample: String, adding record: String) throws -> Report {
        let text = try String(contentsOfFile: ZoneSamples.path(sample), encoding: .utf8)
        let file = try ZoneSamples.temporaryZone(text + record + "\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let report = try ZoneAnalyzer.analyze(
            file: file.path, options: ZoneCheckOptions(origin: "example.com", now: ZoneSamples.now))
        return Report(findings: report.findings.filter { $0.check.id == "dns.dnssec-cds-mismatch" }, warnings: [])
    }
}
