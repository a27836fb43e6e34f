import Findings

/// A door into the estate: where traffic is addressed (a public address, or for an *internal*
/// door a private frontend: an internal load balancer's, an application gateway's private
/// listener; protocols, ports) and where it lands after translation (backend NIC configurations,
/// a backend port, the source address the backend sees). Every question that starts on the
/// internet (`verify-flows` to a public address, `paths --from internet`, the audit's exposure
/// checks) goes through the public ones, and flows and paths inside the estate through the
/// internal ones, so a new kind of door is one more builder in `buildEntryPoints`.
///
/// An internal door admits traffic from inside the estate only (its frontend is a private
/// address): Azure's internal load balancer does not translate the source, so the backend's NSGs
/// see the client's own address on the backend port, and a Standard internal load balancer is
/// open to traffic from its VNet ("internal traffic from the virtual network to the internal load
/// balancer is allowed", Azure's SKU comparison), so it is never closed unless allowed.
///
/// Semantics (Azure's documentation): a load-balancing or NAT rule translates the frontend address
/// and port to a backend NIC's private address and backend port, keeping the client's address;
/// the NSGs then judge the translated flow. An application gateway ends the connection and opens
/// a new one from its own subnet, so the backend's NSGs see the gateway's address. A Standard SKU
/// public IP or load balancer admits nothing unless an NSG on the path allows it; a Basic one with
/// no NSG on the path is open; a door whose SKU the input does not give is read as Basic.
public struct EntryPoint: Sendable, Hashable {
    /// The kinds of door, as `internet-exposed-port` evidence names them in `via`.
    public enum Via: String, Sendable, Hashable, CaseIterable {
        case publicIP, loadBalancer, natRule, applicationGateway, firewallDNAT
        /// An Azure Front Door whose origin is another door's public frontend (added to the
        /// contract's list: the estate sees the request from Front Door's own addresses).
        case frontDoor
    }

    public var via: Via
    /// How a person names the door: the public IP, `LB/RULE`, `GATEWAY/ROUTING-RULE`.
    public var name: String
    /// The resource holding the door (public IP, load balancer, gateway, firewall).
    public var resource: ResourceID
    public var publicIP: ResourceID?
    /// The frontend public address; nil when the input does not give it (dynamic, a template).
    public var frontendAddress: NetworkAddress?
    /// What the door forwards: protocols, and the frontend ports the internet addresses.
    public var protocols: ProtocolSet
    public var frontendPorts: IntervalSet
    /// The port the backend sees; nil when the door does not translate ports (a NIC's public IP).
    public var backendPort: UInt32?
    public var sku: NetworkSKU?
    /// Secure by default: with no NSG on the path the door admits nothing (Standard SKU).
    public var closedUnlessAllowed: Bool
    /// The source address the backend sees; nil when it sees the client's own address.
    public var sourceSeenAs: NetworkAddress?
    /// A layer-7 service with a WAF in prevention mode.
    public var hasWAFPrevention: Bool
    public var location: SourceLocation?
    /// Backend NIC configurations (engine endpoint indices).
    var backends: [Int]
    /// Where the door itself sits when an NSG judges traffic before translation (an application
    /// gateway's subnet): the subnet index and the address the instances use.
    var frontSubnet: Int?
    /// A private frontend, reached from inside the estate (never from the internet).
    public var isInternal = false
    /// The rule's name on its resource (`http` of `ilb/http`), for `decidedBy`.
    var ruleName: String?
    /// The name of the resource holding the door (`ilb`).
    var resourceName: String?
    /// The address the estate sees the client as at the door's first leg (Front Door connects from
    /// its own `AzureFrontDoor.Backend` addresses); nil when the client's own address arrives.
    var relaySource: IPv4Address?

    /// What a door does to the flows it admits, whatever its name and address: two NICs reached
    /// through doors with equal behaviours are alike to every question (`BehaviourClasses`).
    struct Behaviour: Hashable {
        var protocols: ProtocolSet
        var frontendPorts: IntervalSet
        var backendPort: UInt32?
        var closedUnlessAllowed: Bool
        var sourceSeenAs: NetworkAddress?
        var frontSubnet: Int?
        var relaySource: IPv4Address?
    }

