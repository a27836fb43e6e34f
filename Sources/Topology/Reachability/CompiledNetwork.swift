import Findings

/// One address of one NIC configuration, the unit the engine routes to.
struct EngineEndpoint {
    var interface: Int
    var configuration: Int
    var address: UInt128
    var publicAddress: UInt128?
    var hasPublicIP: Bool
    var subnet: Int?
    var virtualNetwork: Int?
    var subnetSecurityGroup: Int?
    var interfaceSecurityGroup: Int?
    var applicationSecurityGroups: [Int]
    /// The tag context its NSGs are compiled in (`CompiledNetwork.tagContext`).
    var tagContext: Int? = nil
}

/// A rule turned into the box of flows it matches in one VNet context.
struct CompiledRule: FirstMatchRule {
    var box: FlowBox
    var access: Access
    var reference: RuleReference
}

/// A rule of an ordered, first-match list: an NSG's compiled rules, an Azure Firewall's.
protocol FirstMatchRule {
    var box: FlowBox { get }
    var access: Access { get }
}

extension Sequence where Element: FirstMatchRule {
    /// The part of `input` these rules let through, first match winning: each rule takes what of the
    /// remaining boxes it covers, and the rest goes on to the next rule.
    func allowedPart(of input: [FlowBox]) -> [FlowBox] {
        var remaining = input
        var allowed: [FlowBox] = []
        for rule in self {
            if remaining.isEmpty { break }
            var next: [FlowBox] = []
            next.reserveCapacity(remaining.count)
            for piece in remaining {
                guard let matched = piece.intersection(rule.box) else {
                    next.append(piece)
                    continue
                }
                if rule.access == .allow { allowed.append(matched) }
                next += piece.subtracting(rule.box)
            }
            remaining = next
        }
        return allowed
    }
}

/// A flow region carrying the rules that let it through so far.
struct AnnotatedBox {
    var box: FlowBox
    var decisions: [RuleReference]
}

