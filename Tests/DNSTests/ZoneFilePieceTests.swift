import Foundation
import Testing

@testable import DNS

/// Large files are cut into pieces parsed in parallel; the result must be the records, lines and
/// `$ORIGIN`/`$TTL` state a single sequential read gives.
@Suite("Reading a zone file in parallel pieces")
struct ZoneFilePieceTests {
    static let tricky = """
        $ORIGIN example.com.
        $TTL 300
        @      IN SOA ns1 hostmaster ( 1 7200
                   3600 1209600 300 )
        a      IN TXT ( "x;y(" ; a comment with ( and "
                        "z" )
        b      IN A 192.0.2.1
               IN A 192.0.2.2
        ; a comment line
        c      IN TXT "escaped \\" quote ; still text"
        $ORIGIN sub.example.com.
        d      IN A 192.0.2.3
        $TTL 60
        e      IN A 192.0.2.4
        f      IN MX 10 d

        """

    struct Row: Equatable {
        var owner: String
        var type: UInt16
        var ttl: UInt32
        var line: UInt32
        var rdata: [UInt8]
    }

    static func rows(_ zone: ZoneFile) -> [Row] {
        zone.store.rows.map {
            Row(
                owner: zone.store.owner($0).text, type: $0.type, ttl: $0.ttl, line: $0.line,
                rdata: Array(zone.store.rdata($0)))
        }
    }

    @Test("pieces cut only where an owner starts a line outside parentheses, with the $ORIGIN and $TTL in force")
    func pieceBoundaries() throws {
        let file = try ZoneSamples.temporaryZone(Self.tricky)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let pieces = try #require(ZoneFileSplitter.pieces(of: file.path, pieceSize: 1))
        // Lines that may start a piece: 3 (@), 5 (a), 7 (b), 10 (c), 12 (d), 14 (e), 15 (f).
        #expect(pieces.map(\.firstLine) == [1, 3, 5, 7, 10, 12, 14, 15])
        #expect(pieces.last?.origin == "sub.example.com.")
        #expect(pieces.last?.ttl == "60")
        #expect(pieces[2].ttl == "300")
        #expect(pieces.first?.start == 0)
        #expect(zip(pieces, pieces.dropFirst()).allSatisfy { $0.end == $1.start })
    }

    @Test("the quick cuts of the tricky file are the lexer's cuts, with the same $ORIGIN and $TTL")
    func quickCutsOfTrickyFile() throws {
        // Worked by hand above: no line inside its parentheses starts with an owner's byte, and its `$`
        // lines are single-line directives, so the guesses are all right.
        let file = try ZoneSamples.temporaryZone(Self.tricky)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let quick = try #require(ZoneFileSplitter.quickPieces(of: file.path, pieceSize: 1))
        #expect(quick == ZoneFileSplitter.pieces(of: file.path, pieceSize: 1))
        #expect(quick.map(\.firstLine) == [1, 3, 5, 7, 10, 12, 14, 15])
        // Larger pieces: the first owner line at or after each multiple of the size but the last (the
        // file is 370 bytes; owner lines 3, 5, 7, 10, 12, 14, 15 start at bytes 30, 98, 168, 229, 300,
        // 330, 352): 40, 80, …, 320 give lines 5, 5, 7, 7, 10, 12, 12, 14 (each cut once); 100 and 200
        // give lines 7 and 10.
        #expect(ZoneFileSplitter.quickPieces(of: file.path, pieceSize: 40)?.map(\.firstLine) == [1, 5, 7, 10, 12, 14])
        #expect(ZoneFileSplitter.quickPieces(of: file.path, pieceSize: 100)?.map(\.firstLine) == [1, 7, 10])
    }

    /// Lines a quick cut guesses wrong on: `n` opens its parentheses and a line inside them starts
    /// with a name's byte (`x`), and a `$TTL` line inside `m`'s parentheses is text of its TXT record,
    /// not a directive (as the lexer reads the entry, and ldns-read-zone with it).
    static let wrongGuesses = """
        $ORIGIN example.com.
        $TTL 300
        @ IN SOA ns1 hostmaster 1 7200 3600 1209600 300
        n IN TXT ( "first"
        x "second" )
        m IN TXT ( "one"
        $TTL 5
        )
        z IN A 192.0.2.9

        """

