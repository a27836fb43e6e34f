/// One TCP or UDP packet, decoded down to its payload, all borrowed from the capture buffer.
public struct DecodedPacket {
    public var source: IPAddress
    public var destination: IPAddress
    public var transport: TransportHeader
    /// The payload bytes that were captured.
    public var payload: PacketBytes
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
    public var data: PacketBytes
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
/// RFC 2890 keys and sequence numbers; IP, transparent Ethernet bridging and ERSPAN types II and III
/// inside), VXLAN (RFC 7348, UDP port 4789), Geneve (UDP 6081) and GTP-U (UDP 2152), up to four deep;
/// MPLS and PPPoE are stepped over at the link layer.
public struct PacketDecoder: Sendable {
    public let linkLayer: LinkLayer

    /// How many tunnels inside one another are opened.
    static let maximumTunnelDepth = 4

    public init(linkLayer: LinkLayer) { self.linkLayer = linkLayer }

    public func decode(_ frame: PacketBytes) -> DecodeOutcome {
        if linkLayer == .ethernet, let packet = Self.plainIPv4TCP(frame) { return .packet(packet) }
        switch linkLayer.decode(frame) {
        case .failure(let anomaly): return .anomaly(anomaly)
        case .success(let (network, offset)):
            return decode(network, frame[min(offset, frame.count)...], depth: 0)
        }
    }

    /// Most of a large capture read straight from its fixed offsets: an Ethernet frame (no VLAN tag) of
    /// IPv4 without options or fragmentation carrying TCP with a sound header. Anything else, and
    /// any such frame cut short, returns nil for the general path, which gives the same packet for
    /// the frames read here (`DecoderTests` compares the two on every sample). It saves the general
    /// path's intermediate results, a tenth of the per-packet work on the benchmark capture.
    @inline(__always)
    static func plainIPv4TCP(_ frame: PacketBytes) -> DecodedPacket? {
        guard frame.count >= 54, frame.uint16BigEndian(at: 12) == 0x0800, frame[14] == 0x45, frame[23] == 6,
            let totalLength = frame.uint16BigEndian(at: 16), totalLength >= 40,
            let flagsAndOffset = frame.uint16BigEndian(at: 20), flagsAndOffset & 0x3FFF == 0,
            let source = frame.uint32BigEndian(at: 26), let destination = frame.uint32BigEndian(at: 30),
            let sourcePort = frame.uint16BigEndian(at: 34), let destinationPort = frame.uint16BigEndian(at: 36),
            let sequence = frame.uint32BigEndian(at: 38)
        else { return nil }
        // The TCP header's length, and the end of the IP packet as announced and as captured.
        let headerLength = Int(frame[46] >> 4) * 4
        let capturedEnd = 14 + min(Int(totalLength), frame.count - 14)
        guard headerLength >= 20, capturedEnd - 34 >= headerLength else { return nil }
        let payload = frame[(34 + headerLength)..<capturedEnd]
        return DecodedPacket(
            source: IPAddress(ipv4: source),
            destination: IPAddress(ipv4: destination),
            transport: TransportHeader(
                transport: .tcp, sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence,
                flags: TCPFlags(rawValue: frame[47]), payloadOffset: headerLength),
            payload: payload,
            payloadLength: max(Int(totalLength) - 20 - headerLength, payload.count))
    }