/// The network indexed for evaluation: address lookups, VNet connectivity, service-tag address
/// sets, ASG membership, and rules compiled to flow boxes per VNet context (the `VirtualNetwork`
/// and `Internet` tags depend on which VNet the NSG is filtering for).
final class CompiledNetwork {
    let network: Network
    private(set) var warnings: [String] = []
    var subnetIndex: [ResourceID: Int] = [:]
    var vnetIndex: [ResourceID: Int] = [:]
    var nsgIndex: [ResourceID: Int] = [:]
    var asgIndex: [ResourceID: Int] = [:]
    var interfaceIndex: [ResourceID: Int] = [:]
    var endpoints: [EngineEndpoint] = []
    var endpointByPrivate: [UInt128: Int] = [:]
    var endpointByPublic: [UInt128: Int] = [:]
    /// Own address space per VNet, and the `VirtualNetwork` tag (own space plus connected peers).
    var vnetSpace: [IntervalSet] = []
    var virtualNetworkTag: [IntervalSet] = []
    var connectedPeers: [Set<Int>] = []
    /// Tag contexts: the address set `VirtualNetwork` stands for where an NSG filters. Contexts
    /// 0..<V are the VNets (their `virtualNetworkTag`); a subnet whose route table names prefixes
    /// outside its VNet's tag gets a context of its own, the tag widened by those prefixes, as Azure
    /// documents the tag ("address prefixes used on user-defined routes"). One per VNet and route
    /// table.
    var tagSpace: [IntervalSet] = []
    var tagContextVNet: [Int] = []
    /// Per tag context: the route table widening it (index in `network.routeTables`), if any.
    var tagContextTable: [Int?] = []
    /// Per subnet: its tag context (nil: the subnet's VNet is not in the input).
    var subnetTagContext: [Int?] = []
    var allSpace = IntervalSet()
    /// Subnet prefixes as sorted intervals, for addresses that belong to no NIC.
    var subnetRanges: [(lower: UInt128, upper: UInt128, subnet: Int)] = []
    var asgAddresses: [IntervalSet] = []
    var effectiveRules: [[Direction: [SecurityRule]]] = []
    private var compiledCache: [Int: [CompiledRule]] = [:]
    /// The same rules flat, for single flows (`decide`).
    private var matchCache: [Int: MatchTable] = [:]
    /// Per subnet index: its NSG's index and its VNet's index, so single flows look up no ids.
    var subnetSecurityGroupIndex: [Int?] = []
    var subnetVNetIndex: [Int?] = []
    /// Per VNet, the subnet prefixes it routes to (built on first use).
    var subnetSpaceCache: [Int: IntervalSet] = [:]
    /// Per VNet, the address intervals of its subnets (for `subnetSpace(routableFrom:)`).
    lazy var subnetIntervalsByVNet: [[(UInt128, UInt128)]] = {
        var result = [[(UInt128, UInt128)]](repeating: [], count: network.virtualNetworks.count)
        for (s, subnet) in network.subnets.enumerated() {
            guard let v = subnetVNetIndex[s] else { continue }
            for prefix in subnet.prefixes { for (lo, hi) in prefix.intervals { result[v].append((lo, hi)) } }
        }
        return result
    }()
    /// Route tables and firewalls (`RoutesAndFirewalls.swift`), compiled on first use.
    lazy var routing = CompiledRouting(self)
    /// Service tags whose Azure ranges are not known offline, each standing for one token address
    /// (see `firstTagToken`), by lower-cased name.
    private(set) var tagTokens: [String: UInt128] = [:]
    /// Doors from the internet (`EntryPoints.swift`), by frontend address, and per endpoint the
    /// doors whose backends include it.
    private(set) var entryPoints: [EntryPoint] = []
    private(set) var entryPointsByFrontend: [UInt128: [Int]] = [:]
    private(set) var entryPointsOfEndpoint: [[Int]] = []
    /// Internal doors (private frontends: internal load balancers, gateways' private listeners), by
    /// frontend address, and per endpoint the internal doors whose backends include it.
    private(set) var internalDoorsByFrontend: [UInt128: [Int]] = [:]
    private(set) var internalDoorsOfEndpoint: [[Int]] = []
    /// Service tags a rule names and the `--service-tags` file lists: their IPv4 prefixes, by
    /// lower-cased name.
    private(set) var resolvedTags: [String: IntervalSet] = [:]
    /// The address Front Door's requests arrive from (see `frontDoorEntryPoints`), and the
    /// `AzureFrontDoor.Backend` prefixes when `--service-tags` gives them.
    private(set) var frontDoorSource: IPv4Address?
    private(set) var frontDoorAddresses = IntervalSet()
    /// The families (as address sets) some VNet space or NIC uses; IPv4 when none does.
    private(set) var familiesInUse = IntervalSet.ipv4Addresses
    /// Where internet attackers can send from: see `internetSources`.
    private(set) var publicInternet = IntervalSet()
    static let azureLoadBalancer = NetworkPrefix("168.63.129.16/32")!
    /// The first token address of an unknown service tag: 240.0.0.0/4 is reserved (RFC 1112),
    /// so no real host, VNet or flow has these addresses. Each tag is one point there: inside `*`
    /// and `Internet` (Azure's service tags are Azure public ranges, outside every VNet), outside
    /// every prefix a rule names, and outside the attacker sources (`notInternet` holds 224/3).
    static let firstTagToken: UInt128 = NetworkAddress(ipv4: 0xF000_0000).value
    static let knownTags: Set<String> = ["virtualnetwork", "internet", "azureloadbalancer"]

