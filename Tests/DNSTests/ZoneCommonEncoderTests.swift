import Foundation
import Testing

@testable import DNS

/// The common records (A, AAAA, RRSIG, NSEC, NSEC3 written plainly) are encoded without libldns; every
/// other record, and every plain one the encoder is unsure of, is libldns'. The reference is libldns
/// itself: each zone is read both ways (`encodeCommonRecords: false` hands every record to
/// `ldns_rr_new_frm_str`) and the stored records must be byte for byte the same.
@Suite("Common records encoded without libldns")
struct ZoneCommonEncoderTests {
    static let signature = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0+Pw=="
    static let otherSignature =
        "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7fH1+f4CBgoOEhYaHiImKi4yNjo+QkZKTlJWWl5iZmpucnZ6foKGiow=="

    /// Records in the forms signers write and in the forms the encoder must leave to libldns, mixed so
    /// that blank owners, `$ORIGIN` changes and `$GENERATE` follow encoded records.
    static let variety = """
        $ORIGIN example.com.
        $TTL 300
        @ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300
        @ 300 IN NS ns1
        www 300 IN A 192.0.2.1
        WWW.Example.COM. 300 in a 192.0.2.2
        mixed 60 A 192.0.2.3
        \t300\tIN\tA\t192.0.2.4
        notttl IN A 192.0.2.5
        units 1h IN A 192.0.2.6
        v6 300 IN AAAA 2001:db8::1
        v6 300 IN AAAA ::ffff:192.0.2.1
        _sip._tcp 300 IN A 192.0.2.7
        *.wild 300 IN A 192.0.2.8
        www 300 IN RRSIG A 13 2 300 20360101000000 20260101000000 12345 example.com. \(signature)
        www 300 IN RRSIG A 13 2 300 1795219200 1700000000 12345 Example.COM. \(signature.prefix(40)) \(signature.dropFirst(40))
        www 300 IN RRSIG A 8 2 300 20380119031408 19700101000000 1 sub \(otherSignature)
        www 300 IN RRSIG A 13 2 300 21060207062816 20991231235959 65535 example.com. AAE=
        www 300 IN RRSIG A 13 2 300 20270231000000 20240229120000 7 example.com. //79/A==
        www 300 IN RRSIG A ECDSAP256SHA256 2 300 20360101000000 20260101000000 12345 example.com. \(signature)
        www 300 IN RRSIG A 13 2 300 ( 20360101000000 20260101000000
                    12345 example.com. \(signature) )
        www 300 IN RRSIG TYPE65534 13 2 300 20360101000000 20260101000000 12345 example.com. \(signature)
        www 300 IN RRSIG A 13 2 300 20360101000000 20260101000000 12345 example.com. -
        www 300 IN NSEC next.example.com. A RRSIG NSEC
        www 300 IN NSEC Next A TYPE1234
        x 300 IN NSEC Y.Example.com. A AAAA RRSIG NSEC CAA TA DLV
        2vptu5timamqttgl4luu9kg21e0aor3s 300 IN NSEC3 1 0 0 - 2VPTU5TIMAMQTTGL4LUU9KG21E0AOR3T A RRSIG
        2vptu5timamqttgl4luu9kg21e0aor3t 300 IN NSEC3 1 1 10 AABBccdd 2vptu5timamqttgl4luu9kg21e0aor3u NS DS RRSIG
        2vptu5timamqttgl4luu9kg21e0aor3u 300 IN NSEC3 1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s
        crlf 300 IN A 192.0.2.9\r
        after 300 IN A 192.0.2.10
         300 IN AAAA 2001:db8::2
        $GENERATE 1-3 gen$ 300 IN A 192.0.2.$
         300 IN A 192.0.2.11
        $ORIGIN sub.example.com.
        deep 300 IN A 192.0.2.12
        deep 300 IN RRSIG A 13 4 300 20360101000000 20260101000000 12345 example.com \(signature)
        deep 300 IN NSEC rel A RRSIG NSEC
        chaos 300 CH A 192.0.2.13

        """

    static func rows(_ zone: ZoneFile) -> [String] {
        zone.store.rows.map {
            "\(zone.store.owner($0).text) \($0.type) \($0.recordClass) \($0.ttl) \($0.line) \(Array(zone.store.rdata($0)))"
        }
    }

