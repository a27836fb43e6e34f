import Findings
import Foundation
import Testing

@testable import DNS

/// The chain of trust the HTML report draws, against what Zones/make-samples.sh did to each sample
/// (written down here from the script, not from the analyzer): which link must be bogus, expired or
/// secure, and what a trust anchor names.
@Suite("Each signed zone's chain of trust shows what was done to it")
struct TrustChainTests {
    static func chain(_ name: String, trustAnchor: String? = nil) throws -> TrustChain {
        let report = try ZoneSamples.analyse(name, trustAnchor: trustAnchor)
        return try #require(report.trustChains.first, "a signed zone has a chain")
    }

    static func label(_ chain: TrustChain, _ id: String) -> String {
        chain.nodes.first { $0.id == id }?.label ?? id
    }

    @Test("a healthy zone: both keys, the DNSKEY RRset signed, every link secure")
    func healthy() throws {
        let chain = try Self.chain("healthy-nsec.zone")
        #expect(chain.nodes.filter { $0.kind == .dnskey }.count == 2)
        #expect(chain.nodes.contains { $0.id == "dnskey-rrset" && $0.status == .secure })
        #expect(!chain.links.isEmpty)
        #expect(chain.links.allSatisfy { $0.status == .secure })
    }

    @Test("www.example.com A changed after signing: its link, and only its, is bogus")
    func bogusRecord() throws {
        let chain = try Self.chain("bogus-signature.zone")
        let bogus = chain.links.filter { $0.status == .bogus }
        #expect(bogus.count == 1)
        #expect(bogus.map { Self.label(chain, $0.to) } == ["www.example.com. A"])
        #expect(chain.nodes.first { $0.label == "www.example.com. A" }?.status == .bogus)
    }

    @Test("signed for January 2020 only: every signature link is expired, none secure")
    func expired() throws {
        let chain = try Self.chain("signature-expired.zone")
        #expect(!chain.links.isEmpty)
        #expect(chain.links.allSatisfy { $0.status == .expired })
    }

    @Test("the DS of the KSK names it; the DS of another key names no key of the zone")
    func trustAnchors() throws {
        let matching = try Self.chain("healthy-nsec.zone", trustAnchor: "trust-anchor-ksk.ds")
        let ds = try #require(matching.nodes.first { $0.kind == .ds })
        #expect(ds.status == .secure)
        let named = matching.links.filter { $0.from == ds.id }
        #expect(named.count == 1)
        #expect(matching.nodes.first { $0.id == named.first?.to }?.detail.hasPrefix("KSK") == true)

        let other = try Self.chain("healthy-nsec.zone", trustAnchor: "trust-anchor-other-key.ds")
        #expect(other.nodes.first { $0.kind == .ds }?.status == .bogus)
        #expect(!other.links.contains { $0.from.hasPrefix("ds-") })
    }

    @Test("an unsigned zone has no chain")
    func unsigned() throws {
        #expect(try ZoneSamples.analyse("unsigned.zone").trustChains.isEmpty)
    }
}
