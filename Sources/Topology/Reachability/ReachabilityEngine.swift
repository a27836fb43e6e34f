import Findings

/// One hop of a lateral-movement path.
public struct PathHop: Sendable, Hashable {
    /// `internet` or the host (VM name, else NIC name).
    public var from: String
    public var to: String
    public var fromAddress: NetworkAddress?
    public var toAddress: NetworkAddress
    public var `protocol`: TransportProtocol
    public var port: Int
    /// The source port of the witness flow (an ephemeral port unless rules demand another).
    public var sourcePort: Int
    public var decidedBy: [RuleDecision]
}

/// A shortest path (fewest hops) to one target host.
public struct LateralPath: Sendable, Hashable {
    public var target: String
    public var targetInterface: ResourceID
    public var hops: [PathHop]
}

/// The answer to `paths`: a path per reachable target, and the targets nothing reaches.
public struct PathReport: Sendable, Hashable {
    public var paths: [LateralPath]
    public var unreachable: [String]
    /// Why the answer may not be what was asked: a target that names no host, a host the input
    /// gives no address. Printed with the report and on standard error.
    public var warnings: [String] = []
}

/// What each rule of an NSG really gets after the rules before it, in one direction.
public struct RuleReach: Sendable {
    public var rule: SecurityRule
    /// The flows this rule decides (empty: no flow ever reaches it).
    public var reached: [FlowBox]
    /// Higher-priority rules that overlap this rule: when `reached` is empty, these cover it.
    public var coveredBy: [SecurityRule]
    /// True when the rule as written can match no traffic at all where the NSG is attached, e.g. an
    /// inbound rule whose destination is a public IP (inbound rules see private addresses).
    public var matchesNothing: Bool

    public var isShadowed: Bool { reached.isEmpty && !matchesNothing }
}

/// The reachability engine: exact Azure NSG semantics on symbolic flow sets.
///
/// Built once per topology; answers single flows (`verify`), what a source set may send to a NIC
/// (`allowedFlows`), what each rule really gets (`ruleReach`), and shortest lateral-movement paths
/// (`paths`). Interfaces are grouped into behaviour classes so work grows with distinct behaviours.
/// Not thread-safe: it fills caches as it answers.
public final class ReachabilityEngine {
    public let network: Network
    let compiled: CompiledNetwork
    let classes: BehaviourClasses
    private var graphs: [ClassGraph.PortBox: ClassGraph] = [:]
    /// Whether `paths` may prove targets unreachable and look two levels ahead from the targets'
    /// side (the answers are the same either way; tests compare the two).
    var searchShortcuts = true
    /// Each NIC's endpoints (its IP configurations with an address), in endpoint order: the
    /// per-NIC questions of the checks would otherwise scan every endpoint for every NIC.
    private lazy var endpointsOfInterface: [[Int]] = {
        var result = Array(repeating: [Int](), count: network.interfaces.count)
        for (e, endpoint) in compiled.endpoints.enumerated() { result[endpoint.interface].append(e) }
        return result
    }()

    public init(network: Network) {
        self.network = network
        compiled = CompiledNetwork(network: network)
        classes = BehaviourClasses(compiled)
    }

    /// Problems the engine noticed (service tags it cannot resolve offline).
    public var warnings: [String] { compiled.warnings + (compiled.routing.isEmpty ? [] : compiled.routing.warnings) }

    /// How many distinct behaviours the interfaces fall into.
    public var behaviourClassCount: Int { classes.classes.count }

    /// One flow, as Network Watcher's IP flow verify answers it, with the deciding rule at each NSG.
    public func verify(_ flow: Flow) -> FlowVerdict { compiled.verify(flow) }

    /// The flows `sources` may send to `interface` (destination: each of its private addresses),
    /// through the subnet NSG then the NIC NSG, each region with the rules that allowed it.
    public func allowedFlows(from sources: IntervalSet, to interface: ResourceID) -> [AllowedFlows] {
        guard let n = compiled.interfaceIndex[interface] else { return [] }
        var result: [AllowedFlows] = []
        for e in endpointsOfInterface[n] {
            let endpoint = compiled.endpoints[e]
            let start = [
                AnnotatedBox(
                    box: FlowBox(
                        sources: sources.intersection(.family(of: endpoint.address)),
                        destinations: IntervalSet(endpoint.address, endpoint.address)),
                    decisions: [])
            ]
            let afterSubnet = compiled.filter(
                start, nsg: endpoint.subnetSecurityGroup, direction: .inbound, context: endpoint.tagContext)
            let allowed = compiled.filter(
                afterSubnet, nsg: endpoint.interfaceSecurityGroup, direction: .inbound, context: endpoint.tagContext
            )
            result += allowed.map { AllowedFlows(flows: $0.box, decidedBy: $0.decisions.map(compiled.decision)) }
        }
        return result
    }

