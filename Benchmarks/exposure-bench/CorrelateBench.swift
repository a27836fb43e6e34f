import Capture
import Correlation
import Findings
import Foundation
import Topology

/// The correlation benchmark: `swift run -c release exposure-bench correlate [--capture FILE] [--scale N]`.
///
/// Holds the capture benchmark's big mixed capture (default `Benchmarks/data/capture/mixed-1800mib.pcap`,
/// made by `exposure-bench capture --mixed-mb 1800`) against the topology benchmark's generated export
/// (20,000 NICs at scale 1), and compares what `exposure correlate` costs with what the two audits
/// cost on the same inputs: the goal is at most the capture audit plus the topology audit plus 20%.
/// CPU seconds (user + system) of this process, each step measured alone.
enum CorrelateBench {
    static func run(_ args: [String]) throws {
        var capture = "Benchmarks/data/capture/mixed-1800mib.pcap"
        var scale = 1
        var i = 0
        while i < args.count {
            switch (args[i], i + 1 < args.count) {
            case ("--capture", true): capture = args[i + 1]
            case ("--scale", true): scale = Int(args[i + 1]) ?? 1
            default: throw BenchmarkUsage(message: "usage: exposure-bench correlate [--capture FILE] [--scale N]")
            }
            i += 2
        }
        guard FileManager.default.fileExists(atPath: capture) else {
            throw BenchmarkUsage(
                message: "\(capture) does not exist: make it with `exposure-bench capture --mixed-mb 1800` "
                    + "(or name another capture with --capture)")
        }
        var generator = ExportGenerator(spokes: 20 * scale - 1)
        let data = generator.export()
        let size = (try? FileManager.default.attributesOfItem(atPath: capture)[.size] as? Int) ?? 0
        print(
            "capture: \(capture), \(size >> 20) MiB; export: \(generator.nicCount) NICs, \(generator.ruleCount) rules")

        func timed<T>(_ body: () throws -> T) rethrows -> (T, Double) {
            let start = cpuSeconds()
            let value = try body()
            return (value, cpuSeconds() - start)
        }
        // What `exposure capture audit FILE` does.
        let (captureReport, captureSeconds) = try timed { try CaptureAnalyzer.analyze(files: [capture], filter: nil) }
        print(String(format: "capture audit:   %7.2f s CPU, %d findings", captureSeconds, captureReport.findings.count))
        // What `exposure topology audit FILE` does: load, engine, every check.
        let (auditReport, topologySeconds) = try timed {
            let loaded = try TopologyLoader.load(documents: [("generated.json", data)])
            return TopologyAnalyzer.analyze(loaded, engine: ReachabilityEngine(network: loaded.network))
        }
        print(String(format: "topology audit:  %7.2f s CPU, %d findings", topologySeconds, auditReport.findings.count))
        // What `exposure correlate --topology FILE --capture FILE` does, step by step.
        let (loaded, loadSeconds) = try timed { try TopologyLoader.load(documents: [("generated.json", data)]) }
        let (openings, readSeconds) = try timed { try CaptureFlowOpenings.read(file: capture) }
        let (report, judgeSeconds) = timed {
            var traffic = ObservedTraffic()
            traffic.add(openings)
            return Correlator(network: loaded.network).correlate(traffic)
        }
        let correlateSeconds = loadSeconds + readSeconds + judgeSeconds
        print(
            String(
                format: "correlate:       %7.2f s CPU (load %.2f, flow openings %.2f, engine and checks %.2f); "
                    + "%d openings, %d findings",
                correlateSeconds, loadSeconds, readSeconds, judgeSeconds, openings.openings.count,
                report.findings.count))
        let budget = (captureSeconds + topologySeconds) * 1.2
        let ratio = correlateSeconds / (captureSeconds + topologySeconds)
        print(
            String(format: "goal: correlate <= 1.2 x (capture audit + topology audit) = %.2f s CPU: ", budget)
                + (correlateSeconds <= budget ? "met" : "NOT met") + String(format: " (%.2f x the sum)", ratio))
        print(String(format: "peak memory: %.0f MiB", peakMemoryMiB()))
    }
}
