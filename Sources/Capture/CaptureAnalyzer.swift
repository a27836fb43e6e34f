import Findings

/// The Capture analyzer's entry point: reads captures (files or a live interface), runs the flow
/// engine and the detectors, and returns the findings with any input problems as warnings.
public enum CaptureAnalyzer {
    /// Audits pcap and pcapng files. An unreadable file, an unsupported link type or a bad filter is an
    /// error; a file cut short yields the findings from before the cut and a warning.
    public static func analyze(
        files: [String], filter: String?, options: CaptureOptions = CaptureOptions()
    ) throws(InputError) -> Report {
        try analyze(files: files, filter: filter, options: options, earlyDecisions: true)
    }

    /// The same, with flows inspected early or not (the tests show both give the same report).
    static func analyze(
        files: [String], filter: String?, options: CaptureOptions, earlyDecisions: Bool
    ) throws(InputError) -> Report {
        let inventory = Inventory(options: options)
        var warnings: [String] = []
        var inputs: [InputCoverage] = []
        for file in files {
            let source = try PcapSource.open(file: file, filter: filter)
            let run = CaptureRun(source: source, inventory: inventory, earlyDecisions: earlyDecisions)
            warnings += run.read()
            inputs.append(run.coverage(path: file))
        }
        return Report(findings: inventory.findings, warnings: warnings, inputs: inputs)
    }

    /// Captures on a live interface until `duration` seconds have passed or the user interrupts.
    public static func live(
        interface: String, duration: Double?, filter: String?, options: CaptureOptions = CaptureOptions()
    ) throws(InputError) -> Report {
        let source = try PcapSource.open(interface: interface, filter: filter)
        let inventory = Inventory(options: options)
        let run = CaptureRun(source: source, inventory: inventory)
        stopOnInterrupt()
        let clock = MonotonicClock()
        let warnings = run.read {
            if interruptRequested.load(ordering: .relaxed) { return true }
            if let duration { return clock.elapsedSeconds >= duration }
            return false
        }
        return Report(findings: inventory.findings, warnings: warnings, inputs: [run.coverage(path: source.name)])
    }

    /// Statistics of a run, for the benchmark.
    public struct Statistics: Sendable {
        public var frames = 0
        public var flows = 0
        public var peakFlows = 0
        public var findings = 0
        /// Flows the detectors had decided on before their opening was over.
        public var decidedEarly = 0
    }

    /// Audits one file and reports how much was read, for the benchmark.
    public static func measure(file: String) throws(InputError) -> (Report, Statistics) {
        let inventory = Inventory()
        let source = try PcapSource.open(file: file, filter: nil)
        let run = CaptureRun(source: source, inventory: inventory)
        let warnings = run.read()
        let report = Report(findings: inventory.findings, warnings: warnings)
        let statistics = Statistics(
            frames: run.frames, flows: run.table.flowsSeen, peakFlows: run.table.peakFlows,
            findings: report.findings.count, decidedEarly: run.table.flowsDecidedEarly)
        return (report, statistics)
    }
}

extension CaptureAnalyzer {
    /// Reads every frame of a file and does nothing else, with the own classic pcap walker or with
    /// libpcap, so the benchmark can show what reading alone costs. Returns frames and captured bytes.
    public static func readOnly(file: String, withLibpcap: Bool) throws(InputError) -> (frames: Int, bytes: Int) {
        let source =
            try withLibpcap
            ? PcapSource.openWithLibpcap(file: file, filter: nil) : PcapSource.open(file: file, filter: nil)
        var frames = 0
        var bytes = 0
        _ = source.forEachFrame { frame in
            frames += 1
            // Touch the first byte as a decoder would.
            bytes &+= frame.bytes.count &+ Int(frame.bytes.first ?? 0)
        }
        return (frames, bytes)
    }
}

/// One capture read from start to end: decoding, the flow table and the anomaly counts.
final class CaptureRun {
    let source: PcapSource
    let table: FlowTable
    private let decoder: PacketDecoder
    private var anomalies: [Anomaly: Int] = [:]
    private let fragments = IPFragmentReassembler()
    private(set) var frames = 0

