import Correlation
import Findings
import Foundation

/// How `exposure scan` holds captures against topologies: a capture is correlated with the topology
/// of the same name (`estate.json` with `estate.pcap` or `estate.pcapng`, in any of the scanned
/// folders), the pairing a repository states by naming. Pairing every capture with every topology would judge
/// traffic of one estate by the rules of another and report it all as denied.
enum CorrelationInputs {
    /// The pairs among `inputs`: each topology with the captures whose file name has the same stem.
    static func pairs(_ inputs: [DiscoveredInput]) -> [(topology: DiscoveredInput, captures: [DiscoveredInput])] {
        let captures = Dictionary(grouping: inputs.filter { $0.kind == .capture }, by: { stem($0.path) })
        return inputs.filter { $0.kind == .topology }.compactMap { topology in
            guard let matching = captures[stem(topology.path)], !matching.isEmpty else { return nil }
            return (topology, matching.sorted { $0.path < $1.path })
        }
    }

    /// The file name without its extension: `Topologies/a.json` → `a`.
    static func stem(_ path: String) -> String {
        ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    /// The correlation findings and warnings for one pair; its inputs are already counted by the
    /// analyzers that read them.
    static func analyse(topology: String, captures: [String], options: ScanOptions) throws -> Report {
        let report = try TrafficCorrelation.correlate(
            topologyFiles: [topology], captureFiles: captures, parameterFiles: options.parameterFiles,
            serviceTags: options.serviceTags)
        return Report(findings: report.findings, warnings: report.warnings)
    }
}
