import Findings

/// How `exposure scan` analyses DNS zone analysis inputs.
enum ZoneInputs {
    static func analyse(_ files: [String]) throws -> Report {
        throw NotYetAvailable("DNS zone analysis")
    }
}
