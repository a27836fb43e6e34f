import Findings
import Foundation
import ProcessTuning

/// `swift run -c release exposure-bench MODULE [options]`: one benchmark per module, each printing
/// throughput and peak memory. Each module's benchmark lives in its own file here.
@main
enum Bench {
    static func main() {
        ProcessMemory.returnLargeBlocksToTheSystem()
        let args = Array(CommandLine.arguments.dropFirst())
        let benchmarks: [String: ([String]) throws -> Void] = [
            "topology": TopologyBench.run,
            "capture": CaptureBench.run,
            "dns-zone": DNSZoneBench.run,
            "dns-probe": DNSProbeBench.run,
            "correlate": CorrelateBench.run,
        ]
        guard let name = args.first, let bench = benchmarks[name] else {
            print("usage: exposure-bench \(benchmarks.keys.sorted().joined(separator: "|")) [options]")
            exit(2)
        }
        do {
            try bench(Array(args.dropFirst()))
        } catch {
            print("exposure-bench \(name): \(error)")
            exit(2)
        }
    }
}

/// Peak resident memory of this process so far, in MiB (getrusage's ru_maxrss is in KiB on Linux).
func peakMemoryMiB() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// CPU time (user + system) of this process so far, in seconds.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

/// A benchmark that has not been written yet.
struct BenchmarkNotAvailable: Error, CustomStringConvertible {
    var description: String { "this benchmark is not available yet" }
}
