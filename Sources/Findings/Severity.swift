/// How urgently a finding needs attention. The order is the one reports sort by: critical first.
public enum Severity: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    case critical
    case high
    case medium
    case low
    case info

    /// Higher is more severe: critical 4 … info 0.
    public var rank: Int {
        switch self {
        case .critical: 4
        case .high: 3
        case .medium: 2
        case .low: 1
        case .info: 0
        }
    }

    public var description: String { rawValue }

    /// `a < b` when `a` is less severe than `b`.
    public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The `--fail-on` threshold: the least severe finding that makes a run exit with status 1.
public enum FailThreshold: String, Sendable, CaseIterable {
    case critical, high, medium, low, never

    /// Whether a report holding a finding of `severity` fails under this threshold.
    public func fails(on severity: Severity) -> Bool {
        switch self {
        case .never: false
        case .critical: severity >= .critical
        case .high: severity >= .high
        case .medium: severity >= .medium
        case .low: severity >= .low
        }
    }
}