    var behaviour: Behaviour {
        Behaviour(
            protocols: protocols, frontendPorts: frontendPorts, backendPort: backendPort,
            closedUnlessAllowed: closedUnlessAllowed, sourceSeenAs: sourceSeenAs, frontSubnet: frontSubnet,
            relaySource: relaySource)
    }

    /// The backend ports that frontend ports `ports` lead to.
    public func backendPorts(forFrontend ports: IntervalSet) -> IntervalSet {
        let hit = ports.intersection(frontendPorts)
        guard let backendPort else { return hit }
        return hit.isEmpty ? IntervalSet() : IntervalSet(backendPort, backendPort)
    }

    /// The frontend port an attacker connects to for backend port `port`.
    public func frontendPort(forBackend port: UInt32) -> UInt32 {
        backendPort == nil ? port : (frontendPorts.first.map { UInt32($0) } ?? port)
    }

    /// Words for messages: "public IP pip-web", "load balancer rule lb-web/http".
    public var description: String {
        switch via {
        case .publicIP: "public IP \(frontendAddress?.description ?? name)"
        case .loadBalancer: isInternal ? "internal load balancer rule \(name)" : "load balancer rule \(name)"
        case .natRule: "inbound NAT rule \(name)"
        case .applicationGateway:
            isInternal ? "application gateway \(name) (private frontend)" : "application gateway \(name)"
        case .firewallDNAT: "firewall DNAT rule \(name)"
        case .frontDoor: "Front Door \(name)"
        }
    }
}

extension CompiledNetwork {
    /// Every door of the network, built once at the end of `init`: one builder per kind.
    func buildEntryPoints() -> [EntryPoint] {
        let lookup = MemberLookup(self)
        let doors = publicIPEntryPoints() + loadBalancerEntryPoints(lookup) + applicationGatewayEntryPoints(lookup)
        return doors + frontDoorEntryPoints(over: doors)
    }

    /// Front Door's doors: for each enabled origin that leads to a public frontend of the estate,
    /// that frontend's doors again, on the origin's HTTP and HTTPS ports, with the request arriving
    /// from Front Door's address (`frontDoorSource`) and Front Door's WAF in front. The internet
    /// reaches them from anywhere: Front Door's endpoint takes every client.
    private func frontDoorEntryPoints(over doors: [EntryPoint]) -> [EntryPoint] {
        var result: [EntryPoint] = []
        for fd in network.frontDoors {
            for origin in fd.origins where origin.enabled {
                let targets = Set(network.frontDoorTargets(origin))
                guard !targets.isEmpty else { continue }
                let ports = IntervalSet(
                    intervals: [origin.httpPort, origin.httpsPort].map { (UInt32($0), UInt32($0)) })
                for door in doors where !door.isInternal && door.via != .frontDoor {
                    guard let pip = door.publicIP, targets.contains(pip) else { continue }
                    let forwarded = door.frontendPorts.intersection(ports)
                    let protocols = door.protocols.intersection(.tcp)
                    guard !forwarded.isEmpty, !protocols.isEmpty else { continue }
                    var relayed = door
                    relayed.via = .frontDoor
                    relayed.name = "\(fd.name)/\(origin.name)"
                    relayed.resource = fd.id
                    relayed.frontendAddress = nil
                    relayed.protocols = protocols
                    relayed.frontendPorts = forwarded
                    relayed.relaySource = frontDoorSource
                    relayed.sourceSeenAs = door.sourceSeenAs ?? frontDoorSource
                    relayed.hasWAFPrevention = fd.wafMode == .prevention || door.hasWAFPrevention
                    relayed.location = origin.location ?? fd.location
                    relayed.resourceName = fd.name
                    relayed.ruleName = origin.name
                    result.append(relayed)
                }
            }
        }
        return result
    }

    /// Pool membership indexed once: NIC configurations by id, and the configurations naming each
    /// pool or NAT rule, so building doors stays linear in the estate.
    struct MemberLookup {
        var endpointByConfiguration: [ResourceID: Int] = [:]
        var namingPool: [ResourceID: [Int]] = [:]
        var endpointByPrivate: [UInt128: Int]

