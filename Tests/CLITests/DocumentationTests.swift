import Foundation
import Testing

/// The documentation a user copies from must run: every command block the README marks as runnable,
/// every example in a `--help` text, and `make install`. Expected exit statuses are docs/output.md's
/// (0: nothing at or above `--fail-on`, 1: something is, 2: unusable input); shown output is compared
/// with what the binary prints.
@Suite("Documentation runs as written")
struct DocumentationTests {
    @Test("every runnable README command exits 0 or 1 and prints the output shown beside it")
    func readmeExamplesRun() throws {
        let blocks = try DocumentedCommands.readmeBlocks()
        #expect(blocks.count >= 3, "the README marks its examples with <!-- runnable -->")
        for block in blocks {
            for command in block.commands {
                let arguments = try ShellWords.split(command)
                try #require(arguments.first == "exposure", "README example does not start with exposure: \(command)")
                let run = try DocumentedCommands.run(Array(arguments.dropFirst()))
                #expect(run.status == 0 || run.status == 1, "\(command) exited \(run.status): \(run.stderr)")
                if let shown = block.shownOutput {
                    #expect(
                        OutputExcerpt.matches(shown: shown, actual: run.stdout),
                        "the README shows output of \(command) that it no longer prints:\n\(run.stdout)")
                }
            }
        }
    }

    @Test("every example in a --help text runs on the bundled samples")
    func helpExamplesRun() throws {
        let examples = try DocumentedCommands.helpExamples()
        #expect(examples.count >= 8, "each command's help shows at least one example")
        for example in examples {
            #expect(!example.line.hasSuffix("\\"), "an example must not be cut mid-command: \(example.line)")
            let arguments = try ShellWords.split(example.line)
            try #require(arguments.first == "exposure", "help example does not start with exposure: \(example.line)")
            if let reason = DocumentedCommands.needsAServer(arguments) {
                // Probes and live capture need a server or an interface; their examples are checked
                // for shape here and run against real servers by ProbeCLITests and CaptureCLITests.
                #expect(!reason.isEmpty)
                continue
            }
            let run = try DocumentedCommands.run(Array(arguments.dropFirst()))
            #expect(
                run.status == 0 || run.status == 1,
                "`exposure \(example.command) --help` shows `\(example.line)`, which exited \(run.status): \(run.stderr)"
            )
        }
    }

    @Test("the README's make run summary is what make run's arguments print")
    func makeRunSummary() throws {
        let makefile = try String(
            contentsOf: ExposureBinary.packageRoot.appendingPathComponent("Makefile"), encoding: .utf8)
        let runArgs = try #require(
            makefile.split(separator: "\n").first { $0.hasPrefix("RUN_ARGS = ") }?.dropFirst("RUN_ARGS = ".count))
        let run = try ExposureBinary.run(try ShellWords.split(String(runArgs)), timeout: 300)
        #expect(run.status == 1, "make run's scan reports findings at or above high: \(run.stderr)")
        let readme = try String(
            contentsOf: ExposureBinary.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let block = try #require(readme.components(separatedBy: "<!-- make-run-summary -->").dropFirst().first)
        let shown = block.split(separator: "\n").map(String.init).drop { $0 != "…" }.dropFirst()
            .prefix { !$0.hasPrefix("```") }
        let printed = run.stdout.split(separator: "\n").map(String.init).suffix(shown.count)
        #expect(shown.count == 2)
        #expect(Array(shown) == Array(printed), "the README shows a make run summary that make run no longer prints")
    }

    @Test("make install puts the binary, a man page naming every command and completions under PREFIX")
    func makeInstall() throws {
        let prefix = FileManager.default.temporaryDirectory.appendingPathComponent(
            "exposure-install-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: prefix) }
        let make = try Subprocess.run(
            "/usr/bin/make",
            ["--no-print-directory", "install", "PREFIX=\(prefix.path)", "BIN=\(ExposureBinary.executable.path)"],
            in: ExposureBinary.packageRoot)
        #expect(make.status == 0, "make install failed: \(make.stderr)")
        for path in [
            "bin/exposure", "share/man/man1/exposure.1", "share/bash-completion/completions/exposure",
            "share/zsh/site-functions/_exposure", "share/fish/vendor_completions.d/exposure.fish",
        ] {
            #expect(FileManager.default.fileExists(atPath: prefix.appendingPathComponent(path).path), "\(path) missing")
        }
        let installed = try Subprocess.run(prefix.appendingPathComponent("bin/exposure").path, ["--version"])
        #expect(installed.status == 0)
        // groff is the reference for the man page: -ww turns on every warning; none may appear.
        let man = prefix.appendingPathComponent("share/man/man1/exposure.1").path
        let groff = try Subprocess.run("/usr/bin/groff", ["-man", "-Tutf8", "-ww", man])
        #expect(groff.status == 0)
        #expect(groff.stderr.isEmpty, "groff warns about the man page: \(groff.stderr)")
        for command in try DocumentedCommands.leafCommands() {
            #expect(groff.stdout.contains("exposure \(command)"), "the man page does not describe exposure \(command)")
        }
        let bash = try Subprocess.run(
            "/bin/bash", ["-n", prefix.appendingPathComponent("share/bash-completion/completions/exposure").path])
        #expect(bash.status == 0, "the bash completion script does not parse: \(bash.stderr)")
    }
}