    /// The flows the internet may send to `interface`, through every door that leads to it (its
    /// public IPs, load balancer and NAT rules, gateway listeners), as its NSGs see them: translated
    /// to its private address and backend port, from the address the backend sees.
    public func internetExposure(of interface: ResourceID) -> [AllowedFlows] {
        internetEntries(of: interface).map(\.flows)
    }

    /// Every door: from the internet, and the internal ones (`EntryPoint.isInternal`).
    public var entryPoints: [EntryPoint] { compiled.entryPoints }

    /// `AzureFrontDoor.Backend`'s prefixes when `--service-tags` gives them (else empty): the
    /// addresses Front Door's requests come from, which a direct door admitting only them does not
    /// open to the rest of the internet.
    public var frontDoorAddresses: IntervalSet { compiled.frontDoorAddresses }

    /// The flows the internet may send to `interface`, door by door (`internetExposure` with the
    /// door each region comes through). The region's ports are the backend ports.
    public func internetEntries(of interface: ResourceID) -> [(door: EntryPoint, flows: AllowedFlows)] {
        guard let n = compiled.interfaceIndex[interface] else { return [] }
        var result: [(door: EntryPoint, flows: AllowedFlows)] = []
        for e in endpointsOfInterface[n] {
            let internet = compiled.internetSources(compiled.endpoints[e].virtualNetwork)
            for d in compiled.entryPointsOfEndpoint[e] {
                for piece in compiled.entryPieces(
                    door: d, endpoint: e, from: internet, protocols: .all, ports: .allPorts)
                {
                    result.append(
                        (
                            compiled.entryPoints[d],
                            AllowedFlows(flows: piece.box, decidedBy: piece.decisions.map(compiled.decision))
                        ))
                }
            }
        }
        return result
    }

    /// The internet sources a door admits past itself on its frontend ports (an application
    /// gateway's subnet NSG judges that leg; other doors admit every source here).
    public func sourcesPastFront(of door: EntryPoint) -> IntervalSet {
        compiled.frontLeg(door, from: compiled.publicInternet, ports: .allPorts).reduce(IntervalSet()) {
            $0.union($1.box.sources)
        }
    }

    /// The sources whose answers, leaving the NIC configuration at `address` for them, an Azure
    /// Firewall drops: its subnet's route to them names a firewall their opening does not pass
    /// (asymmetric routing). Empty where the subnet has no route table.
    public func answerDroppedSources(to address: IPv4Address) -> IntervalSet {
        guard let e = compiled.endpointByPrivate[address.value] else { return IntervalSet() }
        return compiled.answerDropped(e)
    }

    /// The route an answer from the NIC configuration at `address` to `source` leaves by, and the
    /// Azure Firewall or appliance it names (nil: no appliance on the way back).
    public func answerRoute(from address: IPv4Address, to source: IPv4Address)
        -> (route: RuleDecision, appliance: String, name: String, isFirewall: Bool)?
    {
        guard let e = compiled.endpointByPrivate[address.value], let v = compiled.endpoints[e].virtualNetwork else {
            return nil
        }
        let routing = compiled.routing
        let choice = routing.route(subnet: compiled.endpoints[e].subnet, vnet: v, to: source.value)
        guard let d = choice.decision, let hop = routing.applianceHop(choice.kind) else { return nil }
        return (d, hop.label, hop.firewall != nil ? hop.name : hop.label, hop.firewall != nil)
    }

    /// The doors leading to one NIC configuration (by its private address).
    public func entryPoints(to address: NetworkAddress) -> [EntryPoint] {
        guard let e = compiled.endpointByPrivate[address.value] else { return [] }
        return compiled.entryPointsOfEndpoint[e].map { compiled.entryPoints[$0] }
    }

