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
        var starts: [UInt64]
        var ids: [Int]

        func id(at address: UInt32) -> Int {
            var lo = 0
            var hi = starts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if starts[mid] <= UInt64(address) { lo = mid + 1 } else { hi = mid }
            }
            return lo == 0 ? 0 : ids[lo - 1]
        }
    }

    let compiled: CompiledNetwork
    let classes: BehaviourClasses
    let filter: PortBox
    private var inbound: [[AnnotatedBox]?]
    private var outbound: [[AnnotatedBox]?]
    private var inboundProjection: [Projection?]
    private var outboundProjection: [Projection?]
    private var internedIndex: [Set<PortBox>: Int] = [Set(): 0]
    private var interned: [[PortBox]] = [[]]
    private var meetMemo: [UInt64: Bool] = [:]
    private var successorCache: [[Int]?]

    init(compiled: CompiledNetwork, classes: BehaviourClasses, filter: PortBox) {
        self.compiled = compiled
        self.classes = classes
        self.filter = filter
        let n = classes.classes.count
        inbound = Array(repeating: nil, count: n)
        outbound = Array(repeating: nil, count: n)
        inboundProjection = Array(repeating: nil, count: n)
        outboundProjection = Array(repeating: nil, count: n)
        successorCache = Array(repeating: nil, count: n)
    }

    func endpoint(_ c: Int) -> EngineEndpoint { compiled.endpoints[classes.classes[c].representative] }

    /// Flows allowed into class `c` (destination = its representative address), with deciding rules.
    func inboundRegion(_ c: Int) -> [AnnotatedBox] {
        if let cached = inbound[c] { return cached }
        let e = endpoint(c)
        let start = [AnnotatedBox(box: FlowBox(destinations: IntervalSet(e.address, e.address)), decisions: [])]
        let afterSubnet = compiled.filter(
            start, nsg: e.subnetSecurityGroup, direction: .inbound, context: e.virtualNetwork)
        let result = compiled.filter(
            afterSubnet, nsg: e.interfaceSecurityGroup, direction: .inbound, context: e.virtualNetwork)
        inbound[c] = result
        return result
    }

    /// Flows allowed out of class `c` (source = its representative address), with deciding rules.
    func outboundRegion(_ c: Int) -> [AnnotatedBox] {
        if let cached = outbound[c] { return cached }
        let e = endpoint(c)
        let start = [AnnotatedBox(box: FlowBox(sources: IntervalSet(e.address, e.address)), decisions: [])]
        let afterNIC = compiled.filter(
            start, nsg: e.interfaceSecurityGroup, direction: .outbound, context: e.virtualNetwork)
        let result = compiled.filter(
            afterNIC, nsg: e.subnetSecurityGroup, direction: .outbound, context: e.virtualNetwork)
        outbound[c] = result
        return result
    }

    private func portBox(_ box: FlowBox) -> PortBox? {
        PortBox(protocols: box.protocols, sourcePorts: box.sourcePorts, destinationPorts: box.destinationPorts)
            .meets(filter)
    }

    private func project(_ boxes: [AnnotatedBox], alongSources: Bool) -> Projection {
        var points: Set<UInt64> = [0]
        for piece in boxes {
            let axis = alongSources ? piece.box.sources : piece.box.destinations
            for (lo, hi) in axis.intervals {
                points.insert(UInt64(lo))
                points.insert(UInt64(hi) + 1)
            }
        }
        let starts = points.filter { $0 <= UInt64(UInt32.max) }.sorted()
        var ids: [Int] = []
        ids.reserveCapacity(starts.count)
        for start in starts {
            var set: Set<PortBox> = []
            for piece in boxes {
                let axis = alongSources ? piece.box.sources : piece.box.destinations
                if axis.contains(UInt32(start)), let pb = portBox(piece.box) { set.insert(pb) }
            }
            if let id = internedIndex[set] {
                ids.append(id)
            } else {
                internedIndex[set] = interned.count
                ids.append(interned.count)
                interned.append(Array(set))
            }
        }
        return Projection(starts: starts, ids: ids)
    }

    private func inboundProjectionOf(_ c: Int) -> Projection {
        if let p = inboundProjection[c] { return p }
        let p = project(inboundRegion(c), alongSources: true)
        inboundProjection[c] = p
        return p
    }

    private func outboundProjectionOf(_ c: Int) -> Projection {
        if let p = outboundProjection[c] { return p }
        let p = project(outboundRegion(c), alongSources: false)
        outboundProjection[c] = p
        return p
    }

    /// Whether some TCP/UDP flow (within the filter) goes from class `a` to class `b`.
    func reaches(_ a: Int, _ b: Int) -> Bool {
        let ea = endpoint(a)
        let eb = endpoint(b)
        guard let va = ea.virtualNetwork, let vb = eb.virtualNetwork, compiled.routes(va, vb) else { return false }
        let out = outboundProjectionOf(a).id(at: eb.address)
        if out == 0 { return false }
        let into = inboundProjectionOf(b).id(at: ea.address)
        if into == 0 { return false }
        let key = UInt64(out) << 32 | UInt64(into)
        if let known = meetMemo[key] { return known }
        var result = false
        search: for x in interned[out] {
            for y in interned[into] where x.meets(y) != nil {
                result = true
                break search
            }
        }
        meetMemo[key] = result
        return result
    }

    func successors(_ a: Int) -> [Int] {
        if let cached = successorCache[a] { return cached }
        guard let va = endpoint(a).virtualNetwork else { return [] }
        var result: [Int] = []
        for vb in classes.classesByVNet.indices where compiled.routes(va, vb) {
            for b in classes.classesByVNet[vb] where reaches(a, b) { result.append(b) }
        }
        successorCache[a] = result
        return result
    }

    /// Inbound pieces of class `c` a source set (e.g. the internet) can send, within the filter.
    func inboundPieces(_ c: Int, from sources: IntervalSet) -> [AnnotatedBox] {
        inboundRegion(c).compactMap { piece in
            let s = piece.box.sources.intersection(sources)
            guard !s.isEmpty, let pb = portBox(piece.box) else { return nil }
            return AnnotatedBox(
                box: FlowBox(
                    sources: s, destinations: piece.box.destinations, protocols: pb.protocols,
                    sourcePorts: pb.sourcePorts, destinationPorts: pb.destinationPorts), decisions: piece.decisions)
        }
    }

    /// A concrete flow from class `a`'s representative to `address` (a member of class `b`) that
    /// the NSGs allow, if any.
    func witness(from a: Int, to b: Int, address: UInt32) -> Flow? {
        let ea = endpoint(a)
        var best: PortBox?
        for o in outboundRegion(a) where o.box.destinations.contains(address) {
            guard let po = portBox(o.box) else { continue }
            for i in inboundRegion(b) where i.box.sources.contains(ea.address) {
                guard let pi = portBox(i.box), let m = po.meets(pi) else { continue }
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
        return (proto, 1000 + (box.destinationPorts.first ?? 0))
    }

    static func flow(from source: UInt32, to destination: UInt32, _ box: PortBox) -> Flow {
        let proto: TransportProtocol = box.protocols.contains(.tcp) ? .tcp : .udp
        let port = preferredPorts.first { box.destinationPorts.contains($0) } ?? box.destinationPorts.first ?? 0
        let sourcePort =
            box.sourcePorts.contains(UInt32(Flow.defaultSourcePort))
            ? UInt32(Flow.defaultSourcePort) : (box.sourcePorts.first ?? 0)
        return Flow(
            source: IPv4Address(source), destination: IPv4Address(destination), protocol: proto,
            sourcePort: Int(sourcePort), destinationPort: Int(port))
    }
}
