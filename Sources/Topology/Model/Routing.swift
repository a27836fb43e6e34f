import Findings

/// Where a route sends traffic, in Azure's words (`nextHopType`).
public enum NextHopType: String, Sendable, Hashable, AzureSpelledEnum {
    case virtualAppliance = "VirtualAppliance"
    case virtualNetworkGateway = "VirtualNetworkGateway"
    case internet = "Internet"
    case none = "None"
    case vnetLocal = "VnetLocal"
}

/// One user-defined route (UDR) of a route table.
public struct Route: Sendable, Hashable {
    public var name: String
    public var addressPrefix: NetworkPrefix
    public var nextHopType: NextHopType
    /// Only for `VirtualAppliance`: the appliance's private address (an Azure Firewall, a NIC with IP
    /// forwarding, or a load balancer frontend in front of appliances).
    public var nextHopAddress: NetworkAddress?
    public var location: SourceLocation?

    public init(
        name: String, addressPrefix: NetworkPrefix, nextHopType: NextHopType, nextHopAddress: NetworkAddress? = nil,
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.addressPrefix = addressPrefix
        self.nextHopType = nextHopType
        self.nextHopAddress = nextHopAddress
        self.location = location
    }
}

/// A route table. Attached to subnets (`subnet.properties.routeTable`); its routes override the
/// system routes for the prefixes they name, by longest prefix match.
public struct RouteTable: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var routes: [Route]
    /// Whether routes learnt over BGP from a gateway are kept off the subnets (recorded; the
    /// engine knows no BGP routes, so it changes no verdict).
    public var disableBgpRoutePropagation: Bool
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, routes: [Route] = [], disableBgpRoutePropagation: Bool = false,
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.routes = routes
        self.disableBgpRoutePropagation = disableBgpRoutePropagation
        self.location = location
    }
}

/// The three kinds of Azure Firewall rule, in the order the firewall tries them.
public enum FirewallRuleKind: String, Sendable, Hashable, CaseIterable {
    case dnat, network, application
}

/// What a rule collection does with the traffic its rules match.
public enum FirewallAction: String, Sendable, Hashable {
    case allow, deny, dnat
}

/// One rule of an Azure Firewall rule collection (classic rules or a firewall policy).
public struct FirewallRule: Sendable, Hashable {
    public var name: String
    /// Network and DNAT rules: the IP protocols. Application rules: TCP (their HTTP, HTTPS and
    /// MSSQL protocols carry TCP on the given ports).
    public var protocols: [RuleProtocol]
    public var sources: [AddressMatch]
    public var destinations: [AddressMatch]
    public var destinationPorts: [PortRange]
    /// DNAT: where the firewall sends the traffic.
    public var translatedAddress: NetworkAddress?
    public var translatedPort: Int?
    /// Application rules (target FQDNs, FQDN tags, web categories) and network rules naming FQDNs
    /// or IP groups: names whose addresses are not known offline. An allow rule with them is read
    /// as reaching any destination; a deny rule with them is left out (it might not match).
    public var unresolved: [String]
    public var location: SourceLocation?

    public init(
        name: String, protocols: [RuleProtocol], sources: [AddressMatch], destinations: [AddressMatch],
        destinationPorts: [PortRange], translatedAddress: NetworkAddress? = nil, translatedPort: Int? = nil,
        unresolved: [String] = [], location: SourceLocation? = nil
    ) {
        self.name = name
        self.protocols = protocols
        self.sources = sources
        self.destinations = destinations
        self.destinationPorts = destinationPorts
        self.translatedAddress = translatedAddress
        self.translatedPort = translatedPort
        self.unresolved = unresolved
        self.location = location
    }
}

/// A rule collection: rules of one kind sharing a priority (100–65000, lower first) and an action.
public struct FirewallRuleCollection: Sendable, Hashable {
    public var name: String
    public var kind: FirewallRuleKind
    public var priority: Int
    public var action: FirewallAction
    public var rules: [FirewallRule]
    public var location: SourceLocation?

    public init(
        name: String, kind: FirewallRuleKind, priority: Int, action: FirewallAction, rules: [FirewallRule],
        location: SourceLocation? = nil
    ) {
        self.name = name
        self.kind = kind
        self.priority = priority
        self.action = action
        self.rules = rules
        self.location = location
    }
}

