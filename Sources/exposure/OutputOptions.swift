import ArgumentParser
import Findings
import Foundation

/// The output formats. `dot` (Graphviz) is for `topology paths` only.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, sarif, dot
}

extension FailThreshold: ExpressibleByArgument {}

/// `--format`, `--output` and `--fail-on`, shared by every command.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: text, json or sarif (topology paths also takes dot).")
    var format: OutputFormat = .text

    @Option(help: ArgumentHelp("Write the output to this file instead of standard output.", valueName: "file"))
    var output: String?

    @Option(help: "Exit with status 1 when a finding is at least this severe: critical, high, medium, low or never.")
    var failOn: FailThreshold = .high

    /// Rejects `--format dot` for commands that print findings.
    func requireFindingsFormat() throws {
        if format == .dot { throw ValidationError("--format dot is only for 'exposure topology paths'") }
    }

    /// Prints a findings report in the chosen format and returns the exit status it calls for.
    func emit(_ report: Report) throws {
        try requireFindingsFormat()
        let text: String
        switch format {
        case .json: text = JSONRenderer().render(report)
        case .sarif: text = SARIFRenderer().render(report)
        case .text, .dot: text = TextRenderer(colour: useColour).render(report)
        }
        try write(text)
        if report.fails(failOn) { throw ExitCode(1) }
    }

    /// Writes a finished document to `--output` or standard output.
    func write(_ text: String) throws {
        if let output {
            do {
                try text.write(toFile: output, atomically: true, encoding: .utf8)
            } catch {
                throw InputError(file: output, reason: "cannot write the output file (\(error.localizedDescription))")
            }
        } else {
            FileHandleOutput.standardOutput(text)
        }
    }

    /// Colour only on a terminal, never into a file, and never when NO_COLOR is set.
    var useColour: Bool {
        output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }
}

/// Unbuffered writes to the standard streams.
enum FileHandleOutput {
    static func standardOutput(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    static func standardError(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}
