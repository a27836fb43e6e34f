import ArgumentParser
import Findings

#if canImport(Glibc)
    import Glibc
#endif

/// Runs the command line and turns every outcome into the contract's exit status:
/// 0 no finding at or above `--fail-on`, 1 some finding at or above it, 2 unusable input or arguments.
@main
enum Entry {
    static func main() {
        ProcessMemory.returnLargeBlocksToTheSystem()
        do {
            var command = try Exposure.parseAsRoot()
            try command.run()
            exit(0)
        } catch let status as ExitCode {
            exit(status.rawValue)
        } catch let error as any ExposureError {
            FileHandleOutput.standardError("exposure: \(error)\n")
            exit(2)
        } catch {
            let code = Exposure.exitCode(for: error)
            if code.isSuccess {
                // --help and --version.
                print(Exposure.fullMessage(for: error))
                exit(0)
            }
            FileHandleOutput.standardError(Exposure.fullMessage(for: error) + "\n")
            exit(2)
        }
    }
}
