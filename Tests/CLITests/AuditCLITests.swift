import Foundation
import Testing

/// `exposure topology audit` and the audit inside `exposure scan`, run as a user runs them.
@Suite("exposure topology audit")
struct AuditCLITests {
    static func json(_ text: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        return try #require(object as? [String: Any])
    }

    static func temporaryFile(_ name: String, _ contents: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-audit-\(getpid())-\(name)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test("the YAML sample's JSON report is the committed expected output, exit 1 for its critical finding")
    func yamlSampleMatchesExpected() throws {
        let run = try ExposureBinary.run([
            "topology", "audit", "Topologies/yaml-on-premises-plant.yaml", "--now", "2026-11-21", "--format", "json",
        ])
        #expect(run.status == 1)
        let expected = try String(
            contentsOf: ExposureBinary.packageRoot.appendingPathComponent(
                "Tests/TopologyTests/Expected/audit-yaml-on-premises-plant.json"), encoding: .utf8)
        #expect(
            run.stdoutWithoutFingerprints.trimmingCharacters(in: .whitespacesAndNewlines)
                == expected.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    @Test("--justifications applies the file: expired entries count as unjustified; --fail-on sets the exit status")
    func justificationsAndFailOn() throws {
        let args = [
            "topology", "audit", "Topologies/azure-three-tier-asg.json", "--justifications",
            "Topologies/azure-three-tier-asg.justifications.yaml", "--now", "2026-11-21",
        ]
        let run = try ExposureBinary.run(args)
        #expect(run.status == 1)
        #expect(run.stdout.contains("was justified until 2025-06-30 (owner shop-team@example.com)"))
        let relaxed = try ExposureBinary.run(args + ["--fail-on", "critical"])
        #expect(relaxed.status == 0)
        let renewed = try ExposureBinary.run(args.dropLast(2) + ["--now", "2025-06-30", "--format", "json"])
        let subjects = try (Self.json(renewed.stdout)["findings"] as? [[String: Any]] ?? []).filter {
            ($0["check"] as? String) == "topology.unjustified-allow"
        }.compactMap { $0["subject"] as? String }
        #expect(subjects == ["shop-nsg/AllowSshToWebFromInternet"])
    }

    @Test("every internet-exposed-port finding is allowed by verify-flows on the same flow, with the same rules")
    func agreesWithVerifyFlows() throws {
        for sample in ["Topologies/azure-hub-and-spoke-jump-box.json", "Topologies/yaml-on-premises-plant.yaml"] {
            let audit = try ExposureBinary.run(["topology", "audit", sample, "--format", "json"])
            let findings = try (Self.json(audit.stdout)["findings"] as? [[String: Any]] ?? []).filter {
                ($0["check"] as? String) == "topology.internet-exposed-port"
            }
            #expect(!findings.isEmpty)
            var csv = "source,destination,protocol,port\n"
            var expectedRules: [[String]] = []
            for finding in findings {
                let evidence = try #require(finding["evidence"] as? [String: Any])
                let publicIP = try #require(evidence["publicIP"] as? String)
                let proto = try #require(evidence["protocol"] as? String)
                let ports = try #require(evidence["ports"] as? [Int])
                let sources = try #require(evidence["sources"] as? [String])
                let witness = try #require(sources.first?.split(separator: "/").first.map(String.init))
                let rules = (evidence["decidedBy"] as? [[String: Any]] ?? []).map {
                    "\($0["nsg"] as? String ?? "")/\($0["rule"] as? String ?? "")"
                }
                for port in ports {
                    csv += "\(witness),\(publicIP),\(proto),\(port)\n"
                    expectedRules.append(rules)
                }
            }
            let flows = try Self.temporaryFile("flows.csv", csv)
            defer { try? FileManager.default.removeItem(at: flows) }
            let verify = try ExposureBinary.run([
                "topology", "verify-flows", sample, "--flows", flows.path, "--format", "json",
            ])
            #expect(verify.status == 0, "\(verify.stderr)")
            let verdicts = try #require(Self.json(verify.stdout)["flows"] as? [[String: Any]])
            #expect(verdicts.count == expectedRules.count)
            for (verdict, rules) in zip(verdicts, expectedRules) {
                #expect(verdict["verdict"] as? String == "allowed", "\(sample): \(verdict)")
                let decided = (verdict["decidedBy"] as? [[String: Any]] ?? []).map {
                    "\($0["nsg"] as? String ?? "")/\($0["rule"] as? String ?? "")"
                }
                #expect(decided == rules, "\(sample): \(verdict)")
            }
        }
    }

    @Test("--crown-jewels selects other assets: the jump box itself is one hop from the internet")
    func crownJewelsOption() throws {
        let run = try ExposureBinary.run([
            "topology", "audit", "Topologies/azure-hub-and-spoke-jump-box.json", "--crown-jewels", "role=jump-box",
            "--format", "json",
        ])
        let paths = try (Self.json(run.stdout)["findings"] as? [[String: Any]] ?? []).filter {
            ($0["check"] as? String) == "topology.lateral-movement-path"
        }
        #expect(paths.map { $0["subject"] as? String } == ["jumpbox01"])
        #expect(paths.first?["severity"] as? String == "critical")
    }

    @Test("SARIF results point at the JSON pointer of the rule")
    func sarifLocations() throws {
        let run = try ExposureBinary.run([
            "topology", "audit", "Topologies/azure-hub-and-spoke-jump-box.json", "--format", "sarif",
        ])
        #expect(run.stdout.contains("\"version\" : \"2.1.0\"") || run.stdout.contains("\"version\": \"2.1.0\""))
        #expect(run.stdout.contains("/3/properties/securityRules/1"))
        #expect(run.stdout.contains("topology.internet-exposed-port"))
    }

    @Test(
        "bad options and a broken justification file exit 2 naming the problem",
        arguments: [
            (["--now", "31/12/2026"], "--now takes a date"),
            (["--crown-jewels", "crown-jewel"], "--crown-jewels takes KEY=VALUE"),
            (["--sensitive-port", "icmp/8"], "--sensitive-port takes"),
            (
                ["--justifications", "no/such/file.yaml"],
                "no/such/file.yaml: cannot read the file: No such file or directory"
            ),
        ] as [([String], String)]
    )
    func badOptions(_ extra: [String], _ message: String) throws {
        let run = try ExposureBinary.run(["topology", "audit", "Topologies/azure-three-tier-asg.json"] + extra)
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test("a justification entry without an owner is refused with its line")
    func brokenJustificationFile() throws {
        let file = try Self.temporaryFile(
            "broken.justifications.yaml",
            "justifications:\n  - rule: shop-nsg/AllowFtpFromWeb\n    why: uploads\n    review-by: 2027-01-01\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try ExposureBinary.run([
            "topology", "audit", "Topologies/azure-three-tier-asg.json", "--justifications", file.path,
        ])
        #expect(run.status == 2)
        #expect(run.stderr.contains("\(file.path): line 2: the entry has no 'owner'"), "\(run.stderr)")
    }

    @Test("scan audits each topology with the justification file beside it and does not take that file for a topology")
    func scanUsesCompanionJustifications() throws {
        let run = try ExposureBinary.run(["scan", "Topologies", "--format", "json"])
        #expect(run.status == 1)
        let document = try Self.json(run.stdout)
        let warnings = document["warnings"] as? [String] ?? []
        #expect(!warnings.contains { $0.contains("justifications.yaml") }, "\(warnings)")
        let unjustified = (document["findings"] as? [[String: Any]] ?? []).filter {
            ($0["check"] as? String) == "topology.unjustified-allow"
        }.compactMap { $0["subject"] as? String }
        #expect(!unjustified.contains("dev-nsg/AllowTelnetFromHub"))
        #expect(unjustified.contains("shop-nsg/AllowFtpFromWeb"))
    }

    @Test("a justification file given as a topology is refused with a hint")
    func justificationFileAsTopology() throws {
        let run = try ExposureBinary.run([
            "topology", "audit", "Topologies/azure-three-tier-asg.justifications.yaml",
        ])
        #expect(run.status == 2)
        #expect(
            run.stderr.contains(
                "Topologies/azure-three-tier-asg.justifications.yaml: line 1: this is a justification file, not a topology; pass it with --justifications"
            ), "\(run.stderr)")
    }

    @Test("every lateral-movement-path finding is the path `exposure topology paths --from internet` prints")
    func agreesWithPaths() throws {
        for sample in [
            "Topologies/azure-hub-and-spoke-jump-box.json", "Topologies/azure-three-tier-asg.json",
            "Topologies/yaml-on-premises-plant.yaml",
        ] {
            let audit = try ExposureBinary.run(["topology", "audit", sample, "--format", "json"])
            let findings = try (Self.json(audit.stdout)["findings"] as? [[String: Any]] ?? []).filter {
                ($0["check"] as? String) == "topology.lateral-movement-path"
            }
            let paths = try ExposureBinary.run(["topology", "paths", sample, "--from", "internet", "--format", "json"])
            let printed = try #require(Self.json(paths.stdout)["paths"] as? [[String: Any]])
            #expect(findings.count == printed.count, "\(sample)")
            for finding in findings {
                let target = try #require(finding["subject"] as? String)
                let evidence = try #require(finding["evidence"] as? [String: Any])
                let path = try #require(printed.first { ($0["target"] as? String) == target }, "\(sample): \(target)")
                let mine = try JSONSerialization.data(withJSONObject: evidence["hops"] ?? [], options: [.sortedKeys])
                let theirs = try JSONSerialization.data(withJSONObject: path["hops"] ?? [], options: [.sortedKeys])
                #expect(mine == theirs, "\(sample): \(target)")
            }
        }
    }
}
