import Foundation
import SeededRandom
import Testing

@testable import DNS

/// The in-place forms the NSEC3 chain check reads a large zone with (no arrays or sets per record)
/// must say what the decoding forms say: each is checked against the decoding form it stands in for,
/// on RFC examples and on bitmaps libldns wrote.
@Suite("NSEC3 records read in place agree with the decoding forms")
struct ZoneNSEC3InPlaceTests {
    @Test("an owner label's hash read in place is the RFC 5155 Appendix A hash; other labels give none")
    func hashOfLabel() throws {
        // RFC 5155 Appendix A (salt aabbccdd, 12 iterations): the hashed owners of its example zone.
        let parameters = NSEC3Parameters(algorithm: 1, iterations: 12, salt: [0xAA, 0xBB, 0xCC, 0xDD])
        let expected = [
            "example": "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom", "a.example": "35mthgpgcu1qg68fab165klnsnk3dpvl",
            "ns1.example": "2t7b4g4vsa5smi47k61mv5bv1a22bojr",
        ]
        for (name, label) in expected {
            let owner = try #require(DomainName(text: name))
            let digest = try #require(ZoneDigests.nsec3Hash(of: owner, parameters: parameters))
            let hashed = try #require(DomainName(text: label + ".example"))
            #expect(Base32Hex.hash(firstLabelOf: hashed) == digest, "\(name)")
            let upper = try #require(DomainName(text: label.uppercased() + ".example"))
            #expect(Base32Hex.hash(firstLabelOf: upper) == digest)
        }
        // Whatever `decode` makes 20 bytes of, and nothing else, is a hash.
        for label in [
            "0p9mhaveqvm6t7vbl5lop2u3t2rp3to", "0p9mhaveqvm6t7vbl5lop2u3t2rp3tom0",
            "0p9mhaveqvm6t7vbl5lop2u3t2rp3tomvv",
            "0p9mhaveqvm6t7vbl5lop2u3t2rp3toz", "www", "0p9mhaveqvm6t7vbl5lop2u3t2rp3t-m",
        ] {
            let name = try #require(DomainName(text: label + ".example"))
            let decoded = Base32Hex.decode(firstLabelOf: name).flatMap(NSEC3Hash.init)
            #expect(Base32Hex.hash(firstLabelOf: name) == decoded, "\(label)")
        }
    }

    @Test("the canonical bitmap of RFC 4034 §4.3's example NSEC is recognised; any other spelling is not")
    func canonicalBitmap() throws {
        // RFC 4034 §4.3: `A MX RRSIG NSEC TYPE1234` is window 0 of 6 octets, then window 4 of 27 octets.
        var bitmap: [UInt8] = [0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1B]
        bitmap += [UInt8](repeating: 0, count: 26) + [0x20]
        let types: [UInt16] = [1, 15, 46, 47, 1234]
        #expect(TypeBitmap.decode(bitmap) == Set(types.map { RecordType($0) }))
        func canonical(_ types: [UInt16], _ bytes: [UInt8]) -> Bool {
            types.withUnsafeBufferPointer { TypeBitmap.isCanonicalEncoding(of: $0, bytes[...]) }
        }
        #expect(canonical(types, bitmap))
        #expect(!canonical(types, bitmap + [0]))
        #expect(!canonical([1, 15, 46, 47], bitmap))
        #expect(!canonical([1, 15, 46, 47, 1234, 1235], bitmap))
        // A trailing zero octet still decodes to the same types: the check decodes when this says no.
        var padded = bitmap
        padded[1] = 7
        padded.insert(0, at: 8)
        #expect(TypeBitmap.decode(padded) == Set(types.map { RecordType($0) }))
        #expect(!canonical(types, padded))
        #expect(canonical([], []))
        #expect(!canonical([], [0, 1, 0]))
    }

