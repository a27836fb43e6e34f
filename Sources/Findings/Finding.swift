/// Where in an input a finding points: a file and, when known, a line or a JSON pointer.
public struct SourceLocation: Sendable, Hashable {
    public var file: String?
    public var line: Int?
    public var pointer: String?
    /// The column (in Unicode code points, from 1) where the line's element starts, when known.
    public var column: Int?

    public init(file: String? = nil, line: Int? = nil, pointer: String? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.pointer = pointer
        self.column = column
    }

    public var isEmpty: Bool { file == nil && line == nil && pointer == nil }

    /// `file:line` or `file#pointer`, as people read it in text output.
    public var displayText: String {
        var text = file ?? ""
        if let line { text += ":\(line)" }
        if let pointer { text += (text.isEmpty ? "" : " ") + pointer }
        return text
    }
}

/// One thing an analyzer found: what was seen, where, why it matters and how to fix it.
public struct Finding: Sendable, Hashable {
    public var check: Check
    public var severity: Severity
    /// The one thing the finding is about: a resource, a rule, `host:port`, an owner name.
    public var subject: String
    /// One sentence a person can act on.
    public var message: String
    /// Machine-readable detail; always a JSON object.
    public var evidence: [String: JSONValue]
    public var remediation: String
    public var location: SourceLocation?
    /// Stable across runs, machines and checkout locations; filled in before rendering (see
    /// `Fingerprint`).
    public var fingerprint: String?

    public init(
        check: Check,
        severity: Severity? = nil,
        subject: String,
        message: String,
        evidence: [String: JSONValue] = [:],
        remediation: String? = nil,
        location: SourceLocation? = nil
    ) {
        self.check = check
        self.severity = severity ?? check.defaultSeverity
        self.subject = subject
        self.message = message
        self.evidence = evidence
        self.remediation = remediation ?? check.remediation
        self.location = location
    }

    /// The stable report order: severity (critical first), check id, subject, then the rest so that
    /// equal keys still sort the same way on every run.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        if a.check.id != b.check.id { return a.check.id < b.check.id }
        if a.subject != b.subject { return a.subject < b.subject }
        if a.message != b.message { return a.message < b.message }
        let la = a.location?.displayText ?? ""
        let lb = b.location?.displayText ?? ""
        if la != lb { return la < lb }
        return JSONValue.object(a.evidence).compactText < JSONValue.object(b.evidence).compactText
    }
}