        init(_ compiled: CompiledNetwork) {
            endpointByPrivate = compiled.endpointByPrivate
            endpointByConfiguration.reserveCapacity(compiled.endpoints.count)
            let interfaces = compiled.network.interfaces
            for e in compiled.endpoints.indices {
                // By index: a copy of each interface (and configuration) per endpoint was most of
                // this loop's cost on large estates.
                let n = compiled.endpoints[e].interface
                let c = compiled.endpoints[e].configuration
                let id = ResourceID(
                    interfaces[n].id.text + "/ipConfigurations/" + interfaces[n].ipConfigurations[c].name)
                if endpointByConfiguration[id] == nil { endpointByConfiguration[id] = e }
                for pool in interfaces[n].ipConfigurations[c].backendPools { namingPool[pool, default: []].append(e) }
            }
        }

        /// Endpoint index of a NIC configuration named by id (`…/networkInterfaces/N/ipConfigurations/C`).
        func endpoint(configuration id: ResourceID) -> Int? { endpointByConfiguration[id] }

        /// Members of a pool: its own list, plus NIC configurations that name it.
        func members(of pool: ResourceID, listed: [BackendTarget]) -> [Int] {
            var result: [Int] = []
            for target in listed {
                switch target {
                case .ipConfiguration(let id): if let e = endpoint(configuration: id) { result.append(e) }
                case .address(let a): if let e = endpointByPrivate[a.value] { result.append(e) }
                }
            }
            result += namingPool[pool] ?? []
            var seen = Set<Int>()
            return result.filter { seen.insert($0).inserted }
        }
    }

    private func publicIPEntryPoints() -> [EntryPoint] {
        var result: [EntryPoint] = []
        for (e, endpoint) in endpoints.enumerated() where endpoint.hasPublicIP {
            let config = network.interfaces[endpoint.interface].ipConfigurations[endpoint.configuration]
            guard let pipID = config.publicIP else { continue }
            let pip = network.publicIP(pipID)
            result.append(
                EntryPoint(
                    via: .publicIP, name: pip?.name ?? pipID.lastComponent, resource: pipID, publicIP: pipID,
                    frontendAddress: endpoint.publicAddress.map(NetworkAddress.init), protocols: .all,
                    frontendPorts: .allPorts, backendPort: nil, sku: pip?.sku,
                    closedUnlessAllowed: pip?.sku == .standard,
                    sourceSeenAs: nil, hasWAFPrevention: false, location: pip?.location ?? config.location,
                    backends: [e],
                    frontSubnet: nil))
        }
        return result
    }

    private static func protocols(_ p: DoorProtocol) -> ProtocolSet {
        switch p {
        case .tcp: .tcp
        case .udp: .udp
        case .all: .withPorts
        }
    }

