import Findings
import Foundation
import Testing

@testable import Capture

/// The package root, so samples are named `Captures/…` as users name them.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Every capture sample in `Captures/`, sorted.
let captureSamples: [String] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: packageRoot + "/Captures")) ?? []
    return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted()
}()

/// The JSON report for one sample, with paths relative to the package root.
func auditJSON(_ sample: String) throws -> String {
    let report = try CaptureAnalyzer.analyze(files: [packageRoot + "/Captures/" + sample], filter: nil)
    return JSONRenderer().render(report).replacingOccurrences(of: packageRoot + "/", with: "")
}

@Suite("Each capture sample gives its committed, hand-checked findings")
struct SampleTests {
    @Test("the samples folder holds the samples")
    func samplesExist() {
        #expect(captureSamples.count >= 40)
    }

    /// `Expected/NAME.json` was produced once by `exposure capture audit Captures/NAME --format json`
    /// and checked by hand against what `Captures/make-samples.py` put in the sample (and against
    /// tshark, see TsharkAgreementTests) before it was committed.
    @Test("findings match the expected report", arguments: captureSamples)
    func matchesExpected(_ sample: String) throws {
        let expectedPath = packageRoot + "/Tests/CaptureTests/Expected/" + sample + ".json"
        let expected = try String(contentsOfFile: expectedPath, encoding: .utf8)
        #expect(try auditJSON(sample) == expected)
    }

    @Test("decoys stay quiet", arguments: captureSamples.filter { $0.contains("-not-") })
    func decoysAreQuiet(_ sample: String) throws {
        let report = try CaptureAnalyzer.analyze(files: [packageRoot + "/Captures/" + sample], filter: nil)
        #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
    }

    /// Every password, community and token in the samples holds one of these markers (in
    /// `secret-markers-every-detector.pcap` every detector that sees a credential gets one holding
    /// XMRK); compared ignoring case, since some detectors upper-case what they read.
    @Test("no report in any format contains a password or community string from the samples")
    func secretsNeverPrinted() throws {
        let secrets = ["s3cret", "hunter2", "xmrk"]
        for sample in captureSamples {
            let report = try CaptureAnalyzer.analyze(files: [packageRoot + "/Captures/" + sample], filter: nil)
            let renderings = [
                JSONRenderer().render(report), SARIFRenderer().render(report),
                TextRenderer(colour: false).render(report),
            ]
            for text in renderings.map({ $0.lowercased() }) {
                for secret in secrets { #expect(!text.contains(secret), "\(sample) printed \(secret)") }
            }
        }
    }

    @Test("the marker sample reaches every detector that sees a credential")
    func markerSampleCoversDetectors() throws {
        let report = try CaptureAnalyzer.analyze(
            files: [packageRoot + "/Captures/secret-markers-every-detector.pcap"], filter: nil)
        let protocols = Set(report.findings.compactMap { $0.evidence["protocol"] })
        let expected: Set<JSONValue> = [
            "telnet", "ftp", "rexec", "http-basic-auth", "ntlmv1", "smtp-cleartext-auth", "pop3-cleartext-auth",
            "imap-cleartext-auth", "ldap-simple-bind", "snmpv2c", "socks5-cleartext-auth",
        ].reduce(into: []) { $0.insert(.string($1)) }
        #expect(protocols == expected)
    }

    @Test("a file cut in the middle of a record keeps the findings before the cut and warns with the packet number")
    func truncatedFile() throws {
        let report = try CaptureAnalyzer.analyze(
            files: [packageRoot + "/Captures/truncated-mid-record-telnet.pcap"], filter: nil)
        #expect(report.findings.map { $0.evidence["protocol"] } == [.string("telnet")])
        #expect(report.warnings.count == 1)
        #expect(report.warnings.first?.contains("packet 14") == true)
    }

    @Test("a BPF filter limits what is read: 'udp' leaves nothing of a TCP telnet session")
    func filterApplies() throws {
        let path = packageRoot + "/Captures/telnet-on-port-2323.pcap"
        #expect(try CaptureAnalyzer.analyze(files: [path], filter: "udp").findings.isEmpty)
        #expect(try CaptureAnalyzer.analyze(files: [path], filter: "tcp port 2323").findings.count == 1)
    }

    @Test("several files form one inventory: the same server and port aggregate across them")
    func aggregatesAcrossFiles() throws {
        let files = ["link-raw-ip-telnet.pcap", "link-vlan-qinq-telnet.pcap"].map { packageRoot + "/Captures/" + $0 }
        let report = try CaptureAnalyzer.analyze(files: files, filter: nil)
        #expect(report.findings.count == 1)
        #expect(report.findings.first?.evidence["flows"] == .int(2))
        #expect(report.findings.first?.evidence["packets"] == .int(28))
    }

    @Test("an invalid filter is an error naming the filter")
    func invalidFilter() {
        #expect(throws: InputError.self) {
            try CaptureAnalyzer.analyze(
                files: [packageRoot + "/Captures/telnet-on-port-2323.pcap"], filter: "port banana")
        }
    }

