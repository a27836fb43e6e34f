import Foundation
import Testing

@testable import DNS

/// The small pieces the zone checks stand on, each against an outside source: RFC examples, or the
/// output of ldns' own tools on the samples.
@Suite("Zone primitives: names, hashes, key tags, serial time")
struct ZonePrimitiveTests {
    @Test("canonical order is RFC 4034 §6.1's example order")
    func canonicalOrder() throws {
        // RFC 4034 §6.1, in the order the RFC lists them (\001 and \200 as escapes, `*` and `z` labels).
        let rfcOrder = [
            "example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.", "z.example.",
            "\\001.z.example.", "*.z.example.", "\\200.z.example.",
        ]
        let names = try rfcOrder.map { try #require(DomainName(text: $0)) }
        #expect(names.shuffled().sorted() == names)
        #expect(names.reversed().sorted() == names)
    }

    @Test("a name is below another only on a label boundary")
    func subdomains() throws {
        let zone = try #require(DomainName(text: "example.com"))
        #expect(try #require(DomainName(text: "www.Example.COM.")).isSubdomain(of: zone))
        #expect(try !#require(DomainName(text: "badexample.com.")).isSubdomain(of: zone))
        #expect(try #require(DomainName(text: "a.b.example.com")).parent?.text == "b.example.com.")
        #expect(try #require(DomainName(text: "a.b.example.com")).suffix(labels: 2).text == "example.com.")
    }

    @Test("NSEC3 hashes match RFC 5155 Appendix A (salt aabbccdd, 12 iterations)")
    func nsec3HashRFC5155() throws {
        let parameters = NSEC3Parameters(algorithm: 1, iterations: 12, salt: [0xAA, 0xBB, 0xCC, 0xDD])
        let expected = [
            "example": "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom",
            "a.example": "35mthgpgcu1qg68fab165klnsnk3dpvl",
            "ai.example": "gjeqe526plbf1g8mklp59enfd789njgi",
            "ns1.example": "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
            "x.y.w.example": "2vptu5timamqttgl4luu9kg21e0aor3s",
        ]
        for (name, hash) in expected {
            let owner = try #require(DomainName(text: name))
            let digest = try #require(ZoneDigests.nsec3Hash(of: owner, parameters: parameters)).bytes
            #expect(Base32Hex.encode(digest) == hash, "\(name)")
            let hashed = try #require(DomainName(text: hash + ".example"))
            #expect(Base32Hex.decode(firstLabelOf: hashed) == digest)
        }
    }

    @Test("the KSK's key tag and SHA-256 DS digest equal what ldns-key2ds wrote in trust-anchor-ksk.ds")
    func keyTagAndDigest() throws {
        let anchor = try String(contentsOfFile: ZoneSamples.path("trust-anchor-ksk.ds"), encoding: .utf8)
        let fields = anchor.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        let dsAt = try #require(fields.firstIndex(of: "DS"))
        let tag = try #require(UInt16(fields[dsAt + 1]))
        let digestHex = fields[dsAt + 4].lowercased()
        let origin = try #require(DomainName(text: "example.com"))
        let file = try ZoneFile.read(path: ZoneSamples.path("healthy-nsec.zone"), origin: origin, allowInclude: false)
        let zone = ZoneStructure(store: file.store, origin: origin, file: "healthy-nsec.zone")
        let ksk = try #require(zone.apexKeys.first { $0.isSecureEntryPoint })
        #expect(ksk.keyTag == tag)
        let digest = try #require(ZoneDigests.dsDigest(owner: origin, keyRDATA: ksk.rdata, digestType: 2))
        #expect(digest.map { String($0, radix: 16).leftPadded(to: 2) }.joined() == digestHex)
    }

    @Test(
        "a name written in two places of the file is one name, and each name's authority comes from the cut nearest the apex"
    )
    func scatteredOwnersAndCuts() throws {
        // Worked by hand from RFC 4035 §2.2 and RFC 6672 §2.3: `sub` is a delegation and everything below
        // it (`x.sub`, and `b.sub` though it has NS of its own) is below the cut; below the DNAME at `old`
        // names are occluded, `old` itself is authoritative; `www` is written in three places and is one
        // name with two A records (the repeated one dropped) and a TXT. `other.test.` is outside the zone.
        let text = """
            $ORIGIN example.com.
            $TTL 300
            @ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
            @ IN NS ns1
            www IN A 192.0.2.1
            sub IN NS ns.other.test.
            x.sub IN A 192.0.2.7
            www IN TXT "two places"
            b.sub IN NS ns.b.sub
            c.b.sub IN A 192.0.2.8
            old IN DNAME example.net.
            www.old IN A 192.0.2.9
            other.test. IN A 192.0.2.10
            www IN A 192.0.2.2
            www IN A 192.0.2.1
            ns1 IN A 192.0.2.53
            sub IN DS 12345 13 2 0000000000000000000000000000000000000000000000000000000000000000

            """
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let origin = try #require(DomainName(text: "example.com"))
        let read = try ZoneFile.read(path: file.path, origin: origin, allowInclude: false)
        let zone = ZoneStructure(store: read.store, origin: origin, file: file.path)
        func authority(_ name: String) throws -> NameAuthority? {
            let owner = try #require(DomainName(text: name))
            return zone.nameIndex[owner].map { zone.names[$0].authority }
        }
        #expect(try authority("example.com") == .authoritative)
        #expect(try authority("www.example.com") == .authoritative)
        #expect(try authority("sub.example.com") == .delegation)
        #expect(try authority("x.sub.example.com") == .belowDelegation)
        #expect(try authority("b.sub.example.com") == .belowDelegation)
        #expect(try authority("c.b.sub.example.com") == .belowDelegation)
        #expect(try authority("old.example.com") == .authoritative)
        #expect(try authority("www.old.example.com") == .occluded)
        #expect(try authority("ns1.example.com") == .authoritative)
        #expect(try authority("other.test") == nil)
        let www = try #require(DomainName(text: "www.example.com"))
        #expect(zone.names.filter { $0.owner == www }.count == 1)
        #expect(zone.rrset(www, .a)?.rdatas == [[192, 0, 2, 1], [192, 0, 2, 2]])
        #expect(zone.rrset(www, RecordType(16)) != nil)  // TXT
        #expect(zone.names.map(\.owner) == zone.names.map(\.owner).sorted())
        #expect(zone.warnings.contains { $0.contains("1 records outside example.com.") })
    }

    @Test("serial time: RFC 1982 comparison across 2038 and the 2106 wrap")
    func serialTime() {
        // 2026-11-21T00:00:00Z
        let clock = SerialTime(now: 1_795_219_200)
        #expect(clock.secondsUntil(1_795_219_200 + 3600) == 3600)
        #expect(clock.secondsUntil(1_795_219_200 - 86_400) == -86_400)
        // 2040-01-01T00:00:00Z = 2208988800, past the signed 32-bit limit libldns trips on.
        #expect(clock.secondsUntil(2_208_988_800) == 2_208_988_800 - 1_795_219_200)
        #expect(SerialTime.text(clock.absolute(2_208_988_800)) == "2040-01-01T00:00:00Z")
        // In 2107 (4_354_819_200), the 32-bit field has wrapped: 2107-01-01 is stored as 59_852_000-ish.
        let after = SerialTime(now: 4_354_819_200)
        let stored = UInt32(truncatingIfNeeded: Int64(4_354_819_200 + 86_400))
        #expect(after.secondsUntil(stored) == 86_400)
        #expect(SerialTime.text(after.absolute(stored)) == "2108-01-02T00:00:00Z")
    }

    @Test("RFC 3339 times with offsets and fractions parse to the same second")
    func rfc3339() {
        #expect(SerialTime.parseRFC3339("2026-11-21T00:00:00Z") == 1_795_219_200)
        #expect(SerialTime.parseRFC3339("2026-11-21T01:00:00+01:00") == 1_795_219_200)
        #expect(SerialTime.parseRFC3339("2026-11-21T00:00:00.5Z") == 1_795_219_200)
        #expect(SerialTime.parseRFC3339("21 Nov 2026") == nil)
    }

    @Test("type bitmaps decode RFC 4034 §4.3's example (A MX RRSIG NSEC TYPE1234)")
    func typeBitmap() {
        // As printed in the RFC: window 0, 6 octets; window 4, 27 octets, the last 0x20 (1024 + 210).
        let bytes: [UInt8] =
            [0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1B]
            + [UInt8](repeating: 0, count: 26) + [0x20]
        #expect(
            TypeBitmap.decode(bytes)
                == [RecordType(1), RecordType(15), RecordType(46), RecordType(47), RecordType(1234)])
        #expect(TypeBitmap.decode([0x00]) == nil)
    }
}
