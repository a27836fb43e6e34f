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
}