    private func loadBalancerEntryPoints(_ lookup: MemberLookup) -> [EntryPoint] {
        var result: [EntryPoint] = []
        for lb in network.loadBalancers {
            /// A rule's frontend: a public IP, or a private address (an internal load balancer).
            func frontend(_ id: ResourceID?) -> (
                pip: ResourceID?, address: IPv4Address?, sku: NetworkSKU?, internal: Bool
            )? {
                guard let id, let frontend = lb.frontends.first(where: { $0.id == id }) else { return nil }
                guard let pipID = frontend.publicIP else {
                    guard let address = frontend.privateAddress else { return nil }
                    return (nil, address, lb.sku, true)
                }
                let pip = network.publicIP(pipID)
                // A Standard load balancer takes only Standard public IPs; either saying so decides.
                let sku: NetworkSKU? = lb.sku == .standard || pip?.sku == .standard ? .standard : (lb.sku ?? pip?.sku)
                return (pipID, pip?.address, sku, false)
            }
            func door(
                _ via: EntryPoint.Via, _ name: String,
                _ fe: (pip: ResourceID?, address: IPv4Address?, sku: NetworkSKU?, internal: Bool),
                _ proto: DoorProtocol, _ ports: IntervalSet, _ backendPort: UInt32?, _ backends: [Int],
                _ location: SourceLocation?
            ) -> EntryPoint {
                EntryPoint(
                    via: via, name: "\(lb.name)/\(name)", resource: lb.id, publicIP: fe.pip,
                    frontendAddress: fe.address,
                    protocols: Self.protocols(proto), frontendPorts: ports, backendPort: backendPort, sku: fe.sku,
                    closedUnlessAllowed: fe.sku == .standard && !fe.internal, sourceSeenAs: nil,
                    hasWAFPrevention: false, location: location ?? lb.location, backends: backends, frontSubnet: nil,
                    isInternal: fe.internal, ruleName: name, resourceName: lb.name)
            }
            for rule in lb.rules {
                guard let fe = frontend(rule.frontend) else { continue }
                let backends = rule.backendPools.flatMap { id in
                    lookup.members(of: id, listed: lb.backendPools.first { $0.id == id }?.members ?? [])
                }
                let haPorts = rule.frontendPort == 0
                result.append(
                    door(
                        .loadBalancer, rule.name, fe, rule.protocol,
                        haPorts ? .allPorts : IntervalSet(UInt32(rule.frontendPort), UInt32(rule.frontendPort)),
                        haPorts ? nil : UInt32(rule.backendPort), backends, rule.location))
            }
            for rule in lb.natRules {
                guard let fe = frontend(rule.frontend) else { continue }
                var backends: [Int] = []
                if case .ipConfiguration(let id) = rule.backend, let e = lookup.endpoint(configuration: id) {
                    backends.append(e)
                }
                let single = rule.frontendPorts.count == 1 && rule.backendPool == nil
                if single {
                    backends += lookup.members(of: rule.id, listed: [])
                    let p = UInt32(rule.frontendPorts.lowerBound)
                    result.append(
                        door(
                            .natRule, rule.name, fe, rule.protocol, IntervalSet(p, p), UInt32(rule.backendPort),
                            Array(Set(backends)).sorted(), rule.location))
                } else if let pool = rule.backendPool {
                    // The newer form: each pool member gets the next frontend port of the range.
                    let listed = lb.backendPools.first { $0.id == pool }?.members ?? []
                    for (i, e) in lookup.members(of: pool, listed: listed).enumerated()
                    where rule.frontendPorts.lowerBound + i <= rule.frontendPorts.upperBound {
                        let p = UInt32(rule.frontendPorts.lowerBound + i)
                        result.append(
                            door(
                                .natRule, rule.name, fe, rule.protocol, IntervalSet(p, p), UInt32(rule.backendPort),
                                [e],
                                rule.location))
                    }
                }
            }
            for pool in lb.natPools {
                guard let fe = frontend(pool.frontend) else { continue }
                for (i, e) in lookup.members(of: pool.id, listed: []).enumerated()
                where pool.frontendPorts.lowerBound + i <= pool.frontendPorts.upperBound {
                    let p = UInt32(pool.frontendPorts.lowerBound + i)
                    result.append(
                        door(
                            .natRule, pool.name, fe, pool.protocol, IntervalSet(p, p), UInt32(pool.backendPort), [e],
                            pool.location))
                }
            }
        }
        return result
    }

    /// The address an application gateway's instances send from: its subnet's first address Azure
    /// allocates (the fifth), the same in every question (DESIGN.md, example J).
    func gatewayInstanceAddress(subnet s: Int) -> UInt128? {
        (network.subnets[s].prefixes.first(where: \.isIPv4) ?? network.subnets[s].prefixes.first).map {
            $0.length <= $0.familyBits - 3 ? $0.first &+ 4 : $0.first
        }
    }

    private func applicationGatewayEntryPoints(_ lookup: MemberLookup) -> [EntryPoint] {
        var result: [EntryPoint] = []
        for gateway in network.applicationGateways {
            let subnet = gateway.subnet.flatMap { subnetIndex[$0] }
            let instance = subnet.flatMap(gatewayInstanceAddress(subnet:))
            for route in gateway.routes {
                guard let listenerID = route.listener,
                    let listener = gateway.listeners.first(where: { $0.id == listenerID }),
                    let frontendID = listener.frontend,
                    let frontend = gateway.frontends.first(where: { $0.id == frontendID })
                else { continue }
                // A listener on the private frontend is a door from inside the estate only.
                let pipID = frontend.publicIP
                let isPrivate = pipID == nil
                guard !isPrivate || frontend.privateAddress != nil else { continue }
                let pip = pipID.flatMap { network.publicIP($0) }
                let pool = route.backendPool.flatMap { id in gateway.backendPools.first { $0.id == id } }
                let backends = route.backendPool.map { lookup.members(of: $0, listed: pool?.members ?? []) } ?? []
                let port = UInt32(listener.port)
                result.append(
                    EntryPoint(
                        via: .applicationGateway, name: "\(gateway.name)/\(route.name)", resource: gateway.id,
                        publicIP: pipID, frontendAddress: isPrivate ? frontend.privateAddress : pip?.address,
                        protocols: .tcp,
                        frontendPorts: IntervalSet(port, port), backendPort: UInt32(route.backendPort), sku: pip?.sku,
                        closedUnlessAllowed: false, sourceSeenAs: instance.map(NetworkAddress.init),
                        hasWAFPrevention: gateway.wafMode == .prevention, location: route.location ?? gateway.location,
                        backends: backends, frontSubnet: subnet, isInternal: isPrivate, ruleName: route.name,
                        resourceName: gateway.name))
            }
        }
        return result
    }

