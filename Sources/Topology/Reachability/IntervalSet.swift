/// A set of 32-bit values (addresses or ports) as sorted, disjoint, non-adjacent closed intervals.
/// Every flow-set dimension is one of these, so set algebra is exact and cheap.
public struct IntervalSet: Sendable, Hashable, CustomStringConvertible {
    /// Flat `[lo0, hi0, lo1, hi1, …]`, inclusive bounds.
    public private(set) var bounds: [UInt32]

    public init() { bounds = [] }

    public init(_ lower: UInt32, _ upper: UInt32) { bounds = lower <= upper ? [lower, upper] : [] }

    /// The union of arbitrary intervals.
    public init(intervals: [(UInt32, UInt32)]) {
        let sorted = intervals.filter { $0.0 <= $0.1 }.sorted { $0.0 < $1.0 }
        var out: [UInt32] = []
        out.reserveCapacity(sorted.count * 2)
        for (lo, hi) in sorted {
            if let last = out.last, UInt64(lo) <= UInt64(last) + 1 {
                if hi > last { out[out.count - 1] = hi }
            } else {
                out.append(lo)
                out.append(hi)
            }
        }
        bounds = out
    }

    public static let allAddresses = IntervalSet(0, UInt32.max)
    public static let allPorts = IntervalSet(0, 65535)

    public var isEmpty: Bool { bounds.isEmpty }
    public var intervalCount: Int { bounds.count / 2 }
    public var intervals: [(lower: UInt32, upper: UInt32)] {
        stride(from: 0, to: bounds.count, by: 2).map { (bounds[$0], bounds[$0 + 1]) }
    }
    public var first: UInt32? { bounds.first }

    /// Number of values in the set (as UInt64: the full address space has 2^32).
    public var count: UInt64 {
        var n: UInt64 = 0
        for i in stride(from: 0, to: bounds.count, by: 2) { n += UInt64(bounds[i + 1]) - UInt64(bounds[i]) + 1 }
        return n
    }

    public func contains(_ value: UInt32) -> Bool {
        // Binary search for the last interval starting at or before value.
        var lo = 0
        var hi = bounds.count / 2
        while lo < hi {
            let mid = (lo + hi) / 2
            if bounds[mid * 2] <= value { lo = mid + 1 } else { hi = mid }
        }
        guard lo > 0 else { return false }
        return value <= bounds[(lo - 1) * 2 + 1]
    }

    public func union(_ other: IntervalSet) -> IntervalSet {
        if other.isEmpty { return self }
        if isEmpty { return other }
        return IntervalSet(
            intervals: intervals.map { ($0.lower, $0.upper) } + other.intervals.map { ($0.lower, $0.upper) })
    }

    public func intersection(_ other: IntervalSet) -> IntervalSet {
        var out: [UInt32] = []
        var i = 0
        var j = 0
        let a = bounds
        let b = other.bounds
        while i < a.count && j < b.count {
            let lo = max(a[i], b[j])
            let hi = min(a[i + 1], b[j + 1])
            if lo <= hi {
                out.append(lo)
                out.append(hi)
            }
            if a[i + 1] < b[j + 1] { i += 2 } else { j += 2 }
        }
        var result = IntervalSet()
        result.bounds = out
        return result
    }

    public func intersects(_ other: IntervalSet) -> Bool {
        var i = 0
        var j = 0
        let a = bounds
        let b = other.bounds
        while i < a.count && j < b.count {
            if max(a[i], b[j]) <= min(a[i + 1], b[j + 1]) { return true }
            if a[i + 1] < b[j + 1] { i += 2 } else { j += 2 }
        }
        return false
    }

    /// Whether every value of `other` is in this set.
    public func isSuperset(of other: IntervalSet) -> Bool { other.subtracting(self).isEmpty }

    public func subtracting(_ other: IntervalSet) -> IntervalSet {
        if other.isEmpty || isEmpty { return self }
        var out: [UInt32] = []
        var j = 0
        let b = other.bounds
        for i in stride(from: 0, to: bounds.count, by: 2) {
            var lo = UInt64(bounds[i])
            let hi = UInt64(bounds[i + 1])
            while j < b.count && UInt64(b[j + 1]) < lo { j += 2 }
            var k = j
            while lo <= hi {
                guard k < b.count, UInt64(b[k]) <= hi else {
                    out.append(UInt32(lo))
                    out.append(UInt32(hi))
                    break
                }
                if UInt64(b[k]) > lo {
                    out.append(UInt32(lo))
                    out.append(UInt32(UInt64(b[k]) - 1))
                }
                lo = UInt64(b[k + 1]) + 1
                k += 2
            }
        }
        var result = IntervalSet()
        result.bounds = out
        return result
    }

    public var description: String {
        intervals.map { $0.lower == $0.upper ? "\($0.lower)" : "\($0.lower)-\($0.upper)" }.joined(separator: ",")
    }
}
