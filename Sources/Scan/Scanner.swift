import Findings
import Foundation
import Topology

/// How a scan is run: the moment verdicts are judged at, and whether a rejected input is fatal.
public struct ScanOptions: Sendable {
    /// Seconds since 1970 (UTC): signature expiry and review dates are judged at this moment.
    public var now: Int64
    /// Any rejected input (unreadable, malformed, holding nothing to analyse) or skipped part of one
    /// (any warning: damaged records, resources left out) makes the scan fail.
    public var strict: Bool
    /// ARM parameters files (`--parameters`, later ones win) for every template the scan finds.
    public var parameterFiles: [String]
    /// Azure's published service tag file (`--service-tags`), for every topology the scan finds.
    public var serviceTags: ServiceTags?

    public init(
        now: Int64 = Int64(Date().timeIntervalSince1970), strict: Bool = false, parameterFiles: [String] = [],
        serviceTags: ServiceTags? = nil
    ) {
        self.now = now
        self.strict = strict
        self.parameterFiles = parameterFiles
        self.serviceTags = serviceTags
    }
}

/// `exposure scan`: runs every analyzer on the inputs it recognises and merges their findings into one
/// report. JSON and YAML found while walking that cannot be a topology (package.json, CI files,
/// Kubernetes manifests) are passed over. An input an analyzer rejects, or one that holds nothing to analyse, becomes a warning
/// naming it, so one bad file does not hide the findings of the others; with `strict` it is an error,
/// and a scan in which nothing could be analysed always is.
public enum Scanner {
    public static func scan(
        _ inputs: [DiscoveredInput], options: ScanOptions = ScanOptions(), warnings: [String] = [],
        onInput: (String) -> Void = { _ in }
    ) throws -> Report {
        var report = Report()
        var analysed = 0
        var problems: [String] = warnings
        var rejected = warnings.count
        let byKind = Dictionary(grouping: inputs, by: \.kind)
        let steps: [(InputKind, (String, ScanOptions) throws -> Report)] = [
            (.topology, TopologyInputs.analyse),
            (.capture, CaptureInputs.analyse),
            (.zone, ZoneInputs.analyse),
        ]
        var passedOver: [String] = []
        for (kind, analyse) in steps {
            for input in byKind[kind] ?? [] {
                if kind == .topology && !input.named && !TopologyInputs.couldBeTopology(input.path) {
                    passedOver.append(input.path)
                    continue
                }
                onInput(input.path)
                do {
                    let result = try analyse(input.path, options)
                    if !result.inputs.isEmpty && result.inputs.allSatisfy(\.holdsNothing) {
                        problems.append("skipped \(input.path): \(nothingReason(kind))")
                        rejected += 1
                        continue
                    }
                    report.merge(result)
                    analysed += 1
                } catch {
                    problems.append("skipped \(input.path): \(reason(error, file: input.path))")
                    rejected += 1
                }
            }
        }
        // Captures held against the topology of the same name (see CorrelationInputs).
        for pair in CorrelationInputs.pairs(inputs) {
            do {
                report.merge(
                    try CorrelationInputs.analyse(
                        topology: pair.topology.path, captures: pair.captures.map(\.path), options: options))
            } catch {
                problems.append("not correlated: \(pair.topology.path) with its captures: \(error)")
            }
        }
        if analysed == 0 {
            var detail =
                problems.isEmpty ? "no topology, capture or zone files were found" : problems.joined(separator: "; ")
            if !passedOver.isEmpty {
                let names = passedOver.prefix(5).joined(separator: ", ") + (passedOver.count > 5 ? ", …" : "")
                detail +=
                    "; passed over \(passedOver.count) JSON or YAML file\(passedOver.count == 1 ? "" : "s") "
                    + "that hold no topology (\(names))"
            }
            throw InputError(file: nil, reason: "nothing could be analysed: \(detail)")
        }
        if options.strict && rejected > 0 {
            throw InputError(
                file: nil,
                reason: "--strict: \(rejected) input\(rejected == 1 ? " was" : "s were") not analysed: "
                    + problems.joined(separator: "; "))
        }
        if options.strict && !report.warnings.isEmpty {
            let n = report.warnings.count
            throw InputError(
                file: nil,
                reason: "--strict: part of the input was skipped (\(n) warning\(n == 1 ? "" : "s")): "
                    + report.warnings.joined(separator: "; "))
        }
        report.merge(Report(warnings: problems))
        return report
    }

    static func nothingReason(_ kind: InputKind) -> String {
        switch kind {
        case .topology: "holds no network resource (virtual network, subnet, NIC, NSG, public IP or VM)"
        case .capture: "holds no decodable packet"
        case .zone: "holds no record"
        }
    }

    /// The error without the file name it starts with (the warning names the file already).
    static func reason(_ error: Error, file: String) -> String {
        let text = "\(error)"
        return text.hasPrefix(file + ": ") ? String(text.dropFirst(file.count + 2)) : text
    }
}
