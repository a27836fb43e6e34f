import Foundation
import Testing

/// `exposure dns zone` end to end: the built binary on the committed samples, compared with the
/// committed expected JSON (checked by hand against Zones/make-samples.sh), and its exit statuses.
@Suite("exposure dns zone on the samples")
struct ZoneCLITests {
    static let pinned = ["--origin", "example.com", "--now", "2026-11-21T00:00:00Z"]
    static let expectedFolder = ExposureBinary.packageRoot.appendingPathComponent("Tests/DNSTests/Expected")

    @Test(
        "JSON output equals the committed expected findings",
        arguments: [
            "healthy-nsec", "healthy-nsec3", "unsigned", "bogus-signature", "missing-signature",
            "signature-expiring", "expired-beside-valid-signature", "nsec-broken-chain", "nsec-wrong-bitmap",
            "nsec3-missing-empty-non-terminal", "nsec3-mixed-parameters", "nsec3-parameters-not-recommended",
            "weak-algorithm-rsasha1-1024", "zonemd-mismatch",
        ])
    func matchesExpected(_ sample: String) throws {
        let run = try ExposureBinary.run(
            ["dns", "zone", "Zones/\(sample).zone", "--format", "json", "--fail-on", "never"] + Self.pinned)
        #expect(run.status == 0, "\(run.stderr)")
        let expected = try String(
            contentsOf: Self.expectedFolder.appendingPathComponent("\(sample).json"), encoding: .utf8)
        #expect(run.stdoutWithoutFingerprints == expected)
    }

    @Test("a bogus signature exits 1 at the default --fail-on high; a healthy zone exits 0")
    func exitStatus() throws {
        #expect(try ExposureBinary.run(["dns", "zone", "Zones/bogus-signature.zone"] + Self.pinned).status == 1)
        #expect(try ExposureBinary.run(["dns", "zone", "Zones/healthy-nsec.zone"] + Self.pinned).status == 0)
    }

    @Test("a syntax error exits 2 naming the file and the line")
    func syntaxError() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-cli-zone-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("bad.zone")
        try "$ORIGIN example.com.\n@ 3600 IN SOA ns1 h 1 2 3 4 5\nwww IN A not-an-address\n".write(
            to: file, atomically: true, encoding: .utf8)
        let run = try ExposureBinary.run(["dns", "zone", file.path, "--origin", "example.com"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("exposure: \(file.path): line 3: syntax error"))
    }

    @Test(
        "the syntax errors named-checkzone rejects exit 2 naming the line, and a CAA record ending in a string reads",
        arguments: [
            ("a IN TXT ( \"x\"\n", 3, "never closed"), ("$TTL 99999999999999999999\n", 3, "does not fit 32 bits"),
            ("@ 3600 IN SOA ns2 h 2 2 3 4 5\n", 3, "second SOA"),
            ("$GENERATE 1-1000000000 h$ A 192.0.2.1\n", 3, "1000000000 records"),
        ])
    func namedCheckzoneErrors(_ tail: String, _ line: Int, _ words: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "exposure-cli-zone-errors-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let head = "$ORIGIN example.com.\n@ 3600 IN SOA ns1 h 1 2 3 4 5\n"
        let bad = folder.appendingPathComponent("bad.zone")
        try (head + tail).write(to: bad, atomically: true, encoding: .utf8)
        let run = try ExposureBinary.run(["dns", "zone", bad.path, "--origin", "example.com"])
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("exposure: \(bad.path): line \(line): "), "\(run.stderr)")
        #expect(run.stderr.contains(words), "\(run.stderr)")
        let good = folder.appendingPathComponent("caa.zone")
        try (head + "@ 3600 IN NS ns1\n@ IN CAA 0 issue \"letsencrypt.org\"   \n").write(
            to: good, atomically: true, encoding: .utf8)
        let read = try ExposureBinary.run(["dns", "zone", good.path, "--origin", "example.com"])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.contains("dns.dnssec-unsigned"))
    }

    @Test("$INCLUDE exits 2 unless --allow-include is given")
    func include() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-cli-include-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("main.zone")
        try "$ORIGIN example.com.\n@ 3600 IN SOA ns1 h 1 2 3 4 5\n$INCLUDE rest.zone\n".write(
            to: file, atomically: true, encoding: .utf8)
        try "www 3600 IN A 192.0.2.1\n".write(
            to: folder.appendingPathComponent("rest.zone"), atomically: true, encoding: .utf8)
        let refused = try ExposureBinary.run(["dns", "zone", file.path, "--origin", "example.com"])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("line 3: $INCLUDE is refused"))
        let allowed = try ExposureBinary.run(
            ["dns", "zone", file.path, "--origin", "example.com", "--allow-include", "--format", "json"])
        #expect(allowed.status == 0)
        #expect(allowed.stdout.contains("dns.dnssec-unsigned"))
    }

    @Test("a --now that is not RFC 3339 exits 2")
    func badNow() throws {
        let run = try ExposureBinary.run(
            ["dns", "zone", "Zones/healthy-nsec.zone", "--origin", "example.com", "--now", "yesterday"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--now"))
    }

    @Test("scan takes a zone's origin from its SOA owner when it has no $ORIGIN")
    func scanFindsOrigin() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-cli-scan-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try
            "example.net. 3600 IN SOA ns1.example.net. h.example.net. 1 2 3 4 5\nexample.net. 3600 IN NS ns1.example.net.\n"
            .write(to: folder.appendingPathComponent("some-name.zone"), atomically: true, encoding: .utf8)
        let run = try ExposureBinary.run(["scan", folder.path, "--format", "json"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("\"subject\": \"example.net.\""))
        #expect(run.stdout.contains("dns.dnssec-unsigned"))
    }
}
