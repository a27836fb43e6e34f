import Foundation
import Testing

/// Exposure in a CI job, as a user's pipeline runs it: `scan` of the working directory, no silent
/// clean result, SARIF that code scanning accepts, fingerprints that survive a move, baselines,
/// check selection and write errors that are not lost.
@Suite("exposure in CI pipelines")
struct PipelineCLITests {
    static let hub = "Topologies/azure-hub-and-spoke.json"
    static let telnet = "Captures/telnet-on-port-2323.pcap"
    static let now = ["--now", "2026-11-21T00:00:00Z"]

    /// A fresh folder, removed by the caller.
    static func folder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "exposure-\(name)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func copySample(_ sample: String, to folder: URL, as name: String? = nil) throws {
        let target = folder.appendingPathComponent(name ?? sample)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: ExposureBinary.packageRoot.appendingPathComponent(sample), to: target)
    }

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// A classic pcap global header (little-endian, version 2.4, snap length 65535, Ethernet), per
    /// the pcap file format (draft-ietf-opsawg-pcap): `d4 c3 b2 a1 02 00 04 00 …`.
    static let pcapHeader: [UInt8] = [
        0xD4, 0xC3, 0xB2, 0xA1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0,
    ]

    @Test("scan with no PATH scans the working directory, with paths relative to it")
    func scanDefaultsToWorkingDirectory() throws {
        let dir = try Self.folder("cwd")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySample(Self.telnet, to: dir, as: "infra/telnet.pcap")
        let run = try ExposureBinary.run(["scan", "--format", "json"] + Self.now, in: dir)
        #expect(run.status == 1, "\(run.stderr)")
        let doc = try Self.json(run.stdout)
        let inputs = try #require(doc["inputs"] as? [[String: Any]])
        // Only the user's file: none of the tool's own samples.
        #expect(inputs.map { $0["path"] as? String } == ["infra/telnet.pcap"])
        let findings = try #require(doc["findings"] as? [[String: Any]])
        #expect(!findings.isEmpty)
        #expect(findings.allSatisfy { ($0["location"] as? [String: Any])?["file"] as? String == "infra/telnet.pcap" })
    }

    @Test(
        "an input holding nothing to analyse exits 2 naming it, never a clean report",
        arguments: [
            ("empty.json", "[]"), ("value.json", #"{"value":[]}"#), ("arm.json", #"{"resources":[]}"#),
            (
                "storage.json",
                #"[{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa","name":"sa","type":"Microsoft.Storage/storageAccounts","properties":{}}]"#
            ),
            ("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n"), ("segments.yaml", "segments: []\n"),
        ] as [(String, String)]
    )
    func emptyTopologyExitsTwo(name: String, content: String) throws {
        let dir = try Self.folder("empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        try content.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        let audit = try ExposureBinary.run(["topology", "audit", name], in: dir)
        #expect(audit.status == 2)
        // Warnings about what was ignored may come first; the error names the file.
        #expect(
            audit.stderr.split(separator: "\n").contains { $0.hasPrefix("exposure: \(name): nothing to analyse") },
            "\(audit.stderr)")
        #expect(audit.stderr.contains("nothing to analyse"))
        #expect(audit.stdout.isEmpty)
        let scan = try ExposureBinary.run(["scan"], in: dir)
        #expect(scan.status == 2)
        // Topology-shaped files are rejected by name; other JSON and YAML is passed over, and the
        // error says so.
        #expect(scan.stderr.contains("skipped \(name)") || scan.stderr.contains("hold no topology (\(name))"))
        let named = try ExposureBinary.run(["scan", name], in: dir)
        #expect(named.status == 2)
        #expect(named.stderr.contains("skipped \(name)"))
    }

    @Test("a header-only pcap and a pcap of only damaged records exit 2: no decodable packet")
    func emptyCapturesExitTwo() throws {
        let dir = try Self.folder("pcap")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(Self.pcapHeader).write(to: dir.appendingPathComponent("header-only.pcap"))
        // 1,000 record headers each announcing 4,294,967,040 captured bytes (over any snap length).
        var damaged = Self.pcapHeader
        for _ in 0..<1000 { damaged += [0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xFF, 0xFF, 0xFF, 0x00, 0xFF, 0xFF, 0xFF] }
        try Data(damaged).write(to: dir.appendingPathComponent("damaged.pcap"))
        for name in ["header-only.pcap", "damaged.pcap"] {
            let run = try ExposureBinary.run(["capture", "audit", name], in: dir)
            #expect(run.status == 2, "\(name): \(run.stdout)")
            #expect(run.stderr.contains("\(name): nothing to analyse"), "\(run.stderr)")
        }
    }

    @Test("a scan where some inputs were unusable says so in warnings; --strict makes it exit 2")
    func partlyUnusableScan() throws {
        let dir = try Self.folder("partial")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySample(Self.telnet, to: dir)
        try "[]".write(to: dir.appendingPathComponent("empty.json"), atomically: true, encoding: .utf8)
        try "{".write(to: dir.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        try Data(Self.pcapHeader).write(to: dir.appendingPathComponent("header-only.pcap"))
        let run = try ExposureBinary.run(["scan", "--format", "json"], in: dir)
        #expect(run.status == 1)
        let warnings = try #require(try Self.json(run.stdout)["warnings"] as? [String])
        for name in ["empty.json", "broken.json", "header-only.pcap"] {
            #expect(warnings.contains { $0.hasPrefix("skipped \(name): ") }, "no warning for \(name)")
        }
        // An unreadable file says why (as root every file is readable: only check when not root).
        if getuid() != 0 {
            let locked = dir.appendingPathComponent("locked.json")
            try "[]".write(to: locked, atomically: true, encoding: .utf8)
            _ = chmod(locked.path, 0)
            let run = try ExposureBinary.run(["scan"], in: dir)
            #expect(run.stdout.contains("skipped locked.json: cannot read the file: Permission denied"))
            _ = unlink(locked.path)
        }
        let strict = try ExposureBinary.run(["scan", "--strict"], in: dir)
        #expect(strict.status == 2)
        #expect(strict.stderr.contains("--strict: 3 inputs were not analysed"))
        // A part skipped inside an input that was analysed (a damaged record) fails --strict too.
        let damaged = try Self.folder("damaged")
        defer { try? FileManager.default.removeItem(at: damaged) }
        try Self.copySample("Captures/corrupt-record-header-telnet.pcap", to: damaged)
        #expect(try ExposureBinary.run(["scan"], in: damaged).status == 1)
        let strictDamaged = try ExposureBinary.run(["scan", "--strict"], in: damaged)
        #expect(strictDamaged.status == 2)
        #expect(strictDamaged.stderr.contains("--strict: part of the input was skipped (1 warning)"))
    }

    @Test("a repository's other JSON and YAML (package.json, CI files, manifests) is passed over in silence")
    func unrelatedFilesArePassedOver() throws {
        let dir = try Self.folder("repo")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySample(Self.hub, to: dir, as: "infra/hub.json")
        try #"{"name": "web", "version": "1.0.0", "scripts": {}}"#.write(
            to: dir.appendingPathComponent("package.json"), atomically: true, encoding: .utf8)
        try "on: push\njobs: {}\n".write(to: dir.appendingPathComponent("ci.yml"), atomically: true, encoding: .utf8)
        try "apiVersion: v1\nkind: Pod\n".write(
            to: dir.appendingPathComponent("pod.yaml"), atomically: true, encoding: .utf8)
        let run = try ExposureBinary.run(["scan", "--strict", "--format", "json"] + Self.now, in: dir)
        #expect(run.status == 1, "\(run.stderr)")
        #expect((try Self.json(run.stdout)["warnings"] as? [String]) == [])
        #expect(
            (try Self.json(run.stdout)["inputs"] as? [[String: Any]])?.map { $0["path"] as? String } == [
                "infra/hub.json"
            ])
    }

    @Test("every report shows coverage: JSON inputs, a text line, SARIF artifacts")
    func coverageInEveryFormat() throws {
        let json = try Self.json(try ExposureBinary.run(["capture", "audit", Self.telnet, "--format", "json"]).stdout)
        let inputs = try #require(json["inputs"] as? [[String: Any]])
        #expect(inputs.count == 1)
        #expect(inputs[0]["kind"] as? String == "capture")
        let analysed = try #require(inputs[0]["analysed"] as? [String: Int])
        #expect((analysed["packets"] ?? 0) > 0 && (analysed["flows"] ?? 0) > 0)
        let text = try ExposureBinary.run(["topology", "audit", Self.hub] + Self.now).stdout
        #expect(text.contains("analysed 1 input: 1 topology ("))
        let sarif = try Self.json(try ExposureBinary.run(["topology", "audit", Self.hub, "--format", "sarif"]).stdout)
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let artifacts = try #require(run["artifacts"] as? [[String: Any]])
        #expect(artifacts.contains { ($0["location"] as? [String: Any])?["uri"] as? String == Self.hub })
    }

    @Test("a copy of the same folder elsewhere gives byte-identical JSON and SARIF with --now")
    func scanIsLocationIndependent() throws {
        let a = try Self.folder("copy-a")
        let b = try Self.folder("copy-b").appendingPathComponent("deeper/still")
        defer {
            try? FileManager.default.removeItem(at: a)
            try? FileManager.default.removeItem(at: b.deletingLastPathComponent().deletingLastPathComponent())
        }
        try FileManager.default.createDirectory(at: b, withIntermediateDirectories: true)
        for dir in [a, b] {
            for sample in [Self.hub, Self.telnet, "Zones/healthy-nsec.zone", "Topologies/azure-three-tier-asg.json"] {
                try Self.copySample(sample, to: dir)
            }
        }
        for format in ["json", "sarif"] {
            let first = try ExposureBinary.run(["scan", "--format", format] + Self.now, in: a)
            let second = try ExposureBinary.run(["scan", "--format", format] + Self.now, in: b)
            #expect(first.status == 1)
            #expect(first.stdout == second.stdout, "\(format) differs between the two locations")
        }
        // Named by absolute paths from elsewhere, the fingerprints are still the same.
        let relative = try ExposureBinary.run(["scan", "--format", "json"] + Self.now, in: a).stdout
        let absolute = try ExposureBinary.run(["scan", a.path, "--format", "json"] + Self.now, in: b).stdout
        func fingerprints(_ text: String) throws -> [String] {
            try #require(try Self.json(text)["findings"] as? [[String: Any]]).compactMap {
                $0["fingerprint"] as? String
            }
        }
        #expect(try fingerprints(relative) == fingerprints(absolute))
        #expect(try Set(fingerprints(relative)).count == fingerprints(relative).count, "fingerprints must be unique")
    }

    @Test("SARIF of a scan passes the SARIF 2.1.0 schema checks and code scanning's rules")
    func sarifIsValid() throws {
        let dir = try Self.folder("sarif")
        defer { try? FileManager.default.removeItem(at: dir) }
        // Names that need percent-encoding (space, non-ASCII, #, %).
        try Self.copySample(Self.telnet, to: dir, as: "sp ace/ü/a#b%c.pcap")
        try Self.copySample(Self.hub, to: dir, as: "infra/hub.json")
        let run = try ExposureBinary.run(["scan", "--format", "sarif"] + Self.now, in: dir)
        #expect(run.status == 1)
        #expect(SARIFSchemaChecks.violations(run.stdout) == [])
        let log = try Self.json(run.stdout)
        let sarifRun = try #require((log["runs"] as? [[String: Any]])?.first)
        let results = try #require(sarifRun["results"] as? [[String: Any]])
        let uris = results.compactMap {
            ((($0["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])?[
                "artifactLocation"] as? [String: Any])?["uri"] as? String
        }
        #expect(uris.contains("sp%20ace/%C3%BC/a%23b%25c.pcap"))
        // Results found by a JSON pointer carry the line and column the pointer starts at.
        let hubResults = results.filter { uris.isEmpty || "\($0)".contains("infra/hub.json") }
        #expect(!hubResults.isEmpty)
        for result in hubResults {
            let physical = try #require(
                (result["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
            let region = try #require(physical["region"] as? [String: Any], "no region in \(result)")
            #expect((region["startLine"] as? Int ?? 0) > 1)
            #expect((region["startColumn"] as? Int ?? 0) >= 1)
        }
        let rules = try #require(
            (sarifRun["tool"] as? [String: Any]).flatMap { $0["driver"] as? [String: Any] }?["rules"]
                as? [[String: Any]])
        for rule in rules {
            let anchor = (rule["id"] as? String ?? "").replacingOccurrences(of: ".", with: "-")
            #expect((rule["helpUri"] as? String)?.hasSuffix("/docs/checks.md#\(anchor)") == true)
        }
    }

    @Test("the line and column of a pointer are the ones a person counts in the file")
    func regionMatchesTheFile() throws {
        let run = try ExposureBinary.run(["topology", "audit", Self.hub, "--format", "json"] + Self.now)
        let findings = try #require(try Self.json(run.stdout)["findings"] as? [[String: Any]])
        let lines = try String(contentsOf: ExposureBinary.packageRoot.appendingPathComponent(Self.hub), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false)
        var checked = 0
        for finding in findings {
            guard let location = finding["location"] as? [String: Any], let pointer = location["pointer"] as? String,
                let line = location["line"] as? Int, let column = location["column"] as? Int
            else { continue }
            // Worked by hand from RFC 6901: the last token is the member's key, or an array item's
            // opening brace.
            let last = String(pointer.split(separator: "/").last ?? "")
            let text = Array(lines[line - 1])
            let rest = String(text[(column - 1)...])
            if Int(last) != nil {
                #expect(rest.hasPrefix("{") || rest.hasPrefix("\""), "\(pointer) at \(line):\(column)")
            } else {
                #expect(rest.hasPrefix("\"\(last)\""), "\(pointer) at \(line):\(column)")
            }
            checked += 1
        }
        #expect(checked > 0)
    }

    @Test("a run that ends with exit 2 still writes a SARIF log saying it failed, with the error")
    func failedRunWritesSARIF() throws {
        let dir = try Self.folder("fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("exposure.sarif").path
        let run = try ExposureBinary.run(
            ["topology", "audit", "missing.json", "--format", "sarif", "--output", out], in: dir)
        #expect(run.status == 2)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        #expect(SARIFSchemaChecks.violations(text) == [])
        let log = try Self.json(text)
        let invocation = try #require(
            ((log["runs"] as? [[String: Any]])?.first?["invocations"] as? [[String: Any]])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == false)
        let notes = try #require(invocation["toolExecutionNotifications"] as? [[String: Any]])
        #expect(notes.contains { $0["level"] as? String == "error" && "\($0)".contains("missing.json") })
    }

    @Test("--check and --skip-check select checks; an unknown id exits 2 naming near matches")
    func checkSelection() throws {
        let all = try Self.json(
            try ExposureBinary.run(["topology", "audit", Self.hub, "--format", "json"] + Self.now).stdout)
        let allChecks = Set((all["findings"] as? [[String: Any]] ?? []).compactMap { $0["check"] as? String })
        #expect(allChecks.count > 1)
        let only = try Self.json(
            try ExposureBinary.run(
                ["topology", "audit", Self.hub, "--format", "json", "--check", "topology.missing-nsg"] + Self.now
            ).stdout)
        let onlyChecks = Set((only["findings"] as? [[String: Any]] ?? []).compactMap { $0["check"] as? String })
        #expect(onlyChecks == ["topology.missing-nsg"])
        let skipped = try Self.json(
            try ExposureBinary.run(
                ["topology", "audit", Self.hub, "--format", "json", "--skip-check", "topology.missing-nsg"] + Self.now
            ).stdout)
        let skippedChecks = Set((skipped["findings"] as? [[String: Any]] ?? []).compactMap { $0["check"] as? String })
        #expect(skippedChecks == allChecks.subtracting(["topology.missing-nsg"]))
        let unknown = try ExposureBinary.run(["topology", "audit", Self.hub, "--check", "topology.missing-nsgs"])
        #expect(unknown.status == 2)
        #expect(
            unknown.stderr.contains("no check is called 'topology.missing-nsgs'; did you mean 'topology.missing-nsg'"))
    }

    @Test("--baseline reports only new findings and takes the exit status from them")
    func baselineLeavesOutKnownFindings() throws {
        let dir = try Self.folder("baseline")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySample(Self.hub, to: dir)
        let base = dir.appendingPathComponent("base.json").path
        let first = try ExposureBinary.run(["scan", "--format", "json", "--output", base] + Self.now, in: dir)
        #expect(first.status == 1)
        let again = try ExposureBinary.run(["scan", "--format", "json", "--baseline", base] + Self.now, in: dir)
        #expect(again.status == 0)
        #expect((try Self.json(again.stdout)["findings"] as? [Any])?.isEmpty == true)
        // A new finding (a capture added to the repository) is reported, and fails the run.
        try Self.copySample(Self.telnet, to: dir)
        let grown = try ExposureBinary.run(["scan", "--format", "json", "--baseline", base] + Self.now, in: dir)
        #expect(grown.status == 1)
        let findings = try #require(try Self.json(grown.stdout)["findings"] as? [[String: Any]])
        #expect(!findings.isEmpty)
        #expect(findings.allSatisfy { ($0["check"] as? String)?.hasPrefix("capture.") == true })
        let bad = try ExposureBinary.run(["scan", "--baseline", Self.hub], in: dir)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("not an Exposure JSON report"))
    }

    @Test("a report that cannot be written exits 2 with the reason: --output /dev/full, > /dev/full, --output DIR")
    func writeErrorsAreReported() throws {
        let viaOption = try ExposureBinary.run(["capture", "audit", Self.telnet, "--output", "/dev/full"])
        #expect(viaOption.status == 2)
        #expect(viaOption.stderr.contains("No space left on device"))
        let viaRedirect = try ExposureBinary.run(["capture", "audit", Self.telnet], stdoutPath: "/dev/full")
        #expect(viaRedirect.status == 2)
        #expect(viaRedirect.stderr.contains("cannot write the report to standard output: No space left on device"))
        let directory = try ExposureBinary.run(["capture", "audit", Self.telnet, "--output", "/tmp"])
        #expect(directory.status == 2)
        #expect(directory.stderr == "exposure: /tmp: cannot write the output file: Is a directory\n")
    }

    @Test("standard input as - for topologies and flows; a missing file says why")
    func standardInput() throws {
        let hub = try Data(contentsOf: ExposureBinary.packageRoot.appendingPathComponent(Self.hub))
        let piped = try ExposureBinary.run(["topology", "audit", "-", "--format", "json"] + Self.now, stdin: hub)
        let named = try ExposureBinary.run(["topology", "audit", Self.hub, "--format", "json"] + Self.now)
        #expect(piped.status == named.status)
        let pipedFindings = (try Self.json(piped.stdout)["findings"] as? [Any])?.count
        let namedFindings = (try Self.json(named.stdout)["findings"] as? [Any])?.count
        #expect(pipedFindings != nil && pipedFindings == namedFindings)
        let flows = Data("source,destination,protocol,port\r\n\"203.0.113.9\",10.1.1.4,tcp,22\r\n".utf8)
        let verify = try ExposureBinary.run(["topology", "verify-flows", Self.hub, "--flows", "-"], stdin: flows)
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(verify.stdout.contains("1 flows"))
        let missing = try ExposureBinary.run(["topology", "audit", "no-such.json"])
        #expect(missing.stderr == "exposure: no-such.json: cannot read the file: No such file or directory\n")
    }

    @Test("flows CSV is read as RFC 4180: CRLF, quoted fields with commas; errors name the line")
    func flowsCSV() throws {
        let dir = try Self.folder("csv")
        defer { try? FileManager.default.removeItem(at: dir) }
        let good = dir.appendingPathComponent("good.csv")
        try "# comment\r\nsource,destination,protocol,port\r\n\"203.0.113.9\",\"10.1.1.4\",tcp,\"22\"\r\n"
            .write(to: good, atomically: true, encoding: .utf8)
        let run = try ExposureBinary.run([
            "topology", "verify-flows", Self.hub, "--flows", good.path, "--format", "json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect((try Self.json(run.stdout)["flows"] as? [Any])?.count == 1)
        let bad = dir.appendingPathComponent("bad.csv")
        try "source,destination,protocol,port\n10.0.0.1,10.1.1.4,tcp,22\n\"10.0.0.1,10.1.1.4,tcp,22\n"
            .write(to: bad, atomically: true, encoding: .utf8)
        let failed = try ExposureBinary.run(["topology", "verify-flows", Self.hub, "--flows", bad.path])
        #expect(failed.status == 2)
        #expect(failed.stderr.contains("bad.csv: line 3: a quoted field is not closed"))
    }

    @Test("scan skips a FIFO with a warning instead of hanging")
    func fifoIsSkipped() throws {
        let dir = try Self.folder("fifo")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySample(Self.telnet, to: dir)
        #expect(mkfifo(dir.appendingPathComponent("pipe.json").path, 0o600) == 0)
        let run = try ExposureBinary.run(["scan"], in: dir, timeout: 30)
        #expect(run.status == 1)
        #expect(run.stdout.contains("skipped pipe.json: not a regular file"))
    }

    @Test("the same capture given twice is read once; a finding seen in two files lists both")
    func repeatedInputs() throws {
        let once = try Self.json(try ExposureBinary.run(["capture", "audit", Self.telnet, "--format", "json"]).stdout)
        let twice = try Self.json(
            try ExposureBinary.run(["capture", "audit", Self.telnet, "./" + Self.telnet, "--format", "json"]).stdout)
        #expect((twice["inputs"] as? [Any])?.count == 1)
        func flows(_ doc: [String: Any]) -> [Int] {
            (doc["findings"] as? [[String: Any]] ?? []).compactMap {
                ($0["evidence"] as? [String: Any])?["flows"] as? Int
            }
        }
        #expect(flows(once) == flows(twice))
        let dir = try Self.folder("two")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySample(Self.telnet, to: dir, as: "monday.pcap")
        try Self.copySample(Self.telnet, to: dir, as: "tuesday.pcap")
        let both = try Self.json(
            try ExposureBinary.run(["capture", "audit", "monday.pcap", "tuesday.pcap", "--format", "json"], in: dir)
                .stdout)
        let files = (both["findings"] as? [[String: Any]])?.first.flatMap {
            ($0["evidence"] as? [String: Any])?["files"] as? [String]
        }
        #expect(files == ["monday.pcap", "tuesday.pcap"])
    }

    @Test("an empty resolv.conf such as /dev/null is 'no usable nameserver line', not a permission error")
    func emptyResolvConf() throws {
        let run = try ExposureBinary.run(["dns", "resolver", "--resolv-conf", "/dev/null"])
        #expect(run.status == 2)
        #expect(
            run.stderr
                == "exposure: /dev/null: no usable nameserver line (the C library would fall back to 127.0.0.1; pass --server to probe it)\n"
        )
    }

    /// Runs `exposure ARGS` reading a sample that a shell sends only after `delay` seconds, so the
    /// work takes longer than the two seconds after which progress may appear.
    static func slowStandardInput(_ arguments: [String], delay: Int) throws -> (status: Int32, stderr: String) {
        let dir = try folder("slow")
        defer { try? FileManager.default.removeItem(at: dir) }
        let err = dir.appendingPathComponent("stderr")
        let sample = ExposureBinary.packageRoot.appendingPathComponent(hub).path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let command = ([ExposureBinary.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        process.arguments = ["-c", "(sleep \(delay); cat '\(sample)') | \(command) >/dev/null 2>'\(err.path)'"]
        try process.run()
        process.waitUntilExit()
        return (process.terminationStatus, try String(contentsOf: err, encoding: .utf8))
    }

    @Test("progress appears on standard error after two seconds with --progress; never with --quiet or off a terminal")
    func progressOnLongWork() throws {
        let forced = try Self.slowStandardInput(["topology", "audit", "-", "--progress"] + Self.now, delay: 4)
        #expect(forced.status == 1)
        #expect(forced.stderr.contains("exposure: reading - ("), "\(forced.stderr)")
        let quiet = try Self.slowStandardInput(
            ["topology", "audit", "-", "--progress", "--quiet"] + Self.now, delay: 3)
        #expect(quiet.status == 1)
        #expect(!quiet.stderr.contains("reading"))
        let plain = try Self.slowStandardInput(["topology", "audit", "-"] + Self.now, delay: 3)
        #expect(!plain.stderr.contains("reading"), "standard error is not a terminal here")
    }

    @Test("zones and captures from standard input give the same findings as the files, named -")
    func zoneAndCaptureFromStandardInput() throws {
        let zone = "Zones/bogus-signature.zone"
        let zoneArgs = ["--origin", "example.com", "--format", "json", "--fail-on", "never"] + Self.now
        let named = try ExposureBinary.run(["dns", "zone", zone] + zoneArgs)
        let piped = try ExposureBinary.run(
            ["dns", "zone", "-"] + zoneArgs,
            stdin: try Data(contentsOf: ExposureBinary.packageRoot.appendingPathComponent(zone)))
        #expect(piped.status == 0, "\(piped.stderr)")
        // The same document but for the name (and so the fingerprint, which is made from it).
        #expect(
            piped.stdoutWithoutFingerprints
                == named.stdoutWithoutFingerprints.replacingOccurrences(of: "\"\(zone)\"", with: "\"-\""))
        #expect(!piped.stdout.contains("exposure-input-"), "the temporary copy's name must not show")
        let capture = try ExposureBinary.run(
            ["capture", "audit", "-", "--format", "json"],
            stdin: try Data(contentsOf: ExposureBinary.packageRoot.appendingPathComponent(Self.telnet)))
        #expect(capture.status == 1, "\(capture.stderr)")
        let inputs = try #require(try Self.json(capture.stdout)["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["path"] as? String } == ["-"])
    }

    @Test("checks takes --output like every command, and its write errors exit 2 too")
    func checksOutput() throws {
        let dir = try Self.folder("checks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("checks.md").path
        let run = try ExposureBinary.run(["checks", "--format", "markdown", "--output", out])
        #expect(run.status == 0 && run.stdout.isEmpty)
        let plain = try ExposureBinary.run(["checks", "--format", "markdown"])
        #expect(try String(contentsOfFile: out, encoding: .utf8) == plain.stdout)
        #expect(try ExposureBinary.run(["checks", "--output", "/dev/full"]).status == 2)
    }

    @Test("the commands docs/ci.md shows run as shown: the workflow's scan and the baseline pair")
    func ciDocumentCommandsRun() throws {
        let page = try String(
            contentsOf: ExposureBinary.packageRoot.appendingPathComponent("docs/ci.md"), encoding: .utf8)
        // Every `exposure …` command in the page's code blocks, up to a shell operator.
        let commands = page.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { $0.hasPrefix("exposure ") }
            .map { line in String(line.split(separator: "|").first ?? "").trimmingCharacters(in: .whitespaces) }
        #expect(commands.count >= 3)
        let dir = try Self.folder("ci-doc")
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.copySample(Self.hub, to: dir)
        for command in commands {
            let arguments = command.split(separator: " ").dropFirst().map(String.init)
            let run = try ExposureBinary.run(arguments, in: dir)
            #expect(run.status == 0 || run.status == 1, "\(command): \(run.stderr)")
        }
        let log = try String(contentsOf: dir.appendingPathComponent("exposure.sarif"), encoding: .utf8)
        #expect(SARIFSchemaChecks.violations(log) == [])
    }
}
