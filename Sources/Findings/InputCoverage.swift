/// How much of one input an analyzer used: the counts that let a reader tell an empty result from a
/// clean one. Every analyzer's entry point fills one entry per input it read.
public struct InputCoverage: Sendable, Hashable {
    /// What an input is to the analyzer that read it.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case topology, capture, zone, server
    }

    /// The input as the user named it (a path, `-` for standard input, or a server address).
    public var path: String
    public var kind: Kind
    /// Counts by what was counted: resources, nics, rules / packets, flows / records, signatures.
    public var analysed: [String: Int]

    public init(path: String, kind: Kind, analysed: [String: Int]) {
        self.path = path
        self.kind = kind
        self.analysed = analysed
    }

    /// The count that must not be zero for the input to have held anything to analyse.
    public var essentialCount: String {
        switch kind {
        case .topology: "resources"
        case .capture: "packets"
        case .zone: "records"
        case .server: "servers"
        }
    }

    /// Whether the analyzer found nothing it could analyse in this input.
    public var holdsNothing: Bool { (analysed[essentialCount] ?? 0) == 0 }

    /// `Topologies/a.json (topology: 12 resources, 3 nics, 20 rules)`.
    public var summaryText: String {
        let counts = analysed.keys.sorted().map { "\(analysed[$0]!) \($0)" }.joined(separator: ", ")
        return "\(path) (\(kind.rawValue): \(counts))"
    }
}
