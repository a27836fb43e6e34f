import Capture
import Findings
import Topology

/// The Correlation module's entry point: reads topology files and captures, judges every observed
/// flow with the reachability engine, and returns the correlation findings with the input problems
/// that did not stop the run.
public enum TrafficCorrelation {
    /// Throws `InputError` for unusable input: an unreadable file, a topology with no network
    /// interface, captures with no decodable TCP or UDP packet. `parameterFiles` and `serviceTags`
    /// are the topology input options (`--parameters`, `--service-tags`).
    public static func correlate(
        topologyFiles: [String], captureFiles: [String], parameterFiles: [String] = [],
        serviceTags: ServiceTags? = nil, options: CorrelationOptions = CorrelationOptions()
    ) throws -> Report {
        let loaded = try TopologyLoader.load(
            files: topologyFiles, parameterFiles: parameterFiles, serviceTags: serviceTags)
        guard !loaded.network.interfaces.isEmpty, !loaded.network.virtualNetworks.isEmpty else {
            throw InputError(
                file: topologyFiles.joined(separator: ", "),
                reason: "the topology has no virtual network with a network interface, so there is nothing to "
                    + "correlate traffic with")
        }
        var traffic = ObservedTraffic()
        for file in captureFiles {
            let capture = try CaptureFlowOpenings.read(file: file)
            if capture.decodedPackets == 0 {
                throw InputError(
                    file: file,
                    reason: capture.frames == 0
                        ? "the capture holds no packet"
                        : "none of the capture's \(capture.frames) packets is TCP or UDP")
            }
            traffic.add(capture)
        }
        let correlator = Correlator(network: loaded.network)
        let report = correlator.correlate(traffic, options: options)
        var findings = report.findings
        if options.captureFindings {
            let audit = try CaptureAnalyzer.analyze(files: captureFiles, filter: nil)
            findings += correlator.nameAllowingRules(audit.findings)
        }
        return Report(findings: findings, warnings: loaded.warnings + report.warnings)
    }
}
