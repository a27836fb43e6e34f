/// A set of 128-bit values (addresses of both families, see `NetworkAddress`, or ports) as sorted,
/// disjoint, non-adjacent closed intervals. Every flow-set dimension is one of these, so set algebra
/// is exact and cheap.
public struct IntervalSet: Sendable, Hashable, CustomStringConvertible {
    /// Flat `[lo0, hi0, lo1, hi1, …]`, inclusive bounds.
    public private(set) var bounds: [UInt128]

    public init() { bounds = [] }

    public init(_ lower: UInt128, _ upper: UInt128) { bounds = lower <= upper ? [lower, upper] : [] }

    /// Ports and other small values.
    public init(_ lower: UInt32, _ upper: UInt32) { self.init(UInt128(lower), UInt128(upper)) }

    /// The addresses of the prefixes (an IPv6 prefix leaves the IPv4 space out).
    public init(prefixes: [NetworkPrefix]) { self.init(intervals: prefixes.flatMap(\.intervals)) }

    /// The union of arbitrary intervals.
    public init(intervals: [(UInt32, UInt32)]) {
        self.init(intervals: intervals.map { (UInt128($0.0), UInt128($0.1)) })
    }

    public init(intervals: [(UInt128, UInt128)]) {
        let sorted = intervals.filter { $0.0 <= $0.1 }.sorted { $0.0 < $1.0 }
        var out: [UInt128] = []
        out.reserveCapacity(sorted.count * 2)
        for (lo, hi) in sorted {
            if let last = out.last, last == UInt128.max || lo <= last + 1 {
                if hi > last { out[out.count - 1] = hi }
            } else {
                out.append(lo)
                out.append(hi)
            }
        }
        bounds = out
    }

    /// Every address of both families.
    public static let allAddresses = IntervalSet(UInt128(0), UInt128.max)
    public static let ipv4Addresses = IntervalSet(
        NetworkAddress.ipv4Range.lowerBound, NetworkAddress.ipv4Range.upperBound)
    public static let ipv6Addresses = allAddresses.subtracting(ipv4Addresses)
    public static let allPorts = IntervalSet(UInt32(0), UInt32(65535))

    public var isEmpty: Bool { bounds.isEmpty }
    public var intervalCount: Int { bounds.count / 2 }
    public var intervals: [(lower: UInt128, upper: UInt128)] {
        stride(from: 0, to: bounds.count, by: 2).map { (bounds[$0], bounds[$0 + 1]) }
    }
    public var first: UInt128? { bounds.first }

    /// Number of values in the set, saturating at `UInt128.max` (the whole space has 2^128). For
    /// addresses, `ipv4Count` and `ipv6Count` count one family each.
    public var count: UInt128 {
        var n: UInt128 = 0
        for i in stride(from: 0, to: bounds.count, by: 2) {
            let size = bounds[i + 1] - bounds[i]
            let (sum, overflow) = n.addingReportingOverflow(size)
            guard !overflow, sum < UInt128.max else { return UInt128.max }
            n = sum + 1
        }
        return n
    }

    /// How many IPv4 addresses the set holds (at most 2^32).
    public var ipv4Count: UInt64 { UInt64(intersection(.ipv4Addresses).count) }
    /// How many IPv6 addresses the set holds, saturating at `UInt128.max`.
    public var ipv6Count: UInt128 { subtracting(.ipv4Addresses).count }
    /// How broad an address set is, for thresholds and counts in messages: its IPv4 addresses
    /// plus its IPv6 /64s (saturating). A /64 is IPv6's unit of one LAN or one customer, where
    /// IPv4 gives one address, so an IPv4 /16 and an IPv6 /48 weigh the same and `*` is 2^32 +
    /// 2^64, not 2^128.
    public var breadth: UInt64 {
        let v6 = ipv6Count >> 64
        let (sum, overflow) = ipv4Count.addingReportingOverflow(UInt64(truncatingIfNeeded: v6))
        return overflow || v6 > UInt128(UInt64.max) ? UInt64.max : sum
    }

    /// Every address of `value`'s family: a flow never changes family (Azure's data path has no
    /// NAT64), so a source set meets a destination only within that family.
    public static func family(of value: UInt128) -> IntervalSet {
        NetworkAddress.ipv4Range.contains(value) ? ipv4Addresses : ipv6Addresses
    }

    /// The IPv4 part of the set, and the IPv6 part.
    public var ipv4Part: IntervalSet { intersection(.ipv4Addresses) }
    public var ipv6Part: IntervalSet { subtracting(.ipv4Addresses) }

    public func contains(_ value: UInt32) -> Bool { contains(UInt128(value)) }

    public func contains(_ value: UInt128) -> Bool {
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
        var out: [UInt128] = []
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
        var out: [UInt128] = []
        var j = 0
        let b = other.bounds
        for i in stride(from: 0, to: bounds.count, by: 2) {
            var lo = bounds[i]
            let hi = bounds[i + 1]
            while j < b.count && b[j + 1] < lo { j += 2 }
            var k = j
            while true {
                guard k < b.count, b[k] <= hi else {
                    out.append(lo)
                    out.append(hi)
                    break
                }
                if b[k] > lo {
                    out.append(lo)
                    out.append(b[k] - 1)
                }
                // The piece of `other` reaches past this interval: nothing of it is left.
                guard b[k + 1] < hi else { break }
                lo = b[k + 1] + 1
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
