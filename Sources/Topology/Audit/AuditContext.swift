import Findings

/// What every check needs to know about a network, computed once: where each NSG is attached, which
/// addresses each ASG and each `VirtualNetwork` tag stands for, and each rule's flows, both as
/// written and as left over after the rules before it (the flows it really decides).
public struct AuditContext: Sendable {
    public let network: Network
    public let options: AuditOptions

    /// One rule as the audit sees it in one attachment context (the VNet its NSG applies in).
    public struct RuleView: Sendable {
        public var group: SecurityGroup
        public var rule: SecurityRule
        /// The VNet whose `VirtualNetwork` tag the rule was resolved with; nil for an NSG attached nowhere.
        public var virtualNetwork: ResourceID?
        /// Every flow the rule matches as written.
        public var matched: RuleRegion
        /// The flows left for this rule after every rule with a lower priority number took theirs.
        public var decided: RuleRegion
        /// Earlier rules that take some of this rule's flows first, in priority order.
        public var takenBy: [SecurityRule]
        /// The subtraction gave up splitting: `decided` may be larger than the truth.
        public var approximate: Bool

        /// `nsg/rule`, how findings and justification files name a rule.
        public var displayName: String { "\(group.name)/\(rule.name)" }
    }

    public private(set) var groupsByID: [ResourceID: SecurityGroup] = [:]
    public private(set) var subnetsByID: [ResourceID: Subnet] = [:]
    public private(set) var interfacesByID: [ResourceID: NetworkInterface] = [:]
    public private(set) var publicIPsByID: [ResourceID: PublicIPAddress] = [:]
    public private(set) var networksByID: [ResourceID: VirtualNetwork] = [:]
    /// The NIC holding each public IP (the first in input order if an export names one twice).
    public private(set) var interfaceByPublicIP: [ResourceID: NetworkInterface] = [:]
    public private(set) var attachedSubnets: [ResourceID: [Subnet]] = [:]
    public private(set) var attachedInterfaces: [ResourceID: [NetworkInterface]] = [:]
    /// Private addresses of the NIC configurations carrying each ASG.
    public private(set) var asgMembers: [ResourceID: ValueRanges] = [:]
    /// Each VNet's own address space plus those of connected peers: what `VirtualNetwork` means there.
    public private(set) var virtualNetworkSpace: [ResourceID: ValueRanges] = [:]
    /// Every VNet's own address space.
    public private(set) var ownSpace: [ResourceID: ValueRanges] = [:]
    /// Every address inside some VNet.
    public private(set) var allVirtualNetworkSpace = ValueRanges()
    /// Per NSG and direction, its rules in evaluation order, resolved in each attachment context.
    public private(set) var ruleViews: [ResourceID: [RuleView]] = [:]
    private var opaqueTags: [String: UInt64] = [:]
    /// The same rule views, by NSG, direction and VNet, in evaluation order.
    private var viewsByContext: [String: [RuleView]] = [:]

    static func contextKey(_ group: ResourceID, _ direction: Direction, _ vnet: ResourceID?) -> String {
        "\(group.key)|\(direction.rawValue)|\(vnet?.key ?? "")"
    }

    /// Splits `probe` among the rules of one NSG, direction and VNet as Azure evaluates them: each
    /// rule gets the part of what is left that it matches. Cheap for small probes, whatever the
    /// size of the rules' own regions.
    public func walk(_ probe: RuleRegion, through group: ResourceID, _ direction: Direction, in vnet: ResourceID?)
        -> [(view: RuleView, flows: RuleRegion)]
    {
        var remaining = probe
        var result: [(view: RuleView, flows: RuleRegion)] = []
        for view in viewsByContext[Self.contextKey(group, direction, vnet)] ?? [] {
            if remaining.isEmpty { break }
            let taken = remaining.intersection(view.matched)
            if taken.isEmpty { continue }
            result.append((view, taken))
            remaining = remaining.subtracting(view.matched)
        }
        return result
    }
    private var publicInternetSet = ValueRanges()
    private var routableSubnetSpace: [ResourceID: ValueRanges] = [:]