    /// Whether internet sources `sources` may pass the door itself on frontend ports `ports` (an
    /// application gateway's subnet NSG judges that leg), with the rules that decide it.
    func frontLeg(_ door: EntryPoint, from sources: IntervalSet, ports: IntervalSet) -> [AnnotatedBox] {
        // A layer-4 door keeps the family of its frontend (no NAT64 in Azure's data path).
        let sources = door.frontendAddress.map { sources.intersection(.family(of: $0.value)) } ?? sources
        let start = AnnotatedBox(
            box: FlowBox(
                sources: sources, destinations: .allAddresses, protocols: door.protocols,
                destinationPorts: ports.intersection(door.frontendPorts)), decisions: [])
        guard let s = door.frontSubnet, let address = gatewayInstanceAddress(subnet: s) else { return [start] }
        var box = start
        box.box.destinations = IntervalSet(address, address)
        return filter([box], nsg: subnetSecurityGroupIndex[s], direction: .inbound, context: subnetTagContext[s])
    }

    /// The flows internet sources `sources` get through door `d` into endpoint `e`, restricted to
    /// protocols and frontend ports `filter`: translated (destination the backend address, port
    /// the backend port, source the address the backend sees), each with the rules that allow it.
    /// Empty for a door that is closed unless an NSG allows when no NSG is on the path.
    func entryPieces(
        door d: Int, endpoint e: Int, from sources: IntervalSet, protocols: ProtocolSet, ports: IntervalSet
    )
        -> [AnnotatedBox]
    {
        let door = entryPoints[d]
        let endpoint = endpoints[e]
        let protocols = protocols.intersection(door.protocols)
        // Only a proxy (a gateway, which sends from its own address) may change the family.
        let sources = door.sourceSeenAs == nil ? sources.intersection(.family(of: endpoint.address)) : sources
        guard !protocols.isEmpty, !sources.isEmpty else { return [] }
        // Through Front Door the estate sees Front Door's address, whoever the client is.
        let front = frontLeg(
            door, from: door.relaySource.map { IntervalSet($0.value, $0.value) } ?? sources, ports: ports)
        let subnetNSG = endpoint.subnetSecurityGroup
        let nicNSG = endpoint.interfaceSecurityGroup
        if door.closedUnlessAllowed && subnetNSG == nil && nicNSG == nil { return [] }
        var result: [AnnotatedBox] = []
        for piece in front {
            let backendPorts = door.backendPorts(forFrontend: piece.box.destinationPorts)
            guard !backendPorts.isEmpty else { continue }
            // Sources whose answers an Azure Firewall on the way back drops (asymmetric routing) do not
            // get a connection.
            let seen = (door.sourceSeenAs.map { IntervalSet($0.value, $0.value) } ?? piece.box.sources)
                .subtracting(answerDropped(e))
            guard !seen.isEmpty else { continue }
            let start = AnnotatedBox(
                box: FlowBox(
                    sources: seen, destinations: IntervalSet(endpoint.address, endpoint.address),
                    protocols: piece.box.protocols.intersection(protocols), sourcePorts: piece.box.sourcePorts,
                    destinationPorts: backendPorts), decisions: piece.decisions)
            let afterSubnet = filter([start], nsg: subnetNSG, direction: .inbound, context: endpoint.tagContext)
            result += filter(afterSubnet, nsg: nicNSG, direction: .inbound, context: endpoint.tagContext)
        }
        return result
    }

