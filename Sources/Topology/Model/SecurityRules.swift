import Findings

/// Which way a rule filters, seen from the resource the NSG is attached to.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    case inbound = "Inbound"
    case outbound = "Outbound"
}

/// What a matching rule does.
public enum Access: String, Sendable, Hashable {
    case allow = "Allow"
    case deny = "Deny"
}

/// The protocol a rule names. `any` (`*`) matches every protocol.
/// An enumeration whose raw values are Azure's spellings, read back case-insensitively
/// (`Standard`, `standard`; `VirtualAppliance`, `virtualappliance`).
public protocol AzureSpelledEnum: RawRepresentable, CaseIterable where RawValue == String {}

extension AzureSpelledEnum {
    /// The case Azure's text names, ignoring case; nil for anything else.
    public init?(azure text: String) {
        let lowered = text.lowercased()
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }
}

public enum RuleProtocol: String, Sendable, Hashable, CaseIterable {
    case any = "*"
    case tcp = "Tcp"
    case udp = "Udp"
    case icmp = "Icmp"
    case esp = "Esp"
    case ah = "Ah"

    /// Parses Azure's spelling, case-insensitively (`Tcp`, `TCP`, `*`, `Any`).
    public init?(azure text: String) {
        switch text.lowercased() {
        case "*", "any", "all": self = .any
        case "tcp", "6": self = .tcp
        case "udp", "17": self = .udp
        case "icmp", "1": self = .icmp
        case "esp", "50": self = .esp
        case "ah", "51": self = .ah
        default: return nil
        }
    }
}

/// A flow's transport protocol: the concrete value a rule's `RuleProtocol` is matched against.
public enum TransportProtocol: String, Sendable, Hashable, CaseIterable {
    case tcp, udp, icmp, esp, ah

    public init?(_ text: String) {
        switch text.lowercased() {
        case "tcp", "6": self = .tcp
        case "udp", "17": self = .udp
        case "icmp", "1": self = .icmp
        case "esp", "50": self = .esp
        case "ah", "51": self = .ah
        default: return nil
        }
    }

    /// Whether the protocol carries ports; rules' port ranges apply only to these.
    public var hasPorts: Bool { self == .tcp || self == .udp }
}

/// One source or destination a rule names.
public enum AddressMatch: Sendable, Hashable, CustomStringConvertible {
    /// `*`, `Any`, `0.0.0.0/0` is kept as a prefix.
    case any
    case prefix(NetworkPrefix)
    /// `VirtualNetwork`, `Internet`, `AzureLoadBalancer` and other service tags, as written.
    case serviceTag(String)
    case applicationSecurityGroup(ResourceID)
    /// Text the engine cannot evaluate (an address range, a malformed address): matches no
    /// flow. The loader warns about it.
    case unsupported(String)

    public var description: String {
        switch self {
        case .any: "*"
        case .prefix(let p): p.isHost ? p.network.description : p.description
        case .serviceTag(let t): t
        case .applicationSecurityGroup(let id): "asg:\(id.lastComponent)"
        case .unsupported(let s): s
        }
    }
}

/// One security rule of an NSG (or of a YAML rule set).
public struct SecurityRule: Sendable, Hashable {
    public var name: String
    /// 100–4096 for user rules; 65000+ for Azure's default rules.
    public var priority: Int
    public var direction: Direction
    public var access: Access
    public var `protocol`: RuleProtocol
    public var sources: [AddressMatch]
    public var destinations: [AddressMatch]
    public var sourcePorts: [PortRange]
    public var destinationPorts: [PortRange]
    /// The rule's description; a YAML `justification` lands here too.
    public var description: String
    /// One of Azure's default rules (65000, 65001, 65500), listed or implied.
    public var isDefault: Bool
    public var location: SourceLocation?

    public init(
        name: String, priority: Int, direction: Direction, access: Access, protocol: RuleProtocol,
        sources: [AddressMatch], destinations: [AddressMatch], sourcePorts: [PortRange] = [.any],
        destinationPorts: [PortRange], description: String = "", isDefault: Bool = false,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.priority = priority
        self.direction = direction
        self.access = access
        self.protocol = `protocol`
        self.sources = sources
        self.destinations = destinations
        self.sourcePorts = sourcePorts
        self.destinationPorts = destinationPorts
        self.description = description
        self.isDefault = isDefault
        self.location = location
    }
}

/// A network security group: user rules plus Azure's default rules, which apply whether or not the
/// export lists them.
public struct SecurityGroup: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    /// User rules as the input lists them.
    public var rules: [SecurityRule]
    /// Default rules as listed in the input, if any (used only for their source locations).
    public var listedDefaultRules: [SecurityRule]
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, rules: [SecurityRule], listedDefaultRules: [SecurityRule] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.rules = rules
        self.listedDefaultRules = listedDefaultRules
        self.location = location
    }

    /// The rules Azure evaluates in `direction`, lowest priority number first: the user rules, then
    /// the default rules (with the listed copy's location when the export has one). Ties in priority
    /// (invalid in Azure) keep input order.
    public func effectiveRules(_ direction: Direction) -> [SecurityRule] {
        var result = rules.filter { $0.direction == direction }
        for var builtIn in SecurityGroup.defaultRules where builtIn.direction == direction {
            if let listed = listedDefaultRules.first(where: {
                $0.name.lowercased() == builtIn.name.lowercased() && $0.direction == direction
            }) {
                builtIn.location = listed.location
            }
            result.append(builtIn)
        }
        return result.enumerated().sorted { a, b in
            a.element.priority != b.element.priority ? a.element.priority < b.element.priority : a.offset < b.offset
        }.map(\.element)
    }

    /// Azure's six default security rules, as Azure documents them.
    public static let defaultRules: [SecurityRule] = [
        SecurityRule(
            name: "AllowVnetInBound", priority: 65000, direction: .inbound, access: .allow, protocol: .any,
            sources: [.serviceTag("VirtualNetwork")], destinations: [.serviceTag("VirtualNetwork")],
            destinationPorts: [.any], description: "Allow inbound traffic from all VMs in VNET", isDefault: true),
        SecurityRule(
            name: "AllowAzureLoadBalancerInBound", priority: 65001, direction: .inbound, access: .allow,
            protocol: .any, sources: [.serviceTag("AzureLoadBalancer")], destinations: [.any],
            destinationPorts: [.any], description: "Allow inbound traffic from azure load balancer", isDefault: true),
        SecurityRule(
            name: "DenyAllInBound", priority: 65500, direction: .inbound, access: .deny, protocol: .any,
            sources: [.any], destinations: [.any], destinationPorts: [.any],
            description: "Deny all inbound traffic", isDefault: true),
        SecurityRule(
            name: "AllowVnetOutBound", priority: 65000, direction: .outbound, access: .allow, protocol: .any,
            sources: [.serviceTag("VirtualNetwork")], destinations: [.serviceTag("VirtualNetwork")],
            destinationPorts: [.any], description: "Allow outbound traffic from all VMs to all VMs in VNET",
            isDefault: true),
        SecurityRule(
            name: "AllowInternetOutBound", priority: 65001, direction: .outbound, access: .allow, protocol: .any,
            sources: [.any], destinations: [.serviceTag("Internet")], destinationPorts: [.any],
            description: "Allow outbound traffic from all VMs to Internet", isDefault: true),
        SecurityRule(
            name: "DenyAllOutBound", priority: 65500, direction: .outbound, access: .deny, protocol: .any,
            sources: [.any], destinations: [.any], destinationPorts: [.any],
            description: "Deny all outbound traffic", isDefault: true),
    ]
}