    /// Every address value, IPv4 and the opaque points above it: what `*` means.
    static let everything = ValueRanges([0...(UInt64(1) << 40)])

    public init(network: Network, options: AuditOptions = AuditOptions()) {
        self.network = network
        self.options = options
        for group in network.securityGroups { groupsByID[group.id] = group }
        for nic in network.interfaces {
            interfacesByID[nic.id] = nic
            for pip in nic.publicIPIDs where interfaceByPublicIP[pip] == nil { interfaceByPublicIP[pip] = nic }
        }
        for pip in network.publicIPs { publicIPsByID[pip.id] = pip }
        for vnet in network.virtualNetworks { networksByID[vnet.id] = vnet }
        for subnet in network.subnets {
            subnetsByID[subnet.id] = subnet
            if let nsg = subnet.securityGroup, groupsByID[nsg] != nil {
                attachedSubnets[nsg, default: []].append(subnet)
            }
        }
        for nic in network.interfaces {
            if let nsg = nic.securityGroup, groupsByID[nsg] != nil { attachedInterfaces[nsg, default: []].append(nic) }
            for config in nic.ipConfigurations {
                guard let address = config.privateAddress else { continue }
                let point = ValueRanges([UInt64(address.value)...UInt64(address.value)])
                for asg in config.applicationSecurityGroups {
                    asgMembers[asg] = (asgMembers[asg] ?? ValueRanges()).union(point)
                }
            }
        }
        for vnet in network.virtualNetworks {
            let space = ValueRanges(vnet.addressSpace.map { UInt64($0.first)...UInt64($0.last) })
            ownSpace[vnet.id] = space
            allVirtualNetworkSpace = allVirtualNetworkSpace.union(space)
        }
        publicInternetSet = Self.computePublicInternet(outside: allVirtualNetworkSpace)
        for vnet in network.virtualNetworks {
            var space = ownSpace[vnet.id] ?? ValueRanges()
            for peer in connectedPeers(of: vnet) { space = space.union(ownSpace[peer] ?? ValueRanges()) }
            virtualNetworkSpace[vnet.id] = space
        }
        var subnetsByNetwork: [ResourceID: [ClosedRange<UInt64>]] = [:]
        for subnet in network.subnets {
            subnetsByNetwork[subnet.virtualNetwork, default: []] += subnet.prefixes.map {
                UInt64($0.first)...UInt64($0.last)
            }
        }
        for vnet in network.virtualNetworks {
            let networks = [vnet.id] + connectedPeers(of: vnet)
            routableSubnetSpace[vnet.id] = ValueRanges(networks.flatMap { subnetsByNetwork[$0] ?? [] })
        }
        for group in network.securityGroups {
            var views: [RuleView] = []
            let contexts = attachmentNetworks(of: group.id)
            for direction in Direction.allCases {
                for vnet in contexts.isEmpty ? [nil] : contexts.map({ Optional($0) }) {
                    let resolved = resolveRules(of: group, direction: direction, in: vnet)
                    viewsByContext[Self.contextKey(group.id, direction, vnet)] = resolved
                    views += resolved
                }
            }
            ruleViews[group.id] = views
        }
    }

    /// VNets peered with `vnet` where both sides declare the peering and call it connected.
    public func connectedPeers(of vnet: VirtualNetwork) -> [ResourceID] {
        vnet.peerings.filter(\.isConnected).compactMap { peering in
            guard let remote = networksByID[peering.remoteNetwork],
                remote.peerings.contains(where: { $0.remoteNetwork == vnet.id && $0.isConnected })
            else { return nil }
            return remote.id
        }
    }

    /// The VNets an NSG applies in: those of the subnets it is attached to and of the NICs' subnets.
    public func attachmentNetworks(of group: ResourceID) -> [ResourceID] {
        var result = Set<ResourceID>()
        for subnet in attachedSubnets[group] ?? [] { result.insert(subnet.virtualNetwork) }
        for nic in attachedInterfaces[group] ?? [] {
            for subnetID in nic.subnetIDs {
                if let subnet = subnetsByID[subnetID] { result.insert(subnet.virtualNetwork) }
            }
        }
        return result.sorted()
    }

