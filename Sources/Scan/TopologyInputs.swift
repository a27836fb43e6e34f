import Findings
import Foundation
import Topology

#if canImport(Glibc)
    import Glibc
#endif

/// How `exposure scan` analyses topology inputs: each file is audited as its own topology. A YAML
/// file whose top-level key is `justifications` is a justification file, not a topology: it is
/// applied to the topology named like it (`NAME.justifications.yaml` for `NAME.json` or
/// `NAME.yaml`) and otherwise skipped.
enum TopologyInputs {
    static func analyse(_ file: String, options scan: ScanOptions) throws -> Report {
        // The loader says only that it cannot read a file; the system says why.
        let descriptor = open(file, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw InputError(file: file, reason: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        if isJustificationFile(file) { return Report() }
        var options = AuditOptions(today: CalendarDay(Date(timeIntervalSince1970: TimeInterval(scan.now))))
        if let companion = justificationFile(for: file) {
            options.justifications = try JustificationFile.load(path: companion)
        }
        return try NetworkAudit.audit(files: [file], options: options)
    }

    static func isJustificationFile(_ path: String) -> Bool {
        let lower = path.lowercased()
        guard lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") else { return false }
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4 << 20,
            let text = String(data: data, encoding: .utf8)
        else { return false }
        return JustificationFile.looksLikeJustificationFile(text)
    }

    /// `NAME.justifications.yaml` (or `.yml`) beside `NAME.json` / `NAME.yaml`, if it exists.
    static func justificationFile(for path: String) -> String? {
        let base = (path as NSString).deletingPathExtension
        for ext in ["yaml", "yml"] {
            let candidate = "\(base).justifications.\(ext)"
            if FileManager.default.fileExists(atPath: candidate) && isJustificationFile(candidate) { return candidate }
        }
        return nil
    }
}