/// A rule collection group of a firewall policy: collections with one group priority.
public struct FirewallRuleCollectionGroup: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var priority: Int
    public var collections: [FirewallRuleCollection]
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, priority: Int, collections: [FirewallRuleCollection],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.priority = priority
        self.collections = collections
        self.location = location
    }
}

/// A firewall policy (`Microsoft.Network/firewallPolicies`), maybe inheriting from a parent
/// (`basePolicy`): the parent's rules are tried before the child's, kind by kind.
public struct FirewallPolicy: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var basePolicy: ResourceID?
    public var groups: [FirewallRuleCollectionGroup]
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, basePolicy: ResourceID? = nil, groups: [FirewallRuleCollectionGroup] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.basePolicy = basePolicy
        self.groups = groups
        self.location = location
    }
}

/// An Azure Firewall: a private address on its AzureFirewallSubnet (the next hop routes name),
/// public IPs (where DNAT rules listen), and either classic rule collections or a policy.
public struct AzureFirewall: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var privateAddress: NetworkAddress?
    public var subnet: ResourceID?
    public var publicIPs: [ResourceID]
    /// Classic rules (`natRuleCollections`, `networkRuleCollections`, `applicationRuleCollections`).
    public var collections: [FirewallRuleCollection]
    public var policy: ResourceID?
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, privateAddress: NetworkAddress? = nil, subnet: ResourceID? = nil,
        publicIPs: [ResourceID] = [], collections: [FirewallRuleCollection] = [], policy: ResourceID? = nil,
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.privateAddress = privateAddress
        self.subnet = subnet
        self.publicIPs = publicIPs
        self.collections = collections
        self.policy = policy
        self.location = location
    }
}

/// One rule of a firewall in the order the firewall tries it, with where it came from.
public struct OrderedFirewallRule: Sendable, Hashable {
    public var rule: FirewallRule
    public var collection: String
    public var kind: FirewallRuleKind
    public var action: FirewallAction
    public var priority: Int
    /// The policy it was inherited from, when not the firewall's own rules or policy.
    public var policy: String?
}

extension Network {
    public func routeTable(_ id: ResourceID) -> RouteTable? { routeTables.first { $0.id == id } }
    public func firewallPolicy(_ id: ResourceID) -> FirewallPolicy? { firewallPolicies.first { $0.id == id } }

    /// A firewall's rules in Azure's processing order: DNAT, then network, then application rules;
    /// within a kind, a parent policy's collections before the child's (inherited rules take
    /// precedence), then by group priority, then by collection priority, then as listed. `missing`
    /// names each parent policy the input does not hold (its rules are unknown), and a policy that
    /// inherits from itself stops the walk.
    public func orderedRules(of firewall: AzureFirewall) -> (rules: [OrderedFirewallRule], missing: [ResourceID]) {
        var chain: [FirewallPolicy] = []
        var missing: [ResourceID] = []
        var next = firewall.policy
        var seen: Set<ResourceID> = []
        while let id = next, !seen.contains(id) {
            seen.insert(id)
            guard let policy = firewallPolicy(id) else {
                missing.append(id)
                break
            }
            chain.append(policy)
            next = policy.basePolicy
        }
        var result: [OrderedFirewallRule] = []
        for kind in FirewallRuleKind.allCases {
            // Classic collections: by priority.
            let classic = firewall.collections.enumerated().filter { $0.element.kind == kind }.sorted {
                ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset)
            }
            for (_, c) in classic {
                for r in c.rules {
                    result.append(
                        OrderedFirewallRule(
                            rule: r, collection: c.name, kind: kind, action: c.action, priority: c.priority,
                            policy: nil))
                }
            }
            // Policies: the root parent first.
            for (depth, policy) in chain.enumerated().reversed() {
                var entries: [(group: Int, collection: Int, order: Int, c: FirewallRuleCollection)] = []
                for group in policy.groups {
                    for (i, c) in group.collections.enumerated() where c.kind == kind {
                        entries.append((group.priority, c.priority, entries.count + i, c))
                    }
                }
                entries.sort { ($0.group, $0.collection, $0.order) < ($1.group, $1.collection, $1.order) }
                for entry in entries {
                    for r in entry.c.rules {
                        result.append(
                            OrderedFirewallRule(
                                rule: r, collection: entry.c.name, kind: kind, action: entry.c.action,
                                priority: entry.c.priority, policy: depth == 0 ? nil : policy.name))
                    }
                }
            }
        }
        return (result, missing)
    }
}
