import Capture
import Findings

/// How `exposure scan` analyses a capture file: the same audit as `exposure capture audit`, no filter.
enum CaptureInputs {
    static func analyse(_ files: [String]) throws -> Report {
        try CaptureAnalyzer.analyze(files: files, filter: nil)
    }
}