    static func readBothWays(_ path: String, origin: String = "example.com") throws -> (
        encoded: [String], libldns: [String]
    ) {
        let name = try #require(DomainName(text: origin))
        let encoded = try ZoneFile.read(path: path, origin: name, allowInclude: true)
        let plain = try ZoneFile.read(path: path, origin: name, allowInclude: true, encodeCommonRecords: false)
        #expect(encoded.warnings == plain.warnings)
        #expect(encoded.declaredOrigin == plain.declaredOrigin)
        return (rows(encoded), rows(plain))
    }

    @Test("records of every form read the same with and without the encoder")
    func varietyMatchesLibldns() throws {
        let file = try ZoneSamples.temporaryZone(Self.variety)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let (encoded, libldns) = try Self.readBothWays(file.path)
        #expect(libldns.count == 38)
        #expect(encoded == libldns)
    }

    /// A whole line is offered to the encoder before the lexer sees it (`MasterFileReader`'s plain
    /// lines): these are the lines where taking it whole could differ from the lexer's reading.
    @Test(
        "lines offered whole to the encoder read as the lexer reads them",
        arguments: [
            // A TTL above 2^31 − 1 is read as 0 with a warning (RFC 2181 §8), so it goes the general way.
            ("big 2147483648 IN A 192.0.2.14\nmax 2147483647 IN A 192.0.2.15\n", 2),
            // A comment, a parenthesis, a quote or an escape on the line: the lexer's.
            ("c 300 IN A 192.0.2.16 ; note\np 300 IN A ( 192.0.2.17 )\nq\\.x 300 IN A 192.0.2.18\n", 3),
            ("t 300 IN TXT \"a;b\" c\n", 1),
            // Parentheses opened on the line before: the next line belongs to that entry.
            ("o 300 IN RRSIG A 13 2 300 ( 20360101000000 20260101000000\n12345 example.com. \(signature) )\n", 1),
            // The last line without its newline, after one with it.
            ("a 300 IN A 192.0.2.19\nb 300 IN A 192.0.2.20", 2),
            // Directives and blank owners at the start of a line.
            (
                "$TTL 60\nd 300 IN A 192.0.2.21\n\t300 IN A 192.0.2.22\n$ORIGIN x.example.com.\ne 300 IN A 192.0.2.23\n",
                3
            ),
        ])
    func plainLinesMatchTheLexer(_ body: String, records: Int) throws {
        let text = "$ORIGIN example.com.\n@ 300 IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n" + body
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let (encoded, libldns) = try Self.readBothWays(file.path)
        #expect(libldns.count == records + 1)
        #expect(encoded == libldns)
    }