    /// Why a public address that belongs to a NAT gateway or a bastion is no door, if it is one.
    func outboundOnlyNote(_ address: NetworkAddress) -> String? {
        guard let pip = network.publicIPs.first(where: { $0.address == address }),
            let holder = network.outboundOnlyDoors.first(where: { $0.publicIPs.contains(pip.id) })
        else { return nil }
        switch holder.kind {
        case .natGateway:
            return "\(address) is a public IP of NAT gateway '\(holder.name)', which carries outbound traffic only"
        case .bastion:
            return
                "\(address) is the public IP of Azure Bastion '\(holder.name)', which forwards no connection: it reaches VMs on 22/3389 from its own subnet"
        }
    }

    /// Doors whose frontend is `address`, and that forward `flow`'s protocol and port.
    func doors(forwarding flow: Flow) -> [Int] {
        guard let candidates = entryPointsByFrontend[flow.destination.value] else { return [] }
        let p = ProtocolSet(flow.protocol)
        return candidates.filter { d in
            entryPoints[d].protocols.contains(p)
                && (!ProtocolSet.withPorts.contains(p)
                    || entryPoints[d].frontendPorts.contains(UInt32(flow.destinationPort)))
        }
    }

    /// One flow addressed to a door's frontend, through each door and backend that forwards it:
    /// the first backend that admits it decides (traffic is balanced over the healthy ones), else
    /// the first that refuses it.
    func verifyThroughDoors(_ flow: Flow, source: Place) -> FlowVerdict {
        let candidates = doors(forwarding: flow)
        guard !candidates.isEmpty else {
            let names = (entryPointsByFrontend[flow.destination.value] ?? []).map { entryPoints[$0].description }
            return FlowVerdict(
                verdict: .unroutable, decidedBy: [],
                note:
                    "no door on \(flow.destination) forwards \(flow.protocol.rawValue) \(flow.destinationPort) (\(Array(Set(names)).sorted().joined(separator: ", ")))"
            )
        }
        return firstAdmitting(candidates) { d, e in verify(flow, through: entryPoints[d], to: e, source: source) }
    }

    /// Over doors and their backends: the first verdict that admits the flow (traffic is balanced
    /// over the healthy backends), else the first that refuses it, else unroutable.
    func firstAdmitting(_ candidates: [Int], _ verify: (_ door: Int, _ backend: Int) -> FlowVerdict) -> FlowVerdict {
        var first: FlowVerdict?
        for d in candidates {
            if entryPoints[d].backends.isEmpty {
                first =
                    first
                    ?? FlowVerdict(
                        verdict: .unroutable, decidedBy: [],
                        note: "\(entryPoints[d].description) has no backend in the input")
            }
            for e in entryPoints[d].backends {
                let verdict = verify(d, e)
                if verdict.verdict == .allowed { return verdict }
                if first == nil || first?.verdict == .unroutable { first = verdict }
            }
        }
        return first ?? FlowVerdict(verdict: .unroutable, decidedBy: [], note: nil)
    }

