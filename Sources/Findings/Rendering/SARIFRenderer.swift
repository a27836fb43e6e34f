/// SARIF 2.1.0, one run, one rule per check that produced a finding, with the catalogue's help text,
/// shaped for GitHub code scanning: fingerprints in `partialFingerprints["exposure/v1"]`, artifact
/// URIs relative to the working directory with `uriBaseId` `SRCROOT` and percent-encoded, a region
/// (line and column) wherever the finding has a line, every input listed in `artifacts` with what was
/// analysed in it, and one invocation that says whether the run succeeded.
///
/// Levels: critical and high are `error`, medium is `warning`, low and info are `note`; the exact
/// severity is kept in each result's properties and as `security-severity` on rules, which code
/// scanning dashboards read.
public struct SARIFRenderer: Sendable {
    public static let schema = "https://json.schemastore.org/sarif-2.1.0.json"
    public static let fingerprintName = "exposure/v1"
    public static let sourceRoot = "SRCROOT"

    /// The absolute working directory: paths below it become relative URIs. Without it, relative
    /// paths stay relative and absolute ones become `file://` URIs.
    public var workingDirectory: String?
    /// The page rules' `helpUri` point into (the check's anchor is appended).
    public var helpPage: String

    public init(workingDirectory: String? = nil, helpPage: String = ToolInfo.checksPage) {
        self.workingDirectory = workingDirectory
        self.helpPage = helpPage
    }

    public func render(_ report: Report, failure: String? = nil) -> String {
        var text = ""
        try? render(report, failure: failure) { text += $0 }
        return text
    }

    public func document(_ report: Report, failure: String? = nil) -> JSONValue {
        let plan = Plan(report, renderer: self)
        var run = plan.runHead(failure: failure)
        run["results"] = .array(report.findings.map(plan.result))
        return ["$schema": .string(Self.schema), "version": "2.1.0", "runs": [.object(run)]]
    }

    /// Streams the log to `sink`; results are written one at a time. `failure` is the error of a run
    /// that ended with exit status 2: the invocation then says it did not succeed.
    public func render(_ report: Report, failure: String? = nil, to sink: @escaping (String) throws -> Void) throws {
        let plan = Plan(report, renderer: self)
        var head = plan.runHead(failure: failure)
        var stream = DocumentStream(sink: sink)
        try stream.key("$schema", level: 0, first: true)
        try stream.append(JSONValue.string(Self.schema).compactText)
        try stream.key("runs", level: 0, first: false)
        try stream.append("[\n    ")
        // The run's members in sorted order, `results` streamed in its place.
        head["results"] = .null
        for (n, key) in head.keys.sorted().enumerated() {
            try stream.key(key, level: 2, first: n == 0)
            if key == "results" {
                try stream.array(report.findings, level: 3, plan.result)
            } else {
                try stream.append(head[key]!.prettyText(level: 3))
            }
        }
        try stream.endObject(level: 2)
        try stream.append("\n  ]")
        try stream.key("version", level: 0, first: false)
        try stream.append("\"2.1.0\"")
        try stream.endObject(level: 0)
        try stream.append("\n")
        try stream.flush()
    }

    /// What every part of the log needs: the rules in order and the artifacts by path.
    private struct Plan {
        let renderer: SARIFRenderer
        let report: Report
        let checks: [Check]
        var ruleIndex: [String: Int] = [:]
        var artifactPaths: [String] = []
        var artifactIndex: [String: Int] = [:]

        init(_ report: Report, renderer: SARIFRenderer) {
            self.renderer = renderer
            self.report = report
            checks = report.checksUsed
            for (n, c) in checks.enumerated() { ruleIndex[c.id] = n }
            // Servers that were probed are no artifacts: only files are.
            let files = report.inputs.filter { $0.kind != .server }.map(\.path)
            for path in files + report.findings.compactMap(\.location?.file)
            where artifactIndex[path] == nil {
                artifactIndex[path] = artifactPaths.count
                artifactPaths.append(path)
            }
        }

        func runHead(failure: String?) -> [String: JSONValue] {
            let driver: JSONValue = [
                "name": .string(ToolInfo.name),
                "version": .string(ToolInfo.version),
                "semanticVersion": .string(ToolInfo.version),
                "informationUri": .string(ToolInfo.informationURI),
                "rules": .array(checks.map { renderer.rule($0) }),
            ]
            var notifications: [JSONValue] = report.warnings.map {
                ["level": "warning", "message": ["text": .string($0)]]
            }
            if let failure { notifications.append(["level": "error", "message": ["text": .string(failure)]]) }
            var invocation: [String: JSONValue] = ["executionSuccessful": .bool(failure == nil)]
            if !notifications.isEmpty { invocation["toolExecutionNotifications"] = .array(notifications) }
            var coverage: [String: [InputCoverage]] = [:]
            for input in report.inputs { coverage[input.path, default: []].append(input) }
            let artifacts: [JSONValue] = artifactPaths.map { path in
                var artifact: [String: JSONValue] = ["location": renderer.artifactLocation(path, index: nil)]
                if let entries = coverage[path], let first = entries.first {
                    artifact["roles"] = ["analysisTarget"]
                    artifact["properties"] = [
                        "kind": .string(first.kind.rawValue),
                        "analysed": .object(first.analysed.mapValues { .int($0) }),
                    ]
                }
                return .object(artifact)
            }
            var run: [String: JSONValue] = [
                "tool": ["driver": driver],
                "columnKind": "unicodeCodePoints",
                "invocations": [.object(invocation)],
            ]
            if !artifacts.isEmpty { run["artifacts"] = .array(artifacts) }
            return run
        }

