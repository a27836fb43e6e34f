import Testing

@testable import Correlation

@Suite("The hand-worked correlation sample")
struct SampleTests {
    @Test("Placeholder")
    func placeholder() {}
}