    @Test(
        "a quick cut inside parentheses, or after a $ line inside them, is caught and the file read with the lexer's cuts",
        arguments: [("x \"second\" )", 5), ("z IN A", 9)])
    func quickCutGuessesAreChecked(_ line: String, number: Int) throws {
        let file = try ZoneSamples.temporaryZone(Self.wrongGuesses)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let origin = try #require(DomainName(text: "example.com"))
        let quick = try #require(ZoneFileSplitter.quickPieces(of: file.path, pieceSize: 1))
        // The guess is made: a piece starts at line 5 (inside n's parentheses); and the piece at line 9
        // was started with the $TTL 5 the lexer does not see as a directive.
        let guessed = try #require(quick.first { $0.firstLine == number })
        let text = try String(contentsOf: file, encoding: .utf8)
        let offset = try #require(text.range(of: line)).lowerBound.utf16Offset(in: text)
        #expect(guessed.start == offset)
        #expect(number == 5 || guessed.ttl == "5")
        // With the other wrong guess taken out (its piece joined to the one before), the check of this
        // one refuses the pieces; without this one too, they are taken.
        func dropping(_ line: Int, from list: [ZoneFileSplitter.Piece]) -> [ZoneFileSplitter.Piece] {
            var kept: [ZoneFileSplitter.Piece] = []
            for piece in list {
                if piece.firstLine == line, !kept.isEmpty {
                    kept[kept.count - 1].end = piece.end
                } else {
                    kept.append(piece)
                }
            }
            return kept
        }
        func read(_ pieces: [ZoneFileSplitter.Piece]) -> ZoneFile? {
            try? ZoneFile.readPieces(path: file.path, pieces: pieces, origin: origin, encode: true, checkCuts: true)
        }
        let pieces = dropping(number == 5 ? 9 : 5, from: quick)
        #expect(read(pieces) == nil)
        #expect(read(dropping(number, from: pieces)) != nil)
        // ... and the file reads as it does in one go.
        let sequential = try ZoneFile.read(path: file.path, origin: origin, allowInclude: false)
        let parallel = try ZoneFile.read(
            path: file.path, origin: origin, allowInclude: false, pieceSize: 1, parallelThreshold: 0)
        #expect(Self.rows(parallel) == Self.rows(sequential))
        #expect(sequential.store.rows.count == 4)
        #expect(Self.rows(sequential).contains { $0.owner == "z.example.com." && $0.ttl == 300 })
    }

