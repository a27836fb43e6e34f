import Findings

/// One connection opening seen in a capture: a TCP SYN without ACK, or the first UDP datagram of a
/// five-tuple, with every packet of that conversation (both directions) counted against it.
public struct FlowOpening: Sendable, Hashable {
    /// The side that opened: the SYN's or the first datagram's sender.
    public var client: IPAddress
    public var server: IPAddress
    public var transport: Transport
    public var clientPort: UInt16
    public var serverPort: UInt16
    /// Packets of the conversation in either direction, the opening included.
    public var packets: Int
    public var firstSeen: Timestamp
    public var lastSeen: Timestamp
    /// The frame number of the opening packet in its file.
    public var packetNumber: Int
}

/// What a capture says about who talked to whom: the connection openings, packets per address, and
/// the time the capture spans. Read without the protocol detectors, for correlation with a topology.
public struct CaptureFlowOpenings: Sendable {
    public var file: String
    public var openings: [FlowOpening] = []
    /// TCP and UDP packets sent or received by each address, openings or not.
    public var packetsByAddress: [IPAddress: Int] = [:]
    /// The first and last frame's time; nil when the capture holds no frame.
    public var start: Timestamp?
    public var end: Timestamp?
    /// Every frame read (after the filter).
    public var frames = 0
    /// Frames decoded to a TCP or UDP packet.
    public var decodedPackets = 0
    /// TCP conversations whose opening came before the capture began (no SYN seen).
    public var conversationsWithoutOpening = 0
    /// Input problems that did not stop the read.
    public var warnings: [String] = []

    /// How long the capture spans, in seconds.
    public var spanSeconds: Double {
        guard let start, let end else { return 0 }
        return Double(end.microseconds - start.microseconds) / 1_000_000
    }
}

extension CaptureFlowOpenings {
    /// Reads one pcap or pcapng file. Unreadable files and bad filters throw `InputError`; a file cut
    /// short gives the openings before the cut and a warning. Fragmented datagrams count by their
    /// first fragment, which carries the TCP or UDP header.
    public static func read(file: String, filter: String? = nil) throws(InputError) -> CaptureFlowOpenings {
        let source = try PcapSource.open(file: file, filter: filter)
        var result = CaptureFlowOpenings(file: source.name)
        let decoder = PacketDecoder(linkLayer: source.linkLayer)
        var table = ConversationTable()
        var undecodable = 0
        let end = source.forEachFrame { frame in
            result.frames += 1
            // Timestamps may be out of order (merged files): the span runs from the earliest to the latest.
            result.start = min(result.start ?? frame.time, frame.time)
            result.end = max(result.end ?? frame.time, frame.time)
            switch decoder.decode(frame.bytes) {
            case .packet(let packet):
                result.decodedPackets += 1
                table.add(
                    source: packet.source, destination: packet.destination, header: packet.transport,
                    at: frame.time, number: frame.number)
            case .fragment(let fragment):
                guard fragment.position.offset == 0 else { break }
                let header: Result<TransportHeader, Anomaly>
                switch fragment.position.nextHeader {
                case 6: header = TransportLayer.decodeTCP(fragment.data)
                case 17: header = TransportLayer.decodeUDP(fragment.data)
                default: return
                }
                guard case .success(let transport) = header else { return }
                result.decodedPackets += 1
                table.add(
                    source: fragment.source, destination: fragment.destination, header: transport,
                    at: frame.time, number: frame.number)
            case .skipped: break
            case .anomaly: undecodable += 1
            }
        }
        result.openings = table.openings
        result.conversationsWithoutOpening = table.withoutOpening
        result.packetsByAddress = table.packetsByAddress()
        if case .cut(let packet, let reason) = end {
            result.warnings.append(
                "\(source.name): packet \(packet): the capture is cut short or damaged here (\(reason)); "
                    + "flows cover the \(packet - 1) packets before it")
        }
        if undecodable > 0 {
            result.warnings.append(
                "\(source.name): \(undecodable) packet\(undecodable == 1 ? "" : "s") could not be decoded and "
                    + "\(undecodable == 1 ? "was" : "were") skipped")
        }
        return result
    }
}

/// Conversations keyed by their five-tuple in either direction, each pointing at its opening.
private struct ConversationTable {
    struct Key: Hashable {
        var a: IPAddress
        var b: IPAddress
        var aPort: UInt16
        var bPort: UInt16
        var transport: Transport
    }

    struct Conversation {
        /// Index into `openings`, or -1 while no opening was seen.
        var opening: Int
        var packets: Int
        var a: IPAddress
        var b: IPAddress
    }

    var conversations: [Key: Conversation] = [:]
    var openings: [FlowOpening] = []

    var withoutOpening: Int { conversations.values.count { $0.opening < 0 && $0.packets > 0 } }

    mutating func add(
        source: IPAddress, destination: IPAddress, header: TransportHeader, at time: Timestamp, number: Int
    ) {
        let forward = (source, header.sourcePort) < (destination, header.destinationPort)
        let key =
            forward
            ? Key(
                a: source, b: destination, aPort: header.sourcePort, bPort: header.destinationPort,
                transport: header.transport)
            : Key(
                a: destination, b: source, aPort: header.destinationPort, bPort: header.sourcePort,
                transport: header.transport)
        let opens = header.transport == .udp || (header.flags.contains(.syn) && !header.flags.contains(.ack))
        if var conversation = conversations[key] {
            conversation.packets += 1
            if conversation.opening >= 0 {
                openings[conversation.opening].packets += 1
                openings[conversation.opening].lastSeen = max(openings[conversation.opening].lastSeen, time)
            } else if opens && header.transport == .tcp {
                // A SYN after mid-stream packets: a new connection on the same ports.
                conversation.opening = openings.count
                openings.append(opening(source, destination, header, time, number))
            }
            conversations[key] = conversation
            return
        }
        var conversation = Conversation(opening: -1, packets: 1, a: key.a, b: key.b)
        if opens {
            conversation.opening = openings.count
            openings.append(opening(source, destination, header, time, number))
        }
        conversations[key] = conversation
    }

    func opening(
        _ source: IPAddress, _ destination: IPAddress, _ header: TransportHeader, _ time: Timestamp, _ number: Int
    )
        -> FlowOpening
    {
        FlowOpening(
            client: source, server: destination, transport: header.transport, clientPort: header.sourcePort,
            serverPort: header.destinationPort, packets: 1, firstSeen: time, lastSeen: time, packetNumber: number)
    }

    func packetsByAddress() -> [IPAddress: Int] {
        var result: [IPAddress: Int] = [:]
        for conversation in conversations.values {
            result[conversation.a, default: 0] += conversation.packets
            if conversation.b != conversation.a { result[conversation.b, default: 0] += conversation.packets }
        }
        return result
    }
}