    init(source: PcapSource, inventory: Inventory, earlyDecisions: Bool = true) {
        self.source = source
        self.decoder = PacketDecoder(linkLayer: source.linkLayer)
        let name = source.name
        self.table = FlowTable(earlyDecisions: earlyDecisions) { flow in inventory.record(flow, file: name) }
    }

    /// Frames read, packets decoded (not counted as a damaged or undecodable packet) and flows, for
    /// the report's `inputs`: a capture with no decoded packet held nothing to analyse.
    func coverage(path: String) -> InputCoverage {
        let undecodable = anomalies.values.reduce(0, +)
        return InputCoverage(
            path: path, kind: .capture,
            analysed: ["frames": frames, "packets": max(0, frames - undecodable), "flows": table.flowsSeen])
    }

    /// Reads everything and returns the warnings.
    func read(shouldStop: () -> Bool = { false }) -> [String] {
        let end = source.forEachFrame(shouldStop: shouldStop) { frame in
            frames += 1
            switch decoder.decode(frame.bytes) {
            case .packet(let packet): table.process(packet, at: frame.time)
            case .fragment(let fragment):
                guard let whole = fragments.add(fragment, at: frame.time) else { break }
                whole.packet.withPacketBytes { bytes in
                    switch decoder.decode(whole.network, bytes, depth: whole.depth) {
                    case .packet(let packet): table.process(packet, at: frame.time)
                    case .anomaly(let anomaly): anomalies[anomaly, default: 0] += 1
                    case .fragment, .skipped: break
                    }
                }
            case .skipped: break
            case .anomaly(let anomaly): anomalies[anomaly, default: 0] += 1
            }
        }
        table.finish()
        fragments.finish()
        var warnings: [String] = []
        if case .cut(let packet, let reason) = end {
            warnings.append(
                "\(source.name): packet \(packet): the capture is cut short or damaged here (\(reason)); "
                    + "findings cover the \(packet - 1) packets before it")
        }
        if let damage = source.recordDamage, damage.places > 0, let first = damage.first {
            let headers =
                damage.places == 1 ? "1 damaged record header was" : "\(damage.places) damaged record headers were"
            let after =
                damage.noRecordFollowed
                ? "no sound record followed the last one, so the rest of the file was skipped"
                : "reading went on at the next plausible record"
            warnings.append(
                "\(source.name): \(headers) skipped (the first at packet \(first.packet): \(first.reason)); "
                    + "\(damage.skippedBytes) bytes were passed over; \(after)")
        }
        warnings += source.pcapngWarnings
        if !anomalies.isEmpty {
            let total = anomalies.values.reduce(0, +)
            let detail = anomalies.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }
            warnings.append(
                "\(source.name): \(total) packet\(total == 1 ? "" : "s") could not be decoded and "
                    + "\(total == 1 ? "was" : "were") skipped (\(detail.joined(separator: ", ")))")
        }
        if !table.streamAnomalies.isEmpty {
            let total = table.streamAnomalies.values.reduce(0, +)
            let detail = table.streamAnomalies.sorted { $0.key.rawValue < $1.key.rawValue }.map {
                "\($0.value) \($0.key.rawValue)"
            }
            warnings.append(
                "\(source.name): \(total) connection\(total == 1 ? "" : "s") opened malformed "
                    + "(\(detail.joined(separator: ", "))); what was kept of each stayed within 8 KiB per direction")
        }
        if fragments.abandoned > 0 {
            let count = fragments.abandoned
            warnings.append(
                "\(source.name): \(count) fragmented IP datagram\(count == 1 ? " was" : "s were") not reassembled "
                    + "(fragments missing, cut by the snap length, overlapping, or more than 30 s apart)")
        }
        if let dropped = source.droppedByKernel, dropped > 0 {
            warnings.append("\(source.name): the kernel dropped \(dropped) packets; the capture is incomplete")
        }
        return warnings
    }
}