    @Test("a file with $INCLUDE is not cut")
    func includeIsNotCut() throws {
        let file = try ZoneSamples.temporaryZone(Self.tricky + "$INCLUDE other.zone\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        #expect(ZoneFileSplitter.pieces(of: file.path, pieceSize: 1) == nil)
        #expect(ZoneFileSplitter.quickPieces(of: file.path, pieceSize: 1) == nil)
    }

    @Test(
        "reading in pieces gives the same records as one sequential read",
        arguments: ["tricky", "healthy-nsec.zone", "healthy-nsec3.zone", "weak-algorithm-rsasha1-1024.zone"])
    func piecesMatchSequential(_ sample: String) throws {
        var cleanup: URL?
        let path: String
        if sample == "tricky" {
            let file = try ZoneSamples.temporaryZone(Self.tricky)
            cleanup = file.deletingLastPathComponent()
            path = file.path
        } else {
            path = ZoneSamples.path(sample)
        }
        defer { if let cleanup { try? FileManager.default.removeItem(at: cleanup) } }
        let origin = try #require(DomainName(text: "example.com"))
        let sequential = try ZoneFile.read(path: path, origin: origin, allowInclude: false)
        let parallel = try ZoneFile.read(
            path: path, origin: origin, allowInclude: false, pieceSize: 300, parallelThreshold: 0)
        #expect(Self.rows(parallel) == Self.rows(sequential))
        #expect(parallel.declaredOrigin == sequential.declaredOrigin)
        #expect(sequential.store.rows.count > 5)
    }

    @Test("a syntax error in a later piece names the file's own line number")
    func errorLineInPiece() throws {
        let text = Self.tricky.replacingOccurrences(of: "e      IN A 192.0.2.4", with: "e      IN A 192.0.2.400")
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        do {
            _ = try ZoneFile.read(
                path: file.path, origin: DomainName(text: "example.com")!, allowInclude: false, pieceSize: 1,
                parallelThreshold: 0)
            Issue.record("no error")
        } catch {
            #expect(error.place == .line(14))
        }
    }

    /// Entries that test the reader's lexing: comments holding quotes and parentheses, a string holding
    /// `;`, escapes, tabs, a CRLF line end, blank owners, `$ORIGIN` and `$TTL` changes, and a last line
    /// with trailing blanks and no newline.
    static let lexing =
        "$ORIGIN example.com.\n$TTL 300\n@      IN SOA ns1 hostmaster ( 1 7200 ; serial etc\n"
        + "           3600 1209600 300 )\na      IN TXT ( \"x;y(\" ; a comment with ( and \"\n"
        + "                \"z\" )\nb      IN A 192.0.2.1\n       IN A 192.0.2.2\n; a comment line\n"
        + "c      IN TXT \"escaped \\\" quote ; still text\"\nd\tIN\tMX\t10 b\r\n$ORIGIN sub.example.com.\n"
        + "e      IN A 192.0.2.3\n$TTL 60\nf      IN A 192.0.2.4\n"
        + "g 120 IN TXT \"tab\\there\" \"semi;colon\" ( \"paren\" )\nh IN AAAA 2001:db8::1   "

    @Test("every record reads as ldns-read-zone, libldns' own stream reader, prints it one per line")
    func recordsMatchLibldnsStreamReader() throws {
        let file = try ZoneSamples.temporaryZone(Self.lexing)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let tool = "/usr/bin/ldns-read-zone"
        try #require(FileManager.default.isExecutableFile(atPath: tool), "ldnsutils is installed by make test")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = [file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let reference = file.deletingLastPathComponent().appendingPathComponent("reference.zone")
        try printed.write(to: reference)

        let origin = try #require(DomainName(text: "example.com"))
        func records(_ path: String) throws -> [String] {
            let zone = try ZoneFile.read(path: path, origin: origin, allowInclude: false)
            return Self.rows(zone).map { "\($0.owner) \($0.type) \($0.ttl) \($0.rdata)" }.sorted()
        }
        let ours = try records(file.path)
        #expect(ours.count == 10)
        #expect(ours == (try records(reference.path)))
    }

    @Test("every bundled zone and every zone-pieces fuzzing regression reads the same whole and cut at every owner")
    func pieceAgreementOnSamples() throws {
        // The comparison the `zone-pieces` fuzz target makes (ZoneFilePieceAgreement), on the inputs
        // kept in the repository: a cut wherever one may go (piece size 1).
        let regressions = ZoneSamples.packageRoot.appendingPathComponent("Fuzz/regressions/zone-pieces")
        var paths = try FileManager.default.contentsOfDirectory(atPath: ZoneSamples.folder.path)
            .filter { $0.hasSuffix(".zone") }.map(ZoneSamples.path)
        paths += ((try? FileManager.default.contentsOfDirectory(atPath: regressions.path)) ?? [])
            .map { regressions.appendingPathComponent($0).path }
        #expect(paths.count > 10)
        for path in paths.sorted() {
            #expect(
                ZoneFilePieceAgreement.compare(file: path, origin: "example.com.", pieceSize: 1) == .agree, "\(path)")
        }
    }

    /// A large zone read whole and in pieces of the size large reads use (4 MiB), when asked:
    /// `EXPOSURE_COMPARE_PIECES_ZONE=FILE swift test --filter ZoneFilePieceTests` (origin
    /// `bench.example`, the benchmark's, unless `EXPOSURE_COMPARE_PIECES_ORIGIN` names another).
    @Test(
        "a large zone reads the same whole and in 4 MiB pieces, when asked",
        .enabled(if: ProcessInfo.processInfo.environment["EXPOSURE_COMPARE_PIECES_ZONE"] != nil))
    func largeZonePieceAgreement() throws {
        let environment = ProcessInfo.processInfo.environment
        let file = try #require(environment["EXPOSURE_COMPARE_PIECES_ZONE"])
        let origin = environment["EXPOSURE_COMPARE_PIECES_ORIGIN"] ?? "bench.example."
        let pieces = try #require(ZoneFileSplitter.quickPieces(of: file, pieceSize: 4 << 20))
        #expect(pieces.count > 1)
        #expect(ZoneFilePieceAgreement.compare(file: file, origin: origin, pieceSize: 4 << 20) == .agree)
    }
}
