import ArgumentParser
import Findings
import ProcessTuning

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the command line and turns every outcome into the documented exit status:
/// 0 no finding at or above `--fail-on`, 1 some finding at or above it, 2 unusable input or arguments
/// or a report that could not be written. Every message starts with `exposure: `.
@main
enum Entry {
    static func main() {
        ProcessMemory.returnLargeBlocksToTheSystem()
        // A closed pipe must be a write error (exit 2 with the reason), not a silent death by signal.
        signal(SIGPIPE, SIG_IGN)
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            var command = try Exposure.parseAsRoot(arguments)
            try command.run()
            exit(0)
        } catch let status as ExitCode {
            exit(status.rawValue)
        } catch let error as any ExposureError {
            fail("\(error)", arguments: arguments)
        } catch {
            let code = Exposure.exitCode(for: error)
            if code.isSuccess {
                // --help and --version.
                print(Exposure.fullMessage(for: error))
                exit(0)
            }
            var message = Exposure.message(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
            fail(message, arguments: arguments, usage: true)
        }
    }

    /// Prints the error, writes the SARIF failure log when SARIF was asked for, and exits 2.
    static func fail(_ message: String, arguments: [String], usage: Bool = false) -> Never {
        ProgressReporter.shared.finish()
        FileHandleOutput.standardError("exposure: \(message)\n")
        if usage { FileHandleOutput.standardError("exposure: see 'exposure help' or add --help to the command\n") }
        FailureLog.write(error: message, arguments: arguments)
        exit(2)
    }
}