        /// Where a finding with no file points: the server probed, when the run probed one. Code
        /// scanning refuses a result without a physical location, and the server is what it is about.
        var probedServer: String? {
            let servers = report.inputs.filter { $0.kind == .server }
            return servers.count == 1 ? servers[0].path : nil
        }

        func result(_ f: Finding) -> JSONValue {
            var location: [String: JSONValue] = [:]
            if let file = f.location?.file ?? probedServer {
                var physical: [String: JSONValue] = [
                    "artifactLocation": renderer.artifactLocation(file, index: artifactIndex[file])
                ]
                if let line = f.location?.line, line > 0 {
                    var region: [String: JSONValue] = ["startLine": .int(line)]
                    if let column = f.location?.column, column > 0 { region["startColumn"] = .int(column) }
                    physical["region"] = .object(region)
                }
                location["physicalLocation"] = .object(physical)
            }
            var logical: [JSONValue] = [["name": .string(f.subject), "kind": "resource"]]
            if let pointer = f.location?.pointer {
                logical.append(["fullyQualifiedName": .string(pointer), "kind": "element"])
            }
            location["logicalLocations"] = .array(logical)
            var result: [String: JSONValue] = [
                "ruleId": .string(f.check.id),
                "ruleIndex": .int(ruleIndex[f.check.id] ?? 0),
                "level": .string(SARIFRenderer.level(f.severity)),
                "message": ["text": .string(f.message)],
                "locations": [.object(location)],
                "properties": [
                    "severity": .string(f.severity.rawValue),
                    "subject": .string(f.subject),
                    "remediation": .string(f.remediation),
                    "evidence": .object(f.evidence),
                ],
            ]
            if let fingerprint = f.fingerprint {
                result["partialFingerprints"] = [SARIFRenderer.fingerprintName: .string(fingerprint)]
            }
            return .object(result)
        }
    }

    /// `{"uri": …, "uriBaseId": "SRCROOT", "index": n}` for a path below the working directory (or a
    /// relative one), `{"uri": "file:///…"}` for an absolute path elsewhere.
    func artifactLocation(_ path: String, index: Int?) -> JSONValue {
        var members: [String: JSONValue] = [:]
        if let relative = relativePath(path) {
            members["uri"] = .string(Self.percentEncoded(relative))
            members["uriBaseId"] = .string(Self.sourceRoot)
        } else {
            members["uri"] = .string("file://" + Self.percentEncoded(path))
        }
        if let index { members["index"] = .int(index) }
        return .object(members)
    }

    /// The path relative to the working directory, or nil for an absolute path outside it.
    func relativePath(_ path: String) -> String? {
        if !path.hasPrefix("/") {
            var p = Substring(path)
            while p.hasPrefix("./") { p = p.dropFirst(2) }
            return String(p)
        }
        guard let base = workingDirectory else { return nil }
        let prefix = base.hasSuffix("/") ? base : base + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : nil
    }

    /// RFC 3986: everything but unreserved characters and `/` percent-encoded, as UTF-8.
    static func percentEncoded(_ path: String) -> String {
        var out = ""
        let hex = Array("0123456789ABCDEF")
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }

    static func level(_ s: Severity) -> String {
        switch s {
        case .critical, .high: "error"
        case .medium: "warning"
        case .low, .info: "note"
        }
    }

    /// The 0–10 score GitHub code scanning groups by (critical ≥ 9, high ≥ 7, medium ≥ 4).
    static func securitySeverity(_ s: Severity) -> String {
        switch s {
        case .critical: "9.5"
        case .high: "8.0"
        case .medium: "5.5"
        case .low: "3.0"
        case .info: "0.0"
        }
    }

    func rule(_ c: Check) -> JSONValue {
        let helpText = "\(c.rationale)\n\nRemediation: \(c.remediation)"
        return [
            "id": .string(c.id),
            "name": .string(c.id),
            "shortDescription": ["text": .string(c.title)],
            "fullDescription": ["text": .string(c.rationale)],
            "helpUri": .string(helpPage + "#" + c.anchor),
            "help": [
                "text": .string(helpText),
                "markdown": .string("**\(c.title)**\n\n\(c.rationale)\n\n**Remediation:** \(c.remediation)"),
            ],
            "defaultConfiguration": ["level": .string(Self.level(c.defaultSeverity))],
            "properties": [
                "tags": .strings(["security", c.area]),
                "security-severity": .string(Self.securitySeverity(c.defaultSeverity)),
            ],
        ]
    }
}
