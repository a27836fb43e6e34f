import Foundation

/// Runs the built `exposure` binary, as a user would, and captures what it printed.
struct ExposureRun {
    var status: Int32
    var stdout: String
    var stderr: String

    /// Standard output without what the command line adds to an analyzer's findings document (each
    /// finding's `"fingerprint"` line and the `"inputs"` list), for comparing with the analyzer's own
    /// expected report.
    var stdoutWithoutFingerprints: String {
        var lines: [Substring] = []
        var inInputs = false
        for line in stdout.split(separator: "\n", omittingEmptySubsequences: false) {
            if inInputs {
                if line == "  ]," { inInputs = false }
                continue
            }
            if line == "  \"inputs\": [" {
                inInputs = true
                continue
            }
            if line == "  \"inputs\": []," { continue }
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("\"fingerprint\": ") { continue }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}

enum ExposureBinary {
    /// The package root, so tests can name samples as `Topologies/…` and run from there.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The `exposure` executable next to the test bundle in the build folder.
    static var executable: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // On Linux the test runner is `<build>/debug/ExposurePackageTests.xctest`.
        if dir.pathExtension == "xctest" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("exposure")
    }

    /// Runs `exposure ARGS` in the package root (or `directory`) with colour off, with a time limit.
    static func run(
        _ arguments: [String], in directory: URL? = nil, timeout: TimeInterval = 60, stdin: Data? = nil,
        stdoutPath: String? = nil
    ) throws -> ExposureRun {
        try runProgram(
            executable, arguments, in: directory ?? packageRoot, timeout: timeout, stdin: stdin, stdoutPath: stdoutPath)
    }

    /// Runs any program the same way (the docs tests run make, groff and bash with it).
    static func runProgram(
        _ program: URL, _ arguments: [String], in directory: URL?, timeout: TimeInterval, stdin: Data? = nil,
        stdoutPath: String? = nil
    ) throws -> ExposureRun {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        process.environment = environment
        // Output goes to temporary files rather than pipes: nothing has to drain them while the
        // process runs, so a large output cannot block it and no reader threads are needed.
        let scratch = FileManager.default.temporaryDirectory
            .appendingPathComponent("exposure-run-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = try stdoutPath.map { try FileHandle(forWritingTo: URL(fileURLWithPath: $0)) } ?? out
        process.standardError = err
        if let stdin {
            let inURL = scratch.appendingPathComponent("stdin")
            try stdin.write(to: inURL)
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw TimedOut(arguments: arguments)
        }
        process.waitUntilExit()
        let outData = try Data(contentsOf: outURL)
        let errData = try Data(contentsOf: errURL)
        return ExposureRun(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self)
        )
    }

    struct TimedOut: Error, CustomStringConvertible {
        var arguments: [String]
        var description: String { "exposure \(arguments.joined(separator: " ")) did not finish in time" }
    }
}
