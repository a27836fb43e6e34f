/// A finding's fingerprint: a stable hex string, the same for the same finding across runs, machines
/// and checkout locations, so a baseline or a code-scanning alert can follow it.
///
/// It is computed from the check, the subject and the input's path relative to the scan root, never
/// from absolute paths, times, messages or evidence (which carry dates and counts that change).
/// Two findings of one report that would share it (the same check and subject in one file) are told
/// apart by their place in the sorted report: the second gets `#2` mixed in, and so on.
public enum Fingerprint {
    /// 32 hex digits (128 bits of SHA-256).
    public static func make(check: String, subject: String, path: String?, occurrence: Int = 1) -> String {
        var text = "exposure/v1\u{0}\(check)\u{0}\(subject)\u{0}\(path ?? "")"
        if occurrence > 1 { text += "\u{0}#\(occurrence)" }
        return String(SHA256.hex(Array(text.utf8)).prefix(32))
    }
}

extension Report {
    /// Gives every finding without one its fingerprint. `relativePath` turns a finding's file into the
    /// path relative to the scan root (the caller knows the root; this module does no I/O).
    public mutating func assignFingerprints(relativePath: (String) -> String) {
        var seen: [String: Int] = [:]
        updateFindings { findings in
            for i in findings.indices where findings[i].fingerprint == nil {
                let f = findings[i]
                let path = f.location?.file.map(relativePath)
                let key = "\(f.check.id)\u{0}\(f.subject)\u{0}\(path ?? "")"
                seen[key, default: 0] += 1
                findings[i].fingerprint = Fingerprint.make(
                    check: f.check.id, subject: f.subject, path: path, occurrence: seen[key]!)
            }
        }
    }
}
