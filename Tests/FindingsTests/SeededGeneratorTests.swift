import SeededRandom
import Testing

@Suite("The seeded generator of tests and benchmarks")
struct SeededGeneratorTests {
    /// SplitMix64 from seed 0: the first outputs of the reference implementation (Vigna's splitmix64.c).
    @Test("gives SplitMix64's reference sequence")
    func referenceSequence() {
        var generator = SeededGenerator(state: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test("below stays below its bound and is 0 for an empty range")
    func belowBound() {
        var generator = SeededGenerator(state: 7)
        for bound in [1, 2, 3, 10, 1000] {
            for _ in 0..<100 { #expect((0..<bound).contains(generator.below(bound))) }
        }
        #expect(generator.below(0) == 0)
        #expect(generator.below(-5) == 0)
    }
}
