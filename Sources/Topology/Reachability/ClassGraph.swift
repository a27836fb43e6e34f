/// The reachability graph between behaviour classes for one protocol/port filter.
///
/// For each class it keeps what may leave it (outbound NSGs, source fixed to the class address)
/// and what may enter it (inbound NSGs, destination fixed), each projected along the other
/// endpoint's address into segments that share one set of (protocol, source port, destination
/// port) boxes. A pair A→B is reachable when A's outbound projection at B's address meets B's
/// inbound projection at A's address; projections are interned so each distinct pair of port
/// sets is intersected once.
final class ClassGraph {
    /// Protocol and port part of a flow box.
    struct PortBox: Hashable {
        var protocols: ProtocolSet
        var sourcePorts: IntervalSet
        var destinationPorts: IntervalSet

        func meets(_ other: PortBox) -> PortBox? {
            let p = protocols.intersection(other.protocols)
            guard !p.isEmpty else { return nil }
            let dp = destinationPorts.intersection(other.destinationPorts)
            guard !dp.isEmpty else { return nil }
            let sp = sourcePorts.intersection(other.sourcePorts)
            guard !sp.isEmpty else { return nil }
            return PortBox(protocols: p, sourcePorts: sp, destinationPorts: dp)
        }
    }

    /// Segments along one address axis: `starts[i]` … `starts[i+1]-1` carry projection `ids[i]`.
    struct Projection {
        var starts: [UInt128]
        var ids: [Int]

