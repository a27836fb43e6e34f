/// An ordered first-match rule list (an NSG's compiled rules in one direction and context, an
/// Azure Firewall's network and application rules) laid out flat for single flows: every rule's
/// interval bounds in one array, each rule a protocol set and four ranges into it. Matching a flow
/// reads that one array and does no reference counting, where a walk over `CompiledRule`s copies
/// (and retains) five interval sets per rule — most of `verify-flows`' profile.
struct MatchTable: Sendable {
    private struct Entry {
        var protocols: ProtocolSet
        /// Start and end (exclusive) in `bounds` of each dimension's `[lo, hi, lo, hi, …]`.
        var sources: (Int32, Int32)
        var destinations: (Int32, Int32)
        var sourcePorts: (Int32, Int32)
        var destinationPorts: (Int32, Int32)
    }

    private var bounds: [UInt128] = []
    private var entries: [Entry] = []
    private var accesses: [Access] = []
    /// What each rule records in `decidedBy`, in rule order.
    private(set) var decisions: [RuleDecision] = []

    var count: Int { entries.count }

    init<Rule: FirstMatchRule>(_ rules: [Rule], decisions: [RuleDecision]) {
        self.decisions = decisions
        var bounds: [UInt128] = []
        func append(_ set: IntervalSet) -> (Int32, Int32) {
            let start = Int32(bounds.count)
            bounds += set.bounds
            return (start, Int32(bounds.count))
        }
        accesses = rules.map(\.access)
        entries = rules.map { rule in
            let box = rule.box
            return Entry(
                protocols: box.protocols, sources: append(box.sources), destinations: append(box.destinations),
                sourcePorts: append(box.sourcePorts), destinationPorts: append(box.destinationPorts))
        }
        self.bounds = bounds
    }

    /// The index and access of the first rule whose box holds `flow` (as `FlowBox.contains`
    /// decides it).
    func first(_ flow: Flow) -> (index: Int, access: Access)? {
        firstIndex(flow).map { ($0, accesses[$0]) }
    }

    private func firstIndex(_ flow: Flow) -> Int? {
        let p = ProtocolSet(flow.protocol)
        let ports = flow.protocol.hasPorts
        let destinationPort = UInt128(flow.destinationPort)
        let sourcePort = UInt128(flow.sourcePort)
        let source = flow.source.value
        let destination = flow.destination.value
        return bounds.withUnsafeBufferPointer { b in
            entries.withUnsafeBufferPointer { rules in
                for i in rules.indices {
                    let r = rules[i]
                    guard r.protocols.contains(p) else { continue }
                    if ports && !Self.holds(b, r.destinationPorts, destinationPort) { continue }
                    guard Self.holds(b, r.destinations, destination), Self.holds(b, r.sources, source) else {
                        continue
                    }
                    if ports && !Self.holds(b, r.sourcePorts, sourcePort) { continue }
                    return i
                }
                return nil
            }
        }
    }

    /// Whether `value` is in the intervals `b[range.0 ..< range.1]` (sorted, disjoint pairs).
    private static func holds(_ b: UnsafeBufferPointer<UInt128>, _ range: (Int32, Int32), _ value: UInt128) -> Bool {
        let start = Int(range.0)
        var lo = 0
        var hi = (Int(range.1) - start) / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if b[start + mid * 2] <= value { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return false }
        return value <= b[start + (lo - 1) * 2 + 1]
    }
}
