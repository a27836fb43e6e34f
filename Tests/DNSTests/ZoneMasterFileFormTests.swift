import Findings
import Foundation
import Testing

@testable import DNS

/// Master-file forms real zones use and the syntax errors `named-checkzone` rejects. Each expected
/// answer is what BIND's `named-checkzone` says of the same text (run beside it where installed) or
/// what RFC 1035 §5.1 / RFC 2181 §8 say.
@Suite("Master-file forms and syntax errors, as named-checkzone reads them")
struct ZoneMasterFileFormTests {
    static let head = """
        $ORIGIN example.com.
        $TTL 300
        @    IN SOA ns1 hostmaster 1 7200 3600 1209600 300
        @    IN NS  ns1
        ns1  IN A   192.0.2.1

        """

    /// named-checkzone's exit status for `text`, nil when it is not installed.
    static func bindStatus(_ file: URL) -> Int32? {
        ZoneSamples.referenceStatus("named-checkzone", ["-q", "example.com", file.path])
    }

    static func read(_ text: String) throws -> (ZoneFile, URL) {
        let file = try ZoneSamples.temporaryZone(text)
        return (try ZoneFile.read(path: file.path, origin: DomainName(text: "example.com")!, allowInclude: false), file)
    }

    @Test(
        "records ending in a quoted string are read with blanks or a comment after them (named-checkzone accepts them)",
        arguments: [
            "@ IN CAA 0 issue \"letsencrypt.org\"   ", "host IN HINFO \"PC\" \"Linux\"\t",
            "@ IN URI 10 1 \"https://example.com/\" ; a comment", "isdn IN ISDN \"150862028003217\" \"004\" ",
            "x25 IN X25 \"311061700956\"  ",
        ])
    func quotedStringLast(_ line: String) throws {
        let (zone, file) = try Self.read(Self.head + line + "\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        #expect(zone.store.rows.count == 4)
        if let status = Self.bindStatus(file) { #expect(status == 0) }
    }

    @Test(
        "the four syntax errors named-checkzone rejects are InputErrors naming their line",
        arguments: [
            ("unbalanced", "a IN TXT ( \"x\"\nb IN A 192.0.2.2\n", 6, "never closed"),
            ("ttl", "$TTL 99999999999999999999\n", 6, "does not fit 32 bits"),
            ("record-ttl", "b 4294967296 IN A 192.0.2.2\n", 6, "does not fit 32 bits"),
            ("closing", ") b IN A 192.0.2.2\n", 6, "without an opening"),
            ("two-soa", "@ IN SOA ns2 hostmaster 2 7200 3600 1209600 300\n", 6, "second SOA"),
        ])
    func syntaxErrors(_ name: String, _ tail: String, _ line: Int, _ words: String) throws {
        let file = try ZoneSamples.temporaryZone(Self.head + tail)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        if let status = Self.bindStatus(file) { #expect(status != 0, "named-checkzone accepts \(name)") }
        do {
            _ = try ZoneAnalyzer.analyze(file: file.path, options: ZoneCheckOptions(origin: "example.com", now: 0))
            Issue.record("\(name): no error")
        } catch {
            #expect(error.file == file.path)
            #expect(error.place == .line(line))
            #expect(error.reason.contains(words), "\(error.reason)")
        }
    }

    @Test(
        "a TXT of 4 MB is refused rather than cut at 65535 characters as libldns would (named-checkzone: ran out of space)"
    )
    func hugeRecord() throws {
        let strings = Array(repeating: "\"" + String(repeating: "a", count: 200) + "\"", count: 20_000)
        let file = try ZoneSamples.temporaryZone(Self.head + "t IN TXT " + strings.joined(separator: " ") + "\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        if let status = Self.bindStatus(file) { #expect(status != 0) }
        #expect(throws: InputError.self) {
            _ = try ZoneFile.read(path: file.path, origin: DomainName(text: "example.com")!, allowInclude: false)
        }
    }

    @Test("a TTL above 2^31 - 1 is read as 0 with a warning, as BIND does (RFC 2181 §8)")
    func ttlAboveMaximum() throws {
        let (zone, file) = try Self.read(Self.head + "b 2147483648 IN A 192.0.2.2\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        #expect(zone.store.rows.last?.ttl == 0)
        #expect(zone.warnings.count == 1)
    }

    @Test("lowercase $origin/$ttl and class before TTL read the same records as the usual spelling (RFC 1035 §5.1)")
    func lowercaseAndClassFirst() throws {
        let usual = Self.head + "www 600 IN A 192.0.2.2\n"
        let other = """
            $origin example.com.
            $ttl 300
            @    IN SOA ns1 hostmaster 1 7200 3600 1209600 300
            @    IN 300 NS ns1
            ns1  IN A   192.0.2.1
            www  IN 600 A 192.0.2.2

            """
        let (a, fileA) = try Self.read(usual)
        let (b, fileB) = try Self.read(other)
        defer {
            try? FileManager.default.removeItem(at: fileA.deletingLastPathComponent())
            try? FileManager.default.removeItem(at: fileB.deletingLastPathComponent())
        }
        func summary(_ zone: ZoneFile) -> [String] {
            zone.store.rows.map { "\(zone.store.owner($0).text) \($0.ttl) \($0.type) \(Array(zone.store.rdata($0)))" }
        }
        #expect(summary(a) == summary(b))
        #expect(b.store.rows.last?.ttl == 600)
        if let status = Self.bindStatus(fileB) { #expect(status == 0) }
    }

    @Test(
        "$GENERATE 1-3 host$ A 192.0.2.${10} makes host1..host3 at .11-.13 (offset 10, as BIND's manual describes ${offset})"
    )
    func generate() throws {
        let (zone, file) = try Self.read(
            Self.head + "$GENERATE 1-3 host$ A 192.0.2.${10}\n$GENERATE 0-4/2 x${0,2,x} 60 IN TXT \"n$\"\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let made = zone.store.rows.dropFirst(3).map { zone.store.owner($0).text }
        #expect(
            made == [
                "host1.example.com.", "host2.example.com.", "host3.example.com.", "x00.example.com.",
                "x02.example.com.", "x04.example.com.",
            ])
        #expect(Array(zone.store.rdata(zone.store.rows[3])) == [192, 0, 2, 11])
        #expect(zone.store.rows.last?.ttl == 60)
        if let status = Self.bindStatus(file) { #expect(status == 0) }
    }

    @Test("a $GENERATE range of 10^9 names is refused at once, naming its line")
    func generateBounded() throws {
        let file = try ZoneSamples.temporaryZone(Self.head + "$GENERATE 1-1000000000 h$ A 192.0.2.1\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            _ = try ZoneFile.read(path: file.path, origin: DomainName(text: "example.com")!, allowInclude: false)
            Issue.record("no error")
        } catch {
            #expect(error.place == .line(6))
            #expect(error.reason.contains("1000000000 records"))
        }
        #expect(clock.now - started < .seconds(5))
    }
}
