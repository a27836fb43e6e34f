import Foundation

/// The constraints of the SARIF 2.1.0 schema (OASIS SARIF 2.1.0, sections 3.13–3.58) that Exposure's
/// logs touch, with the schema's `format` checks (`uri`, `uri-reference`), and the rules GitHub code
/// scanning adds for uploads, written from those documents. Returns one line per violation.
enum SARIFSchemaChecks {
    static func violations(_ text: String) -> [String] {
        guard let data = text.data(using: .utf8),
            let log = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        else { return ["not a JSON object"] }
        var problems: [String] = []
        func fail(_ s: String) { problems.append(s) }
        // 3.13 sarifLog: version (enum "2.1.0") and runs are required; $schema is a uri.
        if log["version"] as? String != "2.1.0" { fail("/version must be \"2.1.0\"") }
        if let schema = log["$schema"], !isURI(schema as? String ?? "") { fail("/$schema must be a uri") }
        guard let runs = log["runs"] as? [[String: Any]] else { return problems + ["/runs must be an array"] }
        for (r, run) in runs.enumerated() {
            let at = "/runs/\(r)"
            // 3.14 run: tool is required; 3.18 toolComponent: name is required.
            guard let tool = run["tool"] as? [String: Any], let driver = tool["driver"] as? [String: Any],
                driver["name"] is String
            else {
                fail("\(at)/tool/driver/name is required")
                continue
            }
            if let columnKind = run["columnKind"] as? String,
                !["utf16CodeUnits", "unicodeCodePoints"].contains(columnKind)
            {
                fail("\(at)/columnKind is not an allowed value")
            }
            let rules = driver["rules"] as? [[String: Any]] ?? []
            var ids: Set<String> = []
            for (n, rule) in rules.enumerated() {
                // 3.49 reportingDescriptor: id is required; helpUri is a uri.
                guard let id = rule["id"] as? String else {
                    fail("\(at)/tool/driver/rules/\(n)/id is required")
                    continue
                }
                if !ids.insert(id).inserted { fail("rule id \(id) appears twice") }
                if let help = rule["helpUri"], !isURI(help as? String ?? "") {
                    fail("rule \(id): helpUri must be a uri")
                }
            }
            let artifacts = run["artifacts"] as? [[String: Any]] ?? []
            for (n, artifact) in artifacts.enumerated() {
                if let location = artifact["location"] as? [String: Any] {
                    problems += artifactLocation(location, at: "\(at)/artifacts/\(n)/location", artifacts: nil)
                }
            }
            // 3.20 invocation: executionSuccessful is required; 3.58 notification: message is required.
            for (n, invocation) in (run["invocations"] as? [[String: Any]] ?? []).enumerated() {
                if !(invocation["executionSuccessful"] is Bool) {
                    fail("\(at)/invocations/\(n)/executionSuccessful is required")
                }
                for (k, note) in (invocation["toolExecutionNotifications"] as? [[String: Any]] ?? []).enumerated() {
                    if !hasMessage(note["message"]) {
                        fail("\(at)/invocations/\(n)/toolExecutionNotifications/\(k)/message")
                    }
                    if let level = note["level"] as? String, !levels.contains(level) {
                        fail("notification level \(level)")
                    }
                }
            }
            guard let results = run["results"] as? [[String: Any]] else {
                fail("\(at)/results must be an array")
                continue
            }
            for (n, result) in results.enumerated() {
                let here = "\(at)/results/\(n)"
                // 3.27 result: message is required; level is an enum; ruleIndex indexes the rules.
                if !hasMessage(result["message"]) { fail("\(here)/message is required") }
                if let level = result["level"] as? String, !levels.contains(level) { fail("\(here)/level") }
                if let index = result["ruleIndex"] as? Int, index < -1 || index >= rules.count {
                    fail("\(here)/ruleIndex is out of range")
                } else if let index = result["ruleIndex"] as? Int, index >= 0,
                    rules[index]["id"] as? String != result["ruleId"] as? String
                {
                    fail("\(here)/ruleIndex names another rule")
                }
                // GitHub: ruleId and a fingerprint on every result.
                if !(result["ruleId"] is String) { fail("\(here)/ruleId is required by code scanning") }
                guard let fingerprints = result["partialFingerprints"] as? [String: Any],
                    fingerprints.values.allSatisfy({ $0 is String }), !fingerprints.isEmpty
                else {
                    fail("\(here)/partialFingerprints must be an object of strings")
                    continue
                }
                for (k, location) in (result["locations"] as? [[String: Any]] ?? []).enumerated() {
                    guard let physical = location["physicalLocation"] as? [String: Any] else { continue }
                    if let artifact = physical["artifactLocation"] as? [String: Any] {
                        problems += artifactLocation(
                            artifact, at: "\(here)/locations/\(k)/physicalLocation/artifactLocation",
                            artifacts: artifacts.count)
                    }
                    // 3.30 region: startLine and startColumn are at least 1.
                    if let region = physical["region"] as? [String: Any] {
                        for key in ["startLine", "startColumn"] {
                            if let v = region[key], (v as? Int ?? 0) < 1 {
                                fail("\(here)/locations/\(k)/region/\(key)")
                            }
                        }
                    }
                }
            }
        }
        return problems
    }

    static let levels: Set<String> = ["none", "note", "warning", "error"]

    static func hasMessage(_ value: Any?) -> Bool {
        guard let message = value as? [String: Any] else { return false }
        return message["text"] is String || message["id"] is String
    }

    /// 3.4 artifactLocation: uri is a uri-reference, index indexes run.artifacts; GitHub: a relative uri
    /// comes with uriBaseId (SRCROOT).
    static func artifactLocation(_ location: [String: Any], at: String, artifacts: Int?) -> [String] {
        var problems: [String] = []
        guard let uri = location["uri"] as? String else { return ["\(at)/uri is required here"] }
        if !isURIReference(uri) { problems.append("\(at)/uri '\(uri)' is not a uri-reference") }
        if !uri.contains(":") && location["uriBaseId"] as? String != "SRCROOT" {
            problems.append("\(at): a relative uri needs uriBaseId SRCROOT")
        }
        if let index = location["index"] as? Int, let count = artifacts, index < 0 || index >= count {
            problems.append("\(at)/index is out of range")
        }
        return problems
    }

    /// RFC 3986 URI-reference, as far as its characters go: unreserved, reserved and `%XX` only.
    static func isURIReference(_ s: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=")
        let chars = Array(s)
        var i = 0
        while i < chars.count {
            if chars[i] == "%" {
                guard i + 2 < chars.count, chars[i + 1].isHexDigit, chars[i + 2].isHexDigit else { return false }
                i += 3
                continue
            }
            guard allowed.contains(chars[i]) else { return false }
            i += 1
        }
        return true
    }

    /// An absolute URI: a scheme, then a uri-reference.
    static func isURI(_ s: String) -> Bool {
        guard let colon = s.firstIndex(of: ":"), colon != s.startIndex else { return false }
        let scheme = s[..<colon]
        return scheme.first!.isLetter && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
            && isURIReference(s)
    }
}