    /// Whether an NSG filters anything: attached to at least one subnet or NIC.
    public func isAttached(_ group: ResourceID) -> Bool {
        !(attachedSubnets[group] ?? []).isEmpty || !(attachedInterfaces[group] ?? []).isEmpty
    }

    /// The private addresses an NSG filters in one VNet.
    public func protectedAddresses(of group: ResourceID, in vnet: ResourceID) -> ValueRanges {
        var set = ValueRanges()
        for subnet in attachedSubnets[group] ?? [] where subnet.virtualNetwork == vnet {
            set = set.union(ValueRanges(subnet.prefixes.map { UInt64($0.first)...UInt64($0.last) }))
        }
        for nic in attachedInterfaces[group] ?? [] {
            for config in nic.ipConfigurations {
                guard let address = config.privateAddress, let subnetID = config.subnet,
                    subnetsByID[subnetID]?.virtualNetwork == vnet
                else { continue }
                set = set.union(ValueRanges([UInt64(address.value)...UInt64(address.value)]))
            }
        }
        return set
    }

    /// The private addresses an NSG filters: its subnets' prefixes and its NICs' addresses.
    public func protectedAddresses(of group: ResourceID) -> ValueRanges {
        var set = ValueRanges()
        for subnet in attachedSubnets[group] ?? [] {
            set = set.union(ValueRanges(subnet.prefixes.map { UInt64($0.first)...UInt64($0.last) }))
        }
        for nic in attachedInterfaces[group] ?? [] {
            set = set.union(ValueRanges(nic.privateAddresses.map { UInt64($0.value)...UInt64($0.value) }))
        }
        return set
    }

    /// The addresses one rule entry stands for when its NSG applies in `vnet`.
    public func addresses(of match: AddressMatch, in vnet: ResourceID?) -> ValueRanges {
        switch match {
        case .any:
            return Self.everything
        case .prefix(let prefix):
            return ValueRanges([UInt64(prefix.first)...UInt64(prefix.last)])
        case .serviceTag(let tag):
            switch tag.lowercased() {
            case "virtualnetwork":
                return vnet.flatMap { virtualNetworkSpace[$0] } ?? ValueRanges()
            case "internet":
                let inside = vnet.flatMap { virtualNetworkSpace[$0] } ?? ValueRanges()
                return ValueRanges.ipv4.subtracting(inside)
            case "azureloadbalancer":
                return ValueRanges([0xA83F_8110...0xA83F_8110])  // 168.63.129.16, Azure's platform address
            case "*", "any":
                return Self.everything
            default:
                let point = opaqueTags[tag.lowercased()] ?? (UInt64(1) << 32)
                return ValueRanges([point...point])
            }
        case .applicationSecurityGroup(let id):
            return asgMembers[id] ?? ValueRanges()
        case .unsupported:
            return ValueRanges()
        }
    }

    /// Every flow `rule` matches when its NSG applies in `vnet`.
    public func region(of rule: SecurityRule, in vnet: ResourceID?) -> RuleRegion {
        let protocols = RuleProtocols(rule.protocol)
        let sourcePorts = ValueRanges(rule.sourcePorts.map { UInt64($0.lower)...UInt64($0.upper) })
        let destinationPorts = ValueRanges(rule.destinationPorts.map { UInt64($0.lower)...UInt64($0.upper) })
        let sources = rule.sources.reduce(ValueRanges()) { $0.union(addresses(of: $1, in: vnet)) }
        let destinations = rule.destinations.reduce(ValueRanges()) { $0.union(addresses(of: $1, in: vnet)) }
        return RuleRegion([
            RuleBox(
                sources: sources, destinations: destinations, protocols: protocols, sourcePorts: sourcePorts,
                destinationPorts: destinationPorts)
        ])
    }