    /// Decodes an IP packet that starts at the beginning of `ipBytes`, `depth` tunnels down.
    func decode(_ network: LinkLayer.Network, _ ipBytes: PacketBytes, depth: Int) -> DecodeOutcome {
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
                    data: ipBytes[start..<capturedEnd],
                    isCutShort: ipBytes.count < ip.payloadEnd || position.dataOffset > ip.payloadEnd, depth: depth))
        }
        guard ip.transportOffset <= capturedEnd else {
            return .anomaly(ip.transportProtocol == 6 ? .tcpHeaderTruncated : .udpHeaderTruncated)
        }
        let segment = ipBytes[ip.transportOffset..<capturedEnd]
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
            let payload = segment[min(transport.payloadOffset, segment.count)...]
            if ip.transportProtocol == 17, let tunnel = Self.udpTunnel(port: transport.destinationPort, payload) {
                guard depth < Self.maximumTunnelDepth else { return .anomaly(.encapsulationTooDeep) }
                switch tunnel {
                case .failure: return .anomaly(.encapsulationTruncated)
                case .success(let (network, offset)):
                    return decode(network, payload[offset...], depth: depth + 1)
                }
            }
            if ip.transportProtocol == 17, transport.destinationPort == 4789, payload.count >= 8,
                payload[0] & 0x08 != 0
            {
                guard depth < Self.maximumTunnelDepth else { return .anomaly(.encapsulationTooDeep) }
                // VXLAN: flags (I set: a VNI follows), 3 reserved bytes, VNI, reserved; then Ethernet.
                var inner = ByteReader(payload[8...])
                switch LinkLayer.ethernetPayload(&inner) {
                case .failure: return .anomaly(.encapsulationTruncated)
                case .success(let (network, offset)):
                    return decode(network, inner.bytes[offset...], depth: depth + 1)
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

    /// Geneve (RFC 8926, UDP 6081) and GTP-U (3GPP TS 29.281, UDP 2152): where the packet inside
    /// starts in the UDP payload, or nil when the port is neither or the header is not theirs.
    static func udpTunnel(port: UInt16, _ payload: PacketBytes) -> Result<(LinkLayer.Network, Int), Anomaly>? {
        var reader = ByteReader(payload)
        switch port {
        case 6081:
            // Version (2 bits) and option length in 4-byte words, flags, protocol type, VNI; options.
            guard let first = reader.readUInt8(), first >> 6 == 0 else { return nil }
            guard reader.skip(1), let protocolType = reader.readUInt16(), reader.skip(4 + Int(first & 0x3F) * 4) else {
                return .failure(.encapsulationTruncated)
            }
            if protocolType == 0x6558 { return LinkLayer.ethernetPayload(&reader) }
            return LinkLayer.network(etherType: protocolType, &reader)
        case 2152:
            // Version 1, protocol type GTP; message type 255 (G-PDU) carries a user packet.
            guard let flags = reader.readUInt8(), flags >> 5 == 1, flags & 0x10 != 0, reader.readUInt8() == 0xFF
            else { return nil }
            guard reader.skip(6) else { return .failure(.encapsulationTruncated) }
            if flags & 0x07 != 0 {
                // Sequence number, N-PDU number, next extension header type; then the extension chain.
                guard reader.skip(3), var next = reader.readUInt8() else { return .failure(.encapsulationTruncated) }
                while next != 0 {
                    guard let units = reader.readUInt8(), units > 0, reader.skip(Int(units) * 4 - 2),
                        let following = reader.readUInt8()
                    else { return .failure(.encapsulationTruncated) }
                    next = following
                }
            }
            switch reader.peekUInt8().map({ $0 >> 4 }) {
            case 4: return .success((.ipv4, reader.offset))
            case 6: return .success((.ipv6, reader.offset))
            case nil: return .failure(.encapsulationTruncated)
            default: return .success((.other, reader.offset))
            }
        default:
            return nil
        }
    }

    /// A GRE header (RFC 2784, with RFC 2890's key and sequence number) and what it carries.
    private func openGRE(_ bytes: PacketBytes, depth: Int) -> DecodeOutcome {
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
        case 0x22EB:
            // ERSPAN type III: a 12-byte header, 8 more bytes of platform subheader when its O flag
            // (the last bit) is set, then the mirrored Ethernet frame.
            guard reader.skip(11), let last = reader.readUInt8(), reader.skip(last & 1 != 0 ? 8 : 0) else {
                return .anomaly(.encapsulationTruncated)
            }
            found = LinkLayer.ethernetPayload(&reader)
        default:
            found = LinkLayer.network(etherType: protocolType, &reader)
        }
        switch found {
        case .failure: return .anomaly(.encapsulationTruncated)
        case .success(let (network, offset)):
            return decode(
                network, bytes[min(offset, bytes.count)...], depth: depth + 1)
        }
    }
}
