import Findings

/// What every check needs to know about a network, computed once on top of the one reachability
/// engine: where each NSG is attached, and each rule's flows in every context it applies in, both
/// as written and as left over after the rules before it (the flows it really decides). The rule
/// algebra, the tags, the peerings and the internet all come from the engine; a check never
/// evaluates rules itself.
public struct AuditContext {
    public let network: Network
    public let options: AuditOptions
    /// The engine every check asks, shared with `paths` when the caller passes one.
    public let engine: ReachabilityEngine
    var compiled: CompiledNetwork { engine.compiled }

    /// One rule as the audit sees it in one attachment context (the VNet its NSG applies in).
    public struct RuleView: Sendable {
        public var group: SecurityGroup
        public var rule: SecurityRule
        /// The VNet whose `VirtualNetwork` tag the rule was resolved with; nil for an NSG attached nowhere.
        public var virtualNetwork: ResourceID?
        /// The route table whose user-defined routes widen that tag here (the NSG filters a subnet,
        /// or a NIC in a subnet, with that table), nil for the VNet's own tag.
        public var routeTable: ResourceID? = nil
        /// Every flow the rule matches as written, within the traffic that can meet its NSG.
        public var matched: FlowRegion
        /// The flows left for this rule after every rule with a lower priority number took theirs.
        public var decided: FlowRegion
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
    /// Per NSG and direction, its rules in evaluation order, resolved in each attachment context.
    public private(set) var ruleViews: [ResourceID: [RuleView]] = [:]
    /// The same rule views, by NSG, direction and VNet, in evaluation order.
    private var viewsByContext: [String: [RuleView]] = [:]

    static func contextKey(_ group: ResourceID, _ direction: Direction, _ context: Int?) -> String {
        "\(group.key)|\(direction.rawValue)|\(context ?? -1)"
    }

    /// `engine`, when given, must be built from `network`.
    public init(network: Network, options: AuditOptions = AuditOptions(), engine: ReachabilityEngine? = nil) {
        self.network = network
        self.options = options
        self.engine = engine ?? ReachabilityEngine(network: network)
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
        }
        for (g, group) in network.securityGroups.enumerated() {
            guard compiled.nsgIndex[group.id] == g else { continue }
            var views: [RuleView] = []
            let contexts = attachmentContexts(of: group.id)
            for direction in Direction.allCases {
                let written = compiled.effectiveRules[g][direction] ?? []
                for tagContext in contexts.isEmpty ? [nil] : contexts.map({ Optional($0) }) {
                    let vnet = tagContext.map { network.virtualNetworks[compiled.tagContextVNet[$0]].id }
                    let table = tagContext.flatMap { compiled.tagContextTable[$0] }.map { network.routeTables[$0].id }
                    // Only traffic that can meet this NSG counts: inbound flows to the addresses it
                    // filters in this VNet, outbound flows from them. Rules are compared within that
                    // domain, as Batfish's filterLineReachability compares lines within the headers
                    // a filter can see.
                    var domain = FlowBox.everything
                    if let tagContext, let vnet {
                        let filtered =
                            table == nil
                            ? protectedAddresses(of: group.id, in: vnet)
                            : protectedAddresses(of: group.id, inTagContext: tagContext)
                        if direction == .inbound { domain.destinations = filtered } else { domain.sources = filtered }
                    }
                    let shares = compiled.ruleShares(
                        g, direction, context: tagContext, domain: domain, decideDefaults: false)
                    let resolved = shares.enumerated().map { i, share in
                        RuleView(
                            group: group, rule: written[i], virtualNetwork: vnet, routeTable: table,
                            matched: share.matched, decided: share.decided, takenBy: share.takenBy.map { written[$0] },
                            approximate: share.decided.overflowed)
                    }
                    viewsByContext[Self.contextKey(group.id, direction, tagContext)] = resolved
                    views += resolved
                }
            }
            ruleViews[group.id] = views
        }
    }

    /// Splits `probe` among the rules of one NSG, direction and VNet as Azure evaluates them: each
    /// rule gets the part of what is left that it matches.
    public func walk(_ probe: FlowRegion, through group: ResourceID, _ direction: Direction, in vnet: ResourceID?)
        -> [(view: RuleView, flows: FlowRegion)]
    {
        walk(probe, through: group, direction, tagContext: vnet.flatMap { compiled.vnetIndex[$0] })
    }

    /// `walk` as the NSG sees traffic to or from `subnet`: with the subnet's `VirtualNetwork` tag,
    /// widened by its route table's user-defined routes.
    public func walk(_ probe: FlowRegion, through group: ResourceID, _ direction: Direction, at subnet: Subnet)
        -> [(view: RuleView, flows: FlowRegion)]
    {
        let context = compiled.subnetIndex[subnet.id].flatMap { compiled.subnetTagContext[$0] }
        return walk(probe, through: group, direction, tagContext: context)
    }

