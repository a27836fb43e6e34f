/// One TCP or UDP packet, decoded down to its payload, all borrowed from the capture buffer.
public struct DecodedPacket {
    public var source: IPAddress
    public var destination: IPAddress
    public var transport: TransportHeader
    /// The payload bytes that were captured.
    public var payload: UnsafeRawBufferPointer
    /// The payload length the headers announce; larger than `payload.count` when the snap length cut it.
    public var payloadLength: Int

    public var isCutShort: Bool { payload.count < payloadLength }
}

/// One fragment of a fragmented IP datagram, borrowed from the capture buffer, for
/// `IPFragmentReassembler`.
public struct IPFragment {
    public var network: LinkLayer.Network
    public var source: IPAddress
    public var destination: IPAddress
    public var position: IPHeader.FragmentPosition
    /// The fragment's captured data.
    public var data: UnsafeRawBufferPointer
    /// The snap length cut the fragment: its datagram cannot be completed.
    public var isCutShort: Bool
    /// How many tunnels were opened to reach it.
    public var depth: Int
}

/// What became of one frame.
public enum DecodeOutcome {
    case packet(DecodedPacket)
    /// A fragment of an IP datagram: the datagram is decoded once it is reassembled.
    case fragment(IPFragment)
    /// Not TCP or UDP over IP (ARP, ICMP, …): nothing to look at, nothing wrong.
    case skipped(laterFragment: Bool)
    case anomaly(Anomaly)
}

/// Link → IP → TCP/UDP, decoding as far as the captured bytes go. Tunnels are opened to the packet
/// inside, which is what flows and detectors see: IPv4/IPv6 in IP (protocols 4 and 41), GRE (RFC 2784,
/// RFC 2890 keys and sequence numbers; IP, transparent Ethernet bridging and ERSPAN type II inside) and
/// VXLAN (RFC 7348, UDP port 4789), up to four deep; MPLS and PPPoE are stepped over at the link layer.
public struct PacketDecoder: Sendable {
    public let linkLayer: LinkLayer

    /// How many tunnels inside one another are opened.
    static let maximumTunnelDepth = 4

    public init(linkLayer: LinkLayer) { self.linkLayer = linkLayer }

    public func decode(_ frame: UnsafeRawBufferPointer) -> DecodeOutcome {
        switch linkLayer.decode(frame) {
        case .failure(let anomaly): return .anomaly(anomaly)
        case .success(let (network, offset)):
            return decode(network, UnsafeRawBufferPointer(rebasing: frame[min(offset, frame.count)...]), depth: 0)
        }
    }

