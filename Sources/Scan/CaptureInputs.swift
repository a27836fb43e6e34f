import Findings

/// How `exposure scan` analyses capture analysis inputs.
enum CaptureInputs {
    static func analyse(_ files: [String]) throws -> Report {
        throw NotYetAvailable("capture analysis")
    }
}
