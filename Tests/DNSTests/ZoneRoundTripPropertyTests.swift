import Foundation
import SeededRandom
import Testing

@testable import DNS

/// Property tests: random valid zones are written as master-file text (RFC 1035 §5, RFC 3597 for
/// unknown types) and read back; every record must be the one written. The expected wire form of
/// each record is worked out here from the RFCs' definitions of the record data, not taken from the
/// reader. `ldns-read-zone` (libldns' own reader, installed by `make test`) reads the same random
/// files, and what it prints must read back as the same records.
@Suite("Round trips of random zones through the zone reader")
struct ZoneRoundTripPropertyTests {
    struct Record: Equatable, Comparable, CustomStringConvertible {
        var owner: [UInt8]
        var type: UInt16
        var ttl: UInt32
        var rdata: [UInt8]
        static func < (a: Record, b: Record) -> Bool {
            if a.owner != b.owner { return a.owner.lexicographicallyPrecedes(b.owner) }
            if a.type != b.type { return a.type < b.type }
            if a.ttl != b.ttl { return a.ttl < b.ttl }
            return a.rdata.lexicographicallyPrecedes(b.rdata)
        }
        var description: String { "\(DomainName(wire: owner).text) \(type) \(ttl) \(rdata)" }
    }

    static let seeds: [UInt64] = Array(1...30)

    static func records(_ path: String, origin: String, pieces: Bool = false, pieceSize: Int = 200) throws -> [Record] {
        let zone = try ZoneFile.read(
            path: path, origin: DomainName(text: origin)!, allowInclude: false, pieceSize: pieces ? pieceSize : 4 << 20,
            parallelThreshold: pieces ? 0 : ZoneFile.parallelThreshold)
        return zone.store.rows.map {
            Record(
                owner: zone.store.owner($0).wire, type: $0.type, ttl: $0.ttl, rdata: Array(zone.store.rdata($0)))
        }.sorted()
    }

    /// The records only one side has, for the failure message.
    static func difference(_ read: [Record], _ written: [Record]) -> String {
        let extra = read.filter { !written.contains($0) }.map { "read, not written: \($0)" }
        let missing = written.filter { !read.contains($0) }.map { "written, not read: \($0)" }
        return (extra + missing).joined(separator: "\n")
    }

    @Test("A random zone reads back as the records written, whole and in parallel pieces", arguments: seeds)
    func roundTrip(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed &* 6_364_136_223_846_793_005)
        let zone = RandomZone.make(&rng)
        let file = try ZoneSamples.temporaryZone(zone.text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let expected = zone.records.sorted()
        let whole = try Self.records(file.path, origin: zone.origin)
        #expect(whole == expected, "seed \(seed):\n\(zone.text)\n\(Self.difference(whole, expected))")
        let pieces = try Self.records(file.path, origin: zone.origin, pieces: true)
        #expect(pieces == expected, "seed \(seed), pieces:\n\(Self.difference(pieces, expected))")
    }

