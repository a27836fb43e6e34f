import Findings

/// How `exposure scan` analyses topology analysis inputs.
enum TopologyInputs {
    static func analyse(_ files: [String]) throws -> Report {
        throw NotYetAvailable("topology analysis")
    }
}