/// Commands found in the documentation, and how to run them.
enum DocumentedCommands {
    struct Block {
        var commands: [String]
        var shownOutput: String?
    }

    struct HelpExample {
        var command: String
        var line: String
    }

    /// Runs a documented command in the package root; outputs named with `--output` go to a scratch
    /// folder so that running the docs leaves nothing behind.
    static func run(_ arguments: [String]) throws -> ExposureRun {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-doc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        var rewritten = arguments
        for (i, argument) in arguments.enumerated() where argument == "--output" && i + 1 < arguments.count {
            rewritten[i + 1] =
                scratch.appendingPathComponent(URL(fileURLWithPath: arguments[i + 1]).lastPathComponent).path
        }
        return try ExposureBinary.run(rewritten, timeout: 120)
    }

    /// Why a documented command cannot run on the samples alone, or nil when it can.
    static func needsAServer(_ arguments: [String]) -> String? {
        let words = Array(arguments.dropFirst().prefix(2))
        if words == ["dns", "server"] || words == ["dns", "resolver"] { return "probes a DNS server" }
        if words == ["capture", "live"] { return "captures on a live interface" }
        return nil
    }

    /// The README's command blocks that follow a `<!-- runnable -->` marker. A `console` block holds
    /// `$ exposure …` and the output shown for it; a `sh` block holds commands only (`\` continues a line).
    static func readmeBlocks() throws -> [Block] {
        let text = try String(
            contentsOf: ExposureBinary.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var blocks: [Block] = []
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)[...]
        while let line = lines.popFirst() {
            guard line.trimmingCharacters(in: .whitespaces) == "<!-- runnable -->" else { continue }
            guard let fence = lines.popFirst(), fence.hasPrefix("```") else { continue }
            var body: [String] = []
            while let l = lines.popFirst(), !l.hasPrefix("```") { body.append(l) }
            if fence.hasPrefix("```console") {
                guard let first = body.first, first.hasPrefix("$ ") else { continue }
                blocks.append(
                    Block(commands: [String(first.dropFirst(2))], shownOutput: body.dropFirst().joined(separator: "\n"))
                )
            } else {
                blocks.append(Block(commands: joinContinuations(body).filter { !$0.isEmpty }, shownOutput: nil))
            }
        }
        return blocks
    }

    /// Each command line, with `\`-continued lines joined and comments removed.
    static func joinContinuations(_ lines: [String]) -> [String] {
        var commands: [String] = []
        var current = ""
        for raw in lines {
            var line = raw
            if let hash = line.range(of: " #") { line = String(line[..<hash.lowerBound]) }
            line = line.trimmingCharacters(in: .whitespaces)
            if line.hasSuffix("\\") {
                current += line.dropLast() + " "
            } else {
                commands.append((current + line).trimmingCharacters(in: .whitespaces))
                current = ""
            }
        }
        return commands
    }