    private func verify(_ flow: Flow, through door: EntryPoint, to e: Int, source: Place) -> FlowVerdict {
        let endpoint = endpoints[e]
        let destination = Place(
            endpoint: e, subnet: endpoint.subnet, vnet: endpoint.virtualNetwork, address: endpoint.address)
        var decisions: [RuleDecision] = []
        var note: String
        if door.via == .publicIP {
            note = "public IP \(flow.destination) is translated to \(NetworkAddress(endpoint.address))"
        } else {
            note = Self.forwardNote(door, flow, to: endpoint.address)
        }
        guard destination.vnet != nil else { return Self.noSubnet(network.interfaces[endpoint.interface].name) }
        if source.isInternal {
            // Outbound sees the destination as addressed (a public address is an internet address).
            guard
                pass(
                    flow, through: levels(source, .outbound), .outbound, context: tagContext(of: source),
                    into: &decisions)
            else { return FlowVerdict(verdict: .denied, decidedBy: decisions, note: note) }
        }
        var inbound = flow
        if source.isInternal {
            // Hairpin through the internet: the source appears as its own public IP, if any.
            if let e = source.endpoint, let pub = endpoints[e].publicAddress {
                inbound.source = NetworkAddress(pub)
            } else if let any = internetSources(destination.vnet).first {
                // Azure's default outbound address is not in the export: any internet address.
                inbound.source = NetworkAddress(any)
            }
            note += "; the source arrives as \(inbound.source)"
        }
        if let s = door.frontSubnet, let address = gatewayInstanceAddress(subnet: s) {
            var front = inbound
            front.destination = NetworkAddress(address)
            let place = Place(endpoint: nil, subnet: s, vnet: subnetVNetIndex[s] ?? nil, address: address)
            guard
                pass(
                    front, through: levels(place, .inbound), .inbound, context: tagContext(of: place), into: &decisions)
            else {
                return FlowVerdict(verdict: .denied, decidedBy: decisions, note: note)
            }
        }
        if let seen = door.sourceSeenAs {
            inbound.source = seen
            note += "; the backend sees the gateway's address \(seen)"
        }
        inbound.destination = NetworkAddress(endpoint.address)
        if let port = door.backendPort { inbound.destinationPort = Int(port) }
        let nsgs = levels(destination, .inbound)
        if nsgs.isEmpty && door.closedUnlessAllowed {
            note +=
                "; Standard SKU: closed to inbound traffic unless an NSG on the path allows it, and none is attached"
            return FlowVerdict(verdict: .denied, decidedBy: decisions, note: note)
        }
        if nsgs.isEmpty && door.sku == nil && door.sourceSeenAs == nil {
            note += "; the SKU is not given: read as Basic, open with no NSG on the path"
        }
        let allowed = pass(inbound, through: nsgs, .inbound, context: tagContext(of: destination), into: &decisions)
        let verdict = FlowVerdict(verdict: allowed ? .allowed : .denied, decidedBy: decisions, note: note)
        return routing.judgeAnswer(
            verdict, from: destination.subnet, vnet: destination.vnet, replyTo: inbound.source.value, passed: [])
    }
}

// MARK: Internal doors

extension CompiledNetwork {
    /// Whether door `d` forwards the flow's protocol and (for TCP/UDP) its frontend port.
    func forwards(_ d: Int, _ flow: Flow) -> Bool {
        let door = entryPoints[d]
        let p = ProtocolSet(flow.protocol)
        return door.protocols.contains(p)
            && (!ProtocolSet.withPorts.contains(p) || door.frontendPorts.contains(UInt32(flow.destinationPort)))
    }

    /// One flow from inside the estate to a private frontend (an internal load balancer, an
    /// application gateway's private listener): the source's outbound NSGs and routes see the
    /// frontend as addressed; the door's rule translates it to each backend on the backend port
    /// (the source kept: Azure's load balancer does not translate it; a gateway's backend sees the
    /// gateway's address after its subnet's NSG judged the request); the backend's inbound NSGs
    /// judge the translated flow. The first backend that admits it decides, else the first that
    /// refuses it. Nil when no internal door listens on the destination.
    func verifyThroughInternalDoors(_ flow: Flow, source: Place) -> FlowVerdict? {
        guard let listening = internalDoorsByFrontend[flow.destination.value] else { return nil }
        let candidates = listening.filter { forwards($0, flow) }
        guard !candidates.isEmpty else {
            let names = Set(listening.map { entryPoints[$0].description }).sorted()
            return FlowVerdict(
                verdict: .unroutable, decidedBy: [],
                note:
                    "no rule on \(flow.destination) forwards \(flow.protocol.rawValue) \(flow.destinationPort) (\(names.joined(separator: ", ")))"
            )
        }
        return firstAdmitting(candidates) { d, e in verify(flow, throughInternal: d, to: e, source: source) }
    }

    /// `load balancer lb/http forwards 20.0.0.5:80 to 10.0.1.4:8080`: what a door does with a flow.
    static func forwardNote(_ door: EntryPoint, _ flow: Flow, to backend: UInt128) -> String {
        let port = door.backendPort.map { Int($0) } ?? flow.destinationPort
        return
            "\(door.description) forwards \(flow.destination):\(flow.destinationPort) to \(NetworkAddress(backend)):\(port)"
    }

