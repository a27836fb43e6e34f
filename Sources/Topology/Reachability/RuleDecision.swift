import Findings

/// Which rule of which NSG decided a flow at one level, as `decidedBy` lists it.
public struct RuleDecision: Sendable, Hashable {
    public var securityGroup: ResourceID
    public var securityGroupName: String
    public var rule: String
    public var direction: Direction
    public var access: Access
    public var priority: Int
    public var isDefault: Bool
    public var location: SourceLocation?

    /// `{"nsg", "rule", "direction"}` as docs/output.md has it, plus `access` and `priority`.
    public var json: JSONValue {
        [
            "nsg": .string(securityGroupName), "rule": .string(rule),
            "direction": .string(direction.rawValue.lowercased()),
            "access": .string(access.rawValue.lowercased()), "priority": .int(priority),
        ]
    }

    /// `nsg-web/AllowSSH (inbound allow, 100)`.
    public var text: String {
        "\(securityGroupName)/\(rule) (\(direction.rawValue.lowercased()) \(access.rawValue.lowercased()), \(priority))"
    }
}

/// A verdict for one flow.
public enum Verdict: String, Sendable, Hashable {
    case allowed, denied, unroutable
}

/// What Azure would do with one flow, and the rule that matched at each NSG evaluated, in order.
public struct FlowVerdict: Sendable, Hashable {
    public var verdict: Verdict
    public var decidedBy: [RuleDecision]
    /// Why a flow is unroutable, or which address it was translated to.
    public var note: String?

    public init(verdict: Verdict, decidedBy: [RuleDecision], note: String? = nil) {
        self.verdict = verdict
        self.decidedBy = decidedBy
        self.note = note
    }
}

/// A reference to one rule inside the engine: the NSG's index, the direction, and the index in
/// that NSG's `effectiveRules(direction)`.
public struct RuleReference: Sendable, Hashable {
    public var securityGroup: Int
    public var direction: Direction
    public var index: Int
}

/// A region of flows allowed through every NSG on the way, with the rules that allowed it.
public struct AllowedFlows: Sendable, Hashable {
    public var flows: FlowBox
    public var decidedBy: [RuleDecision]
}