        func id(at address: UInt128) -> Int {
            var lo = 0
            var hi = starts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if starts[mid] <= address { lo = mid + 1 } else { hi = mid }
            }
            return lo == 0 ? 0 : ids[lo - 1]
        }
    }

    let compiled: CompiledNetwork
    let classes: BehaviourClasses
    let filter: PortBox
    /// Distinct port boxes, and distinct sets of them (by sorted box ids); id 0 is the empty set.
    private var portBoxIndex: [PortBox: Int32] = [:]
    private var portBoxes: [PortBox] = []
    /// Inbound (index 0) and outbound (index 1) sets are interned apart, so each side's ids are
    /// dense and the meet table stays as small as the distinct sets on each side.
    private var internedIndex: [[[Int32]: Int]] = [[[]: 0], [[]: 0]]
    private var interned: [[[Int32]]] = [[[]], [[]]]
    /// Whether outbound set `out` meets inbound set `in`, keyed `out << 32 | in`.
    private var meetMemo: [UInt64: Bool] = [:]
    /// Per inbound group, within one sweep: the source class it was last looked up for, its
    /// inbound set id at that source, and the outbound id last checked with its answer. One
    /// struct per group keeps a lookup on one cache line.
    struct GroupSlot {
        var stamp: Int32 = -1
        var value: Int32 = 0
        var lastOut: Int32 = -1
        var answer = false
    }

    /// Classes whose inbound projections are identical share a group; the pair loop looks each
    /// group up once per source class. One slot per group.
    private var slots: [GroupSlot] = []
    /// Per VNet, aligned with `classesByAddress`: addresses and inbound groups, read in order.
    private var sortedAddresses: [[UInt128]] = []
    private var sortedGroups: [[Int32]] = []
    private var preparedVNets: Set<Int> = []
    /// For each VNet, the VNets it routes to (itself and its connected peers).
    private lazy var routable: [[Int]] = classesByAddress.indices.map { va in
        classesByAddress.indices.filter { compiled.mayRoute(va, $0) }
    }
    /// For each VNet, the VNets that route to it (routes through appliances need not be symmetric).
    private lazy var routedFrom: [[Int]] = classesByAddress.indices.map { vb in
        classesByAddress.indices.filter { compiled.mayRoute($0, vb) }
    }
    /// Per class: its address and VNet, flat for the pair loop.
    private let classAddress: [UInt128]
    private let classVNet: [Int]
    /// Classes of each VNet sorted by address, so a sweep meets projection segments in order, and
    /// each class's place in that order.
    private let classesByAddress: [[Int]]
    private let positionInVNet: [Int]

    init(compiled: CompiledNetwork, classes: BehaviourClasses, filter: PortBox) {
        self.compiled = compiled
        self.classes = classes
        self.filter = filter
        classAddress = classes.classes.map { compiled.endpoints[$0.representative].address }
        classVNet = classes.classes.map { compiled.endpoints[$0.representative].virtualNetwork ?? -1 }
        let addresses = classAddress
        classesByAddress = classes.classesByVNet.map { list in list.sorted { addresses[$0] < addresses[$1] } }
        var position = Array(repeating: 0, count: addresses.count)
        for list in classesByAddress { for (k, c) in list.enumerated() { position[c] = k } }
        positionInVNet = position
    }

    func endpoint(_ c: Int) -> EngineEndpoint { compiled.endpoints[classes.classes[c].representative] }

    /// Flows allowed into class `c` (destination = its representative address). The graph needs
    /// no deciding rules (hops are re-evaluated flow by flow), so none are carried.
    func inboundRegion(_ c: Int) -> [FlowBox] {
        let e = endpoint(c)
        // Sources whose answers an Azure Firewall drops on the way back (asymmetric routing) get no
        // connection.
        let start = FlowBox(destinations: IntervalSet(e.address, e.address))
            .subtracting(FlowBox(sources: compiled.answerDropped(classes.classes[c].representative)))
        let afterSubnet = compiled.allowed(
            start, nsg: e.subnetSecurityGroup, direction: .inbound, context: e.tagContext)
        return compiled.allowed(
            afterSubnet, nsg: e.interfaceSecurityGroup, direction: .inbound, context: e.tagContext)
    }

    /// Flows allowed out of class `c` (source = its representative address).
    func outboundRegion(_ c: Int) -> [FlowBox] {
        let e = endpoint(c)
        let start = [FlowBox(sources: IntervalSet(e.address, e.address))]
        let afterNIC = compiled.allowed(
            start, nsg: e.interfaceSecurityGroup, direction: .outbound, context: e.tagContext)
        let out = compiled.allowed(
            afterNIC, nsg: e.subnetSecurityGroup, direction: .outbound, context: e.tagContext)
        // A route table on the subnet: what arrives is what its routes and firewalls let on.
        guard let v = e.virtualNetwork, compiled.routing.reroutes(subnet: e.subnet) else { return out }
        return compiled.routing.routed(out, subnet: e.subnet, vnet: v)
    }

    private func portBox(_ box: FlowBox) -> PortBox? {
        PortBox(protocols: box.protocols, sourcePorts: box.sourcePorts, destinationPorts: box.destinationPorts)
            .meets(filter)
    }

    private func portBoxID(_ box: FlowBox) -> Int32? {
        guard let pb = portBox(box) else { return nil }
        if let id = portBoxIndex[pb] { return id }
        let id = Int32(portBoxes.count)
        portBoxIndex[pb] = id
        portBoxes.append(pb)
        return id
    }

    /// Sweeps the boxes' intervals along one address axis; each segment between consecutive
    /// interval ends gets the interned set of port boxes active there.
    private func project(_ boxes: [FlowBox], alongSources: Bool) -> Projection {
        var events: [(point: UInt128, box: Int32, delta: Int32)] = []
        for box in boxes {
            guard let id = portBoxID(box) else { continue }
            let axis = alongSources ? box.sources : box.destinations
            for (lo, hi) in axis.intervals {
                events.append((lo, id, 1))
                if hi < UInt128.max { events.append((hi + 1, id, -1)) }
            }
        }
        events.sort { $0.point < $1.point }
        var active: [Int32: Int32] = [:]
        var starts: [UInt128] = [0]
        var ids: [Int] = [0]
        var i = 0
        while i < events.count {
            let point = events[i].point
            while i < events.count && events[i].point == point {
                let e = events[i]
                let count = (active[e.box] ?? 0) + e.delta
                active[e.box] = count == 0 ? nil : count
                i += 1
            }
            let set = active.keys.sorted()
            let id: Int
            let side = alongSources ? 0 : 1
            if let known = internedIndex[side][set] {
                id = known
            } else {
                id = interned[side].count
                internedIndex[side][set] = id
                interned[side].append(set)
            }
            if starts.last == point {
                ids[ids.count - 1] = id
            } else if ids.last != id {
                starts.append(point)
                ids.append(id)
            }
        }
        return Projection(starts: starts, ids: ids)
    }

    private func meets(_ out: Int, _ into: Int) -> Bool {
        let key = UInt64(out) << 32 | UInt64(into)
        if let known = meetMemo[key] { return known }
        var result = false
        search: for x in interned[1][out] {
            for y in interned[0][into] where portBoxes[Int(x)].meets(portBoxes[Int(y)]) != nil {
                result = true
                break search
            }
        }
        meetMemo[key] = result
        return result
    }

    private func group(of b: Int) -> Int {
        let g = inboundKey(b)
        while slots.count <= g { slots.append(GroupSlot()) }
        return g
    }

    /// What decides a class's region besides its own address: the NSGs in order, the VNet context,
    /// and which of their rules name the class address on the fixed side. Classes with equal keys
    /// have equal projections, so each is computed once.
    struct RegionKey: Hashable {
        var first: Int?
        var second: Int?
        var vnet: Int
        var signature: [UInt64]
        /// Outbound: the subnet's route table (routes and firewalls reshape the region).
        var routeTable: Int? = nil
    }

    private var inboundKeyIndex: [RegionKey: Int] = [:]
    private var inboundKeyProjections: [Projection] = []
    private var inboundKeyOfClass: [Int]?
    private var outboundKeyIndex: [RegionKey: Int] = [:]
    private var outboundKeyProjections: [Projection] = []
    private var outboundKeyOfClass: [Int]?

    private func regionKey(_ c: Int, _ direction: Direction) -> RegionKey {
        let e = endpoint(c)
        let vnet = e.virtualNetwork ?? -1
        let (first, second) =
            direction == .inbound
            ? (e.subnetSecurityGroup, e.interfaceSecurityGroup) : (e.interfaceSecurityGroup, e.subnetSecurityGroup)
        var signature: [UInt64] = []
        var word: UInt64 = 0
        var bit = 0
        for nsg in [first, second] {
            guard let nsg else { continue }
            for rule in compiled.compiledRules(nsg, direction, context: e.tagContext) {
                let side = direction == .inbound ? rule.box.destinations : rule.box.sources
                if side.contains(e.address) { word |= 1 << UInt64(bit) }
                bit += 1
                if bit == 64 {
                    signature.append(word)
                    word = 0
                    bit = 0
                }
            }
        }
        var routeTable: Int?
        if direction == .outbound, let s = e.subnet, let t = compiled.routing.tableOfSubnet[s] {
            routeTable = t
            // Firewall rules naming the class address as a source tell classes apart too.
            for rules in compiled.routing.filterRules {
                for rule in rules {
                    if rule.box.sources.contains(e.address) { word |= 1 << UInt64(bit) }
                    bit += 1
                    if bit == 64 {
                        signature.append(word)
                        word = 0
                        bit = 0
                    }
                }
            }
        }
        signature.append(word)
        return RegionKey(first: first, second: second, vnet: vnet, signature: signature, routeTable: routeTable)
    }

    /// Index of the class's inbound key; the inbound groups of the pair loop.
    private func inboundKey(_ c: Int) -> Int {
        if inboundKeyOfClass == nil { inboundKeyOfClass = Array(repeating: -1, count: classAddress.count) }
        if let k = inboundKeyOfClass?[c], k >= 0 { return k }
        let key = regionKey(c, .inbound)
        let k: Int
        if let known = inboundKeyIndex[key] {
            k = known
        } else {
            k = inboundKeyProjections.count
            inboundKeyIndex[key] = k
            inboundKeyProjections.append(project(inboundRegion(c), alongSources: true))
        }
        inboundKeyOfClass?[c] = k
        return k
    }

    private func inboundProjectionOf(_ c: Int) -> Projection { inboundKeyProjections[inboundKey(c)] }

    private func outboundProjectionOf(_ c: Int) -> Projection {
        if outboundKeyOfClass == nil { outboundKeyOfClass = Array(repeating: -1, count: classAddress.count) }
        if let k = outboundKeyOfClass?[c], k >= 0 { return outboundKeyProjections[k] }
        let key = regionKey(c, .outbound)
        let k: Int
        if let known = outboundKeyIndex[key] {
            k = known
        } else {
            k = outboundKeyProjections.count
            outboundKeyIndex[key] = k
            outboundKeyProjections.append(project(outboundRegion(c), alongSources: false))
        }
        outboundKeyOfClass?[c] = k
        return outboundKeyProjections[k]
    }

    /// The VNet of a class, and the VNets its traffic routes to (itself and connected peers), in
    /// the order `successors` sweeps them.
    func virtualNetwork(of c: Int) -> Int { classVNet[c] }
    func routableVNets(of c: Int) -> [Int] { classVNet[c] >= 0 ? routable[classVNet[c]] : [] }
    /// The VNets whose traffic routes to class `c`'s.
    func sourceVNets(of c: Int) -> [Int] { classVNet[c] >= 0 ? routedFrom[classVNet[c]] : [] }
    func address(of c: Int) -> UInt128 { classAddress[c] }

    /// Whether anything at all may enter class `c` (within the filter); a class nothing may enter
    /// is reached by no hop.
    func admitsAnything(_ c: Int) -> Bool { inboundProjectionOf(c).ids.contains { $0 != 0 } }

    /// Whether some TCP/UDP flow (within the filter) goes from class `a` to class `b`.
    func reaches(_ a: Int, _ b: Int) -> Bool {
        if directlyReaches(a, b) { return true }
        return (internalDoorsInto[b] ?? []).contains { doorHop(from: a, door: $0, to: b) != nil }
    }

    private func directlyReaches(_ a: Int, _ b: Int) -> Bool {
        let va = classVNet[a]
        let vb = classVNet[b]
        guard va >= 0, vb >= 0, compiled.mayRoute(va, vb),
            NetworkAddress(classAddress[a]).isIPv4 == NetworkAddress(classAddress[b]).isIPv4
        else { return false }
        let out = outboundProjectionOf(a).id(at: classAddress[b])
        if out == 0 { return false }
        let into = inboundProjectionOf(b).id(at: classAddress[a])
        if into == 0 { return false }
        return meets(out, into)
    }

    // MARK: Hops through internal doors

    /// An internal door (a private frontend) as the graph uses it: its frontend address and VNet,
    /// and the classes of its backends (the class key holds the door, so all their members are).
    struct InternalDoor {
        var door: Int
        var address: UInt128
        var vnet: Int
        var backends: [Int]
        /// The source the backend sees when it is not the client's (a gateway's address).
        var sourceSeenAs: UInt128?
        /// A gateway: its subnet's NSG judges the request first.
        var hasFrontLeg: Bool
    }

    private(set) lazy var internalDoors: [InternalDoor] = compiled.entryPoints.indices.compactMap { d in
        let door = compiled.entryPoints[d]
        guard door.isInternal, let address = door.frontendAddress?.value,
            compiled.internalDoorsByFrontend[address]?.contains(d) ?? false,
            let vnet = compiled.virtualNetwork(containing: address)
        else { return nil }
        let backends = Set(door.backends.compactMap { classes.classOfEndpoint[$0] }).sorted()
        return InternalDoor(
            door: d, address: address, vnet: vnet, backends: backends, sourceSeenAs: door.sourceSeenAs?.value,
            hasFrontLeg: door.frontSubnet != nil)
    }

    /// Per VNet, the internal doors whose frontend is in it; per class, the doors leading into it.
    private lazy var internalDoorsByVNet: [Int: [Int]] = {
        var result: [Int: [Int]] = [:]
        for (k, door) in internalDoors.enumerated() { result[door.vnet, default: []].append(k) }
        return result
    }()
    private lazy var internalDoorsInto: [Int: [Int]] = {
        var result: [Int: [Int]] = [:]
        for (k, door) in internalDoors.enumerated() { for b in door.backends { result[b, default: []].append(k) } }
        return result
    }()

    /// What may enter class `c` (no protocol or port filter: a door's filter is on the port the
    /// client addresses, not the backend port), kept once computed.
    private var unfilteredInbound: [Int: [FlowBox]] = [:]

    private func inboundUnfiltered(_ c: Int) -> [FlowBox] {
        if let known = unfilteredInbound[c] { return known }
        let region = inboundRegion(c)
        unfilteredInbound[c] = region
        return region
    }

    /// A hop from class `a` through internal door `k` (an index into `internalDoors`) to its backend
    /// class `b`: the protocols, source ports and frontend ports (within the filter) that `a`'s
    /// outbound NSGs and routes let out to the frontend, that the door forwards (and, for a gateway,
    /// its subnet's NSG lets in), and whose translated flow `b`'s inbound NSGs admit — from `a`'s
    /// own address (a load balancer keeps it) or the gateway's. Nil when there is none.
    func doorHop(from a: Int, door k: Int, to b: Int) -> PortBox? {
        let entry = internalDoors[k]
        let va = classVNet[a]
        guard va >= 0, compiled.mayRoute(va, entry.vnet) else { return nil }
        let out = outboundProjectionOf(a).id(at: entry.address)
        if out == 0 { return nil }
        let source = classAddress[a]
        let seen = entry.sourceSeenAs ?? source
        let inbound = inboundUnfiltered(b)
        // Which of b's inbound boxes admit the source: with the outbound set and the door, all the
        // answer depends on (a gateway's front leg also depends on the source address itself).
        var mask: UInt64 = 0
        for (i, y) in inbound.enumerated() where i < 64 && y.sources.contains(seen) { mask |= 1 << UInt64(i) }
        let exact = inbound.count <= 64 && !entry.hasFrontLeg
        if exact && mask == 0 { return nil }
        let key = DoorHopKey(out: Int32(out), door: Int32(k), target: Int32(b), mask: mask)
        if exact, let known = doorHopMemo[key] { return known }
        let door = compiled.entryPoints[entry.door]
        var best: PortBox?
        for x in interned[1][out] {
            let box = portBoxes[Int(x)]
            var protocols = box.protocols.intersection(door.protocols)
            guard !protocols.isEmpty else { continue }
            var frontPorts = box.destinationPorts.intersection(door.frontendPorts)
            guard !frontPorts.isEmpty else { continue }
            if entry.hasFrontLeg {
                // The gateway's subnet NSG judges the request to the gateway first.
                let front = compiled.frontLeg(door, from: IntervalSet(source, source), ports: frontPorts)
                frontPorts = front.reduce(IntervalSet()) { $0.union($1.box.destinationPorts) }
                protocols = front.reduce(ProtocolSet()) { $0.union($1.box.protocols) }.intersection(protocols)
                guard !protocols.isEmpty, !frontPorts.isEmpty else { continue }
            }
            let translated = PortBox(
                protocols: protocols, sourcePorts: box.sourcePorts,
                destinationPorts: door.backendPorts(forFrontend: frontPorts))
            for (i, y) in inbound.enumerated() {
                guard i < 64 ? mask & (1 << UInt64(i)) != 0 : y.sources.contains(seen) else { continue }
                let admitted = PortBox(
                    protocols: y.protocols, sourcePorts: y.sourcePorts, destinationPorts: y.destinationPorts)
                guard let m = translated.meets(admitted) else { continue }
                // In the client's terms: the frontend ports that lead to the admitted backend ports.
                let hop = PortBox(
                    protocols: m.protocols, sourcePorts: m.sourcePorts,
                    destinationPorts: door.backendPort == nil ? m.destinationPorts : frontPorts)
                if best == nil || Self.preference(hop) < Self.preference(best!) { best = hop }
            }
        }
        if exact { doorHopMemo[key] = best }
        return best
    }

    /// `doorHop`'s answers by outbound set, door, target class and the target's inbound boxes that
    /// admit the source.
    private struct DoorHopKey: Hashable {
        var out: Int32
        var door: Int32
        var target: Int32
        var mask: UInt64
    }

    private var doorHopMemo: [DoorHopKey: PortBox?] = [:]
    /// Per class, the last `successors` call that listed it (so door hops skip it without a set).
    private var listedStamp: [Int32] = []
    private var listedCall: Int32 = 0

    /// The classes `a` reaches through internal doors, in door order, less those `skip` names and
    /// those `successors` already listed (`listedStamp` equal to `listedCall`).
    private func doorSuccessors(_ a: Int, skipping skip: ((Int) -> Bool)?) -> [Int] {
        guard classVNet[a] >= 0, !internalDoors.isEmpty else { return [] }
        var result: [Int] = []
        for vb in routable[classVNet[a]] {
            for k in internalDoorsByVNet[vb] ?? [] {
                for b in internalDoors[k].backends where listedStamp[b] != listedCall && !(skip?(b) ?? false) {
                    if doorHop(from: a, door: k, to: b) != nil {
                        listedStamp[b] = listedCall
                        result.append(b)
                    }
                }
            }
        }
        return result
    }

    /// A concrete flow from class `a`'s representative to the frontend of an internal door leading
    /// to class `b`, with the door (an `entryPoints` index), if any.
    func doorWitness(from a: Int, to b: Int) -> (flow: Flow, door: Int)? {
        var best: (box: PortBox, k: Int)?
        for k in internalDoorsInto[b] ?? [] {
            guard let hop = doorHop(from: a, door: k, to: b) else { continue }
            if best == nil || Self.preference(hop) < Self.preference(best!.box) { best = (hop, k) }
        }
        guard let best else { return nil }
        let entry = internalDoors[best.k]
        return (Self.flow(from: classAddress[a], to: entry.address, best.box), entry.door)
    }

    /// Gives every class of a VNet its inbound group, once, before sweeps read them in bulk.
    private func prepareGroups(_ vnet: Int) {
        if sortedGroups.isEmpty {
            sortedGroups = Array(repeating: [], count: classesByAddress.count)
            sortedAddresses = classesByAddress.map { $0.map { classAddress[$0] } }
        }
        guard !preparedVNets.contains(vnet) else { return }
        preparedVNets.insert(vnet)
        sortedGroups[vnet] = classesByAddress[vnet].map { Int32(group(of: $0)) }
    }

    /// Every class `a` reaches: for each routable VNet, a sweep of its classes in address order
    /// along `a`'s outbound segments, with each inbound group looked up once.
    func successors(_ a: Int, skipping skip: ((Int) -> Bool)? = nil) -> [Int] {
        let va = classVNet[a]
        guard va >= 0 else { return [] }
        let out = outboundProjectionOf(a)
        let source = classAddress[a]
        let vnets = routable[va]
        for vb in vnets { prepareGroups(vb) }
        // The sweep works on local arrays: class-property access in this loop costs more than the
        // work itself (reference counting and exclusivity checks).
        let projections = inboundKeyProjections
        var slot = slots
        slots = []
        let stampOfA = Int32(a)
        var result: [Int] = []
        // A flow keeps its family: IPv4 classes reach IPv4 classes, IPv6 ones IPv6 ones.
        let sourceIsIPv4 = NetworkAddress.ipv4Range.contains(source)
        for vb in vnets {
            var segment = 0
            let members = classesByAddress[vb]
            let addresses = sortedAddresses[vb]
            let groups = sortedGroups[vb]
            for k in members.indices {
                let b = members[k]
                if let skip, skip(b) { continue }
                let address = addresses[k]
                if NetworkAddress.ipv4Range.contains(address) != sourceIsIPv4 { continue }
                while segment + 1 < out.starts.count && out.starts[segment + 1] <= address { segment += 1 }
                let o = Int32(out.ids[segment])
                if o == 0 { continue }
                let g = Int(groups[k])
                if slot[g].stamp != stampOfA {
                    slot[g].stamp = stampOfA
                    slot[g].value = Int32(projections[g].id(at: source))
                    slot[g].lastOut = -1
                }
                let i = slot[g].value
                if i == 0 { continue }
                if slot[g].lastOut != o {
                    slot[g].lastOut = o
                    slot[g].answer = meets(Int(o), Int(i))
                }
                if slot[g].answer { result.append(b) }
            }
        }
        slots = slot
        if !internalDoors.isEmpty {
            if listedStamp.isEmpty { listedStamp = Array(repeating: -1, count: classAddress.count) }
            listedCall += 1
            for b in result { listedStamp[b] = listedCall }
            result += doorSuccessors(a, skipping: skip)
        }
        return result
    }

    /// The classes with a hop to class `b` (within the filter), or nil once `budget` candidate
    /// sources have been looked at (`budget` is lowered by what was used).
    func predecessors(of b: Int, budget: inout Int, excluding skip: (Int) -> Bool = { _ in false }) -> [Int]? {
        let vb = classVNet[b]
        guard vb >= 0 else { return [] }
        let into = inboundProjectionOf(b)
        let target = classAddress[b]
        var result: [Int] = []
        for va in routedFrom[vb] {
            for a in classesByAddress[va] where !skip(a) {
                budget -= 1
                if budget < 0 { return nil }
                let i = into.id(at: classAddress[a])
                if i == 0 { continue }
                let o = outboundProjectionOf(a).id(at: target)
                if o != 0 && meets(o, i) { result.append(a) }
            }
        }
        // Through internal doors leading to b: every class routing to the door's frontend.
        var found = Set(result)
        for k in internalDoorsInto[b] ?? [] {
            for va in routedFrom[internalDoors[k].vnet] {
                for a in classesByAddress[va] where !skip(a) && !found.contains(a) {
                    budget -= 1
                    if budget < 0 { return nil }
                    if doorHop(from: a, door: k, to: b) != nil {
                        found.insert(a)
                        result.append(a)
                    }
                }
            }
        }
        return result
    }

    /// Where `successors(a)` names class `b`: the rank of `b`'s VNet among those `a` routes to,
    /// then `b`'s place in its VNet's address order.
    /// Where `successors(a)` names class `b`, as a rank to compare lexicographically: the sweep
    /// first (`[0, VNet rank, place]`, as `sweepPosition`), then the door hops in the order
    /// `doorSuccessors` lists them (`[1, VNet rank, door rank, backend rank]`). Nil when `a`
    /// reaches `b` neither way.
    func successorRank(of b: Int, from a: Int) -> [Int]? {
        if directlyReaches(a, b) {
            let place = sweepPosition(of: b, from: a)
            return [0, place.vnet, place.place]
        }
        guard classVNet[a] >= 0, !internalDoors.isEmpty else { return nil }
        for (r, vb) in routable[classVNet[a]].enumerated() {
            for (q, k) in (internalDoorsByVNet[vb] ?? []).enumerated() {
                if let j = internalDoors[k].backends.firstIndex(of: b), doorHop(from: a, door: k, to: b) != nil {
                    return [1, r, q, j]
                }
            }
        }
        return nil
    }

    /// The VNets whose classes may have a hop to class `c`: those routing to its VNet, and to the
    /// frontends of the internal doors leading to it.
    func sourceVNetsWithDoors(of c: Int) -> [Int] {
        var vnets = sourceVNets(of: c)
        for k in internalDoorsInto[c] ?? [] { vnets += routedFrom[internalDoors[k].vnet] }
        return Array(Set(vnets))
    }

    func sweepPosition(of b: Int, from a: Int) -> (vnet: Int, place: Int) {
        let vnets = routable[classVNet[a]]
        let vnet = vnets.firstIndex(of: classVNet[b]) ?? vnets.count
        return (vnet, positionInVNet[b])
    }

    /// Whether no foothold can ever reach class `t`: the closure of `t`'s predecessors (classes
    /// with a hop to it, then theirs, …) holds no class `isFoothold` names. A class reached later
    /// by the search is reached from a foothold, so it would bring that foothold into the
    /// closure: a closure without one proves `t` unreachable for good. Gives up (false) once it
    /// has looked at `budget` candidate sources, or when a class of the closure has a member
    /// with sibling NICs (`hasSiblings`): a VM bridging two classes is no hop.
    func provenUnreachable(
        _ t: Int, budget: Int, isFoothold: (Int) -> Bool, hasSiblings: (Int) -> Bool
    ) -> Bool {
        var closure: Set<Int> = [t]
        var stack = [t]
        var left = budget
        while let b = stack.popLast() {
            if isFoothold(b) || hasSiblings(b) { return false }
            guard let found = predecessors(of: b, budget: &left, excluding: { closure.contains($0) }) else {
                return false
            }
            for a in found {
                closure.insert(a)
                stack.append(a)
            }
        }
        return true
    }

    /// Inbound pieces of class `c` a source set (e.g. the internet) can send, within the filter.
    func inboundPieces(_ c: Int, from sources: IntervalSet) -> [AnnotatedBox] {
        let sources = sources.intersection(.family(of: classAddress[c]))
        return inboundRegion(c).compactMap { box in
            let s = box.sources.intersection(sources)
            guard !s.isEmpty, let pb = portBox(box) else { return nil }
            return AnnotatedBox(
                box: FlowBox(
                    sources: s, destinations: box.destinations, protocols: pb.protocols,
                    sourcePorts: pb.sourcePorts, destinationPorts: pb.destinationPorts), decisions: [])
        }
    }

    /// A concrete flow from class `a`'s representative to `address` (a member of class `b`) that
    /// the NSGs allow, if any.
    func witness(from a: Int, to b: Int, address: UInt128) -> Flow? {
        let ea = endpoint(a)
        var best: PortBox?
        // `b`'s inbound region once (kept: every path into `b` asks), not once per outbound box.
        var inbound: [FlowBox]?
        for o in outboundRegion(a) where o.destinations.contains(address) {
            guard let po = portBox(o) else { continue }
            if inbound == nil { inbound = inboundUnfiltered(b) }
            for i in inbound ?? [] where i.sources.contains(ea.address) {
                guard let pi = portBox(i), let m = po.meets(pi) else { continue }
                if best == nil || ClassGraph.preference(m) < ClassGraph.preference(best!) { best = m }
            }
        }
        guard let best else { return nil }
        return ClassGraph.flow(from: ea.address, to: address, best)
    }

    /// Ports an attacker moving sideways cares about first; otherwise the lowest allowed port.
    static let preferredPorts: [UInt32] = [22, 3389, 445, 5985, 5986, 1433, 3306, 5432, 23, 80, 443]

    static func preference(_ box: PortBox) -> (Int, UInt32) {
        let proto = box.protocols.contains(.tcp) ? 0 : 1
        if let i = preferredPorts.firstIndex(where: { box.destinationPorts.contains($0) }) { return (proto, UInt32(i)) }
        return (proto, 1000 + UInt32(box.destinationPorts.first ?? 0))
    }

    static func flow(from source: UInt128, to destination: UInt128, _ box: PortBox) -> Flow {
        let proto: TransportProtocol = box.protocols.contains(.tcp) ? .tcp : .udp
        let port = preferredPorts.first { box.destinationPorts.contains($0) } ?? UInt32(box.destinationPorts.first ?? 0)
        let sourcePort =
            box.sourcePorts.contains(UInt32(Flow.defaultSourcePort))
            ? UInt32(Flow.defaultSourcePort) : UInt32(box.sourcePorts.first ?? 0)
        return Flow(
            source: NetworkAddress(source), destination: NetworkAddress(destination), protocol: proto,
            sourcePort: Int(sourcePort), destinationPort: Int(port))
    }
}
