import Findings
import Foundation
import Testing

@testable import DNS

@Suite("Reading zone files")
struct ZoneFileTests {
    static let plain = """
        $ORIGIN example.org.
        $TTL 300
        @    IN SOA ns1 hostmaster 1 7200 3600 1209600 300
        @    IN NS  ns1
        ns1  IN A   192.0.2.1
        www       A 192.0.2.2
             IN TXT "same owner as the line before"

        """

    @Test("relative names, $ORIGIN, $TTL and blank owners are read as RFC 1035 says")
    func relativeNames() throws {
        let file = try ZoneSamples.temporaryZone(Self.plain)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        let zone = try ZoneFile.read(path: file.path, origin: DomainName(text: "example.org")!, allowInclude: false)
        #expect(zone.store.rows.count == 5)
        #expect(zone.declaredOrigin?.text == "example.org.")
        let txt = try #require(zone.store.rows.last)
        #expect(zone.store.owner(txt).text == "www.example.org.")
        #expect(RecordType(txt.type).description == "TXT")
        #expect(txt.ttl == 300)
        #expect(txt.line == 7)
    }

    @Test("a syntax error is a InputError naming the file and the line")
    func syntaxError() throws {
        let text = Self.plain.replacingOccurrences(of: "ns1  IN A   192.0.2.1", with: "ns1  IN A   192.0.2.300")
        let file = try ZoneSamples.temporaryZone(text)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        do {
            _ = try ZoneAnalyzer.analyze(file: file.path, options: ZoneCheckOptions(origin: "example.org", now: 0))
            Issue.record("no error")
        } catch {
            #expect(error.file == file.path)
            #expect(error.place == .line(5))
            #expect(error.reason.contains("syntax error"))
        }
    }

    @Test("$INCLUDE is refused by default, naming its line, and followed with allowInclude")
    func include() throws {
        let main = Self.plain + "$INCLUDE extra.records\nafter IN A 192.0.2.9\n"
        let file = try ZoneSamples.temporaryZone(main)
        let folder = file.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        try "extra IN A 192.0.2.8\n".write(
            to: folder.appendingPathComponent("extra.records"), atomically: true, encoding: .utf8)
        let origin = try #require(DomainName(text: "example.org"))
        do {
            _ = try ZoneFile.read(path: file.path, origin: origin, allowInclude: false)
            Issue.record("$INCLUDE was followed")
        } catch {
            #expect(error.place == .line(8))
            #expect(error.reason.contains("--allow-include"))
        }
        let zone = try ZoneFile.read(path: file.path, origin: origin, allowInclude: true)
        #expect(
            zone.store.rows.map { zone.store.owner($0).text }.suffix(2) == ["extra.example.org.", "after.example.org."])
        let extra = try #require(zone.store.rows.first { zone.store.owner($0).text == "extra.example.org." })
        #expect(extra.line == 1)
        #expect(zone.store.file(extra).hasSuffix("extra.records"))
    }

    @Test("an $INCLUDE of itself stops at the depth limit instead of looping")
    func includeLoop() throws {
        let file = try ZoneSamples.temporaryZone(Self.plain + "$INCLUDE test.zone\n")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        #expect(throws: InputError.self) {
            _ = try ZoneFile.read(path: file.path, origin: DomainName(text: "example.org")!, allowInclude: true)
        }
    }

    @Test("a missing file, a directory and a zone without SOA at the origin are clear errors")
    func unusableInputs() throws {
        let options = ZoneCheckOptions(origin: "example.org", now: 0)
        #expect(throws: InputError.self) { try ZoneAnalyzer.analyze(file: "/no/such/zone", options: options) }
        #expect(throws: InputError.self) { try ZoneAnalyzer.analyze(file: "/tmp", options: options) }
        let file = try ZoneSamples.temporaryZone(Self.plain)
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        do {
            _ = try ZoneAnalyzer.analyze(file: file.path, options: ZoneCheckOptions(origin: "example.net", now: 0))
            Issue.record("no error")
        } catch {
            #expect(error.reason.contains("no SOA record at example.net."))
        }
    }

    @Test("binary garbage is an error, not a crash")
    func garbage() throws {
        var bytes = [UInt8](repeating: 0, count: 4096)
        for i in bytes.indices { bytes[i] = UInt8((i * 7919 + 13) % 256) }
        let file = try ZoneSamples.temporaryZone("")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try Data(bytes).write(to: file)
        #expect(throws: InputError.self) {
            _ = try ZoneAnalyzer.analyze(file: file.path, options: ZoneCheckOptions(origin: "example.org", now: 0))
        }
    }
}
