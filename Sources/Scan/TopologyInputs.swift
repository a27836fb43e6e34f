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
        return try TopologyAnalyzer.analyze(
            files: [file], parameterFiles: scan.parameterFiles, serviceTags: scan.serviceTags, options: options)
    }

    /// Whether a JSON or YAML file met while walking a folder could be a topology at all: a JSON
    /// array, a JSON object with a `value` or `resources` array (Azure list, ARM template), JSON that
    /// does not parse, or YAML with a top-level key of Exposure's topology. A repository's other JSON and YAML (package.json,
    /// CI files, Kubernetes manifests) is passed over rather than reported file by file; a file named
    /// on the command line is always analysed.
    static func couldBeTopology(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 1 << 20)) ?? Data()
        let text = String(decoding: head, as: UTF8.self)
        let lower = path.lowercased()
        if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            return text.split(separator: "\n").contains { line in
                guard let colon = line.firstIndex(of: ":"), line.first?.isWhitespace == false else { return false }
                return YAMLTopologyKeys.all.contains(String(line[..<colon]))
            }
        }
        let body = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        guard body.first == "{", !text.contains("\"value\""), !text.contains("\"resources\"") else { return true }
        // A well-formed object without those keys is some other tool's file; a broken one may be a
        // damaged export, and is worth a warning.
        guard head.count < 1 << 20, (try? JSONSerialization.jsonObject(with: head)) != nil else { return true }
        return false
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

/// The top-level keys of an Exposure YAML topology (and of a justification file).
enum YAMLTopologyKeys {
    static let all: Set<String> = ["segments", "hosts", "ruleSets", "groups", "publicIPs", "justifications"]
}
