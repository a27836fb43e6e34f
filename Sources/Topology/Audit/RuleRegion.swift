/// A set of integers as sorted, disjoint, non-adjacent closed intervals: the address and port sets
/// the audit compares rules with.
///
/// Addresses use 64-bit values: `0 ..< 2^32` is IPv4; service tags whose addresses the export does
/// not give (`Storage`, `Sql.WestEurope`, …) each get one opaque point above that, so a rule naming
/// such a tag is covered only by `*` or by the same tag. That keeps coverage verdicts conservative:
/// a rule is never called shadowed because of addresses we cannot see.
public struct ValueRanges: Sendable, Hashable {
    public private(set) var intervals: [ClosedRange<UInt64>]

    public init() { intervals = [] }

    public init(_ ranges: [ClosedRange<UInt64>]) {
        intervals = []
        for r in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = intervals.last, r.lowerBound <= last.upperBound &+ 1 {
                if r.upperBound > last.upperBound { intervals[intervals.count - 1] = last.lowerBound...r.upperBound }
            } else {
                intervals.append(r)
            }
        }
    }

    public static let ipv4 = ValueRanges([0...UInt64(UInt32.max)])
    public static let allPorts = ValueRanges([0...65535])

    public var isEmpty: Bool { intervals.isEmpty }

    /// How many values the set holds.
    public var count: UInt64 { intervals.reduce(0) { $0 + ($1.upperBound - $1.lowerBound + 1) } }

    public func contains(_ value: UInt64) -> Bool {
        intervals.contains { $0.contains(value) }
    }

    public func union(_ other: ValueRanges) -> ValueRanges { ValueRanges(intervals + other.intervals) }

    public func intersection(_ other: ValueRanges) -> ValueRanges {
        var result: [ClosedRange<UInt64>] = []
        var i = 0
        var j = 0
        while i < intervals.count && j < other.intervals.count {
            let a = intervals[i]
            let b = other.intervals[j]
            let lo = max(a.lowerBound, b.lowerBound)
            let hi = min(a.upperBound, b.upperBound)
            if lo <= hi { result.append(lo...hi) }
            if a.upperBound < b.upperBound { i += 1 } else { j += 1 }
        }
        return ValueRanges(result)
    }

    public func subtracting(_ other: ValueRanges) -> ValueRanges {
        var result: [ClosedRange<UInt64>] = []
        for a in intervals {
            var lo = a.lowerBound
            var done = false
            for b in other.intervals where b.upperBound >= lo && b.lowerBound <= a.upperBound {
                if b.lowerBound > lo { result.append(lo...(b.lowerBound - 1)) }
                if b.upperBound >= a.upperBound {
                    done = true
                    break
                }
                lo = b.upperBound + 1
            }
            if !done { result.append(lo...a.upperBound) }
        }
        return ValueRanges(result)
    }

    public func isSubset(of other: ValueRanges) -> Bool { subtracting(other).isEmpty }
}

/// The protocols a rule or flow set covers, as a bit set: TCP, UDP, ICMP, ESP, AH and "other"
/// (what `*` matches beyond the named ones).
public struct RuleProtocols: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let tcp = RuleProtocols(rawValue: 1)
    public static let udp = RuleProtocols(rawValue: 2)
    public static let icmp = RuleProtocols(rawValue: 4)
    public static let esp = RuleProtocols(rawValue: 8)
    public static let ah = RuleProtocols(rawValue: 16)
    public static let other = RuleProtocols(rawValue: 32)
    public static let any: RuleProtocols = [.tcp, .udp, .icmp, .esp, .ah, .other]

    public init(_ ruleProtocol: RuleProtocol) {
        switch ruleProtocol {
        case .any: self = .any
        case .tcp: self = .tcp
        case .udp: self = .udp
        case .icmp: self = .icmp
        case .esp: self = .esp
        case .ah: self = .ah
        }
    }

    /// Lower-case names, for messages and evidence.
    public var names: [String] {
        if self == .any { return ["any"] }
        var out: [String] = []
        for (bit, name) in [(RuleProtocols.tcp, "tcp"), (.udp, "udp"), (.icmp, "icmp"), (.esp, "esp"), (.ah, "ah")]
        where contains(bit) { out.append(name) }
        return out
    }
}