    /// The leaf commands (`topology audit`, `scan`, …) from the binary's own description of itself.
    static func leafCommands() throws -> [String] {
        let run = try ExposureBinary.run(["--experimental-dump-help"])
        let root = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        var leaves: [String] = []
        func walk(_ node: [String: Any], _ path: [String]) {
            let subcommands = (node["subcommands"] as? [[String: Any]] ?? []).filter {
                $0["commandName"] as? String != "help"
            }
            if subcommands.isEmpty, !path.isEmpty { leaves.append(path.joined(separator: " ")) }
            for s in subcommands { walk(s, path + [s["commandName"] as? String ?? ""]) }
        }
        walk(try #require(root["command"] as? [String: Any]), [])
        return leaves
    }

    /// Lines of each command's `--help` that show a command: indented lines starting with `exposure `.
    static func helpExamples() throws -> [HelpExample] {
        var examples: [HelpExample] = []
        for command in try [""] + leafCommands() {
            let arguments = command.split(separator: " ").map(String.init) + ["--help"]
            let run = try ExposureBinary.run(arguments)
            let lines = run.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            var index = 0
            while index < lines.count {
                var line = lines[index].trimmingCharacters(in: .whitespaces)
                index += 1
                guard line.hasPrefix("exposure "), lines[index - 1].hasPrefix(" ") else { continue }
                while line.hasSuffix("\\"), index < lines.count {
                    line =
                        String(line.dropLast()).trimmingCharacters(in: .whitespaces) + " "
                        + lines[index].trimmingCharacters(in: .whitespaces)
                    index += 1
                }
                if let hash = line.range(of: "  #") {
                    line = String(line[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces)
                }
                examples.append(HelpExample(command: command.isEmpty ? "" : command, line: line))
            }
        }
        return examples
    }
}

/// Shown output against printed output: the shown lines must appear in order; a line `…` stands for
/// any number of lines left out. Without a `…` at either end, the excerpt is anchored there.
enum OutputExcerpt {
    static func matches(shown: String, actual: String) -> Bool {
        let shownLines = shown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        var chunks: [[String]] = [[]]
        for line in shownLines {
            if line.trimmingCharacters(in: .whitespaces) == "…" {
                chunks.append([])
            } else {
                chunks[chunks.count - 1].append(line)
            }
        }
        chunks = chunks.map { $0.filter { !$0.isEmpty } }
        let anchoredStart = !(shownLines.first.map { $0.trimmingCharacters(in: .whitespaces) == "…" } ?? false)
        let anchoredEnd =
            !(shownLines.last(where: { !$0.isEmpty }).map { $0.trimmingCharacters(in: .whitespaces) == "…" } ?? false)
        var position = 0
        for (n, chunk) in chunks.enumerated() where !chunk.isEmpty {
            let isFirst = n == 0
            let isLast = n == chunks.count - 1
            var found: Int?
            var start = position
            while start + chunk.count <= actualLines.count {
                if Array(actualLines[start..<start + chunk.count]) == chunk {
                    found = start
                    break
                }
                if isFirst && anchoredStart { break }
                start += 1
            }
            guard let at = found else { return false }
            if isLast && anchoredEnd && at + chunk.count != actualLines.count { return false }
            position = at + chunk.count
        }
        return true
    }
}

/// Splits a command line into words as a POSIX shell would for the simple cases the docs use:
/// blanks separate words, single and double quotes group, backslash escapes outside single quotes.
enum ShellWords {
    struct Unbalanced: Error, CustomStringConvertible {
        var line: String
        var description: String { "unbalanced quotes in `\(line)`" }
    }

    static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for c in line {
            if escaped {
                current.append(c)
                escaped = false
                continue
            }
            if let q = quote {
                if c == q { quote = nil } else if c == "\\" && q == "\"" { escaped = true } else { current.append(c) }
                continue
            }
            switch c {
            case "'", "\"":
                quote = c
                inWord = true
            case "\\":
                escaped = true
                inWord = true
            case " ", "\t":
                if inWord { words.append(current) }
                current = ""
                inWord = false
            default:
                current.append(c)
                inWord = true
            }
        }
        if quote != nil || escaped { throw Unbalanced(line: line) }
        if inWord { words.append(current) }
        return words
    }
}

/// Runs another program (make, groff, bash) with a time limit and captures what it printed.
enum Subprocess {
    static func run(_ executable: String, _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 300)
        throws -> ExposureRun
    {
        try ExposureBinary.runProgram(URL(fileURLWithPath: executable), arguments, in: directory, timeout: timeout)
    }
}
