import Foundation
import Testing

@Suite("Command line usage and exit status")
struct UsageTests {
    @Test("an unknown subcommand is a usage error: exit 2 with a message")
    func unknownSubcommandExitsTwo() throws {
        let run = try ExposureBinary.run(["frobnicate"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Unexpected argument 'frobnicate'"))
    }

    @Test("a missing required option exits 2 and names the option")
    func missingOptionExitsTwo() throws {
        let run = try ExposureBinary.run(["topology", "paths", "x.json"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--from"))
    }

    @Test("--format dot is refused outside topology paths, and sarif by verify-flows and paths")
    func dotOnlyForPaths() throws {
        let run = try ExposureBinary.run(["scan", "--format", "dot"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("Please provide one of 'text', 'json', 'sarif' or 'html'"))
        for command in [
            ["topology", "verify-flows", "x.json", "--flows", "f.csv"],
            ["topology", "paths", "x.json", "--from", "internet"],
        ] {
            let sarif = try ExposureBinary.run(command + ["--format", "sarif"])
            #expect(sarif.status == 2)
            #expect(sarif.stderr.hasPrefix("exposure: "))
            #expect(sarif.stdout.isEmpty, "no SARIF log for a command that prints none")
        }
    }

    @Test("--version prints the version and exits 0")
    func versionExitsZero() throws {
        let run = try ExposureBinary.run(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test("--help lists topology, capture, dns and scan")
    func helpListsEveryArea() throws {
        let run = try ExposureBinary.run(["--help"])
        #expect(run.status == 0)
        for command in ["topology", "capture", "dns", "scan"] {
            #expect(run.stdout.contains("  \(command)"), "help does not list \(command)")
        }
    }

    @Test(
        "every subcommand has help with an example",
        arguments: [
            ["topology", "audit"], ["topology", "verify-flows"], ["topology", "paths"], ["capture", "audit"],
            ["capture", "live"], ["dns", "zone"], ["dns", "resolver"], ["dns", "server"], ["scan"], ["checks"],
        ]
    )
    func subcommandHelpHasExample(_ command: [String]) throws {
        let run = try ExposureBinary.run(command + ["--help"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("Example:"))
        #expect(run.stdout.contains("exposure \(command.joined(separator: " "))"))
        // Copy-paste must work: each example is one line, or continues with a shell backslash; the
        // help's 80-column wrapping never cuts a command.
        let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(of: "Example:") else { return }
        var continued = false
        for line in lines[(start + 1)...] {
            if line.isEmpty || line.hasPrefix("USAGE") { break }
            if continued {
                #expect(line.hasPrefix("    --"), "a continuation line that is not an option: \(line)")
            } else {
                #expect(line.hasPrefix("  exposure "), "an example line cut in the middle: \(line)")
            }
            #expect(line.count <= 80)
            continued = line.hasSuffix(" \\")
        }
        #expect(!continued, "the last example line ends with a backslash")
    }

    @Test("a scan of a folder with nothing to analyse exits 2 saying so")
    func emptyScanExitsTwo() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-empty-\(getpid())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let run = try ExposureBinary.run(["scan", empty.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("nothing could be analysed"))
    }

    @Test("a path that does not exist exits 2 naming it")
    func missingPathExitsTwo() throws {
        let run = try ExposureBinary.run(["scan", "no/such/place"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("no/such/place: no such file or directory"))
    }
}
