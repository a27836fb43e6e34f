import Findings
import Foundation

@testable import DNS

/// Where the samples are, and the moment every test judges signatures at.
enum ZoneSamples {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let folder = packageRoot.appendingPathComponent("Zones")
    /// 2026-11-21T00:00:00Z, the `--now` the samples were made for.
    static let now: Int64 = 1_795_219_200

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    static func analyse(
        _ name: String, trustAnchor: String? = nil, expiryWarningDays: Int = 7, now: Int64 = now
    ) throws -> Report {
        try ZoneAnalyzer.analyze(
            file: path(name),
            options: ZoneCheckOptions(
                origin: "example.com", trustAnchorFile: trustAnchor.map(path), expiryWarningDays: expiryWarningDays,
                now: now))
    }

    /// A zone file written to a fresh temporary folder, removed by the caller.
    static func temporaryZone(_ text: String, name: String = "test.zone") throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-zone-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// Whether a reference tool is installed (`scripts/install-deps.sh test` installs every one the
    /// tests use); tests that need one are skipped, with the reason, when it is not.
    static func hasTool(_ tool: String) -> Bool {
        ["/usr/bin/\(tool)", "/usr/sbin/\(tool)", "/usr/local/bin/\(tool)"].contains {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// `dnssec-verify` judges at the real clock; the samples' good signatures last until 2036, so its
    /// verdicts are only compared before 2035.
    static var dnssecVerifyCanJudgeSamples: Bool {
        hasTool("dnssec-verify") && Date().timeIntervalSince1970 < 2_051_222_400
    }

    /// Runs a reference tool and returns its exit status, or nil when it is not installed.
    static func referenceStatus(_ tool: String, _ arguments: [String]) -> Int32? {
        let candidates = ["/usr/bin/\(tool)", "/usr/sbin/\(tool)", "/usr/local/bin/\(tool)"]
        guard let executable = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        process.waitUntilExit()
        return process.terminationStatus
    }
}

extension Report {
    /// `check severity subject TYPE` per finding, the compact form tests compare.
    var verdictLines: [String] {
        findings.map { f in
            var line = "\(f.check.id) \(f.severity) \(f.subject)"
            if case .string(let type)? = f.evidence["type"] { line += " \(type)" }
            return line
        }
    }

    func ids() -> Set<String> { Set(findings.map(\.check.id)) }
}
