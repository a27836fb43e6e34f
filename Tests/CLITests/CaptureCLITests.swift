import Foundation
import Testing

@Suite("exposure capture audit and live, end to end")
struct CaptureCLITests {
    @Test("a telnet sample is reported with exit status 1 and a readable message")
    func telnetText() throws {
        let run = try ExposureBinary.run(["capture", "audit", "Captures/telnet-on-port-2323.pcap"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("Telnet in use at 192.0.2.10:2323/tcp (1 client, 1 flow)"))
        #expect(run.stdout.contains("capture.legacy-protocol"))
    }

    @Test("--approved-resolvers reports queries to other resolvers; a bad --internal prefix exits 2 naming it")
    func leakageOptions() throws {
        let run = try ExposureBinary.run([
            "capture", "audit", "Captures/dns-to-two-resolvers.pcap", "--approved-resolvers", "10.0.0.53",
            "--fail-on", "medium",
        ])
        #expect(run.status == 1)
        #expect(run.stdout.contains("capture.untrusted-resolver  8.8.8.8:53"))
        let bad = try ExposureBinary.run([
            "capture", "audit", "Captures/rdp-from-internet.pcap", "--internal", "10.0/8",
        ])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'10.0/8'"))
    }

    @Test("JSON findings carry the documented evidence fields")
    func jsonEvidence() throws {
        let run = try ExposureBinary.run(["capture", "audit", "Captures/ftp-cleartext-login.pcap", "--format", "json"])
        #expect(run.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        // The FTP login, and vsFTPd's version in its greeting ("220 (vsFTPd 3.0.3)").
        #expect(findings.map { $0["check"] as? String } == ["capture.legacy-protocol", "capture.version-disclosed"])
        let finding = try #require(findings.first)
        #expect(finding["subject"] as? String == "192.0.2.10:21")
        let evidence = try #require(finding["evidence"] as? [String: Any])
        for key in [
            "protocol", "server", "serverPort", "transport", "clients", "flows", "packets", "firstSeen", "lastSeen",
        ] {
            #expect(evidence[key] != nil, "evidence lacks \(key)")
        }
        #expect(evidence["protocol"] as? String == "ftp")
        #expect(evidence["clients"] as? [String] == ["198.51.100.20"])
        #expect(evidence["user"] as? [String] == ["alice"])
        #expect(!run.stdout.contains("s3cret"))
    }

    @Test("several files and a filter: only the TLS server on 443 remains with 'tcp port 443'")
    func filterAcrossFiles() throws {
        let run = try ExposureBinary.run([
            "capture", "audit", "Captures/tls10-server-chosen.pcap", "Captures/telnet-on-port-2323.pcap",
            "--filter", "tcp port 443", "--format", "json",
        ])
        #expect(run.status == 0)  // TLS 1.0 is medium, below the default --fail-on high
        #expect(run.stdout.contains("\"protocol\": \"tls1.0\""))
        #expect(!run.stdout.contains("\"protocol\": \"telnet\""))
    }

    @Test("a decoy gives no findings and exit status 0")
    func decoyQuiet() throws {
        let run = try ExposureBinary.run(["capture", "audit", "Captures/tls-on-port-23-not-telnet.pcap"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("0 findings"))
    }

    @Test("SARIF output has a rule for each capture check used")
    func sarif() throws {
        let run = try ExposureBinary.run([
            "capture", "audit", "Captures/tls12-rc4-cipher-chosen.pcap", "Captures/ldap-simple-bind.pcap", "--format",
            "sarif",
        ])
        #expect(run.status == 1)
        #expect(run.stdout.contains("capture.weak-tls-cipher"))
        #expect(run.stdout.contains("capture.cleartext-credentials"))
    }

    @Test("a truncated file still reports and warns with the packet number")
    func truncated() throws {
        let run = try ExposureBinary.run(["capture", "audit", "Captures/truncated-mid-record-telnet.pcap"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("packet 14"))
        #expect(run.stdout.contains("Telnet in use"))
    }

    @Test("a damaged record header is skipped with a warning and the telnet session after it is still found")
    func damagedRecordHeader() throws {
        let run = try ExposureBinary.run(["capture", "audit", "Captures/corrupt-record-header-telnet.pcap"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("Telnet in use at 192.0.2.10:23/tcp"))
        #expect(run.stdout.contains("1 damaged record header was skipped (the first at packet 3"))
    }

    @Test("a damaged pcapng block is skipped with a warning and the telnet session after it is still found")
    func damagedPcapngBlock() throws {
        let run = try ExposureBinary.run(["capture", "audit", "Captures/corrupt-block-length-telnet.pcapng"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("Telnet in use at 192.0.2.10:23/tcp"))
        #expect(run.stdout.contains("1 damaged pcapng block was skipped (the first after packet 2"))
    }

    @Test("a missing file exits 2 naming it")
    func missingFile() throws {
        let run = try ExposureBinary.run(["capture", "audit", "Captures/no-such-file.pcap"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("exposure: Captures/no-such-file.pcap: cannot open the capture"))
    }

    @Test("a file that is not a capture exits 2 naming it")
    func notACapture() throws {
        let run = try ExposureBinary.run(["capture", "audit", "Captures/make-samples.py"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Captures/make-samples.py: not a readable pcap or pcapng capture"))
    }

    @Test("an invalid BPF filter exits 2 and quotes it")
    func badFilter() throws {
        let run = try ExposureBinary.run([
            "capture", "audit", "Captures/telnet-on-port-2323.pcap", "--filter", "port banana",
        ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("the filter 'port banana' is not valid BPF"))
    }

    @Test("scan picks up the capture samples")
    func scanCaptures() throws {
        let run = try ExposureBinary.run(["scan", "Captures", "--format", "json"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("\"protocol\": \"smb1\""))
        #expect(run.stdout.contains("\"protocol\": \"sslv2\""))
    }

    @Test("live capture as an unprivileged user says it needs root", .enabled(if: geteuid() == 0 && setprivAvailable))
    func liveNeedsRoot() throws {
        let unprivileged = try runUnprivileged(["capture", "live", "--interface", "lo", "--duration", "1"])
        #expect(unprivileged.status == 2)
        #expect(
            unprivileged.stderr.contains("permission denied: live capture needs root or the CAP_NET_RAW capability"))
    }

    @Test("live capture on an unknown interface exits 2 naming it")
    func liveNoSuchInterface() throws {
        let run = try ExposureBinary.run(["capture", "live", "--interface", "nosuch0", "--duration", "1"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("interface nosuch0"))
    }

    @Test("live capture on loopback sees a telnet negotiation made during the capture", .enabled(if: geteuid() == 0))
    func liveLoopbackTelnet() throws {
        let port = 20000 + Int(getpid() % 20000)
        nonisolated(unsafe) var result: ExposureRun?
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            result = try? ExposureBinary.run([
                "capture", "live", "--interface", "lo", "--duration", "8", "--filter", "tcp port \(port)",
                "--format", "json",
            ])
        }
        // On a loaded machine the capture may open late: the negotiation is repeated through the
        // capture's window (four bounded exchanges on loopback), so at least one falls inside it.
        for _ in 0..<4 {
            Thread.sleep(forTimeInterval: 1.5)
            try telnetExchange(port: port)
        }
        group.wait()
        let run = try #require(result)
        #expect(run.status == 1)
        #expect(run.stdout.contains("\"protocol\": \"telnet\""))
        #expect(run.stdout.contains("\"subject\": \"127.0.0.1:\(port)\""))
    }
}

private let setprivAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv")

/// Runs exposure as user nobody.
private func runUnprivileged(_ arguments: [String]) throws -> ExposureRun {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments =
        ["--reuid=65534", "--regid=65534", "--clear-groups", ExposureBinary.executable.path] + arguments
    let errorPath = NSTemporaryDirectory() + "exposure-live-\(UUID().uuidString).txt"
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errorPath) }
    let errorFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    process.standardError = errorFile
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    try errorFile.close()
    let stderr = try String(contentsOfFile: errorPath, encoding: .utf8)
    return ExposureRun(status: process.terminationStatus, stdout: "", stderr: stderr)
}

/// A loopback TCP exchange that opens with Telnet option negotiation, made by python3's socket module.
private func telnetExchange(port: Int) throws {
    let script = """
        import socket, threading
        server = socket.socket(); server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", \(port))); server.listen(1)
        def serve():
            conn, _ = server.accept(); conn.sendall(bytes([255, 253, 24, 255, 253, 32]))
            conn.recv(64); conn.sendall(b"login: "); conn.close()
        t = threading.Thread(target=serve); t.start()
        client = socket.create_connection(("127.0.0.1", \(port)), timeout=2)
        client.recv(64); client.sendall(bytes([255, 251, 24, 255, 251, 32])); client.recv(64); client.close()
        t.join(); server.close()
        """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    process.arguments = ["-c", script]
    try process.run()
    process.waitUntilExit()
}