    init(network: Network) {
        self.network = network
        for (i, v) in network.virtualNetworks.enumerated() { vnetIndex[v.id] = i }
        for (i, s) in network.subnets.enumerated() { subnetIndex[s.id] = i }
        for (i, g) in network.securityGroups.enumerated() { nsgIndex[g.id] = i }
        for (i, a) in network.applicationSecurityGroups.enumerated() { asgIndex[a.id] = i }
        for (i, n) in network.interfaces.enumerated() { interfaceIndex[n.id] = i }
        effectiveRules = network.securityGroups.map { group in
            [.inbound: group.effectiveRules(.inbound), .outbound: group.effectiveRules(.outbound)]
        }
        vnetSpace = network.virtualNetworks.map { v in
            IntervalSet(prefixes: v.addressSpace)
        }
        allSpace = vnetSpace.reduce(IntervalSet()) { $0.union($1) }
        connectedPeers = Array(repeating: [], count: network.virtualNetworks.count)
        for (i, v) in network.virtualNetworks.enumerated() {
            for peering in v.peerings {
                guard let j = vnetIndex[peering.remoteNetwork], j != i else { continue }
                let back = network.virtualNetworks[j].peerings.first { $0.remoteNetwork == v.id }
                let refused = !peering.isConnected || back.map { !$0.isConnected } ?? false
                if !refused {
                    connectedPeers[i].insert(j)
                    connectedPeers[j].insert(i)
                }
            }
        }
        virtualNetworkTag = vnetSpace.indices.map { i in
            connectedPeers[i].reduce(vnetSpace[i]) { $0.union(vnetSpace[$1]) }
        }
        for (i, s) in network.subnets.enumerated() {
            for p in s.prefixes { for (lo, hi) in p.intervals { subnetRanges.append((lo, hi, i)) } }
        }
        subnetSecurityGroupIndex = network.subnets.map { $0.securityGroup.flatMap { nsgIndex[$0] } }
        subnetVNetIndex = network.subnets.map { vnetIndex[$0.virtualNetwork] }
        buildTagContexts()
        subnetRanges.sort { $0.lower < $1.lower }
        var publicAddress: [ResourceID: UInt128] = [:]
        for pip in network.publicIPs { if let a = pip.address { publicAddress[pip.id] = a.value } }
        var asgMembers = Array(repeating: [(UInt128, UInt128)](), count: network.applicationSecurityGroups.count)
        for (n, nic) in network.interfaces.enumerated() {
            for (c, config) in nic.ipConfigurations.enumerated() {
                guard let address = config.privateAddress?.value else { continue }
                let subnet = config.subnet.flatMap { subnetIndex[$0] }
                let vnet = subnet.flatMap { vnetIndex[network.subnets[$0].virtualNetwork] }
                let asgs = config.applicationSecurityGroups.compactMap { asgIndex[$0] }.sorted()
                for a in asgs { asgMembers[a].append((address, address)) }
                let pub = config.publicIP.flatMap { publicAddress[$0] }
                let endpoint = EngineEndpoint(
                    interface: n, configuration: c, address: address, publicAddress: pub,
                    hasPublicIP: config.publicIP != nil, subnet: subnet, virtualNetwork: vnet,
                    subnetSecurityGroup: subnet.flatMap { network.subnets[$0].securityGroup }.flatMap { nsgIndex[$0] },
                    interfaceSecurityGroup: nic.securityGroup.flatMap { nsgIndex[$0] }, applicationSecurityGroups: asgs,
                    tagContext: subnet.flatMap { subnetTagContext[$0] })
                if let other = endpointByPrivate[address] {
                    warnings.append(
                        "\(NetworkAddress(address)) is the address of both '\(network.interfaces[endpoints[other].interface].name)' and '\(nic.name)' (overlapping address spaces?); flows naming it reach the first"
                    )
                } else {
                    endpointByPrivate[address] = endpoints.count
                }
                if let pub, endpointByPublic[pub] == nil { endpointByPublic[pub] = endpoints.count }
                endpoints.append(endpoint)
            }
        }
        asgAddresses = asgMembers.map { IntervalSet(intervals: $0) }
        var unknownTags: [String: String] = [:]
        for group in network.securityGroups {
            for rule in group.rules {
                for case .serviceTag(let tag) in rule.sources + rule.destinations
                where !Self.knownTags.contains(tag.lowercased()) && unknownTags[tag.lowercased()] == nil {
                    unknownTags[tag.lowercased()] = tag
                }
            }
        }
        var tokens: UInt128 = 0
        for key in unknownTags.keys.sorted() {
            let name = unknownTags[key] ?? key
            if let file = network.serviceTags {
                if let prefixes = file.prefixes(of: key) {
                    resolvedTags[key] = IntervalSet(prefixes: prefixes)
                    continue
                }
                warnings.append(
                    "service tag '\(name)' is not in the service tag file \(file.file); rules using it decide no flow from or to a known address, and only rules covering all of Internet take its place"
                )
            } else {
                warnings.append(
                    "service tag '\(name)' names Azure address ranges this offline analysis does not know; rules using it decide no flow from or to a known address, and only rules covering all of Internet take its place (--service-tags FILE, Azure's published service tag file, would resolve it)"
                )
            }
            tagTokens[key] = Self.firstTagToken + tokens
            tokens += 1
        }
        // Front Door connects to origins from `AzureFrontDoor.Backend`: one address of it stands for
        // all (the file's first prefix, or the tag's token, or a token of its own that only `*` and
        // `Internet` hold when no rule names the tag).
        if !network.frontDoors.isEmpty {
            let key = "azurefrontdoor.backend"
            if let known = resolvedTags[key]?.first {
                frontDoorSource = IPv4Address(known)
            } else if let prefix = network.serviceTags?.prefixes(of: key)?.first {
                frontDoorSource = IPv4Address(prefix.first)
                frontDoorAddresses = IntervalSet(
                    intervals: (network.serviceTags?.prefixes(of: key) ?? []).flatMap(\.intervals))
            } else {
                frontDoorSource = IPv4Address(tagTokens[key] ?? Self.firstTagToken + tokens)
            }
            if let known = resolvedTags[key] { frontDoorAddresses = known }
        }
        // A family no VNet uses carries nothing into the estate: an IPv4-only estate's internet is IPv4.
        let used = endpoints.reduce(allSpace) { $0.union(IntervalSet($1.address, $1.address)) }
        familiesInUse = [IntervalSet.ipv4Addresses, .ipv6Addresses].filter { used.intersects($0) }
            .reduce(IntervalSet()) { $0.union($1) }
        if familiesInUse.isEmpty { familiesInUse = .ipv4Addresses }
        publicInternet = familiesInUse.subtracting(Self.notInternet).subtracting(allSpace)
        entryPoints = buildEntryPoints()
        entryPointsOfEndpoint = Array(repeating: [], count: endpoints.count)
        internalDoorsOfEndpoint = Array(repeating: [], count: endpoints.count)
        for (d, door) in entryPoints.enumerated() {
            if door.isInternal {
                // A private frontend: reached from inside the estate, never from the internet.
                guard let a = door.frontendAddress?.value else { continue }
                if endpointByPrivate[a] != nil {
                    warnings.append(
                        "\(door.description) listens on \(IPv4Address(a)), which is also a network interface's address; flows to it reach the interface"
                    )
                    continue
                }
                internalDoorsByFrontend[a, default: []].append(d)
                for e in Set(door.backends) { internalDoorsOfEndpoint[e].append(d) }
                continue
            }
            if let a = door.frontendAddress?.value, !(entryPointsByFrontend[a]?.contains(d) ?? false) {
                entryPointsByFrontend[a, default: []].append(d)
            }
            for e in Set(door.backends) { entryPointsOfEndpoint[e].append(d) }
        }
    }

