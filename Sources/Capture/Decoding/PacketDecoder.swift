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

/// What became of one frame.
public enum DecodeOutcome {
    case packet(DecodedPacket)
    /// Not TCP or UDP over IP (ARP, ICMP, a later IP fragment, …): nothing to look at, nothing wrong.
    case skipped(laterFragment: Bool)
    case anomaly(Anomaly)
}

/// Link → IP → TCP/UDP, decoding as far as the captured bytes go.
public struct PacketDecoder: Sendable {
    public let linkLayer: LinkLayer

    public init(linkLayer: LinkLayer) { self.linkLayer = linkLayer }

    public func decode(_ frame: UnsafeRawBufferPointer) -> DecodeOutcome {
        let network: LinkLayer.Network
        let networkOffset: Int
        switch linkLayer.decode(frame) {
        case .failure(let anomaly): return .anomaly(anomaly)
        case .success(let found): (network, networkOffset) = found
        }
        let ipBytes = UnsafeRawBufferPointer(rebasing: frame[min(networkOffset, frame.count)...])
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
        if ip.isLaterFragment { return .skipped(laterFragment: true) }
        // The transport runs to the end the IP header announces, or to the end of what was captured;
        // Ethernet padding after a short IP packet is left out.
        let capturedEnd = min(ip.payloadEnd, ipBytes.count)
        guard ip.transportOffset <= capturedEnd else {
            return .anomaly(ip.transportProtocol == 6 ? .tcpHeaderTruncated : .udpHeaderTruncated)
        }
        let segment = UnsafeRawBufferPointer(rebasing: ipBytes[ip.transportOffset..<capturedEnd])
        let announcedLength = ip.payloadEnd - ip.transportOffset
        let decodedTransport: Result<TransportHeader, Anomaly>
        switch ip.transportProtocol {
        case 6: decodedTransport = TransportLayer.decodeTCP(segment)
        case 17: decodedTransport = TransportLayer.decodeUDP(segment)
        default: return .skipped(laterFragment: false)
        }
        switch decodedTransport {
        case .failure(let anomaly): return .anomaly(anomaly)
        case .success(let transport):
            let payload = UnsafeRawBufferPointer(rebasing: segment[min(transport.payloadOffset, segment.count)...])
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
}
