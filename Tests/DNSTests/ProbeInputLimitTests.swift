import Findings
import Testing

@testable import DNS

/// The one size a probe's arguments decide (docs/limitations.md, "Limits on input sizes"), at and just
/// past its limit, without sending anything. `ProbeServerTests.badArguments` runs the refusal through a
/// whole probe.
@Suite("Limits on probe arguments, at and just past each")
struct ProbeInputLimitTests {
    @Test("--burst 10,000 is accepted, 10,001 refused; 0 (no burst) is accepted, -1 refused")
    func burstSize() throws {
        try RateLimitBurst.checkCount(10_000)
        try RateLimitBurst.checkCount(0)
        for refused in [10_001, -1] {
            #expect(throws: InputError.self) { try RateLimitBurst.checkCount(refused) }
            do { try RateLimitBurst.checkCount(refused) } catch {
                #expect(error.reason == "--burst must be between 0 and 10000, not \(refused)")
            }
        }
    }
}
