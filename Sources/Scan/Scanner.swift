import Findings

/// `exposure scan`: runs every analyzer on the inputs it recognises and merges their findings into one
/// report. An input an analyzer rejects becomes a warning naming it, so one bad file does not hide
/// the findings of the others; a scan in which nothing could be analysed is an error.
public enum Scanner {
    public static func scan(_ inputs: [DiscoveredInput]) throws -> Report {
        var report = Report()
        var analysed = 0
        var problems: [String] = []
        let byKind = Dictionary(grouping: inputs, by: \.kind)
        let steps: [(InputKind, ([String]) throws -> Report)] = [
            (.topology, TopologyInputs.analyse),
            (.capture, CaptureInputs.analyse),
            (.zone, ZoneInputs.analyse),
        ]
        for (kind, analyse) in steps {
            for input in byKind[kind] ?? [] {
                do {
                    report.merge(try analyse([input.path]))
                    analysed += 1
                } catch {
                    problems.append("skipped \(input.path): \(error)")
                }
            }
        }
        if analysed == 0 {
            let detail =
                problems.isEmpty ? "no topology, capture or zone files were found" : problems.joined(separator: "; ")
            throw InputError(file: nil, reason: "nothing could be analysed: \(detail)")
        }
        report.merge(Report(warnings: problems))
        return report
    }
}