    @Test("a missing file is an error naming it")
    func missingFile() {
        do {
            _ = try CaptureAnalyzer.analyze(files: ["/nonexistent/x.pcap"], filter: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "/nonexistent/x.pcap")
            #expect(error.reason.contains("No such file"))
        }
    }

    @Test("an unsupported link type is an error naming it")
    func unknownLinkType() throws {
        // A classic pcap header (magic a1b2c3d4, version 2.4, snaplen 65535, link type 147 USER0) and
        // no packets.
        var header: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x00, 0x04, 0x00]
        header += [UInt8](repeating: 0, count: 8) + [0xFF, 0xFF, 0x00, 0x00, 0x93, 0x00, 0x00, 0x00]
        let path = NSTemporaryDirectory() + "exposure-user0-\(getpid()).pcap"
        try Data(header).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try CaptureAnalyzer.analyze(files: [path], filter: nil)
            Issue.record("expected an error")
        } catch {
            #expect(error.reason.contains("link type 147 is not supported"))
        }
    }

    @Test("undecodable packets are counted by kind in one warning and the rest is still read")
    func anomaliesAreCounted() throws {
        // A classic pcap (link type 101, raw IP) with two records: an IPv4 header whose length field
        // says 16 bytes, and a TCP header cut after 4 bytes.
        var file: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x00, 0x04, 0x00] + [UInt8](repeating: 0, count: 8)
        file += [0xFF, 0xFF, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00]
        let badHeader: [UInt8] = [0x44, 0, 0, 20, 0, 1, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2]
        let shortTCP: [UInt8] = [
            0x45, 0, 0, 24, 0, 1, 0, 0, 64, 6, 0, 0, 192, 0, 2, 1, 192, 0, 2, 2, 0x9C, 0x41, 0, 23,
        ]
        for frame in [badHeader, shortTCP] {
            let length = UInt8(frame.count)
            file += [0, 0, 0, 0, 0, 0, 0, 0, length, 0, 0, 0, length, 0, 0, 0] + frame
        }
        let path = NSTemporaryDirectory() + "exposure-anomalies-\(getpid()).pcap"
        try Data(file).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try CaptureAnalyzer.analyze(files: [path], filter: nil)
        #expect(report.findings.isEmpty)
        #expect(
            report.warnings == [
                "\(path): 2 packets could not be decoded and were skipped (1 IPv4 header length below 20 bytes, "
                    + "1 TCP header cut short)"
            ])
    }

    @Test("a file that is not a capture is an error")
    func notACapture() {
        #expect(throws: InputError.self) {
            try CaptureAnalyzer.analyze(files: [packageRoot + "/Captures/make-samples.py"], filter: nil)
        }
    }
}