    /// Where internet attackers can be: outside every VNet of the topology, less Azure's platform
    /// address 168.63.129.16 and the special-purpose ranges (the same for every VNet).
    public func internetAddresses(seenFrom virtualNetwork: ResourceID) -> IntervalSet {
        compiled.internetSources(compiled.vnetIndex[virtualNetwork])
    }

    /// Whether two VNets route to each other (same VNet, or peered with the peering connected).
    public func routes(_ a: ResourceID, _ b: ResourceID) -> Bool {
        guard let i = compiled.vnetIndex[a], let j = compiled.vnetIndex[b] else { return false }
        return compiled.routes(i, j)
    }

    /// For each rule of an NSG in one direction: the flows it really decides, and the rules before
    /// it that overlap it. Evaluated in every VNet the NSG filters for (its subnets' and NICs'),
    /// over the traffic that can occur there: inbound flows to, outbound flows from, the VNet's space.
    public func ruleReach(securityGroup id: ResourceID, direction: Direction) -> [RuleReach] {
        guard let nsg = compiled.nsgIndex[id] else { return [] }
        var contexts: Set<Int> = []
        for (i, s) in network.subnets.enumerated() where s.securityGroup == id {
            if let c = compiled.subnetTagContext[i] { contexts.insert(c) }
        }
        for e in compiled.endpoints where e.interfaceSecurityGroup == nsg {
            if let c = e.tagContext { contexts.insert(c) }
        }
        let rules = compiled.effectiveRules[nsg][direction] ?? []
        var reached = Array(repeating: [FlowBox](), count: rules.count)
        var covered = Array(repeating: Set<Int>(), count: rules.count)
        var matchesSomething = Array(repeating: false, count: rules.count)
        let contextList: [Int?] = contexts.isEmpty ? [nil] : contexts.sorted().map { $0 }
        for context in contextList {
            let space = context.map { compiled.vnetSpace[compiled.tagContextVNet[$0]] } ?? compiled.allSpace
            let domain = direction == .inbound ? FlowBox(destinations: space) : FlowBox(sources: space)
            let shares = compiled.ruleShares(nsg, direction, context: context, domain: domain, decideDefaults: true)
            for (i, share) in shares.enumerated() {
                if !share.matched.isEmpty { matchesSomething[i] = true }
                reached[i] += share.decided.boxes
                covered[i].formUnion(share.takenBy)
            }
        }
        return rules.indices.map { i in
            RuleReach(
                rule: rules[i], reached: reached[i], coveredBy: covered[i].sorted().map { rules[$0] },
                matchesNothing: !matchesSomething[i])
        }
    }

    func graphForPaths(protocol proto: TransportProtocol?, port: Int?) -> ClassGraph {
        let protocols: ProtocolSet = proto.map { ProtocolSet($0).intersection(.withPorts) } ?? .withPorts
        let ports = port.map { IntervalSet(UInt32($0), UInt32($0)) } ?? .allPorts
        let filter = ClassGraph.PortBox(protocols: protocols, sourcePorts: .allPorts, destinationPorts: ports)
        if let g = graphs[filter] { return g }
        let g = ClassGraph(compiled: compiled, classes: classes, filter: filter)
        graphs[filter] = g
        return g
    }

    /// All ordered pairs of behaviour classes between which some TCP or UDP flow is allowed.
    public func reachableClassPairs(protocol proto: TransportProtocol? = nil, port: Int? = nil) -> Int {
        let g = graphForPaths(protocol: proto, port: port)
        var count = 0
        for a in classes.classes.indices { count += g.successors(a).count }
        return count
    }

    /// Behaviour classes the internet can reach on some TCP or UDP port (members with a public IP).
    public func internetExposedClassCount() -> Int {
        let g = graphForPaths(protocol: nil, port: nil)
        return classes.classes.indices.filter { c in
            let e = classes.classes[c].representative
            let internet = compiled.internetSources(compiled.endpoints[e].virtualNetwork)
            return compiled.entryPointsOfEndpoint[e].contains { d in
                !compiled.entryPieces(
                    door: d, endpoint: e, from: internet, protocols: g.filter.protocols, ports: .allPorts
                )
                .isEmpty
            }
        }.count
    }
}
