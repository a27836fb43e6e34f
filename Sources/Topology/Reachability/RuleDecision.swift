import Findings

/// Which rule of which NSG decided a flow at one level, as `decidedBy` lists it.
///
/// Its fields live in one shared, copy-on-write box: `verify-flows` copies a decision into every
/// verdict it gives, and a copy of eight strings (eight reference counts) per rule per flow was a
/// quarter of its profile; a copy of the box is one.
public struct RuleDecision: Sendable, Hashable {
    struct Fields: Hashable {
        var securityGroup: ResourceID
        var securityGroupName: String
        var rule: String
        var direction: Direction
        var access: Access
        var priority: Int
        var isDefault: Bool
        var location: SourceLocation?
        var kind: DecisionKind
        var detail: String?
        var collection: String?
    }

    /// Never changed once shared: every setter copies it first unless this value holds the only
    /// reference (`isKnownUniquelyReferenced`). `text` and `nestedJSON` may be rendered once,
    /// when the box is made (`rendered()`), and are dropped by any change.
    final class Storage: @unchecked Sendable {
        var fields: Fields
        var text: String?
        var nestedJSON: String?
        init(_ fields: Fields, text: String? = nil, nestedJSON: String? = nil) {
            self.fields = fields
            self.text = text
            self.nestedJSON = nestedJSON
        }
    }

    private var storage: Storage

    private mutating func update(_ body: (inout Fields) -> Void) {
        if isKnownUniquelyReferenced(&storage) {
            storage.text = nil
            storage.nestedJSON = nil
        } else {
            storage = Storage(storage.fields)
        }
        body(&storage.fields)
    }

    /// The same decision with its `text` and `nestedJSON` rendered once: the engine's tables of
    /// rules and routes hand these out, and `verify-flows` prints one per rule per flow.
    func rendered() -> RuleDecision {
        var copy = self
        copy.storage = Storage(storage.fields, text: renderText(), nestedJSON: renderNestedJSON())
        return copy
    }

    /// `json` as `JSONValue.prettyText` lays it out, as it stands inside `verify-flows`' document
    /// (an entry of a `decidedBy` array, four levels deep: every line after the first indented by
    /// eight spaces).
    var nestedJSON: String { storage.nestedJSON ?? renderNestedJSON() }

    private func renderNestedJSON() -> String {
        json.prettyText.split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\n        ")
    }

    public init(
        securityGroup: ResourceID, securityGroupName: String, rule: String, direction: Direction, access: Access,
        priority: Int, isDefault: Bool, location: SourceLocation?, kind: DecisionKind = .securityRule,
        detail: String? = nil, collection: String? = nil
    ) {
        storage = Storage(
            Fields(
                securityGroup: securityGroup, securityGroupName: securityGroupName, rule: rule, direction: direction,
                access: access, priority: priority, isDefault: isDefault, location: location, kind: kind,
                detail: detail, collection: collection))
    }

    public static func == (a: RuleDecision, b: RuleDecision) -> Bool {
        a.storage === b.storage || a.storage.fields == b.storage.fields
    }

    public func hash(into hasher: inout Hasher) { storage.fields.hash(into: &hasher) }

    public var securityGroup: ResourceID {
        get { storage.fields.securityGroup }
        set { update { $0.securityGroup = newValue } }
    }
    public var securityGroupName: String {
        get { storage.fields.securityGroupName }
        set { update { $0.securityGroupName = newValue } }
    }
    public var rule: String {
        get { storage.fields.rule }
        set { update { $0.rule = newValue } }
    }
    public var direction: Direction {
        get { storage.fields.direction }
        set { update { $0.direction = newValue } }
    }
    public var access: Access {
        get { storage.fields.access }
        set { update { $0.access = newValue } }
    }
    public var priority: Int {
        get { storage.fields.priority }
        set { update { $0.priority = newValue } }
    }
    public var isDefault: Bool {
        get { storage.fields.isDefault }
        set { update { $0.isDefault = newValue } }
    }
    public var location: SourceLocation? {
        get { storage.fields.location }
        set { update { $0.location = newValue } }
    }
    /// What decided: an NSG rule (the fields above name the NSG), a route (`securityGroup` and
    /// `securityGroupName` name the route table, `rule` the route) or an Azure Firewall rule (they
    /// name the firewall; `collection` its rule collection) or the rule of an internal door (they
    /// name the load balancer or gateway; `collection` is the door's `via`).
    public var kind: DecisionKind {
        get { storage.fields.kind }
        set { update { $0.kind = newValue } }
    }
    /// Routes: `0.0.0.0/0 -> VirtualAppliance 10.0.0.4`. Firewall rules: `network`, `application`,
    /// `dnat`. Door rules: `10.0.2.6:80 -> 10.0.2.4:80`.
    public var detail: String? {
        get { storage.fields.detail }
        set { update { $0.detail = newValue } }
    }
    public var collection: String? {
        get { storage.fields.collection }
        set { update { $0.collection = newValue } }
    }

    /// What kind of thing a `RuleDecision` names.
    public enum DecisionKind: String, Sendable, Hashable {
        case securityRule, route, firewallRule, doorRule
    }

    /// `{"nsg", "rule", "direction"}` as docs/output.md has it, plus `access` and `priority`; a
    /// route `{"kind": "route", "routeTable", "route", "nextHop", "access"}`; a firewall rule
    /// `{"kind": "firewallRule", "firewall", "collection", "rule", "ruleType", "access", "priority"}`.
    public var json: JSONValue {
        switch kind {
        case .securityRule:
            return [
                "nsg": .string(securityGroupName), "rule": .string(rule),
                "direction": .string(direction.rawValue.lowercased()),
                "access": .string(access.rawValue.lowercased()), "priority": .int(priority),
            ]
        case .route:
            return [
                "kind": "route", "routeTable": .string(securityGroupName), "route": .string(rule),
                "nextHop": .string(detail ?? ""), "access": .string(access.rawValue.lowercased()),
            ]
        case .firewallRule:
            return [
                "kind": "firewallRule", "firewall": .string(securityGroupName), "collection": .string(collection ?? ""),
                "rule": .string(rule), "ruleType": .string(detail ?? ""),
                "access": .string(access.rawValue.lowercased()),
                "priority": .int(priority),
            ]
        case .doorRule:
            let ends = (detail ?? "").components(separatedBy: " -> ")
            return [
                "kind": "doorRule", "via": .string(collection ?? ""), "resource": .string(securityGroupName),
                "rule": .string(rule), "frontend": .string(ends.first ?? ""), "backend": .string(ends.last ?? ""),
                "access": .string(access.rawValue.lowercased()),
            ]
        }
    }

    /// `nsg-web/AllowSSH (inbound allow, 100)`; `route rt-spoke/to-fw (0.0.0.0/0 -> VirtualAppliance
    /// 10.0.0.4)`; `firewall fw-hub/net/AllowWeb (network allow, 200)`.
    public var text: String { storage.text ?? renderText() }

    private func renderText() -> String {
        switch kind {
        case .securityRule:
            "\(securityGroupName)/\(rule) (\(direction.rawValue.lowercased()) \(access.rawValue.lowercased()), \(priority))"
        case .route: "route \(securityGroupName)/\(rule) (\(detail ?? ""))"
        case .firewallRule:
            "firewall \(securityGroupName)/\(collection.map { $0 + "/" } ?? "")\(rule) (\(detail ?? "") \(access.rawValue.lowercased()), \(priority))"
        case .doorRule:
            "\(collection == "applicationGateway" ? "application gateway" : "load balancer") \(securityGroupName)/\(rule) (\(detail ?? ""))"
        }
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
