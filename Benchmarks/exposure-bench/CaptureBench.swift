import Capture
import Foundation

/// The capture benchmark: `swift run -c release exposure-bench capture [--mixed-mb N]
/// [--small-flows N] [--data DIR] [--regenerate] [--skip-ndpi] [--rounds N]`.
///
/// Generates two captures under `Benchmarks/data/capture/` (gitignored; reused on later runs unless
/// `--regenerate`): a mixed one of about `--mixed-mb` MiB (default 600: millions of packets, tens of
/// thousands of interleaved flows of HTTP and TLS downloads, SSH, SMB2, DNS, SNMP, Telnet, FTP, …)
/// and a small-packet one with `--small-flows` flows (default 1,100,000: TCP connections of four
/// packets and UDP exchanges of two). Each is read by `exposure`'s analyzer with every detector on
/// (in a child process, so its CPU time and peak memory are its own), by a C libpcap reader that
/// parses headers, keeps a flow table and classifies first payloads (`ReferenceReader`),
/// and by `ndpiReader` (Debian's libndpi-bin) when installed. A quick run:
/// `exposure-bench capture --mixed-mb 50 --small-flows 100000`. `--rounds N` (default 5) runs the
/// three programs in turn N times on the mixed capture (3 on the small one, ndpiReader once there)
/// and reports the minimum and median of each.
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
        try compare(file: mixed, reference: reference, ndpi: ndpi, rounds: options.rounds, ndpiRounds: options.rounds)
        // ndpiReader takes 150 times exposure's time on small flows: one round of it is enough there.
        try compare(
            file: small, reference: reference, ndpi: ndpi, rounds: min(options.rounds, 3), ndpiRounds: 1)
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

    /// Measures the three programs on one file in `rounds` alternating rounds (exposure, the C reader,
    /// ndpiReader, then again), after reading the file once so every round finds it in the page cache:
    /// the goal is CPU work, not disk. Every figure is the child process's own CPU time (user +
    /// system, start-up included, as `/usr/bin/time` counts it), so other work on the machine weighs
    /// less than in wall time; the summary gives the minimum and the median of the rounds and of
    /// each round's ratios. `ndpiRounds` limits ndpiReader's rounds (it takes minutes on small flows).
    static func compare(file: String, reference: String, ndpi: String?, rounds: Int, ndpiRounds: Int) throws {
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: file)) ?? file
        let size = (try FileManager.default.attributesOfItem(atPath: resolved)[.size] as? Int) ?? 0
        let mib = Double(size) / 1_048_576
        say(String(format: "\n%@: %.0f MiB", (file as NSString).lastPathComponent, mib))
        warmPageCache(file)
        var oursRounds: [Double] = []
        var cRounds: [Double] = []
        var ndpiRoundsCPU: [Double] = []
        var ours: [String: String] = [:]
        var c: [String: String] = [:]
        var oursPeak = Double.nan
        var cPeak = Double.nan
        var ndpiPeak = Double.nan
        for round in 1...max(rounds, 1) {
            let oursRun = try timedChild(CommandLine.arguments[0], ["capture", "measure", file])
            ours = pairs(oursRun.output)
            oursRounds.append(oursRun.cpu)
            oursPeak = oursRun.peakMiB
            let cRun = try timedChild(reference, [file])
            c = pairs(cRun.output)
            cRounds.append(cRun.cpu)
            cPeak = cRun.peakMiB
            var line = String(
                format: "  round %d: exposure %.3f s (in process %@), C reader %.3f s", round, oursRun.cpu,
                ours["cpu"] ?? "?", cRun.cpu)
            if let ndpi, round <= ndpiRounds {
                let ndpiRun = try timedChild(ndpi, ["-i", file, "-q"])
                ndpiPeak = ndpiRun.peakMiB
                ndpiRoundsCPU.append(ndpiRun.cpu)
                line += String(
                    format: ", ndpiReader %.3f s -> ndpiReader/exposure = %.2fx", ndpiRun.cpu, ndpiRun.cpu / oursRun.cpu
                )
            }
            say(line)
        }
        let oursMedian = median(oursRounds)
        let cMedian = median(cRounds)
        say(
            String(
                format:
                    "  exposure     min %6.3f  median %6.3f s CPU  %7.0f MiB/s  %6.2f Mpps  peak %6.1f MiB  flows %@ (peak %@), findings %@",
                oursRounds.min() ?? .nan, oursMedian, mib / oursMedian,
                (Double(ours["frames"] ?? "") ?? 0) / oursMedian / 1e6, oursPeak,
                ours["flows"] ?? "?", ours["peakFlows"] ?? "?", ours["findings"] ?? "?"))
        let againstC = zip(oursRounds, cRounds).map { $0 / $1 }
        say(
            String(
                format:
                    "  C reader     min %6.3f  median %6.3f s CPU  %7.0f MiB/s  %6.2f Mpps  peak %6.1f MiB  flows %@  -> exposure/C: median %.2fx, worst %.2fx",
                cRounds.min() ?? .nan, cMedian, mib / cMedian, (Double(c["packets"] ?? "") ?? 0) / cMedian / 1e6,
                cPeak, c["flows"] ?? "?", median(againstC), againstC.max() ?? .nan))
        if !ndpiRoundsCPU.isEmpty {
            let ratios = zip(ndpiRoundsCPU, oursRounds).map { $0 / $1 }
            say(
                String(
                    format:
                        "  ndpiReader   min %6.3f  median %6.3f s CPU  %7.0f MiB/s                peak %6.1f MiB  -> ndpiReader/exposure: median %.2fx, worst %.2fx (%d rounds)",
                    ndpiRoundsCPU.min() ?? .nan, median(ndpiRoundsCPU), mib / median(ndpiRoundsCPU), ndpiPeak,
                    median(ratios), ratios.min() ?? .nan, ratios.count))
        }
        // Reading alone, without decoding or flows: the own classic pcap walker against libpcap's reader.
        let ownRead = try timedChild(CommandLine.arguments[0], ["capture", "measure-read", "own", file]).cpu
        let libpcapRead = try timedChild(CommandLine.arguments[0], ["capture", "measure-read", "libpcap", file]).cpu
        say(
            String(
                format: "  reading only: own walker %.2f s CPU, libpcap %.2f s CPU  -> libpcap/own = %.2fx",
                ownRead, libpcapRead, libpcapRead / ownRead))
    }

    /// The middle value (the mean of the two middle ones for an even count).
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Puts the file in the page cache as a first read from disk leaves it, so every round (and every
    /// program) finds it there the same way: its cached pages are dropped (after writing back what
    /// the generator left dirty) and the file is read once, so the kernel's read-ahead caches it in
    /// large folios. A file just written is cached in the writer's small pieces, and reading it that
    /// way cost exposure 0.03 s more CPU in every round (docs/benchmarks.md).
    static func warmPageCache(_ file: String) {
        let descriptor = open(file, O_RDONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = fsync(descriptor)
        _ = posix_fadvise(descriptor, 0, 0, Int32(POSIX_FADV_DONTNEED))
        let size = 8 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 4096)
        defer { buffer.deallocate() }
        while read(descriptor, buffer, size) > 0 {}
    }

    /// Runs a child to the end under `/usr/bin/time`; returns its standard output, its CPU time (user +
    /// system, from the difference in this process's children's usage before and after it) and its
    /// peak memory as `time` saw it. Through `time` because Linux carries the spawning process's
    /// peak resident size over `execve` into the child's own figure (`getrusage(RUSAGE_SELF)`), so
    /// a child spawned straight from this benchmark reported the benchmark's peak when larger.
    static func timedChild(_ program: String, _ arguments: [String]) throws -> (
        output: String, cpu: Double, peakMiB: Double
    ) {
        func childrenCPU() -> Double {
            var usage = rusage()
            getrusage(RUSAGE_CHILDREN.rawValue, &usage)
            return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
                + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        }
        let peakPath = NSTemporaryDirectory() + "exposure-bench-peak-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: peakPath) }
        let before = childrenCPU()
        let output = try runChild("/usr/bin/time", ["-o", peakPath, "-f", "%M", program] + arguments)
        let cpu = childrenCPU() - before
        let peak = (try? String(contentsOfFile: peakPath, encoding: .utf8))?.split(separator: "\n").last
            .flatMap { Double($0) }
        return (output, cpu, (peak ?? .nan) / 1024)
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
