/// A union of flow boxes: what a rule matches once its list entries are resolved, what is left of
/// it after the rules before it, or a probe a check sends through an NSG.
public struct FlowRegion: Sendable, Hashable {
    public private(set) var boxes: [FlowBox]

    /// Whether a subtraction stopped splitting at `boxLimit`: the region may then be larger than
    /// the truth (never smaller), and a caller must not conclude "nothing is left".
    public private(set) var overflowed = false

    /// Past this many boxes a subtraction keeps the region as it is, so a pathological rule set
    /// cannot blow up; the result errs towards "something is left".
    static let boxLimit = 4096

    public init(_ boxes: [FlowBox] = []) { self.boxes = boxes.filter { !$0.isEmpty } }

    public init(_ box: FlowBox) { self.init([box]) }

    public var isEmpty: Bool { boxes.isEmpty }

    public func subtracting(_ other: FlowBox) -> FlowRegion {
        var result = FlowRegion(boxes.flatMap { $0.subtracting(other) })
        result.overflowed = overflowed
        return result
    }

    public func subtracting(_ other: FlowRegion) -> FlowRegion {
        var current = boxes
        for cut in other.boxes {
            var next: [FlowBox] = []
            for box in current { next += box.subtracting(cut) }
            if next.count > Self.boxLimit {
                var region = FlowRegion(current)
                region.overflowed = true
                return region
            }
            current = next
        }
        var result = FlowRegion(current)
        result.overflowed = overflowed || other.overflowed
        return result
    }

    public func intersection(_ other: FlowBox) -> FlowRegion {
        var result = FlowRegion(boxes.compactMap { $0.intersection(other) })
        result.overflowed = overflowed
        return result
    }

    public func intersection(_ other: FlowRegion) -> FlowRegion {
        var result: [FlowBox] = []
        for a in boxes {
            for b in other.boxes { if let common = a.intersection(b) { result.append(common) } }
        }
        return FlowRegion(result)
    }

    public func intersects(_ other: FlowBox) -> Bool { boxes.contains { $0.intersects(other) } }

    public func intersects(_ other: FlowRegion) -> Bool { other.boxes.contains { intersects($0) } }

    public var sources: IntervalSet { boxes.reduce(IntervalSet()) { $0.union($1.sources) } }
    public var destinations: IntervalSet { boxes.reduce(IntervalSet()) { $0.union($1.destinations) } }
    public var destinationPorts: IntervalSet { boxes.reduce(IntervalSet()) { $0.union($1.destinationPorts) } }
    public var protocols: ProtocolSet { boxes.reduce(ProtocolSet()) { $0.union($1.protocols) } }
}