    /// A backend NIC outside every known subnet: nothing routes to it.
    static func noSubnet(_ nic: String) -> FlowVerdict {
        FlowVerdict(
            verdict: .unroutable, decidedBy: [],
            note: "network interface '\(nic)' has no subnet in the input, so nothing routes to or from it")
    }

    /// The door rule as `decidedBy` names it: `load balancer ilb/http (10.0.2.6:80 -> 10.0.2.4:80)`.
    func doorDecision(_ door: EntryPoint, _ flow: Flow, backend: UInt128, port: Int) -> RuleDecision {
        var d = RuleDecision(
            securityGroup: door.resource, securityGroupName: door.resourceName ?? door.resource.lastComponent,
            rule: door.ruleName ?? door.name, direction: .inbound, access: .allow, priority: 0, isDefault: false,
            location: door.location)
        d.kind = .doorRule
        d.collection = door.via.rawValue
        d.detail = "\(flow.destination):\(flow.destinationPort) -> \(IPv4Address(backend)):\(port)"
        return d
    }

    /// One flow through internal door `d` to backend endpoint `e` (see `verifyThroughInternalDoors`).
    func verify(_ flow: Flow, throughInternal d: Int, to e: Int, source: Place) -> FlowVerdict {
        let door = entryPoints[d]
        let endpoint = endpoints[e]
        let destination = Place(
            endpoint: e, subnet: endpoint.subnet, vnet: endpoint.virtualNetwork, address: endpoint.address)
        let port = door.backendPort.map { Int($0) } ?? flow.destinationPort
        var note = Self.forwardNote(door, flow, to: endpoint.address)
        guard destination.vnet != nil else { return Self.noSubnet(network.interfaces[endpoint.interface].name) }
        guard source.isInternal, let sv = source.vnet else {
            return FlowVerdict(
                verdict: .unroutable, decidedBy: [],
                note: "\(flow.destination) is a private frontend; the internet reaches a VNet only through a public IP")
        }
        let frontVNet = virtualNetwork(containing: flow.destination.value)
        let rerouted = routing.reroutes(subnet: source.subnet)
        if !rerouted, let fv = frontVNet, !routes(sv, fv) {
            return FlowVerdict(
                verdict: .unroutable, decidedBy: [],
                note: "\(network.virtualNetworks[sv].name) and \(network.virtualNetworks[fv].name) are not peered")
        }
        var decisions: [RuleDecision] = []
        guard
            pass(flow, through: levels(source, .outbound), .outbound, context: tagContext(of: source), into: &decisions)
        else {
            return FlowVerdict(verdict: .denied, decidedBy: decisions, note: note)
        }
        func arrive(_ decisions: inout [RuleDecision], passed: Set<UInt128> = []) -> FlowVerdict {
            decisions.append(doorDecision(door, flow, backend: endpoint.address, port: port))
            var inbound = flow
            if let s = door.frontSubnet, let address = gatewayInstanceAddress(subnet: s) {
                var front = flow
                front.destination = IPv4Address(address)
                let place = Place(endpoint: nil, subnet: s, vnet: subnetVNetIndex[s] ?? nil, address: address)
                guard
                    pass(
                        front, through: levels(place, .inbound), .inbound, context: tagContext(of: place),
                        into: &decisions)
                else { return FlowVerdict(verdict: .denied, decidedBy: decisions, note: note) }
            }
            if let seen = door.sourceSeenAs {
                inbound.source = seen
                note += "; the backend sees the gateway's address \(seen)"
            }
            inbound.destination = IPv4Address(endpoint.address)
            inbound.destinationPort = port
            let allowed = pass(
                inbound, through: levels(destination, .inbound), .inbound, context: tagContext(of: destination),
                into: &decisions)
            let verdict = FlowVerdict(verdict: allowed ? .allowed : .denied, decidedBy: decisions, note: note)
            // The answer goes back from the backend to the source it saw (the client, or a gateway).
            return routing.judgeAnswer(
                verdict, from: destination.subnet, vnet: destination.vnet, replyTo: inbound.source.value, passed: passed
            )
        }
        if rerouted {
            return routing.carry(
                flow, subnet: source.subnet, vnet: sv, destinationVNet: frontVNet, destinationInternal: true,
                into: &decisions
            ) { decisions, _, passed in arrive(&decisions, passed: passed) }
        }
        return arrive(&decisions, passed: [])
    }
}