    @Test("bitmaps libldns writes for random type sets are canonical encodings of the types they decode to")
    func libldnsBitmaps() throws {
        var random = SeededGenerator(state: 5155)
        var lines = ["$ORIGIN example.com.", "$TTL 3600", "@ SOA ns hostmaster 1 2 3 4 5"]
        var written: [Set<UInt16>] = []
        for n in 0..<200 {
            var types = Set<UInt16>()
            for _ in 0..<Int.random(in: 1...12, using: &random) {
                types.insert(
                    Bool.random(using: &random)
                        ? UInt16.random(in: 1...64, using: &random) : UInt16.random(in: 1...2000, using: &random))
            }
            written.append(types)
            let text = types.sorted().map { "TYPE\($0)" }.joined(separator: " ")
            lines.append("n\(n) NSEC3 1 0 0 - 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom \(text)")
        }
        let file = try ZoneSamples.temporaryZone(lines.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let origin = try #require(DomainName(text: "example.com"))
        // libldns reads these (TYPEnnn is no plain form), and writes the wire form.
        let zone = try ZoneFile.read(path: file.path, origin: origin, allowInclude: false, encodeCommonRecords: false)
        let rows = zone.store.rows.filter { $0.type == RecordType.nsec3.rawValue }
        #expect(rows.count == written.count)
        for (row, types) in zip(rows, written) {
            let fields = try #require(NSEC3Fields(zone.store.rdata(row)))
            let sorted = types.sorted()
            #expect(sorted.withUnsafeBufferPointer { TypeBitmap.isCanonicalEncoding(of: $0, fields.bitmap) })
            #expect(TypeBitmap.decode(Array(fields.bitmap)) == Set(sorted.map { RecordType($0) }))
        }
    }

    @Test("NSEC3 fields read in place are NSEC3Data's, and refused where it is, for every cut of each record")
    func fieldsAgree() throws {
        for sample in ["healthy-nsec3.zone", "nsec3-mixed-parameters.zone", "nsec3-parameters-not-recommended.zone"] {
            let origin = try #require(DomainName(text: "example.com"))
            let file = try ZoneFile.read(path: ZoneSamples.path(sample), origin: origin, allowInclude: false)
            let rdatas = file.store.rows.filter { $0.type == RecordType.nsec3.rawValue }.map(file.store.rdata)
            #expect(!rdatas.isEmpty)
            for rdata in rdatas {
                var variants = (0...rdata.count).map { Array(rdata.prefix($0)) }
                variants.append(Array(rdata) + [0])
                variants.append(Array(rdata) + [0, 1, 0x40])
                for bytes in variants {
                    let data = NSEC3Data(bytes)
                    let fields = NSEC3Fields(bytes[...])
                    #expect((data == nil) == (fields == nil), "\(sample): \(bytes.count) of \(rdata.count) bytes")
                    guard let data, let fields else { continue }
                    #expect(fields.parameters == data.parameters)
                    #expect(fields.hasParameters(data.parameters))
                    #expect(fields.optOut == data.optOut)
                    #expect(Array(fields.nextHashed) == data.nextHashed)
                    #expect(TypeBitmap.decode(Array(fields.bitmap)) == data.types)
                }
            }
        }
    }

    @Test("the chain's hash search finds the last of equal hashes as a linear search does, whatever their spread")
    func hashSearch() throws {
        var random = SeededGenerator(state: 8976)
        func hash(_ high: UInt64, _ low: UInt32) -> NSEC3Hash { NSEC3Hash(high: high, middle: 0, low: low) }
        for spread in [UInt64.max, 0xFFFF, 0] {
            for count in [0, 1, 2, 7, 1000, 5000] {
                var hashes = (0..<count).map { _ in
                    hash(UInt64.random(in: 0...spread, using: &random), UInt32.random(in: 0...3, using: &random))
                }
                if count > 2 { hashes += hashes.prefix(count / 3) }
                let links = hashes.sorted().enumerated().map { position, hash in
                    NSEC3ChainCheck.Link(hash: hash, nextHashed: hash, optOut: false, index: position, member: 0)
                }
                let index = NSEC3ChainCheck.HashIndex(links)
                var probes = hashes.prefix(300).map { $0 }
                probes += (0..<300).map { _ in
                    hash(UInt64.random(in: 0...spread, using: &random), UInt32.random(in: 0...3, using: &random))
                }
                for probe in probes {
                    #expect(
                        index.last(probe) == links.lastIndex { $0.hash == probe }, "spread \(spread), \(count) links")
                }
            }
        }
    }
}
