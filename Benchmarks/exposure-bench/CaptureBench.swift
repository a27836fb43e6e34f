import Capture
import Foundation

/// The capture benchmark: `swift run -c release exposure-bench capture [--mixed-mb N]
/// [--small-flows N] [--data DIR] [--regenerate] [--skip-ndpi]`.
///
/// Generates two captures under `Benchmarks/data/capture/` (gitignored; reused on later runs unless
/// `--regenerate`): a mixed one of about `--mixed-mb` MiB (default 600: millions of packets, tens of
/// thousands of interleaved flows of HTTP and TLS downloads, SSH, SMB2, DNS, SNMP, Telnet, FTP, …)
/// and a small-packet one with `--small-flows` flows (default 1,100,000: TCP connections of four
/// packets and UDP exchanges of two). Each is read by `exposure`'s analyzer with every detector on
/// (in a child process, so its CPU time and peak memory are its own), by a C libpcap reader that
/// parses headers, keeps a flow table and classifies first payloads (`ReferenceReader`),
/// and by `ndpiReader` (Debian's libndpi-bin) when installed. A quick run:
/// `exposure-bench capture --mixed-mb 50 --small-flows 100000`.
enum CaptureBench {
    static func run(_ args: [String]) throws {
        if args.first == "measure", args.count == 2 {
            try measure(file: args[1])
            return
        }
        if args.first == "measure-read", args.count == 3 {
            let start = cpuSeconds()
            let (frames, _) = try CaptureAnalyzer.readOnly(file: args[2], withLibpcap: args[1] == "libpcap")
            say("frames=\(frames) cpu=\(String(format: "%.3f", cpuSeconds() - start))")
            return
        }
        var options = CaptureBenchOptions()
        try options.parse(args)
        let folder = options.dataFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let mixed = folder + "/mixed-\(options.mixedMiB)mib.pcap"
        let small = folder + "/small-packets-\(options.smallFlows)-flows.pcap"
        if options.regenerate || !FileManager.default.fileExists(atPath: mixed) {
            let made = try CaptureGenerator.mixed(path: mixed, targetBytes: options.mixedMiB << 20)
            say("generated \(mixed): \(made)")
        }
        if options.regenerate || !FileManager.default.fileExists(atPath: small) {
            let made = try CaptureGenerator.smallPackets(path: small, flows: options.smallFlows)
            say("generated \(small): \(made)")
        }
        let reference = try ReferenceReader.compile(folder: folder)
        let ndpi =
            options.skipNDPI
            ? nil
            : ["/usr/bin/ndpiReader", "/usr/local/bin/ndpiReader"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
        if ndpi == nil && !options.skipNDPI {
            say("ndpiReader not found: install Debian's libndpi-bin to compare with it")
        }
        for file in [mixed, small] { try compare(file: file, reference: reference, ndpi: ndpi) }
        say(
            "goals: exposure within 2x the C reader's CPU time, 5x faster than ndpiReader, under 512 MiB at a million flows"
        )
    }

    /// Runs the analyzer on one file in this process and prints its own figures as `key=value` pairs.
    static func measure(file: String) throws {
        let start = cpuSeconds()
        let (_, statistics) = try CaptureAnalyzer.measure(file: file)
        let cpu = cpuSeconds() - start
        say(
            "frames=\(statistics.frames) flows=\(statistics.flows) peakFlows=\(statistics.peakFlows) "
                + "findings=\(statistics.findings) decidedEarly=\(statistics.decidedEarly) cpu=\(String(format: "%.3f", cpu)) "
                + "maxrss_mib=\(String(format: "%.1f", peakMemoryMiB()))")
    }

    static func compare(file: String, reference: String, ndpi: String?) throws {
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: file)) ?? file
        let size = (try FileManager.default.attributesOfItem(atPath: resolved)[.size] as? Int) ?? 0
        let mib = Double(size) / 1_048_576
        say(String(format: "\n%@: %.0f MiB", (file as NSString).lastPathComponent, mib))
        let ours = pairs(try runChild(CommandLine.arguments[0], ["capture", "measure", file]))
        let oursCPU = Double(ours["cpu"] ?? "") ?? .nan
        let frames = Double(ours["frames"] ?? "") ?? 0
        say(
            String(
                format:
                    "  exposure     %7.2f s CPU  %7.0f MiB/s  %6.2f Mpps  peak %6.1f MiB  flows %@ (peak %@), findings %@",
                oursCPU, mib / oursCPU, frames / oursCPU / 1e6, Double(ours["maxrss_mib"] ?? "") ?? .nan,
                ours["flows"] ?? "?", ours["peakFlows"] ?? "?", ours["findings"] ?? "?"))
        // Reading alone, without decoding or flows: the own classic pcap walker against libpcap's reader.
        let ownRead =
            Double(
                pairs(try runChild(CommandLine.arguments[0], ["capture", "measure-read", "own", file]))["cpu"] ?? "")
            ?? .nan
        let libpcapRead =
            Double(
                pairs(try runChild(CommandLine.arguments[0], ["capture", "measure-read", "libpcap", file]))["cpu"] ?? ""
            ) ?? .nan
        say(
            String(
                format: "  reading only: own walker %.2f s CPU, libpcap %.2f s CPU  -> libpcap/own = %.2fx",
                ownRead, libpcapRead, libpcapRead / ownRead))
        let c = pairs(try runChild(reference, [file]))
        let cCPU = Double(c["cpu"] ?? "") ?? .nan
        say(
            String(
                format:
                    "  C reader     %7.2f s CPU  %7.0f MiB/s  %6.2f Mpps  peak %6.1f MiB  flows %@  -> exposure/C = %.2fx",
                cCPU, mib / cCPU, (Double(c["packets"] ?? "") ?? 0) / cCPU / 1e6,
                Double(c["maxrss_mib"] ?? "") ?? .nan, c["flows"] ?? "?", oursCPU / cCPU))
        if let ndpi {
            // /usr/bin/time prints user, system seconds and peak KiB on the last line of stderr.
            let timed = try runChild("/usr/bin/time", ["-f", "%U %S %M", ndpi, "-i", file, "-q"], stderrToo: true)
            let last = timed.split(separator: "\n").last.map(String.init) ?? ""
            let fields = last.split(separator: " ").compactMap { Double($0) }
            if fields.count == 3 {
                let cpu = fields[0] + fields[1]
                say(
                    String(
                        format:
                            "  ndpiReader   %7.2f s CPU  %7.0f MiB/s                peak %6.1f MiB  -> ndpiReader/exposure = %.1fx",
                        cpu, mib / cpu, fields[2] / 1024, cpu / oursCPU))
            } else {
                say("  ndpiReader: could not read its timing (\(last))")
            }
        }
    }

    static func pairs(_ output: String) -> [String: String] {
        var result: [String: String] = [:]
        for token in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = token.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    /// Runs a program to the end and returns its standard output (and error, when asked).
    static func runChild(_ program: String, _ arguments: [String], stderrToo: Bool = false) throws -> String {
        let outputPath = NSTemporaryDirectory() + "exposure-bench-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = stderrToo ? FileHandle.nullDevice : output
        process.standardError = stderrToo ? output : FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        return try String(contentsOfFile: outputPath, encoding: .utf8)
    }

    /// Prints a line and flushes it, so progress shows up at once even when the output goes to a file.
    static func say(_ line: String) {
        print(line)
        fflush(nil)
    }
}
