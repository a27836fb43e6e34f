import Foundation
import Testing

/// The exit status docs/output.md documents: 0 when no finding is at or above `--fail-on`, 1 when one is.
/// The sample holds one TLS 1.0 session chosen by the server, which the capture checks rate medium
/// (tshark shows ServerHello version 0x0301 in it); so the threshold decides the status.
@Suite("--fail-on thresholds")
struct FailOnTests {
    static let sample = "Captures/tls10-server-chosen.pcap"

    @Test(
        "a medium finding fails at medium and low, passes at critical, high and never",
        arguments: [("critical", 0), ("high", 0), ("medium", 1), ("low", 1), ("never", 0)] as [(String, Int32)]
    )
    func thresholdDecidesStatus(threshold: String, status: Int32) throws {
        let run = try ExposureBinary.run(["capture", "audit", Self.sample, "--fail-on", threshold])
        #expect(run.status == status)
        #expect(run.stdout.contains("1 finding: 0 critical, 0 high, 1 medium, 0 low, 0 info"))
    }

    @Test("the default threshold is high")
    func defaultIsHigh() throws {
        #expect(try ExposureBinary.run(["capture", "audit", Self.sample]).status == 0)
    }

    @Test("an unknown threshold is a usage error")
    func unknownThreshold() throws {
        let run = try ExposureBinary.run(["capture", "audit", Self.sample, "--fail-on", "severe"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--fail-on"))
    }

    @Test("--output writes the report to the file, in the chosen format, and nothing to stdout")
    func outputToFile() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-\(getpid()).sarif")
        defer { try? FileManager.default.removeItem(at: file) }
        let run = try ExposureBinary.run(["capture", "audit", Self.sample, "--format", "sarif", "--output", file.path])
        #expect(run.status == 0)
        #expect(run.stdout.isEmpty)
        let written = try String(contentsOf: file, encoding: .utf8)
        #expect(written.contains("\"version\": \"2.1.0\""))
        #expect(written.contains("\"ruleId\": \"capture.legacy-protocol\""))
    }

    @Test("an output file that cannot be written is an error naming it, exit 2")
    func unwritableOutput() throws {
        let run = try ExposureBinary.run(["capture", "audit", Self.sample, "--output", "/nonexistent/dir/out.txt"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("/nonexistent/dir/out.txt"))
    }
}
