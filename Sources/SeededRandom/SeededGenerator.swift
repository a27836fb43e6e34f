/// The one deterministic pseudo-random generator of the tests and benchmarks (SplitMix64, as in
/// Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014): the same
/// seed gives the same sequence on every machine, so a failing random test reproduces from its seed
/// and every benchmark run measures the same input. Not for anything that needs unpredictability.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) {
        self.state = state
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound`, or 0 when `bound` is not positive.
    public mutating func below(_ bound: Int) -> Int {
        bound > 0 ? Int(next() % UInt64(bound)) : 0
    }

    /// `count` random bytes.
    public mutating func bytes(_ count: Int) -> [UInt8] {
        (0..<max(count, 0)).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
