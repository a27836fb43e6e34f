import Capture
import Findings
import Topology

/// One connection opening seen in a capture, in the topology's vocabulary: the flow as captured
/// (client to server, the server port as destination port) and how much of it was seen.
public struct ObservedFlow: Sendable, Hashable {
    public var flow: Flow
    /// Packets of the conversation in both directions.
    public var packets: Int
    /// Capture time of the opening and of the conversation's last packet, in microseconds since 1970.
    public var firstSeen: Int64
    public var lastSeen: Int64

    public init(flow: Flow, packets: Int = 1, firstSeen: Int64 = 0, lastSeen: Int64? = nil) {
        self.flow = flow
        self.packets = packets
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen ?? firstSeen
    }
}

/// Everything the captures say, merged over every capture file: the IPv4 openings, packets per
/// address, and the time they span.
public struct ObservedTraffic: Sendable {
    public var flows: [ObservedFlow] = []
    public var packetsByAddress: [NetworkAddress: Int] = [:]
    /// Earliest and latest frame over all captures, in microseconds since 1970; nil when none.
    public var start: Int64?
    public var end: Int64?
    /// Openings between IPv6 addresses, which the IPv4 topology model cannot judge.
    public var ipv6Openings = 0
    public var decodedPackets = 0
    public var warnings: [String] = []

    public init(
        flows: [ObservedFlow] = [], packetsByAddress: [NetworkAddress: Int] = [:], start: Int64? = nil,
        end: Int64? = nil
    ) {
        self.flows = flows
        self.packetsByAddress = packetsByAddress
        self.start = start
        self.end = end
    }

    public var spanSeconds: Double {
        guard let start, let end else { return 0 }
        return Double(end - start) / 1_000_000
    }

    /// Adds one capture file's openings.
    public mutating func add(_ capture: CaptureFlowOpenings) {
        warnings += capture.warnings
        decodedPackets += capture.decodedPackets
        if let s = capture.start?.microseconds { start = min(start ?? s, s) }
        if let e = capture.end?.microseconds { end = max(end ?? e, e) }
        for opening in capture.openings {
            guard let client = Self.ipv4(opening.client), let server = Self.ipv4(opening.server) else {
                ipv6Openings += 1
                continue
            }
            flows.append(
                ObservedFlow(
                    flow: Flow(
                        source: client, destination: server, protocol: opening.transport == .tcp ? .tcp : .udp,
                        sourcePort: Int(opening.clientPort), destinationPort: Int(opening.serverPort)),
                    packets: opening.packets, firstSeen: opening.firstSeen.microseconds,
                    lastSeen: opening.lastSeen.microseconds))
        }
        for (address, packets) in capture.packetsByAddress {
            guard let v4 = Self.ipv4(address) else { continue }
            packetsByAddress[v4, default: 0] += packets
        }
    }

    static func ipv4(_ address: IPAddress) -> NetworkAddress? {
        address.isIPv4 ? NetworkAddress(ipv4: UInt32(truncatingIfNeeded: address.low)) : nil
    }
}