    /// One tag context per VNet, then one per (VNet, route table) whose user-defined routes name
    /// prefixes outside the VNet's tag; each subnet gets the context of its VNet and route table.
    private func buildTagContexts() {
        tagSpace = virtualNetworkTag
        tagContextVNet = Array(virtualNetworkTag.indices)
        tagContextTable = Array(repeating: nil, count: virtualNetworkTag.count)
        var tableIndex: [ResourceID: Int] = [:]
        for (i, t) in network.routeTables.enumerated() where tableIndex[t.id] == nil { tableIndex[t.id] = i }
        var widened: [Int: Int] = [:]
        subnetTagContext = network.subnets.indices.map { s in
            guard let v = subnetVNetIndex[s] else { return nil }
            guard let t = network.subnets[s].routeTable.flatMap({ tableIndex[$0] }) else { return v }
            let key = t &* 1_000_003 &+ v
            if let known = widened[key] { return known }
            let routes = IntervalSet(
                intervals: network.routeTables[t].routes.flatMap(\.addressPrefix.intervals))
            guard !routes.subtracting(virtualNetworkTag[v]).isEmpty else {
                widened[key] = v
                return v
            }
            let c = tagSpace.count
            tagSpace.append(virtualNetworkTag[v].union(routes))
            tagContextVNet.append(v)
            tagContextTable.append(t)
            widened[key] = c
            return c
        }
    }

    /// The tag context of a place in a subnet (or, outside every subnet, of its VNet).
    func tagContext(subnet: Int?, vnet: Int?) -> Int? {
        subnet.flatMap { subnetTagContext[$0] } ?? vnet
    }

    /// The VNet an address belongs to, if any (the first whose space contains it).
    func virtualNetwork(containing address: UInt128) -> Int? {
        // Most addresses asked about by flows are outside every VNet: reject those with one search.
        guard allSpace.contains(address) else { return nil }
        return vnetSpace.firstIndex { $0.contains(address) }
    }

