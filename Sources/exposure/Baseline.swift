import Findings
import Foundation

/// `--baseline REPORT.json`: the fingerprints of an earlier JSON report (`--format json`), whose
/// findings a new run leaves out, so a pipeline fails only on what is new.
enum Baseline {
    static func fingerprints(in path: String) throws -> Set<String> {
        let data = try InputFiles.read(path)
        let document: Any
        do {
            document = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw InputError(
                file: path, reason: "not a JSON report (write one with --format json): \(Self.reason(error))")
        }
        guard let object = document as? [String: Any], let findings = object["findings"] as? [Any] else {
            throw InputError(
                file: path, place: .pointer("/findings"),
                reason: "not an Exposure JSON report: it has no findings array (write one with --format json)")
        }
        var out: Set<String> = []
        for (n, item) in findings.enumerated() {
            guard let finding = item as? [String: Any], let fingerprint = finding["fingerprint"] as? String else {
                throw InputError(
                    file: path, place: .pointer("/findings/\(n)/fingerprint"),
                    reason: "the finding has no fingerprint (the report is from an older version: write it again)")
            }
            out.insert(fingerprint)
        }
        return out
    }

    private static func reason(_ error: Error) -> String {
        let nsError = error as NSError
        return (nsError.userInfo[NSDebugDescriptionErrorKey] as? String) ?? "it does not parse"
    }
}
