/// One entry of the check catalogue: what a check looks for, why it matters and how to fix what it finds.
///
/// Each analyzer declares its checks next to their logic; renderers read the entry to explain a finding
/// (SARIF rules carry it as help text) and `exposure checks` lists them all.
public struct Check: Sendable, Hashable {
    /// The fixed, dotted name users script against, e.g. `topology.internet-exposed-port`.
    public let id: String
    /// A short title, e.g. "Sensitive port reachable from the internet".
    public let title: String
    /// Why the condition matters, in a sentence or two.
    public let rationale: String
    /// The general fix; a finding may give a more specific one.
    public let remediation: String
    /// The severity a finding gets unless its check knows better.
    public let defaultSeverity: Severity

    public init(id: String, title: String, rationale: String, remediation: String, defaultSeverity: Severity) {
        self.id = id
        self.title = title
        self.rationale = rationale
        self.remediation = remediation
        self.defaultSeverity = defaultSeverity
    }

    /// The module part of the id: `topology`, `capture` or `dns`.
    public var area: String { String(id.prefix { $0 != "." }) }

    /// The id of the check's entry in docs/checks.md, e.g. `topology-internet-exposed-port`.
    public var anchor: String { String(id.map { $0 == "." ? "-" : $0 }) }
}