    func walk(_ probe: FlowRegion, through group: ResourceID, _ direction: Direction, tagContext: Int?)
        -> [(view: RuleView, flows: FlowRegion)]
    {
        guard let g = compiled.nsgIndex[group],
            let views = viewsByContext[Self.contextKey(group, direction, tagContext)]
        else { return [] }
        return compiled.split(probe, nsg: g, direction, context: tagContext).map { (views[$0.rule], $0.flows) }
    }

    /// The tag contexts an NSG applies in: each VNet it filters in (its own tag), and each VNet and
    /// route table whose routes widen the tag for a subnet it filters (`CompiledNetwork.tagContext`).
    func attachmentContexts(of group: ResourceID) -> [Int] {
        var result = Set(attachmentNetworks(of: group).compactMap { compiled.vnetIndex[$0] })
        var subnets = attachedSubnets[group] ?? []
        for nic in attachedInterfaces[group] ?? [] { subnets += nic.subnetIDs.compactMap { subnetsByID[$0] } }
        for subnet in subnets {
            if let c = compiled.subnetIndex[subnet.id].flatMap({ compiled.subnetTagContext[$0] }) { result.insert(c) }
        }
        return result.sorted()
    }

    /// The private addresses an NSG filters in one tag context: its subnets' prefixes and its NICs'
    /// addresses where the subnet has that context.
    func protectedAddresses(of group: ResourceID, inTagContext context: Int) -> IntervalSet {
        func inContext(_ subnet: ResourceID?) -> Bool {
            subnet.flatMap { compiled.subnetIndex[$0] }.flatMap { compiled.subnetTagContext[$0] } == context
        }
        var intervals: [(UInt128, UInt128)] = []
        for subnet in attachedSubnets[group] ?? [] where inContext(subnet.id) {
            intervals += subnet.prefixes.flatMap(\.intervals)
        }
        for nic in attachedInterfaces[group] ?? [] {
            for config in nic.ipConfigurations where inContext(config.subnet) {
                if let address = config.privateAddress { intervals.append((address.value, address.value)) }
            }
        }
        return IntervalSet(intervals: intervals)
    }

    /// Private addresses of the NIC configurations carrying an ASG.
    public func asgMembers(_ asg: ResourceID) -> IntervalSet {
        compiled.asgIndex[asg].map { compiled.asgAddresses[$0] } ?? IntervalSet()
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
    public func protectedAddresses(of group: ResourceID, in vnet: ResourceID) -> IntervalSet {
        var intervals: [(UInt128, UInt128)] = []
        for subnet in attachedSubnets[group] ?? [] where subnet.virtualNetwork == vnet {
            intervals += subnet.prefixes.flatMap(\.intervals)
        }
        for nic in attachedInterfaces[group] ?? [] {
            for config in nic.ipConfigurations {
                guard let address = config.privateAddress, let subnetID = config.subnet,
                    subnetsByID[subnetID]?.virtualNetwork == vnet
                else { continue }
                intervals.append((address.value, address.value))
            }
        }
        return IntervalSet(intervals: intervals)
    }

    /// The private addresses an NSG filters: its subnets' prefixes and its NICs' addresses.
    public func protectedAddresses(of group: ResourceID) -> IntervalSet {
        var intervals: [(UInt128, UInt128)] = []
        for subnet in attachedSubnets[group] ?? [] { intervals += subnet.prefixes.flatMap(\.intervals) }
        for nic in attachedInterfaces[group] ?? [] {
            intervals += nic.privateAddresses.map { ($0.value, $0.value) }
        }
        return IntervalSet(intervals: intervals)
    }

    /// The addresses one rule entry stands for when its NSG applies in `vnet`, as the engine
    /// resolves it.
    public func addresses(of match: AddressMatch, in vnet: ResourceID?) -> IntervalSet {
        compiled.addresses(match, context: vnet.flatMap { compiled.vnetIndex[$0] })
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
    public func subnetSpace(routableFrom vnet: ResourceID) -> IntervalSet {
        compiled.vnetIndex[vnet].map { compiled.subnetSpace(routableFrom: $0) } ?? IntervalSet()
    }

    /// `VNET/SUBNET`, how findings name a segment.
    public func segmentName(_ subnet: Subnet) -> String {
        "\(networksByID[subnet.virtualNetwork]?.name ?? subnet.virtualNetwork.lastComponent)/\(subnet.name)"
    }

    /// Addresses on the public internet, as the engine defines them: outside every VNet (in the
    /// families the estate uses), minus
    /// private, shared, loopback, link-local, multicast and reserved ranges.
    public var publicInternet: IntervalSet { compiled.publicInternet }
    /// The address families the estate uses (IPv4, IPv6 or both), as address sets: rule-level
    /// counts leave out a family no VNet carries.
    public var familiesInUse: IntervalSet { compiled.familiesInUse }
}

extension SourceLocation {
    /// The location of a rule, falling back to its NSG's.
    static func of(_ rule: SecurityRule, in group: SecurityGroup) -> SourceLocation? {
        rule.location ?? group.location
    }
}
