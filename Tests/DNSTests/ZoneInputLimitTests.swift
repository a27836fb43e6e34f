import Findings
import Foundation
import Testing

@testable import DNS

/// Sizes a zone file decides, each tried at its limit (read) and just past it (refused with the file
/// and line). The limits are the ones `docs/limitations.md` lists under "Limits on input sizes".
@Suite("Limits on zone file sizes, at and just past each")
struct ZoneInputLimitTests {
    static let origin = DomainName(text: "example.com")!

    /// `www IN TXT "…" "…" …`: one record of exactly `length` characters, its strings of 255 bytes
    /// (RFC 1035 §3.3.14) so its data fits in the 65,535 bytes of RDATA.
    static func txtRecord(length: Int) -> String {
        var line = "www IN TXT"
        while line.utf8.count + 258 <= length { line += " \"" + String(repeating: "t", count: 255) + "\"" }
        let rest = length - line.utf8.count - 3
        line += " \"" + String(repeating: "u", count: rest) + "\""
        return line
    }

    @Test("a record of 65,535 characters is read; one of 65,536 exits 2 naming the file and line")
    func recordText() throws {
        for (length, readable) in [(65535, true), (65536, false)] {
            let record = Self.txtRecord(length: length)
            #expect(record.utf8.count == length)
            let file = try ZoneSamples.temporaryZone("$TTL 60\n@ IN SOA ns hostmaster 1 2 3 4 5\n\(record)\n")
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            do {
                let zone = try ZoneFile.read(path: file.path, origin: Self.origin, allowInclude: false)
                #expect(readable, "\(length) characters were read")
                #expect(zone.store.rows.count == 2)
            } catch {
                #expect(!readable, "\(length) characters: \(error)")
                #expect(error.file == file.path)
                #expect(error.place == .line(3))
                #expect(error.reason.contains("a record of 65536 characters"))
            }
        }
    }

    /// A zone that reaches `depth` files through a chain of `$INCLUDE`s, each in its own file.
    static func includeChain(depth: Int) throws -> (top: URL, folder: URL) {
        let top = try ZoneSamples.temporaryZone("$TTL 60\n@ IN SOA ns hostmaster 1 2 3 4 5\n$INCLUDE part1.zone\n")
        let folder = top.deletingLastPathComponent()
        for i in 1...depth {
            let next = i < depth ? "$INCLUDE part\(i + 1).zone\n" : ""
            try "h\(i) IN A 192.0.2.\(i)\n\(next)".write(
                to: folder.appendingPathComponent("part\(i).zone"), atomically: true, encoding: .utf8)
        }
        return (top, folder)
    }