/// One box of flows: source addresses × destination addresses × protocols × source ports ×
/// destination ports. A rule's match set is a union of boxes (one per combination of its list
/// entries); coverage is decided by exact box subtraction.
public struct RuleBox: Sendable, Hashable {
    public var sources: ValueRanges
    public var destinations: ValueRanges
    public var protocols: RuleProtocols
    public var sourcePorts: ValueRanges
    public var destinationPorts: ValueRanges

    public init(
        sources: ValueRanges, destinations: ValueRanges, protocols: RuleProtocols, sourcePorts: ValueRanges,
        destinationPorts: ValueRanges
    ) {
        self.sources = sources
        self.destinations = destinations
        self.protocols = protocols
        self.sourcePorts = sourcePorts
        self.destinationPorts = destinationPorts
    }

    public var isEmpty: Bool {
        sources.isEmpty || destinations.isEmpty || protocols.isEmpty || sourcePorts.isEmpty
            || destinationPorts.isEmpty
    }

    public func intersection(_ other: RuleBox) -> RuleBox {
        RuleBox(
            sources: sources.intersection(other.sources),
            destinations: destinations.intersection(other.destinations),
            protocols: protocols.intersection(other.protocols),
            sourcePorts: sourcePorts.intersection(other.sourcePorts),
            destinationPorts: destinationPorts.intersection(other.destinationPorts))
    }

    /// `self` minus `other` as at most five disjoint boxes: peel off one dimension at a time.
    public func subtracting(_ other: RuleBox) -> [RuleBox] {
        let common = intersection(other)
        if common.isEmpty { return [self] }
        var pieces: [RuleBox] = []
        var rest = self
        var piece = rest
        piece.sources = rest.sources.subtracting(other.sources)
        if !piece.isEmpty { pieces.append(piece) }
        rest.sources = common.sources
        piece = rest
        piece.destinations = rest.destinations.subtracting(other.destinations)
        if !piece.isEmpty { pieces.append(piece) }
        rest.destinations = common.destinations
        piece = rest
        piece.protocols = rest.protocols.subtracting(other.protocols)
        if !piece.isEmpty { pieces.append(piece) }
        rest.protocols = common.protocols
        piece = rest
        piece.sourcePorts = rest.sourcePorts.subtracting(other.sourcePorts)
        if !piece.isEmpty { pieces.append(piece) }
        rest.sourcePorts = common.sourcePorts
        piece = rest
        piece.destinationPorts = rest.destinationPorts.subtracting(other.destinationPorts)
        if !piece.isEmpty { pieces.append(piece) }
        return pieces
    }
}

/// A union of flow boxes.
public struct RuleRegion: Sendable, Hashable {
    public var boxes: [RuleBox]

    public init(_ boxes: [RuleBox] = []) { self.boxes = boxes.filter { !$0.isEmpty } }

    public var isEmpty: Bool { boxes.isEmpty }

    /// Past this many boxes a subtraction stops splitting and keeps the region as it is, so a
    /// pathological rule set cannot blow up; the caller then treats the region as not covered,
    /// which errs towards reporting nothing.
    static let boxLimit = 4096

    /// Whether the region has grown past `boxLimit` (results are then approximate: never smaller
    /// than the true region).
    public private(set) var overflowed = false

    public func subtracting(_ other: RuleRegion) -> RuleRegion {
        var current = boxes
        for cut in other.boxes {
            var next: [RuleBox] = []
            for box in current { next += box.subtracting(cut) }
            if next.count > Self.boxLimit {
                var region = RuleRegion(current)
                region.overflowed = true
                return region
            }
            current = next
        }
        var result = RuleRegion(current)
        result.overflowed = overflowed
        return result
    }

    public func intersection(_ other: RuleRegion) -> RuleRegion {
        var result: [RuleBox] = []
        for a in boxes {
            for b in other.boxes {
                let common = a.intersection(b)
                if !common.isEmpty { result.append(common) }
            }
        }
        return RuleRegion(result)
    }

    public func intersects(_ other: RuleRegion) -> Bool {
        for a in boxes {
            for b in other.boxes where !a.intersection(b).isEmpty { return true }
        }
        return false
    }

    public var sources: ValueRanges { boxes.reduce(ValueRanges()) { $0.union($1.sources) } }
    public var destinations: ValueRanges { boxes.reduce(ValueRanges()) { $0.union($1.destinations) } }
    public var destinationPorts: ValueRanges { boxes.reduce(ValueRanges()) { $0.union($1.destinationPorts) } }
    public var protocols: RuleProtocols { boxes.reduce(RuleProtocols()) { $0.union($1.protocols) } }
}
