import Capture
import Findings

/// How `exposure scan` analyses a capture file: the same audit as `exposure capture audit`, no filter.
enum CaptureInputs {
    static func analyse(_ file: String, options: ScanOptions) throws -> Report {
        try CaptureAnalyzer.analyze(files: [file], filter: nil)
    }
}
