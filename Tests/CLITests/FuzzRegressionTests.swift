import Foundation
import Testing

/// Inputs the fuzz targets found (Fuzz/regressions/), each named after what it shows: the command a
/// user would run on it must end with one of the documented exit statuses (0, 1 or 2), never a crash.
@Suite("Fuzzing finds stay fixed")
struct FuzzRegressionTests {
    static func inputs(_ target: String) -> [String] {
        let dir = ExposureBinary.packageRoot.appendingPathComponent("Fuzz/regressions/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.sorted().map { "Fuzz/regressions/\(target)/\($0)" }
    }

    @Test("each capture the capture target crashed on is audited without a crash")
    func captures() throws {
        let files = Self.inputs("capture")
        #expect(!files.isEmpty)
        for file in files {
            let run = try ExposureBinary.run(["capture", "audit", file, "--format", "json"])
            #expect([0, 1, 2].contains(run.status), "\(file) exited \(run.status): \(run.stderr)")
        }
    }

    @Test("each zone the zone target stopped on is analysed without a crash")
    func zones() throws {
        let files = Self.inputs("zone")
        #expect(!files.isEmpty)
        for file in files {
            let run = try ExposureBinary.run(
                ["dns", "zone", file, "--origin", "example.com", "--now", "2026-11-21T00:00:00Z", "--format", "json"])
            #expect([0, 1, 2].contains(run.status), "\(file) exited \(run.status): \(run.stderr)")
        }
    }
}