    @Test("a $ORIGIN with an escaped ';' or blank keeps its whole name in a zone read in parallel pieces")
    func escapedSemicolonInOriginAcrossPieces() throws {
        // RFC 1035 §5.1: `\;` is a literal ';' in a label, not a comment. Hand-worked: the owner
        // `www` under `$ORIGIN a\;b.test.` is www.a;b.test., wire 3 www 3 a;b 4 test 0.
        let text = "$ORIGIN a\\;b.test.\n$TTL 60\n@ IN A 192.0.2.1\nwww IN A 192.0.2.2\n"
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let apex: [UInt8] = [3] + Array("a;b".utf8) + [4] + Array("test".utf8) + [0]
        let expected = [
            Record(owner: apex, type: 1, ttl: 60, rdata: [192, 0, 2, 1]),
            Record(owner: [3] + Array("www".utf8) + apex, type: 1, ttl: 60, rdata: [192, 0, 2, 2]),
        ].sorted()
        #expect(try Self.records(file.path, origin: "a\\;b.test.") == expected)
        #expect(try Self.records(file.path, origin: "a\\;b.test.", pieces: true, pieceSize: 1) == expected)
        // The same with an escaped blank, `a\ b`, and a comment after the name.
        let blank = try ZoneSamples.temporaryZone(
            "$ORIGIN a\\ b.test. ; the origin\n$TTL 60\n@ IN A 192.0.2.1\nwww IN A 192.0.2.2\n")
        defer { try? FileManager.default.removeItem(at: blank.deletingLastPathComponent()) }
        let blankApex: [UInt8] = [3] + Array("a b".utf8) + [4] + Array("test".utf8) + [0]
        #expect(
            try Self.records(blank.path, origin: "a\\ b.test.", pieces: true, pieceSize: 1)
                == [
                    Record(owner: blankApex, type: 1, ttl: 60, rdata: [192, 0, 2, 1]),
                    Record(owner: [3] + Array("www".utf8) + blankApex, type: 1, ttl: 60, rdata: [192, 0, 2, 2]),
                ].sorted())
    }

    @Test("without $TTL, a record with no TTL takes the last one stated, as RFC 1035 §5.1 says")
    func lastStatedTTLWithoutDirective() throws {
        // The shape of a public test zone (JDNSS's RR4.com): no $TTL, one record with an explicit
        // TTL, then records without. RFC 1035 §5.1: omitted TTLs default to the last explicitly
        // stated value; ldns-read-zone and named-checkzone -D both give 86400 for the NS and the
        // second A (named-checkzone gives the SOA its MINIMUM, 86400, with a warning).
        let text = "@ IN SOA ns hostmaster 1 2 3 4 86400\n@ 86400 IN A 192.0.2.1\n@ IN NS ns\nns IN A 192.0.2.2\n"
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let rows = try Self.records(file.path, origin: "example.test.")
        #expect(rows.first { $0.type == 1 && $0.rdata == [192, 0, 2, 1] }?.ttl == 86400)
        #expect(rows.first { $0.type == 2 }?.ttl == 86400)
        #expect(rows.first { $0.type == 1 && $0.rdata == [192, 0, 2, 2] }?.ttl == 86400)
    }

    @Test("an owner that starts with an unescaped '@' is that name, not the origin")
    func ownerStartingWithAt() throws {
        // RFC 1035 §5.1: only a free-standing @ denotes the origin. named-checkzone reads `@x` as the
        // name \@x.example.test (and refuses it only under check-names); libldns, which the reader
        // hands records to, reads any owner starting with '@' as the origin; the reader escapes it.
        // A bare `@` stays the origin, and `@.sub` is the name \@.sub (named-checkzone -D prints
        // `\@.sub.example.test.`).
        let text =
            "$TTL 60\n@ IN SOA ns hostmaster 1 2 3 4 5\n@x IN A 192.0.2.9\n@.sub IN A 192.0.2.8\n@ IN A 192.0.2.7\n"
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let rows = try Self.records(file.path, origin: "example.test.")
        let apex: [UInt8] = [7] + Array("example".utf8) + [4] + Array("test".utf8) + [0]
        #expect(rows.first { $0.rdata == [192, 0, 2, 9] }?.owner == [2] + Array("@x".utf8) + apex)
        #expect(
            rows.first { $0.rdata == [192, 0, 2, 8] }?.owner == [1] + Array("@".utf8) + [3] + Array("sub".utf8) + apex)
        #expect(rows.first { $0.rdata == [192, 0, 2, 7] }?.owner == apex)
    }

    @Test("a blank owner after $GENERATE is the owner before it, as in BIND")
    func blankOwnerAfterGenerate() throws {
        // named-checkzone -D on this zone prints `foo.example.test. 60 IN A 192.0.2.9`: $GENERATE
        // (a BIND extension) does not change the owner a blank-owner line inherits.
        let text =
            "$TTL 60\n@ IN SOA ns hostmaster 1 2 3 4 5\nfoo IN A 192.0.2.1\n$GENERATE 1-2 g$ IN A 192.0.2.$\n IN A 192.0.2.9\n"
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let rows = try Self.records(file.path, origin: "example.test.")
        let foo: [UInt8] = [3] + Array("foo".utf8) + [7] + Array("example".utf8) + [4] + Array("test".utf8) + [0]
        #expect(rows.first { $0.rdata == [192, 0, 2, 9] }?.owner == foo)
    }

    @Test("ldns-read-zone reads the same random zones as the reader does", arguments: seeds.prefix(12))
    func agreesWithLdnsReadZone(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed &* 6_364_136_223_846_793_005)
        let zone = RandomZone.make(&rng, ttlBeforeClass: true)
        let file = try ZoneSamples.temporaryZone(zone.text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let tool = "/usr/bin/ldns-read-zone"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "ldnsutils is installed by make test")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [file.path]
        // Output goes to a file: reading a pipe with FileHandle can trap on EINTR when other tests'
        // child processes exit at the same moment.
        let reference = file.deletingLastPathComponent().appendingPathComponent("reference.zone")
        _ = FileManager.default.createFile(atPath: reference.path, contents: nil)
        let output = try FileHandle(forWritingTo: reference)
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        let printed = try Data(contentsOf: reference)
        #expect(process.terminationStatus == 0, "seed \(seed):\n\(zone.text)")
        // ldns-read-zone prints every name absolute and every TTL, so the origin given does not matter.
        let viaLdns = try Self.records(reference.path, origin: zone.origin)
        #expect(
            viaLdns == zone.records.sorted(),
            "seed \(seed):\n\(zone.text)\nldns-read-zone:\n\(String(decoding: printed, as: UTF8.self))\n\(Self.difference(viaLdns, zone.records.sorted()))"
        )
    }
}