    /// The subnet whose prefix contains an address (for addresses no NIC holds).
    func subnet(containing address: UInt128) -> Int? {
        var lo = 0
        var hi = subnetRanges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if subnetRanges[mid].lower <= address { lo = mid + 1 } else { hi = mid }
        }
        var i = lo - 1
        while i >= 0 {
            if subnetRanges[i].upper >= address { return subnetRanges[i].subnet }
            i -= 1
            if lo - 1 - i > 8 { break }
        }
        return nil
    }

    /// Whether traffic routes privately between two VNets: the same one, or peered and connected.
    func routes(_ a: Int, _ b: Int) -> Bool { a == b || connectedPeers[a].contains(b) }

    /// Whether traffic from VNet `a` may arrive in `b` at all: privately, or through appliances
    /// its routes name (a superset; the routed regions decide exactly).
    func mayRoute(_ a: Int, _ b: Int) -> Bool {
        routes(a, b) || (!routing.isEmpty && routing.forwardReach[a].contains(b))
    }

    /// `Internet` for a tag context: everything outside its VNet's `VirtualNetwork` tag. Prefixes of
    /// user-defined routes widen `VirtualNetwork` but take nothing out of `Internet` (Azure's
    /// `Internet` is the public address space, whatever the routes), so the two may overlap.
    func internetTag(_ context: Int?) -> IntervalSet {
        guard let context else { return .allAddresses }
        return IntervalSet.allAddresses.subtracting(virtualNetworkTag[tagContextVNet[context]])
    }

    /// Where attackers on the internet can be: every address (of a family some VNet's address
    /// space uses) outside every VNet of the
    /// topology, without Azure's platform address 168.63.129.16 (load balancer probes, admitted
    /// everywhere by a default rule) and without the special-purpose ranges that no packet from
    /// the internet carries as its source (`notInternet`). The same for every VNet, and always
    /// inside its `Internet` tag.
    func internetSources(_ vnet: Int?) -> IntervalSet { publicInternet }

    /// "This network", RFC 1918, RFC 6598 shared space, loopback, link-local, IETF protocol
    /// assignments (192.0.0.0/24), benchmarking (198.18.0.0/15), multicast and reserved
    /// (224.0.0.0/3, which holds the service-tag tokens), and Azure's platform address. The
    /// documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) stay: examples use
    /// them for internet hosts.
    static let notInternet = IntervalSet(
        prefixes: [
            "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
            "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/3", "168.63.129.16/32",
            // IPv6 (RFC 6890's registry): unspecified, loopback and the other reserved ::/8
            // addresses, discard-only 100::/64, unique local fc00::/7, link-local fe80::/10 and
            // multicast ff00::/8. The documentation prefix 2001:db8::/32 stays, as for IPv4.
            "::/8", "100::/64", "fc00::/7", "fe80::/10", "ff00::/8",
        ].compactMap { NetworkPrefix($0) })

    func addresses(_ match: AddressMatch, context vnet: Int?) -> IntervalSet {
        switch match {
        case .any: return .allAddresses
        case .prefix(let p): return IntervalSet(prefixes: [p])
        case .serviceTag(let tag):
            switch tag.lowercased() {
            case "virtualnetwork": return vnet.map { tagSpace[$0] } ?? IntervalSet()
            case "internet": return internetTag(vnet)
            case "azureloadbalancer": return IntervalSet(Self.azureLoadBalancer.first, Self.azureLoadBalancer.last)
            default:
                let key = tag.lowercased()
                if let known = resolvedTags[key] { return known }
                return tagTokens[key].map { IntervalSet($0, $0) } ?? IntervalSet()
            }
        case .applicationSecurityGroup(let id): return asgIndex[id].map { asgAddresses[$0] } ?? IntervalSet()
        case .unsupported: return IntervalSet()
        }
    }

    func ports(_ ranges: [PortRange]) -> IntervalSet {
        IntervalSet(intervals: ranges.map { (UInt32($0.lower), UInt32($0.upper)) })
    }

    func box(of rule: SecurityRule, context vnet: Int?) -> FlowBox {
        var protocols = ProtocolSet(rule.protocol)
        let sp = ports(rule.sourcePorts)
        let dp = ports(rule.destinationPorts)
        // Port-less protocols match only rules whose port ranges are "any".
        if sp != .allPorts || dp != .allPorts { protocols.formIntersection(.withPorts) }
        let sources = rule.sources.reduce(IntervalSet()) { $0.union(addresses($1, context: vnet)) }
        let destinations = rule.destinations.reduce(IntervalSet()) { $0.union(addresses($1, context: vnet)) }
        return FlowBox(
            sources: sources, destinations: destinations, protocols: protocols, sourcePorts: sp, destinationPorts: dp)
    }

    /// Where one NSG's rules in one direction and tag context are kept (`compiledCache`, `matchCache`).
    private func ruleListKey(_ nsg: Int, _ direction: Direction, context vnet: Int?) -> Int {
        (nsg * 2 + (direction == .inbound ? 0 : 1)) * (tagSpace.count + 1) + (vnet ?? -1) + 1
    }

    /// The NSG's rules in one direction, in evaluation order, compiled for a VNet context.
    func compiledRules(_ nsg: Int, _ direction: Direction, context vnet: Int?) -> [CompiledRule] {
        let key = ruleListKey(nsg, direction, context: vnet)
        if let cached = compiledCache[key] { return cached }
        let rules = effectiveRules[nsg][direction] ?? []
        let compiled = rules.enumerated().map { index, rule in
            CompiledRule(
                box: box(of: rule, context: vnet), access: rule.access,
                reference: RuleReference(securityGroup: nsg, direction: direction, index: index))
        }
        compiledCache[key] = compiled
        return compiled
    }

    /// Every rule's `RuleDecision`, built once: verify-flows hands out one per NSG per flow.
    private lazy var decisions: [[[RuleDecision]]] = network.securityGroups.indices.map { g in
        let group = network.securityGroups[g]
        return [Direction.inbound, .outbound].map { direction in
            (effectiveRules[g][direction] ?? []).map { rule in
                RuleDecision(
                    securityGroup: group.id, securityGroupName: group.name, rule: rule.name,
                    direction: rule.direction, access: rule.access, priority: rule.priority,
                    isDefault: rule.isDefault, location: rule.location
                ).rendered()
            }
        }
    }

    func decision(_ reference: RuleReference) -> RuleDecision {
        decisions[reference.securityGroup][reference.direction == .inbound ? 0 : 1][reference.index]
    }

    /// First match wins: the rule that decides `flow` at one NSG.
    func decide(_ flow: Flow, nsg: Int, direction: Direction, context vnet: Int?) -> (
        access: Access, decision: RuleDecision
    )? {
        let key = ruleListKey(nsg, direction, context: vnet)
        let table: MatchTable
        if let known = matchCache[key] {
            table = known
        } else {
            table = MatchTable(
                compiledRules(nsg, direction, context: vnet), decisions: decisions[nsg][direction == .inbound ? 0 : 1])
            matchCache[key] = table
        }
        guard let (i, access) = table.first(flow) else { return nil }
        return (access, table.decisions[i])
    }

    /// `filter` without the deciding rules: the part of `input` the NSG's allow rules get.
    func allowed(_ input: [FlowBox], nsg: Int?, direction: Direction, context vnet: Int?) -> [FlowBox] {
        guard let nsg else { return input }
        return compiledRules(nsg, direction, context: vnet).allowedPart(of: input)
    }

    /// Symbolic first match: splits `input` into what each rule of the NSG gets and keeps the part
    /// the allow rules get. A missing NSG passes everything.
    func filter(_ input: [AnnotatedBox], nsg: Int?, direction: Direction, context vnet: Int?) -> [AnnotatedBox] {
        guard let nsg else { return input }
        var remaining = input
        var allowed: [AnnotatedBox] = []
        for rule in compiledRules(nsg, direction, context: vnet) {
            if remaining.isEmpty { break }
            var next: [AnnotatedBox] = []
            next.reserveCapacity(remaining.count)
            for piece in remaining {
                guard let matched = piece.box.intersection(rule.box) else {
                    next.append(piece)
                    continue
                }
                if rule.access == .allow {
                    allowed.append(AnnotatedBox(box: matched, decisions: piece.decisions + [rule.reference]))
                }
                for rest in piece.box.subtracting(rule.box) {
                    next.append(AnnotatedBox(box: rest, decisions: piece.decisions))
                }
            }
            remaining = next
        }
        return allowed
    }
}
