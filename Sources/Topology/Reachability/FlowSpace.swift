/// A set of protocols as a bit mask over `TransportProtocol`.
public struct ProtocolSet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public init(_ p: TransportProtocol) {
        switch p {
        case .tcp: self = .tcp
        case .udp: self = .udp
        case .icmp: self = .icmp
        case .esp: self = .esp
        case .ah: self = .ah
        }
    }

    public static let tcp = ProtocolSet(rawValue: 1)
    public static let udp = ProtocolSet(rawValue: 2)
    public static let icmp = ProtocolSet(rawValue: 4)
    public static let esp = ProtocolSet(rawValue: 8)
    public static let ah = ProtocolSet(rawValue: 16)
    /// Every IP protocol a rule's `Any` covers beyond the five named ones (GRE, SCTP, …). No flow
    /// of `verify-flows` has one, but a rule set that names each protocol apart does not cover
    /// what `Any` covers, so a later `Any` rule still decides these.
    public static let other = ProtocolSet(rawValue: 32)
    public static let all: ProtocolSet = [.tcp, .udp, .icmp, .esp, .ah, .other]
    public static let withPorts: ProtocolSet = [.tcp, .udp]

    /// The protocols a rule names: `Any` is every protocol.
    public init(_ ruleProtocol: RuleProtocol) {
        switch ruleProtocol {
        case .any: self = .all
        case .tcp: self = .tcp
        case .udp: self = .udp
        case .icmp: self = .icmp
        case .esp: self = .esp
        case .ah: self = .ah
        }
    }

    public var members: [TransportProtocol] { TransportProtocol.allCases.filter { contains(ProtocolSet($0)) } }

    /// Lower-case names, for messages and evidence: `["any"]` for every protocol.
    public var names: [String] {
        if self == .all { return ["any"] }
        var out: [String] = []
        for (bit, name) in [(ProtocolSet.tcp, "tcp"), (.udp, "udp"), (.icmp, "icmp"), (.esp, "esp"), (.ah, "ah")]
        where contains(bit) { out.append(name) }
        return out
    }
}

/// A product region of flows: every combination of a source address, destination address,
/// protocol, source port and destination port drawn from the five sets. One security rule matches
/// exactly one such box, so rule evaluation is box algebra.
///
/// Ports mean something only for TCP and UDP; a port-less flow (ICMP, ESP, AH) is in a box when its
/// protocol is, whatever the port sets (which for such boxes are always full).
public struct FlowBox: Sendable, Hashable {
    public var sources: IntervalSet
    public var destinations: IntervalSet
    public var protocols: ProtocolSet
    public var sourcePorts: IntervalSet
    public var destinationPorts: IntervalSet

    public init(
        sources: IntervalSet = .allAddresses, destinations: IntervalSet = .allAddresses,
        protocols: ProtocolSet = .all, sourcePorts: IntervalSet = .allPorts, destinationPorts: IntervalSet = .allPorts
    ) {
        self.sources = sources
        self.destinations = destinations
        self.protocols = protocols
        self.sourcePorts = sourcePorts
        self.destinationPorts = destinationPorts
    }

    public static let everything = FlowBox()

    public var isEmpty: Bool {
        sources.isEmpty || destinations.isEmpty || protocols.isEmpty || sourcePorts.isEmpty || destinationPorts.isEmpty
    }

    public func intersection(_ other: FlowBox) -> FlowBox? {
        let p = protocols.intersection(other.protocols)
        guard !p.isEmpty else { return nil }
        let dp = destinationPorts.intersection(other.destinationPorts)
        guard !dp.isEmpty else { return nil }
        let d = destinations.intersection(other.destinations)
        guard !d.isEmpty else { return nil }
        let s = sources.intersection(other.sources)
        guard !s.isEmpty else { return nil }
        let sp = sourcePorts.intersection(other.sourcePorts)
        guard !sp.isEmpty else { return nil }
        return FlowBox(sources: s, destinations: d, protocols: p, sourcePorts: sp, destinationPorts: dp)
    }

    public func intersects(_ other: FlowBox) -> Bool {
        !protocols.intersection(other.protocols).isEmpty && destinationPorts.intersects(other.destinationPorts)
            && destinations.intersects(other.destinations) && sources.intersects(other.sources)
            && sourcePorts.intersects(other.sourcePorts)
    }

    /// `self` minus `other` as at most five disjoint boxes.
    public func subtracting(_ other: FlowBox) -> [FlowBox] {
        guard intersects(other) else { return [self] }
        var result: [FlowBox] = []
        var rest = self
        let p = rest.protocols.subtracting(other.protocols)
        if !p.isEmpty {
            var piece = rest
            piece.protocols = p
            result.append(piece)
        }
        rest.protocols = rest.protocols.intersection(other.protocols)
        let dp = rest.destinationPorts.subtracting(other.destinationPorts)
        if !dp.isEmpty {
            var piece = rest
            piece.destinationPorts = dp
            result.append(piece)
        }
        rest.destinationPorts = rest.destinationPorts.intersection(other.destinationPorts)
        let d = rest.destinations.subtracting(other.destinations)
        if !d.isEmpty {
            var piece = rest
            piece.destinations = d
            result.append(piece)
        }
        rest.destinations = rest.destinations.intersection(other.destinations)
        let s = rest.sources.subtracting(other.sources)
        if !s.isEmpty {
            var piece = rest
            piece.sources = s
            result.append(piece)
        }
        rest.sources = rest.sources.intersection(other.sources)
        let sp = rest.sourcePorts.subtracting(other.sourcePorts)
        if !sp.isEmpty {
            var piece = rest
            piece.sourcePorts = sp
            result.append(piece)
        }
        return result
    }

    /// Whether one concrete flow is in the box.
    public func contains(_ flow: Flow) -> Bool {
        // Cheapest and most selective first: a rule's protocol and destination ports (one or two
        // intervals) reject most flows before the address searches.
        guard protocols.contains(ProtocolSet(flow.protocol)) else { return false }
        let ports = flow.protocol.hasPorts
        if ports && !destinationPorts.contains(UInt32(flow.destinationPort)) { return false }
        guard destinations.contains(flow.destination.value), sources.contains(flow.source.value) else { return false }
        return !ports || sourcePorts.contains(UInt32(flow.sourcePort))
    }
}

/// One concrete flow, as Network Watcher's IP flow verify takes it.
public struct Flow: Sendable, Hashable {
    public var source: NetworkAddress
    public var destination: NetworkAddress
    public var `protocol`: TransportProtocol
    public var sourcePort: Int
    public var destinationPort: Int

    /// The source port used when a flow does not name one: an ephemeral port.
    public static let defaultSourcePort = 50000

    public init(
        source: NetworkAddress, destination: NetworkAddress, protocol: TransportProtocol,
        sourcePort: Int = Flow.defaultSourcePort, destinationPort: Int
    ) {
        self.source = source
        self.destination = destination
        self.protocol = `protocol`
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }
}
