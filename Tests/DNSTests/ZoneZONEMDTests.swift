import Findings
import Foundation
import Testing

@testable import DNS

/// ZONEMD (RFC 8976) is verified in every zone, signed or not. The test vectors are the examples of
/// RFC 8976 Appendix A (as corrected by its errata): A.1 the simple example, A.2 the complex one
/// (occluded data, duplicates, out-of-zone data, upper case, wildcard, a non-apex ZONEMD), A.3 several
/// digests of which only SHA-384 and SHA-512 of scheme 1 can be checked.
@Suite("ZONEMD in unsigned zones, checked against the RFC 8976 Appendix A examples")
struct ZoneZONEMDTests {
    static let simple = """
        example.      86400  IN  SOA     ns1 admin 2018031900 (
                                         1800 900 604800 86400 )
                      86400  IN  NS      ns1
                      86400  IN  NS      ns2
                      86400  IN  ZONEMD  2018031900 1 1 (
                                         c68090d90a7aed71
                                         6bc459f9340e3d7c
                                         1370d4d24b7e2fc3
                                         a1ddc0b9a87153b9
                                         a9713b3c9ae5cc27
                                         777f98b8e730044c )
        ns1           3600   IN  A       203.0.113.63
        ns2           3600   IN  AAAA    2001:db8::63

        """

    static let complex = """
        example.      86400  IN  SOA     ns1 admin 2018031900 (
                                         1800 900 604800 86400 )
                      86400  IN  NS      ns1
                      86400  IN  NS      ns2
                      86400  IN  ZONEMD  2018031900 1 1 (
                                         a3b69bad980a3504
                                         e1cffcb0fd6397f9
                                         3848071c93151f55
                                         2ae2f6b1711d4bd2
                                         d8b39808226d7b9d
                                         b71e34b72077f8fe )
        ns1           3600   IN  A       203.0.113.63
        NS2           3600   IN  AAAA    2001:db8::63
        occluded.sub  7200   IN  TXT     "I'm occluded but must be digested"
        sub           7200   IN  NS      ns1
        duplicate     300    IN  TXT     "I must be digested just once"
        duplicate     300    IN  TXT     "I must be digested just once"
        foo.test.     555    IN  TXT     "out-of-zone data must be excluded"
        UPPERCASE     3600   IN  TXT     "canonicalize uppercase owner names"
        *             777    IN  PTR     dont-forget-about-wildcards
        mail          3600   IN  MX      20 MAIL1
        mail          3600   IN  MX      10 Mail2.Example.
        sortme        3600   IN  AAAA    2001:db8::5:61
        sortme        3600   IN  AAAA    2001:db8::3:62
        sortme        3600   IN  AAAA    2001:db8::4:63
        sortme        3600   IN  AAAA    2001:db8::1:65
        sortme        3600   IN  AAAA    2001:db8::2:64
        non-apex      900    IN  ZONEMD  2018031900 1 1 (
                                         616c6c6f77656420
                                         6275742069676e6f
                                         7265642e20616c6c
                                         6f77656420627574
                                         2069676e6f726564
                                         2e20616c6c6f7765 )

        """

    static let multipleDigests = """
        example.      86400  IN  SOA     ns1 admin 2018031900 (
                                         1800 900 604800 86400 )
        example.      86400  IN  NS      ns1.example.
        example.      86400  IN  NS      ns2.example.
        example.      86400  IN  ZONEMD  2018031900 1 1 (
                                         62e6cf51b02e54b9
                                         b5f967d547ce4313
                                         6792901f9f88e637
                                         493daaf401c92c27
                                         9dd10f0edb1c56f8
                                         080211f8480ee306 )
        example.      86400  IN  ZONEMD  2018031900 1 2 (
                                         08cfa1115c7b948c
                                         4163a901270395ea
                                         226a930cd2cbcf2f
                                         a9a5e6eb85f37c8a
                                         4e114d884e66f176
                                         eab121cb02db7d65
                                         2e0cc4827e7a3204
                                         f166b47e5613fd27 )
        example.      86400  IN  ZONEMD  2018031900 1 240 (
                                         e2d523f654b9422a
                                         96c5a8f44607bbee )
        example.      86400  IN  ZONEMD  2018031900 241 1 (
                                         e1846540e33a9e41
                                         89792d18d5d131f6
                                         05fc283eaaaaaaaa
                                         aaaaaaaaaaaaaaaa
                                         aaaaaaaaaaaaaaaa
                                         aaaaaaaaaaaaaaaa)
        ns1.example.  3600   IN  A       203.0.113.63
        ns2.example.  86400  IN  TXT     "This example has multiple digests"
        NS2.EXAMPLE.  3600   IN  AAAA    2001:db8::63

        """

    static func analyse(_ text: String) throws -> Report {
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        return try ZoneAnalyzer.analyze(
            file: file.path, options: ZoneCheckOptions(origin: "example", now: ZoneSamples.now))
    }

    @Test(
        "the RFC 8976 Appendix A examples verify: the unsigned zone gets dns.dnssec-unsigned only",
        arguments: [("A.1", simple), ("A.2", complex), ("A.3", multipleDigests)])
    func appendixExamplesVerify(_ example: String, _ text: String) throws {
        #expect(try Self.analyse(text).ids() == ["dns.dnssec-unsigned"], "RFC 8976 \(example)")
    }

    @Test(
        "one changed digest byte gives dns.zonemd-mismatch (RFC 8976 §4)",
        arguments: [
            ("A.1", simple, "c68090d90a7aed71", "c68090d90a7aed72"),
            ("A.2", complex, "a3b69bad980a3504", "a3b69bad980a3505"),
            ("A.3", multipleDigests, "62e6cf51b02e54b9", "62e6cf51b02e54b8"),
        ])
    func changedByteMismatches(_ example: String, _ text: String, _ from: String, _ to: String) throws {
        var damaged = text.replacingOccurrences(of: from, with: to)
        if example == "A.3" {
            // The SHA-512 digest still matches, so verification passes on it (RFC 8976 §4 step 6): damage
            // that one too.
            damaged = damaged.replacingOccurrences(of: "08cfa1115c7b948c", with: "08cfa1115c7b948d")
        }
        let report = try Self.analyse(damaged)
        #expect(report.ids() == ["dns.dnssec-unsigned", "dns.zonemd-mismatch"], "RFC 8976 \(example)")
    }

    @Test("in A.3 one good digest is enough: damaging only the SHA-384 one still verifies on SHA-512")
    func oneGoodDigestSuffices() throws {
        let damaged = Self.multipleDigests.replacingOccurrences(of: "62e6cf51b02e54b9", with: "62e6cf51b02e54b8")
        #expect(try Self.analyse(damaged).ids() == ["dns.dnssec-unsigned"])
    }

    @Test("a changed record after the digest was made is a mismatch, as a changed SOA serial is (RFC 8976 §4)")
    func changedDataMismatches() throws {
        let data = Self.simple.replacingOccurrences(of: "203.0.113.63", with: "203.0.113.64")
        #expect(try Self.analyse(data).ids().contains("dns.zonemd-mismatch"))
        let serial = Self.simple.replacingOccurrences(of: "ZONEMD  2018031900", with: "ZONEMD  2018031901")
        #expect(try Self.analyse(serial).ids().contains("dns.zonemd-mismatch"))
    }
}