    /// Decodes an IP packet that starts at the beginning of `ipBytes`, `depth` tunnels down.
    func decode(_ network: LinkLayer.Network, _ ipBytes: UnsafeRawBufferPointer, depth: Int) -> DecodeOutcome {
        let decodedIP: Result<IPHeader, Anomaly>
        switch network {
        case .ipv4: decodedIP = IPLayer.decodeIPv4(ipBytes)
        case .ipv6: decodedIP = IPLayer.decodeIPv6(ipBytes)
        case .other: return .skipped(laterFragment: false)
        }
        let ip: IPHeader
        switch decodedIP {
        case .failure(let anomaly): return .anomaly(anomaly)
        case .success(let header): ip = header
        }
        // The transport runs to the end the IP header announces, or to the end of what was captured;
        // Ethernet padding after a short IP packet is left out.
        let capturedEnd = min(ip.payloadEnd, ipBytes.count)
        if let position = ip.fragment {
            let start = min(position.dataOffset, capturedEnd)
            return .fragment(
                IPFragment(
                    network: network, source: ip.source, destination: ip.destination, position: position,
                    data: UnsafeRawBufferPointer(rebasing: ipBytes[start..<capturedEnd]),
                    isCutShort: ipBytes.count < ip.payloadEnd || position.dataOffset > ip.payloadEnd, depth: depth))
        }
        guard ip.transportOffset <= capturedEnd else {
            return .anomaly(ip.transportProtocol == 6 ? .tcpHeaderTruncated : .udpHeaderTruncated)
        }
        let segment = UnsafeRawBufferPointer(rebasing: ipBytes[ip.transportOffset..<capturedEnd])
        let announcedLength = ip.payloadEnd - ip.transportOffset
        let decodedTransport: Result<TransportHeader, Anomaly>
        switch ip.transportProtocol {
        case 6: decodedTransport = TransportLayer.decodeTCP(segment)
        case 17: decodedTransport = TransportLayer.decodeUDP(segment)
        case 4, 41, 47:
            guard depth < Self.maximumTunnelDepth else { return .anomaly(.encapsulationTooDeep) }
            if ip.transportProtocol == 47 { return openGRE(segment, depth: depth) }
            return decode(ip.transportProtocol == 4 ? .ipv4 : .ipv6, segment, depth: depth + 1)
        default: return .skipped(laterFragment: false)
        }
        switch decodedTransport {
        case .failure(let anomaly): return .anomaly(anomaly)
        case .success(let transport):
            let payload = UnsafeRawBufferPointer(rebasing: segment[min(transport.payloadOffset, segment.count)...])
            if ip.transportProtocol == 17, transport.destinationPort == 4789, payload.count >= 8,
                payload[0] & 0x08 != 0
            {
                guard depth < Self.maximumTunnelDepth else { return .anomaly(.encapsulationTooDeep) }
                // VXLAN: flags (I set: a VNI follows), 3 reserved bytes, VNI, reserved; then Ethernet.
                var inner = ByteReader(UnsafeRawBufferPointer(rebasing: payload[8...]))
                switch LinkLayer.ethernetPayload(&inner) {
                case .failure: return .anomaly(.encapsulationTruncated)
                case .success(let (network, offset)):
                    return decode(network, UnsafeRawBufferPointer(rebasing: inner.bytes[offset...]), depth: depth + 1)
                }
            }
            return .packet(
                DecodedPacket(
                    source: ip.source,
                    destination: ip.destination,
                    transport: transport,
                    payload: payload,
                    payloadLength: max(announcedLength - transport.payloadOffset, payload.count)
                )
            )
        }
    }

    /// A GRE header (RFC 2784, with RFC 2890's key and sequence number) and what it carries.
    private func openGRE(_ bytes: UnsafeRawBufferPointer, depth: Int) -> DecodeOutcome {
        var reader = ByteReader(bytes)
        guard let flags = reader.readUInt16(), let protocolType = reader.readUInt16() else {
            return .anomaly(.encapsulationTruncated)
        }
        // Version 1 is PPTP's enhanced GRE, which carries PPP: not opened.
        guard flags & 0x0007 == 0 else { return .skipped(laterFragment: false) }
        let optional = (flags & 0x8000 != 0 ? 4 : 0) + (flags & 0x2000 != 0 ? 4 : 0) + (flags & 0x1000 != 0 ? 4 : 0)
        guard reader.skip(optional) else { return .anomaly(.encapsulationTruncated) }
        let found: Result<(LinkLayer.Network, Int), Anomaly>
        switch protocolType {
        case 0x6558:
            found = LinkLayer.ethernetPayload(&reader)
        case 0x88BE:
            // ERSPAN type II: an 8-byte header, then the mirrored Ethernet frame.
            guard reader.skip(8) else { return .anomaly(.encapsulationTruncated) }
            found = LinkLayer.ethernetPayload(&reader)
        default:
            found = LinkLayer.network(etherType: protocolType, &reader)
        }
        switch found {
        case .failure: return .anomaly(.encapsulationTruncated)
        case .success(let (network, offset)):
            return decode(
                network, UnsafeRawBufferPointer(rebasing: bytes[min(offset, bytes.count)...]), depth: depth + 1)
        }
    }
}