/// A random zone: the text and the records it must give.
struct RandomZone {
    var origin: String
    var text: String
    var records: [ZoneRoundTripPropertyTests.Record]

    typealias Record = ZoneRoundTripPropertyTests.Record

    /// Wire form of a name given as labels (RFC 1035 §3.1), lower-cased: the reader keeps owners, and
    /// the names inside SOA, NS, MX and SRV data, in RFC 4034 §6.2's canonical form (names compare
    /// case-insensitively, RFC 4343).
    static func wire(_ labels: [[UInt8]], lower: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        for l in labels {
            out.append(UInt8(l.count))
            out += lower ? l.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 } : l
        }
        return out + [0]
    }

    /// One label in presentation form: plain letters and digits, `\X` for the specials, `\DDD` for
    /// the rest (RFC 1035 §5.1), and sometimes `\DDD` for a plain byte too.
    static func present(_ label: [UInt8], _ rng: inout SeededGenerator) -> String {
        var out = ""
        for b in label {
            let plain = (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || b == 45 || b == 95
            if plain && Int.random(in: 0..<8, using: &rng) != 0 {
                out.unicodeScalars.append(UnicodeScalar(b))
            } else if Array(".\\()\";$@ ".utf8).contains(b) && Bool.random(using: &rng) {
                out += "\\" + String(UnicodeScalar(b))
            } else {
                let d = String(b)
                out += "\\" + String(repeating: "0", count: 3 - d.count) + d
            }
        }
        return out
    }

    static func label(_ rng: inout SeededGenerator) -> [UInt8] {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0:  // odd bytes: specials, spaces, high bytes
            return (0..<Int.random(in: 1...6, using: &rng)).map { _ in
                (Array(".\\()\";$@ *\t".utf8) + [0, 200, 255]).randomElement(using: &rng)!
            }
        case 1: return Array("_srv".utf8)
        case 2: return Array(repeating: UInt8(ascii: "x"), count: 63)  // the longest label
        default:
            let alphabet = Array("abcXYZ019-".utf8)
            return (0..<Int.random(in: 1...10, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
        }
    }

    static func quoted(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> String {
        var out = "\""
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 32...126 where Int.random(in: 0..<6, using: &rng) != 0: out.unicodeScalars.append(UnicodeScalar(b))
            default:
                let d = String(b)
                out += "\\" + String(repeating: "0", count: 3 - d.count) + d
            }
        }
        return out + "\""
    }

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    static func be32(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// A random zone. With `ttlBeforeClass`, every record has its TTL before its class: libldns' own
    /// reader (`ldns-read-zone`) refuses the class-then-TTL order RFC 1035 §5.1 also allows, which
    /// Exposure's reader reorders before handing the record to libldns. It also starts no name with
    /// an `@` byte: libldns prints such a name with the `@` unescaped, and reads any owner that
    /// starts with a bare `@` as the origin, so its output would not read back as what it read.
    static func make(_ rng: inout SeededGenerator, ttlBeforeClass: Bool = false) -> RandomZone {
        let originLabels: [[UInt8]] = [Array("z\(Int.random(in: 0...999, using: &rng))".utf8), Array("test".utf8)]
        let originText = "z\(String(decoding: originLabels[0].dropFirst(), as: UTF8.self)).test."
        var currentOrigin = originLabels
        var currentOriginText = originText
        let defaultTTL = UInt32.random(in: 0...86400, using: &rng)
        var currentTTL = defaultTTL
        var text = "$ORIGIN \(originText)\n$TTL \(defaultTTL)\n"
        var records: [Record] = []
        // The apex SOA (RFC 1035 §3.3.13): two names, then five 32-bit numbers.
        let serial = UInt32.random(in: 0...UInt32.max, using: &rng)
        text += "@ IN SOA ns1 Host\\.Master ( \(serial) 7200 ; refresh\n  3600 1209600 300 )\n"
        records.append(
            Record(
                owner: wire(originLabels), type: 6, ttl: defaultTTL,
                rdata: wire([Array("ns1".utf8)] + originLabels) + wire([Array("Host.Master".utf8)] + originLabels)
                    + be32(serial) + be32(7200) + be32(3600) + be32(1_209_600) + be32(300)))
        var lastOwner = wire(originLabels)
        records[0].owner = lastOwner

        /// A name, relative or absolute, and its labels. libldns 1.8.3 refuses an owner whose text is
        /// longer than 252 characters even when its wire form fits in 255 bytes (a name of 63-byte
        /// labels written with `\DDD` escapes), so names are kept within that.
        /// An owner (`owner`) may also start with a bare `@` when more follows (`@x`, `@.sub`): RFC 1035
        /// §5.1 gives the origin only to a lone `@`.
        func name(_ rng: inout SeededGenerator, owner: Bool = false) -> (String, [[UInt8]]) {
            var labels: [[UInt8]] = []
            for _ in 0..<Int.random(in: 1...3, using: &rng) { labels.append(label(&rng)) }
            while labels.reduce(0, { $0 + $1.count + 1 }) + currentOrigin.reduce(0, { $0 + $1.count + 1 }) > 250 {
                labels.removeFirst()
            }
            while true {
                if labels.isEmpty { labels = [Array("a".utf8)] }
                if ttlBeforeClass && labels[0][0] == UInt8(ascii: "@") { labels[0][0] = UInt8(ascii: "a") }
                var relative = labels.map { present($0, &rng) }.joined(separator: ".")
                if owner && !ttlBeforeClass && relative.hasPrefix("\\@") && relative.count > 2
                    && Bool.random(using: &rng)
                {
                    relative.removeFirst()
                }
                if relative.utf8.count + 1 + currentOriginText.utf8.count <= 252 {
                    let absolute = Bool.random(using: &rng)
                    return (absolute ? relative + "." + currentOriginText : relative, labels + currentOrigin)
                }
                labels.removeFirst()
            }
        }

        for _ in 0..<Int.random(in: 5...40, using: &rng) {
            switch Int.random(in: 0..<20, using: &rng) {
            case 0:
                let sub = label(&rng)
                let newText = ([sub] + currentOrigin).map { present($0, &rng) }.joined(separator: ".") + "."
                if currentOrigin.reduce(0, { $0 + $1.count + 1 }) + sub.count < 150 && newText.utf8.count <= 200 {
                    currentOrigin = [sub] + currentOrigin
                    currentOriginText = newText
                    text += "$ORIGIN \(newText)\n"
                }
                continue
            case 1:
                currentTTL = UInt32.random(in: 0...2_147_483_647, using: &rng)
                text += "$TTL \(currentTTL)\n"
                continue
            case 2: text += "; a comment with \"quotes\" and ( parentheses\n"
            case 3 where !ttlBeforeClass:
                // BIND's $GENERATE (libldns has none): start-stop/step, `$` the value, ${offset,width,base}.
                let start = Int.random(in: 0...200, using: &rng)
                let step = Int.random(in: 1...3, using: &rng)
                let stop = start + step * Int.random(in: 0...15, using: &rng)
                let offset = Int.random(in: 0...300, using: &rng)
                let width = Int.random(in: 0...5, using: &rng)
                let hex = Bool.random(using: &rng)
                let tag = "g\(records.count)"
                var ttl = currentTTL
                var ttlText = ""
                if Bool.random(using: &rng) {
                    ttl = UInt32.random(in: 0...86400, using: &rng)
                    ttlText = " \(ttl)"
                }
                text +=
                    "$GENERATE \(start)-\(stop)/\(step) \(tag)-${\(offset),\(width),\(hex ? "x" : "d")}\(ttlText) IN A 192.0.2.$\n"
                for value in stride(from: start, through: stop, by: step) {
                    var digits = String(value + offset, radix: hex ? 16 : 10)
                    if digits.count < width { digits = String(repeating: "0", count: width - digits.count) + digits }
                    let owner = [Array("\(tag)-\(digits)".utf8)] + currentOrigin
                    records.append(Record(owner: wire(owner), type: 1, ttl: ttl, rdata: [192, 0, 2, UInt8(value)]))
                }
                // A blank owner after this line is still `lastOwner` (BIND: $GENERATE does not change it).
                continue
            default: break
            }
            // Owner: a new name, the origin (@), or blank (the previous owner).
            var line = ""
            switch Int.random(in: 0..<5, using: &rng) {
            case 0:
                line = "@"
                lastOwner = wire(currentOrigin)
            case 1: line = ""
            default:
                let (t, labels) = name(&rng, owner: true)
                line = t
                lastOwner = wire(labels)
            }
            var ttl = currentTTL
            var ttlText = ""
            if Bool.random(using: &rng) {
                ttl = UInt32.random(in: 0...2_147_483_647, using: &rng)
                ttlText = "\(ttl)"
                if Int.random(in: 0..<6, using: &rng) == 0 {
                    ttl = 5400
                    ttlText = "1h30m"
                }
            }
            let classText = Bool.random(using: &rng) ? "IN" : ""
            let head = ttlBeforeClass || Bool.random(using: &rng) ? [ttlText, classText] : [classText, ttlText]
            var typeText: String
            var rdataText: String
            var type: UInt16
            var rdata: [UInt8]
            switch Int.random(in: 0..<9, using: &rng) {
            case 0:
                let a = (0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) }
                (typeText, type, rdata) = ("A", 1, a)
                rdataText = a.map(String.init).joined(separator: ".")
            case 1:
                let a = (0..<16).map { _ in
                    Int.random(in: 0..<3, using: &rng) == 0 ? 0 : UInt8.random(in: 0...255, using: &rng)
                }
                (typeText, type, rdata) = ("AAAA", 28, a)
                rdataText = stride(from: 0, to: 16, by: 2).map { String(Int(a[$0]) << 8 | Int(a[$0 + 1]), radix: 16) }
                    .joined(separator: ":")
            case 2:
                let (t, labels) = name(&rng)
                (typeText, type, rdata, rdataText) = ("NS", 2, wire(labels), t)
            case 3:
                let (t, labels) = name(&rng)
                let preference = Int.random(in: 0...65535, using: &rng)
                (typeText, type, rdata, rdataText) = ("MX", 15, be16(preference) + wire(labels), "\(preference) \(t)")
            case 4:
                var strings: [[UInt8]] = []
                for _ in 0..<Int.random(in: 1...3, using: &rng) {
                    strings.append(
                        (0..<[0, 1, 10, 255].randomElement(using: &rng)!).map { _ in
                            UInt8.random(in: 0...255, using: &rng)
                        })
                }
                (typeText, type) = ("TXT", 16)
                rdata = strings.flatMap { [UInt8($0.count)] + $0 }
                let parts = strings.map { quoted($0, &rng) }
                rdataText =
                    Bool.random(using: &rng)
                    ? parts.joined(separator: " ") : "( " + parts.joined(separator: "\n   ") + " )"
            case 5:
                let flags: UInt8 = Bool.random(using: &rng) ? 0 : 128
                let tag = ["issue", "issuewild", "iodef"].randomElement(using: &rng)!
                let value = ["ca.example.net", "ca.example.net; account=230123", "mailto:security@example.com", ";"]
                    .randomElement(using: &rng)!
                (typeText, type) = ("CAA", 257)
                rdata = [flags, UInt8(tag.utf8.count)] + Array(tag.utf8) + Array(value.utf8)
                rdataText = "\(flags) \(tag) \"\(value)\""
            case 6:
                let (t, labels) = name(&rng)
                let p = (0..<3).map { _ in Int.random(in: 0...65535, using: &rng) }
                (typeText, type) = ("SRV", 33)
                rdata = be16(p[0]) + be16(p[1]) + be16(p[2]) + wire(labels)
                rdataText = "\(p[0]) \(p[1]) \(p[2]) \(t)"
            case 7:
                // RFC 3597: an unknown type, record data in hex, split with blanks.
                type = UInt16.random(in: 65280...65534, using: &rng)
                rdata = (0..<Int.random(in: 0...20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
                typeText = "TYPE\(type)"
                let hex = rdata.map { String(format: "%02X", $0) }
                rdataText =
                    "\\# \(rdata.count)"
                    + (rdata.isEmpty
                        ? ""
                        : " "
                            + stride(from: 0, to: hex.count, by: 3).map { hex[$0..<min($0 + 3, hex.count)].joined() }
                            .joined(separator: " "))
            default:
                // RFC 3597 §5: a known type written in the generic form reads as the type itself.
                let a = (0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) }
                (typeText, type, rdata) = (Bool.random(using: &rng) ? "A" : "TYPE1", 1, a)
                rdataText = "\\# 4 " + a.map { String(format: "%02x", $0) }.joined()
            }
            line += " " + head.filter { !$0.isEmpty }.joined(separator: " ") + " \(typeText) \(rdataText)"
            if line.hasPrefix(" ") { line = "\t" + line.dropFirst() }
            text += line + (Bool.random(using: &rng) ? " ; trailing comment\n" : "\n")
            records.append(Record(owner: lastOwner, type: type, ttl: ttl, rdata: rdata))
        }
        return RandomZone(origin: originText, text: text, records: records)
    }
}