    @Test("$INCLUDE nested 8 deep is read; a 9th level exits 2 naming the file and line that asks for it")
    func includeDepth() throws {
        let atLimit = try Self.includeChain(depth: 8)
        defer { try? FileManager.default.removeItem(at: atLimit.folder) }
        let zone = try ZoneFile.read(path: atLimit.top.path, origin: Self.origin, allowInclude: true)
        #expect(zone.store.rows.count == 9)

        let past = try Self.includeChain(depth: 9)
        defer { try? FileManager.default.removeItem(at: past.folder) }
        #expect(throws: InputError.self) {
            try ZoneFile.read(path: past.top.path, origin: Self.origin, allowInclude: true)
        }
        do {
            _ = try ZoneFile.read(path: past.top.path, origin: Self.origin, allowInclude: true)
        } catch {
            #expect(error.file?.hasSuffix("part8.zone") == true, "\(error)")
            #expect(error.place == .line(2))
            #expect(error.reason == "$INCLUDE nested more than 8 deep")
        }
    }

    @Test("$GENERATE of 1,000,000 records is accepted; 1,000,001 is refused before any record is made")
    func generateRange() throws {
        // The range 0-999999 holds 1,000,000 values; with step 1 each makes one record.
        let atLimit = try GenerateDirective("$GENERATE 0-999999 host$ A 192.0.2.1")
        #expect((atLimit.stop - atLimit.start) / atLimit.step + 1 == 1_000_000)
        do {
            _ = try GenerateDirective("$GENERATE 0-1000000 host$ A 192.0.2.1")
            Issue.record("1,000,001 records were accepted")
        } catch {
            guard case .tooMany(let n) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(n == 1_000_001)
        }
        // With a step, what counts is the records made, not the width of the range: 0-1999999/2 is
        // 1,000,000 records.
        _ = try GenerateDirective("$GENERATE 0-1999999/2 host$ A 192.0.2.1")
    }

    /// An absolute owner of `length` characters whose wire form fits the 255 octets of RFC 1035 §3.1:
    /// three 63-octet labels, then one written with `\DDD` escapes (four characters an octet).
    static func escapedOwner(length: Int) -> String {
        let label = String(repeating: "a", count: 63)
        let start = [label, label, label].joined(separator: ".") + "."
        let rest = length - start.utf8.count - 1
        let escapes = min(rest / 4, 10)
        return start + String(repeating: "\\097", count: escapes) + String(repeating: "b", count: rest - 4 * escapes)
            + "."
    }

    @Test("an absolute owner written in 254 characters is read; one of 255 (226 wire octets) exits 2 naming the line")
    func ownerText() throws {
        // libldns 1.8.3 reads at most 254 characters of a name; ldns-read-zone refuses the same 255-character
        // owner ("could not parse the RR"), though RFC 1035 §3.1 allows the name: 3 × 64 + 1 + 32 + 1 octets.
        for (length, readable) in [(254, true), (255, false)] {
            let owner = Self.escapedOwner(length: length)
            #expect(owner.utf8.count == length)
            let file = try ZoneSamples.temporaryZone(
                "$TTL 60\n. IN SOA ns hostmaster 1 2 3 4 5\n\(owner) IN A 192.0.2.1\n")
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            do {
                let zone = try ZoneFile.read(path: file.path, origin: .root, allowInclude: false)
                #expect(readable, "\(length) characters were read")
                // 3 labels of 63 (192 octets), one of 10 escaped and 21 plain octets (32), the root.
                #expect(zone.store.rows.map { zone.store.owner($0).wire.count }.max() == 225)
            } catch {
                #expect(!readable, "\(length) characters: \(error)")
                #expect(error.file == file.path)
                #expect(error.place == .line(3))
                #expect(error.reason.hasPrefix("syntax error"))
            }
        }
    }

    /// One entry of exactly `length` bytes: a TXT record whose parentheses hold comment lines, so the
    /// record itself stays short once flattened.
    static func longEntry(length: Int) -> String {
        let head = "www IN TXT ( \"x\"\n"
        let tail = ")\n"
        let line = ";" + String(repeating: "c", count: 1022) + "\n"
        var body = String(repeating: line, count: (length - head.utf8.count - tail.utf8.count) / line.utf8.count)
        let left = length - head.utf8.count - tail.utf8.count - body.utf8.count
        if left > 0 { body += ";" + String(repeating: "c", count: left - 2) + "\n" }
        return head + body + tail
    }

    @Test(
        "an entry of 64 MiB before flattening is read; one byte more exits 2 naming the line it starts on",
        .disabled(
            if: ProcessInfo.processInfo.environment["EXPOSURE_TEST_TIME_SCALE"] != nil,
            "under ThreadSanitizer (make test-tsan) reading 128 MiB byte by byte takes minutes; make test covers it"))
    func entryBeforeFlattening() throws {
        for (length, readable) in [(MasterFileReader.longestEntry, true), (MasterFileReader.longestEntry + 1, false)] {
            let entry = Self.longEntry(length: length)
            #expect(entry.utf8.count == length)
            let file = try ZoneSamples.temporaryZone("$TTL 60\n@ IN SOA ns hostmaster 1 2 3 4 5\n" + entry)
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            do {
                let zone = try ZoneFile.read(path: file.path, origin: Self.origin, allowInclude: false)
                #expect(readable, "\(length) bytes were read")
                #expect(zone.store.rows.count == 2)
            } catch {
                #expect(!readable, "\(length) bytes: \(error)")
                #expect(error.file == file.path)
                #expect(error.place == .line(3))
                #expect(error.reason.contains("an entry longer than 64 MiB"))
            }
        }
    }

    @Test("100 findings of one check are all listed; at 101 the first 100 are and a warning counts the other")
    func findingsListed() throws {
        // RFC 4034 §5: a DS belongs at a delegation; each DS at a name without NS is one
        // dns.dnssec-misplaced-record finding, in an unsigned zone too.
        for (count, warned) in [
            (ZoneAnalyzer.findingsPerCheckLimit, false), (ZoneAnalyzer.findingsPerCheckLimit + 1, true),
        ] {
            var text = "$TTL 60\n@ IN SOA ns hostmaster 1 2 3 4 5\n@ IN NS ns\nns IN A 192.0.2.1\n"
            for index in 0..<count {
                text += "h\(index) IN DS 12345 13 2 " + String(repeating: "ab", count: 32) + "\n"
            }
            let file = try ZoneSamples.temporaryZone(text)
            defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
            let report = try ZoneAnalyzer.analyze(
                file: file.path, options: ZoneCheckOptions(origin: "example.com", now: ZoneSamples.now))
            let misplaced = report.findings.filter { $0.check.id == "dns.dnssec-misplaced-record" }
            #expect(misplaced.count == ZoneAnalyzer.findingsPerCheckLimit)
            let warning = "1 more dns.dnssec-misplaced-record findings are not listed (the first 100 are)"
            #expect(report.warnings.contains(warning) == warned, "\(report.warnings)")
        }
    }
}
