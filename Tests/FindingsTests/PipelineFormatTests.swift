import Findings
import Testing

/// The pieces CI output rests on, each against an independent source: SHA-256 against FIPS 180-2's
/// examples (also what `sha256sum` prints), pointer positions against a hand-counted document,
/// percent-encoding against RFC 3986, streamed documents against the whole-value rendering.
@Suite("Fingerprints, pointer regions and streamed documents")
struct PipelineFormatTests {
    @Test(
        "SHA-256 gives the FIPS 180-2 example digests",
        arguments: [
            ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            ),
        ] as [(String, String)]
    )
    func sha256Examples(message: String, digest: String) {
        #expect(SHA256.hex(Array(message.utf8)) == digest)
    }

    @Test("SHA-256 of a million 'a' (FIPS 180-2's long example, several blocks)")
    func sha256Long() {
        #expect(
            SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("a fingerprint depends on check, subject and relative path only, and repeats are told apart")
    func fingerprints() {
        let a = Fingerprint.make(check: "topology.missing-nsg", subject: "web", path: "infra/hub.json")
        #expect(a.count == 32)
        #expect(a == Fingerprint.make(check: "topology.missing-nsg", subject: "web", path: "infra/hub.json"))
        #expect(a != Fingerprint.make(check: "topology.missing-nsg", subject: "db", path: "infra/hub.json"))
        #expect(a != Fingerprint.make(check: "topology.missing-nsg", subject: "web", path: "hub.json"))
        var report = Report(findings: [
            Finding(
                check: Fixtures.legacy, subject: "10.0.0.1:23", message: "one",
                location: SourceLocation(file: "/x/a.pcap")),
            Finding(
                check: Fixtures.legacy, subject: "10.0.0.1:23", message: "two",
                location: SourceLocation(file: "/y/a.pcap")),
        ])
        report.assignFingerprints { $0.split(separator: "/").last.map(String.init) ?? $0 }
        let prints = report.findings.compactMap(\.fingerprint)
        #expect(prints.count == 2 && Set(prints).count == 2)
        #expect(prints.contains(Fingerprint.make(check: Fixtures.legacy.id, subject: "10.0.0.1:23", path: "a.pcap")))
    }

    /// Lines and columns counted by hand in this text (columns in code points: `é` is one).
    static let document = """
        {
          "resources": [
            {"name": "é-web", "properties": {"securityRules": [
                {"name": "a/b~c"},
                {"name": "r2"}
            ]}}
          ],
          "a/b": {"~": 1}
        }
        """

    @Test("pointers resolve to where their value starts, members at their key; escapes per RFC 6901")
    func pointerPositions() {
        let found = JSONPointerLocator.locate(
            [
                "", "/resources", "/resources/0", "/resources/0/properties/securityRules/1",
                "/resources/0/properties/securityRules/7", "/a~1b/~0", "/missing",
            ], in: Array(Self.document.utf8))
        #expect(found[""] == .init(line: 1, column: 1))
        #expect(found["/resources"] == .init(line: 2, column: 3))
        #expect(found["/resources/0"] == .init(line: 3, column: 5))
        #expect(found["/resources/0/properties/securityRules/1"] == .init(line: 5, column: 9))
        // Rule 7 does not exist: its longest existing prefix, the rule array (at its key).
        #expect(found["/resources/0/properties/securityRules/7"] == .init(line: 3, column: 38))
        #expect(found["/a~1b/~0"] == .init(line: 8, column: 11))
        #expect(found["/missing"] == .init(line: 1, column: 1))
    }

    @Test("malformed or deeply nested JSON is read as far as it goes, without a crash")
    func hostilePointerInput() {
        let deep = String(repeating: "[", count: 100_000)
        #expect(JSONPointerLocator.locate(["/0/0"], in: Array(deep.utf8))["/0/0"] == .init(line: 1, column: 3))
        #expect(
            JSONPointerLocator.locate(["/a"], in: Array(#"{"a": "unterminated"#.utf8))["/a"]
                == .init(line: 1, column: 2))
    }

    @Test("streamed JSON is byte for byte the whole document's rendering")
    func streamingEqualsWhole() throws {
        var report = Fixtures.report
        report.inputs = [InputCoverage(path: "Captures/a.pcap", kind: .capture, analysed: ["packets": 3, "flows": 1])]
        var pieces: [String] = []
        try JSONRenderer(coverage: true).render(report) { pieces.append($0) }
        #expect(pieces.joined() == JSONRenderer(coverage: true).document(report).prettyText + "\n")
        var sarif = ""
        try SARIFRenderer().render(report, failure: nil) { sarif += $0 }
        #expect(sarif == SARIFRenderer().document(report).prettyText + "\n")
    }

    @Test("SARIF URIs: relative below the working directory, percent-encoded as RFC 3986 asks")
    func sarifURIs() {
        let report = Report(findings: [
            Finding(
                check: Fixtures.legacy, subject: "s", message: "m",
                location: SourceLocation(file: "/w/sp ace/ü/a#b%c.pcap")),
            Finding(
                check: Fixtures.legacy, subject: "t", message: "m", location: SourceLocation(file: "/elsewhere/x.pcap")),
        ])
        let text = SARIFRenderer(workingDirectory: "/w").render(report)
        #expect(text.contains(#""uri": "sp%20ace/%C3%BC/a%23b%25c.pcap""#))
        #expect(text.contains(#""uri": "file:///elsewhere/x.pcap""#))
        #expect(text.contains(#""uriBaseId": "SRCROOT""#))
        let failed = SARIFRenderer().render(Report(), failure: "x.json: cannot read the file")
        #expect(failed.contains(#""executionSuccessful": false"#))
        #expect(failed.contains(#""text": "x.json: cannot read the file""#))
    }

    @Test("a finding with no file points at the probed server, percent-encoded, so code scanning takes it")
    func serverFindingHasAPhysicalLocation() {
        let report = Report(
            findings: [Finding(check: Fixtures.legacy, subject: "127.0.0.1:5353", message: "m")],
            inputs: [InputCoverage(path: "127.0.0.1:5353", kind: .server, analysed: ["servers": 1])])
        let text = SARIFRenderer().render(report)
        #expect(text.contains(#""uri": "127.0.0.1%3A5353""#))
        #expect(!text.contains(#""artifacts""#), "a server is no artifact")
    }
}