    private mutating func resolveRules(of group: SecurityGroup, direction: Direction, in vnet: ResourceID?)
        -> [RuleView]
    {
        // Opaque tags get stable points in the order they are first met.
        for rule in group.rules {
            for match in rule.sources + rule.destinations {
                if case .serviceTag(let tag) = match, opaqueTags[tag.lowercased()] == nil,
                    !["virtualnetwork", "internet", "azureloadbalancer", "*", "any"].contains(tag.lowercased())
                {
                    opaqueTags[tag.lowercased()] = (UInt64(1) << 32) + UInt64(opaqueTags.count)
                }
            }
        }
        // Only traffic that can meet this NSG counts: inbound flows to the addresses it filters in
        // this VNet, outbound flows from them. Rules are compared within that domain, as Batfish's
        // filterLineReachability compares lines within the headers a filter can see.
        var domain = RuleBox(
            sources: Self.everything, destinations: Self.everything, protocols: .any, sourcePorts: ValueRanges.allPorts,
            destinationPorts: ValueRanges.allPorts)
        if let vnet {
            let filtered = protectedAddresses(of: group.id, in: vnet)
            if direction == .inbound { domain.destinations = filtered } else { domain.sources = filtered }
        }
        let domainRegion = RuleRegion([domain])
        var views: [RuleView] = []
        var earlier: [(rule: SecurityRule, region: RuleRegion)] = []
        for rule in group.effectiveRules(direction) {
            let matched = region(of: rule, in: vnet).intersection(domainRegion)
            var decided = matched
            var takenBy: [SecurityRule] = []
            // Azure's default rules come last and are never reported, so what they decide is not needed.
            for previous in earlier where !rule.isDefault && !decided.isEmpty && decided.intersects(previous.region) {
                takenBy.append(previous.rule)
                decided = decided.subtracting(previous.region)
            }
            views.append(
                RuleView(
                    group: group, rule: rule, virtualNetwork: vnet, matched: matched, decided: decided,
                    takenBy: takenBy, approximate: decided.overflowed))
            earlier.append((rule, matched))
        }
        return views
    }

    /// The rule views of user rules (not Azure's defaults), grouped by NSG, rule and direction
    /// across attachment contexts, in a stable order.
    public func userRuleViews() -> [[RuleView]] {
        var result: [[RuleView]] = []
        for group in network.securityGroups {
            let views = (ruleViews[group.id] ?? []).filter { !$0.rule.isDefault }
            var order: [String] = []
            var byRule: [String: [RuleView]] = [:]
            for view in views {
                let key = "\(view.rule.direction.rawValue)/\(view.rule.name)/\(view.rule.priority)"
                if byRule[key] == nil { order.append(key) }
                byRule[key, default: []].append(view)
            }
            for key in order { result.append(byRule[key] ?? []) }
        }
        return result
    }

    /// The prefixes of every subnet in `vnet` and in the VNets connected to it by peering.
    public func subnetSpace(routableFrom vnet: ResourceID) -> ValueRanges { routableSubnetSpace[vnet] ?? ValueRanges() }

    /// `VNET/SUBNET`, how findings name a segment.
    public func segmentName(_ subnet: Subnet) -> String {
        "\(networksByID[subnet.virtualNetwork]?.name ?? subnet.virtualNetwork.lastComponent)/\(subnet.name)"
    }

    /// Addresses on the public internet: IPv4 outside every VNet, minus private, shared, loopback,
    /// link-local, multicast and reserved ranges, which no internet host can send from.
    public var publicInternet: ValueRanges { publicInternetSet }

    private static func computePublicInternet(outside vnets: ValueRanges) -> ValueRanges {
        let special: [IPv4Prefix] = [
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3",
            // Azure's platform address (health probes, DNS): it never arrives from the internet.
            "168.63.129.16/32",
        ].compactMap { IPv4Prefix($0) }
        let excluded = ValueRanges(special.map { UInt64($0.first)...UInt64($0.last) })
        return ValueRanges.ipv4.subtracting(excluded).subtracting(vnets)
    }
}

extension SourceLocation {
    /// The location of a rule, falling back to its NSG's.
    static func of(_ rule: SecurityRule, in group: SecurityGroup) -> SourceLocation? {
        rule.location ?? group.location
    }
}