    @Test("every sample zone and fuzz regression reads the same with and without the encoder")
    func samplesMatchLibldns() throws {
        var paths = try FileManager.default.contentsOfDirectory(atPath: ZoneSamples.folder.path)
            .filter { $0.hasSuffix(".zone") }.sorted().map { ZoneSamples.path($0) }
        let regressions = ZoneSamples.packageRoot.appendingPathComponent("Fuzz/regressions/zone")
        paths += ((try? FileManager.default.contentsOfDirectory(atPath: regressions.path)) ?? [])
            .sorted().map { regressions.appendingPathComponent($0).path }
        #expect(paths.count > 20)
        for path in paths {
            do {
                let (encoded, libldns) = try Self.readBothWays(path)
                #expect(encoded == libldns, "\(path)")
            } catch {
                // An input the reader refuses (a fuzz regression) is refused without the encoder too.
                let name = try #require(DomainName(text: "example.com."))
                #expect(throws: (any Error).self, "\(path)") {
                    try ZoneFile.read(path: path, origin: name, allowInclude: true, encodeCommonRecords: false)
                }
            }
        }
    }

    @Test("a zone cut into pieces reads the same with and without the encoder")
    func piecesMatchLibldns() throws {
        let name = try #require(DomainName(text: "example.com"))
        let path = ZoneSamples.path("healthy-nsec3.zone")
        let encoded = try ZoneFile.read(
            path: path, origin: name, allowInclude: false, pieceSize: 300, parallelThreshold: 0)
        let plain = try ZoneFile.read(
            path: path, origin: name, allowInclude: false, pieceSize: 300, parallelThreshold: 0,
            encodeCommonRecords: false)
        #expect(Self.rows(encoded) == Self.rows(plain))
    }

    @Test(
        "the plain forms signers write are encoded here",
        arguments: [
            "www.example.com. 300 IN A 192.0.2.1",
            "www.example.com.\t3600\tIN\tAAAA\t2001:db8::1",
            "www.example.com. 300 IN RRSIG A 13 3 300 20360101000000 20260101000000 9312 example.com. \(signature)",
            "www.example.com. 300 IN NSEC z.example.com. A RRSIG NSEC",
            "2vptu5timamqttgl4luu9kg21e0aor3s.example.com. 300 IN NSEC3 1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3t A RRSIG",
        ])
    func plainFormsAreEncoded(_ record: String) {
        var out: [UInt8] = []
        let bytes = Array(record.utf8)
        #expect(bytes.withUnsafeBufferPointer { ZoneFile.commonEncoder.encode($0, origin: nil, into: &out) } != nil)
    }

    @Test(
        "forms whose reading is libldns' to decide are left to it",
        arguments: [
            "www.example.com. IN A 192.0.2.1",  // no TTL
            "www.example.com. 1h IN A 192.0.2.1",  // TTL with units
            "www.example.com. 300 CH A 192.0.2.1",  // another class
            "www.example.com. 300 IN A 192.0.2.01",  // what inet_pton refuses
            "www.example.com. 300 IN A 192.0.2.1 extra",  // superfluous text
            "a\\.b.example.com. 300 IN A 192.0.2.1",  // an escape
            "www.example.com. 300 IN TXT \"text\"",  // another type
            "www 300 IN A 192.0.2.1",  // relative, and no origin given
            "www.example.com. 300 IN RRSIG A ECDSAP256SHA256 3 300 20360101000000 20260101000000 9312 example.com. AAE=",
            // month 13
            "www.example.com. 300 IN RRSIG A 13 3 300 20361301000000 20260101000000 9312 example.com. AAE=",
            // cut base64
            "www.example.com. 300 IN RRSIG A 13 3 300 20360101000000 20260101000000 9312 example.com. AAE",
            // bits after the data
            "www.example.com. 300 IN RRSIG A 13 3 300 20360101000000 20260101000000 9312 example.com. AAF=",
            "www.example.com. 300 IN NSEC z.example.com. A TYPE1234",  // a type by number
            "h.example.com. 300 IN NSEC3 1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3",  // no bitmap, short hash
            "h.example.com. 300 IN NSEC3 1 0 0 ABC 2vptu5timamqttgl4luu9kg21e0aor3t A",  // odd salt
        ])
    func otherFormsAreLeftToLibldns(_ record: String) {
        var out: [UInt8] = []
        let bytes = Array(record.utf8)
        #expect(bytes.withUnsafeBufferPointer { ZoneFile.commonEncoder.encode($0, origin: nil, into: &out) } == nil)
    }

    /// The benchmark's signed zones (`exposure-bench dns-zone` writes them under Benchmarks/data/dns-zone,
    /// git-ignored), read both ways: 450,000 records for 50,000 names, over three minutes in a debug
    /// build, so only when asked: `EXPOSURE_COMPARE_BENCH_ZONES=50000 swift test --filter ZoneCommonEncoder`
    /// compares the zones of that many names.
    @Test(
        "the benchmark zones read the same with and without the encoder, when asked",
        .enabled(if: ProcessInfo.processInfo.environment["EXPOSURE_COMPARE_BENCH_ZONES"] != nil))
    func benchmarkZonesMatchLibldns() throws {
        let names = ProcessInfo.processInfo.environment["EXPOSURE_COMPARE_BENCH_ZONES"] ?? ""
        let folder = ZoneSamples.packageRoot.appendingPathComponent("Benchmarks/data/dns-zone")
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasPrefix("bench-\(names)-") && $0.hasSuffix(".signed") }.sorted()
        #expect(files.count == 2, "exposure-bench dns-zone --names \(names) makes them")
        for file in files {
            let (encoded, libldns) = try Self.readBothWays(
                folder.appendingPathComponent(file).path, origin: "bench.example")
            #expect(encoded.count == libldns.count)
            #expect(encoded == libldns, "\(file)")
        }
    }
}
