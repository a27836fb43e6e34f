import Findings
import Foundation
import Testing

@testable import DNS

/// NSEC/NSEC3 chains, algorithms, NSEC3 parameters, trust anchors and ZONEMD on the samples, each
/// expectation written from what Zones/make-samples.sh did to the zone.
@Suite("Zone chain and hardening checks")
struct ZoneHardeningTests {
    @Test("an NSEC pointing past its successor is a wrong next name at that owner")
    func brokenChain() throws {
        let report = try ZoneSamples.analyse("nsec-broken-chain.zone")
        #expect(report.verdictLines == ["dns.dnssec-nsec-chain high mail.example.com."])
        #expect(report.findings.first?.evidence["expectedNext"] == "ns1.example.com.")
        #expect(report.findings.first?.evidence["next"] == "zz.example.com.")
    }

    @Test("a name without NSEC is reported, and so is the NSEC that skips it")
    func missingName() throws {
        let report = try ZoneSamples.analyse("nsec-missing-name.zone")
        #expect(
            report.verdictLines == [
                "dns.dnssec-nsec-chain high a.b.c.example.com.", "dns.dnssec-nsec-chain high mail.example.com.",
            ])
        #expect(report.findings.map { $0.evidence["problem"] } == ["wrong-next-name", "missing-nsec"])
    }

    @Test("an NSEC bitmap without AAAA at a name with AAAA names the missing type")
    func wrongBitmap() throws {
        let report = try ZoneSamples.analyse("nsec-wrong-bitmap.zone")
        #expect(report.verdictLines == ["dns.dnssec-nsec-chain high www.example.com."])
        #expect(report.findings.first?.evidence["missingTypes"] == ["AAAA"])
    }

    @Test("a missing NSEC3 for the empty non-terminal c.example.com is found by its hash")
    func missingEmptyNonTerminal() throws {
        let report = try ZoneSamples.analyse("nsec3-missing-empty-non-terminal.zone")
        #expect(report.verdictLines == ["dns.dnssec-nsec-chain high c.example.com."])
        let finding = try #require(report.findings.first)
        #expect(finding.evidence["emptyNonTerminal"] == true)
        // ldns-nsec3-hash -t 0 c.example.com
        #expect(finding.evidence["hashedOwner"] == "2nqbqdqmsob682ohn00u8865dupdr40n.example.com.")
    }

    @Test("a stray NSEC3 with other parameters is a mixed-parameter chain")
    func mixedParameters() throws {
        let report = try ZoneSamples.analyse("nsec3-mixed-parameters.zone")
        #expect(report.verdictLines == ["dns.dnssec-nsec-chain high example.com."])
        #expect(report.findings.first?.evidence["parameters"] == ["1 0 -", "1 5 ab"])
    }

    @Test("10 iterations, a salt and needless opt-out are three RFC 9276 findings, and nothing else")
    func nsec3Parameters() throws {
        let report = try ZoneSamples.analyse("nsec3-parameters-not-recommended.zone")
        #expect(
            Set(report.findings.map { $0.evidence["problem"] }) == ["iterations", "salt", "opt-out"])
        #expect(report.ids() == ["dns.dnssec-nsec3-parameters"])
        let iterations = try #require(report.findings.first { $0.evidence["problem"] == "iterations" })
        #expect(iterations.severity == .medium)
        #expect(iterations.evidence["iterations"] == 10)
        #expect(iterations.evidence["salt"] == "aabbccdd")
    }

    @Test("RSASHA1 keys of 1024 bits and a SHA-1 DS are weak; the zone otherwise validates")
    func weakAlgorithms() throws {
        let report = try ZoneSamples.analyse("weak-algorithm-rsasha1-1024.zone")
        #expect(report.ids() == ["dns.dnssec-weak-algorithm"])
        // Two keys × (algorithm, size) + the SHA-1 DS of sub.
        #expect(report.findings.count == 5)
        #expect(report.findings.filter { $0.evidence["bits"] == 1024 }.count == 2)
        #expect(report.findings.contains { $0.subject == "sub.example.com." && $0.evidence["digestType"] == "SHA-1" })
    }

    @Test("the healthy zone's KSK matches trust-anchor-ksk.ds; another key's DS is a critical mismatch")
    func trustAnchor() throws {
        #expect(try ZoneSamples.analyse("healthy-nsec.zone", trustAnchor: "trust-anchor-ksk.ds").findings.isEmpty)
        #expect(try ZoneSamples.analyse("healthy-nsec3.zone", trustAnchor: "trust-anchor-ksk.ds").findings.isEmpty)
        let other = try ZoneSamples.analyse("healthy-nsec.zone", trustAnchor: "trust-anchor-other-key.ds")
        #expect(other.verdictLines == ["dns.dnssec-trust-anchor-mismatch critical example.com."])
    }

    @Test("a DNSKEY trust anchor matches by key data")
    func dnskeyAnchor() throws {
        let zone = try String(contentsOfFile: ZoneSamples.path("healthy-nsec.zone"), encoding: .utf8)
        let ksk = try #require(
            zone.split(separator: "\n").first { $0.contains("\tDNSKEY\t257 ") }.map {
                String($0.split(separator: ";")[0])
            })
        let file = try ZoneSamples.temporaryZone(ksk + "\n", name: "anchor.key")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let report = try ZoneAnalyzer.analyze(
            file: ZoneSamples.path("healthy-nsec.zone"),
            options: ZoneCheckOptions(origin: "example.com", trustAnchorFile: file.path, now: ZoneSamples.now))
        #expect(report.findings.isEmpty)
    }

    @Test("a KSK that matches the anchor but does not sign the DNSKEY RRset breaks the chain of trust")
    func anchorKeyDoesNotSign() throws {
        let report = try ZoneSamples.analyse("dnskey-not-signed-by-anchor-key.zone", trustAnchor: "trust-anchor-ksk.ds")
        #expect(report.verdictLines == ["dns.dnssec-trust-anchor-mismatch critical example.com."])
        #expect(try ZoneSamples.analyse("dnskey-not-signed-by-anchor-key.zone").findings.isEmpty)
    }

    @Test("a trust anchor file with another record type is an input error naming its line")
    func badAnchorFile() throws {
        let file = try ZoneSamples.temporaryZone("example.com. 3600 IN A 192.0.2.1\n", name: "anchor.ds")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        do {
            _ = try ZoneAnalyzer.analyze(
                file: ZoneSamples.path("healthy-nsec.zone"),
                options: ZoneCheckOptions(origin: "example.com", trustAnchorFile: file.path, now: ZoneSamples.now))
            Issue.record("no error")
        } catch {
            #expect(error.place == .line(1))
            #expect(error.reason.contains("DS or DNSKEY"))
        }
    }

    @Test("a ZONEMD that matches passes; one left stale by a later change is reported")
    func zonemd() throws {
        #expect(try ZoneSamples.analyse("zonemd-valid.zone").findings.isEmpty)
        #expect(
            try ZoneSamples.analyse("zonemd-mismatch.zone").verdictLines == ["dns.zonemd-mismatch high example.com."])
    }

    @Test("a TTL raised after signing is reported against the RRSIG's Original TTL, and nothing else")
    func ttlAboveOriginal() throws {
        let report = try ZoneSamples.analyse("ttl-above-original-ttl.zone")
        #expect(report.verdictLines == ["dns.dnssec-ttl-above-original medium www.example.com. A"])
        #expect(report.findings.first?.evidence["ttl"] == 86_400)
        #expect(report.findings.first?.evidence["originalTTL"] == 3600)
    }
}
