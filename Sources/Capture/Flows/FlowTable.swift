/// The flow engine: one hash lookup per packet finds the flow, counters are updated in place, the
/// opening bytes of TCP flows are reassembled for the detectors and UDP datagrams go to the datagram
/// detectors. Flows are retired (handed to `retire`) when they close or go idle, so memory grows with
/// concurrent flows, not with the length of the capture.
final class FlowTable {
    /// Bytes kept per direction of a TCP flow: enough for banners, handshakes and logins.
    static let streamLimit = 8192
    /// UDP datagrams per flow shown to the detectors: enough for a DTLS handshake with a cookie
    /// exchange and retransmitted ClientHellos, whose ServerHello can be the seventh.
    static let datagramLimit: UInt8 = 8
    /// UDP datagrams shown to the detectors per NetBIOS name service or LLMNR flow.
    static let nameServiceDatagramLimit: UInt8 = 64
    /// Opening bytes after which the detectors are asked whether a one-sided flow might be theirs.
    static let candidateThreshold = 256

    struct Timeouts {
        var tcpIdle: Int64 = 300_000_000
        var udpIdle: Int64 = 60_000_000
        /// How long a closed TCP flow lingers for late retransmissions and ACKs.
        var closedLinger: Int64 = 2_000_000
        var sweepInterval: Int64 = 5_000_000
    }

    // The table is used from one thread and never hands out references to these arrays, so the
    // per-access dynamic exclusivity checks (a tenth of the time on small packets) are turned off.
    @exclusivity(unchecked) private var index = FlowIndex()
    @exclusivity(unchecked) private var flows = FlowStore()
    @exclusivity(unchecked) private var freeSlots: [Int32] = []
    @exclusivity(unchecked) private var streams: [StreamPair] = []
    @exclusivity(unchecked) private var freeStreams: [Int32] = []
    /// What the detectors saw, per flow that showed anything (`FlowRecord.notes` points here).
    @exclusivity(unchecked) private var notes: [[Observation]] = []
    @exclusivity(unchecked) private var freeNotes: [Int32] = []
    private var lastSweep: Timestamp?
    private let timeouts: Timeouts
    private let streamDetectors: [any StreamDetector]
    /// Bit `n` set: stream detector `n` can decide early (`StreamDetector.decidesEarly`).
    private let decidingDetectors: UInt64
    private let datagramDetectors: [any DatagramDetector]
    private let retire: (Flow) -> Void

    private(set) var flowsSeen = 0
    /// Malformed connection openings, by kind.
    private(set) var streamAnomalies: [StreamAnomaly: Int] = [:]
    private(set) var peakFlows = 0
    /// Flows whose detectors all decided before the opening was over (`StreamDetector.hasDecided`).
    private(set) var flowsDecidedEarly = 0
    /// Whether flows are inspected as soon as their candidates have decided (off only in tests that
    /// show the findings are the same either way).
    private let earlyDecisions: Bool

    init(
        timeouts: Timeouts = Timeouts(),
        streamDetectors: [any StreamDetector] = Detectors.stream,
        datagramDetectors: [any DatagramDetector] = Detectors.datagram,
        earlyDecisions: Bool = true,
        retire: @escaping (Flow) -> Void
    ) {
        self.earlyDecisions = earlyDecisions
        self.timeouts = timeouts
        self.streamDetectors = streamDetectors
        decidingDetectors = streamDetectors.indices.reduce(0) { mask, bit in
            streamDetectors[bit].decidesEarly ? mask | 1 << UInt64(bit) : mask
        }
        self.datagramDetectors = datagramDetectors
        self.retire = retire
    }

    deinit { flows.deallocate() }

    var activeFlows: Int { index.count }

    func process(_ packet: DecodedPacket, at time: Timestamp) {
        let (key, fromLow) = FlowKey.of(packet)
        let hash = key.mixedHash
        let slot: Int
        if let existing = index.find(key, hash: hash, keys: { self.flows[Int($0)].key }) {
            slot = Int(existing)
            if flows[slot].isClosed && packet.transport.flags.contains(.syn)
                && !packet.transport.flags.contains(.ack)
            {
                // The client reused the ports of a closed connection: a new conversation starts.
                retireFlow(slot: slot)
                return process(packet, at: time)
            }
        } else {
            slot = create(key: key, hash: hash, packet: packet, fromLow: fromLow, at: time)
        }
        flows[slot].packets += 1
        flows[slot].bytes += packet.payloadLength
        flows[slot].last = time
        if packet.transport.transport == .tcp {
            handleTCP(slot: slot, packet: packet, fromLow: fromLow)
        } else {
            handleUDP(slot: slot, packet: packet, fromLow: fromLow)
        }
        if let lastSweep {
            if time.microseconds &- lastSweep.microseconds >= timeouts.sweepInterval { sweep(now: time) }
        } else {
            lastSweep = time
        }
    }

    /// Retires every flow: the end of the input. The index is dropped whole rather than flow by flow.
    func finish() {
        for slot in 0..<flows.count where flows[slot].flags.contains(.alive) {
            if !flows[slot].flags.contains(.inspected) { inspect(slot: slot) }
            retire(Flow(flows[slot], observations: observations(of: slot)))
            flows[slot].flags.remove(.alive)
        }
        index = FlowIndex()
        flows.deallocate()
        freeSlots = []
        streams = []
        freeStreams = []
        notes = []
        freeNotes = []
    }

    private func create(key: FlowKey, hash: UInt64, packet: DecodedPacket, fromLow: Bool, at time: Timestamp) -> Int {
        let flags = packet.transport.flags
        var clientIsLow = fromLow
        var byHandshake = false
        if packet.transport.transport == .tcp && flags.contains(.syn) {
            clientIsLow = flags.contains(.ack) ? !fromLow : fromLow
            byHandshake = true
        } else if ServicePorts.score(packet.transport.sourcePort) > ServicePorts.score(packet.transport.destinationPort)
        {
            clientIsLow = !fromLow
        }
        var flowFlags: FlowFlags = .alive
        if clientIsLow { flowFlags.insert(.clientIsLow) }
        if byHandshake { flowFlags.insert(.orientedByHandshake) }
        let record = FlowRecord(key: key, flags: flowFlags, first: time, last: time)
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = Int(free)
            flows[slot] = record
        } else {
            slot = flows.append(record)
        }
        index.insert(hash: hash, slot: Int32(slot))
        flowsSeen += 1
        peakFlows = max(peakFlows, index.count)
        return slot
    }

    private func handleTCP(slot: Int, packet: DecodedPacket, fromLow: Bool) {
        let flags = packet.transport.flags
        if flags.contains(.syn) && !flows[slot].flags.contains(.orientedByHandshake) && flows[slot].stream < 0
            && !flows[slot].flags.contains(.decidedEarly)
        {
            if flags.contains(.ack) ? !fromLow : fromLow {
                flows[slot].flags.insert(.clientIsLow)
            } else {
                flows[slot].flags.remove(.clientIsLow)
            }
            flows[slot].flags.insert(.orientedByHandshake)
        }
        if flags.contains(.rst) { flows[slot].flags.insert(.reset) }
        if flags.contains(.fin) { flows[slot].flags.insert(fromLow ? .finFromLow : .finFromHigh) }
        guard !flows[slot].flags.contains(.inspected) else { return }
        let fromClient = fromLow == flows[slot].flags.contains(.clientIsLow)
        if flags.contains(.syn) || !packet.payload.isEmpty {
            let pair = streamIndex(for: slot)
            if flags.contains(.syn) {
                if fromClient {
                    streams[pair].toServer.synchronise(sequence: packet.transport.sequence)
                } else {
                    streams[pair].toClient.synchronise(sequence: packet.transport.sequence)
                }
            }
            if !packet.payload.isEmpty {
                // Data on a SYN starts one past the SYN's sequence number.
                let sequence = packet.transport.sequence &+ (flags.contains(.syn) ? 1 : 0)
                if fromClient {
                    streams[pair].toServer.receive(
                        sequence: sequence, payload: packet.payload, cutShort: packet.isCutShort,
                        limit: Self.streamLimit)
                } else {
                    streams[pair].toClient.receive(
                        sequence: sequence, payload: packet.payload, cutShort: packet.isCutShort,
                        limit: Self.streamLimit)
                }
                if !streams[pair].candidatesChecked { checkCandidates(slot: slot, pair: pair) }
                if !flows[slot].flags.contains(.inspected) {
                    if streams[pair].toServer.isFull && streams[pair].toClient.isFull {
                        inspect(slot: slot)
                    } else if earlyDecisions && streams[pair].candidatesChecked
                        && streams[pair].candidates & ~decidingDetectors == 0 && hasDecided(slot: slot, pair: pair)
                    {
                        // Nothing more is wanted: what the detectors report cannot change.
                        flows[slot].flags.insert(.decidedEarly)
                        flowsDecidedEarly += 1
                        inspect(slot: slot)
                    }
                }
            }
        }
        if !flows[slot].flags.contains(.inspected) && flows[slot].isClosed { inspect(slot: slot) }
    }

    private func streamIndex(for slot: Int) -> Int {
        if flows[slot].stream >= 0 { return Int(flows[slot].stream) }
        let pair: Int
        if let free = freeStreams.popLast() {
            // Reset when it was released.
            pair = Int(free)
        } else {
            pair = streams.count
            streams.append(StreamPair())
        }
        flows[slot].stream = Int32(pair)
        return pair
    }

    /// Once a flow has shown its opening bytes, drops it early when no detector could want it.
    ///
    /// A flow that has shown `candidateThreshold` bytes one way and nothing the other is asked early
    /// (a one-sided capture must not be buffered for nothing), and asked again once the other side
    /// speaks: a client's HTTP request longer than the threshold (cookies) comes before the response
    /// whose head the version and security-header detectors read, so their answer then was no.
    /// Until that second look the server's bytes are kept when none were seen yet.
    private func checkCandidates(slot: Int, pair: Int) {
        let toServer = streams[pair].toServer.bytes
        let toClient = streams[pair].toClient.bytes
        let twoSided = !toServer.isEmpty && !toClient.isEmpty
        if twoSided {
            streams[pair].candidatesChecked = true
        } else {
            guard !streams[pair].checkedOneSided, max(toServer.count, toClient.count) >= Self.candidateThreshold
            else { return }
            streams[pair].checkedOneSided = true
        }
        let client = flows[slot].client
        let server = flows[slot].server
        let detectors = streamDetectors
        let wanted: UInt64 = toServer.withPacketBytes { clientBytes in
            toClient.withPacketBytes { serverBytes in
                let sample = StreamSample(
                    client: clientBytes, server: serverBytes, clientPort: client.port, serverPort: server.port)
                var mask: UInt64 = 0
                // By index rather than through enumerated(): fewer copies of each existential.
                for bit in detectors.indices where detectors[bit].mightMatch(sample) {
                    mask |= 1 << UInt64(bit)
                }
                return mask
            }
        }
        streams[pair].candidates = wanted
        let serverBytesWanted = detectors.indices.contains { bit in
            wanted & (1 << UInt64(bit)) != 0 && detectors[bit].needsServerBytes
        }
        if !serverBytesWanted && !toClient.isEmpty { streams[pair].toClient.stopKeeping() }
        if wanted == 0 {
            flows[slot].flags.insert(.inspected)
            releaseStream(slot: slot)
        }
    }

    /// Whether every candidate of the flow has decided on the bytes kept so far, and no malformed
    /// opening could still be counted from more of them.
    private func hasDecided(slot: Int, pair: Int) -> Bool {
        let candidates = streams[pair].candidates
        let port = flows[slot].client.port
        let serverPort = flows[slot].server.port
        let detectors = streamDetectors
        return streams[pair].toServer.bytes.withPacketBytes { clientBytes in
            streams[pair].toClient.bytes.withPacketBytes { serverBytes in
                let sample = StreamSample(
                    client: clientBytes, server: serverBytes, clientPort: port, serverPort: serverPort)
                guard !StreamAnomaly.mayStillArise(sample) else { return false }
                for bit in detectors.indices where candidates & (1 << UInt64(bit)) != 0 {
                    if !detectors[bit].hasDecided(sample) { return false }
                }
                return true
            }
        }
    }

    /// Shows the flow's opening bytes to every stream detector, once.
    private func inspect(slot: Int) {
        flows[slot].flags.insert(.inspected)
        guard flows[slot].stream >= 0 else { return }
        let pair = Int(flows[slot].stream)
        let client = flows[slot].client
        let server = flows[slot].server
        let detectors = streamDetectors
        var candidates = streams[pair].candidates
        let closed = flows[slot].isClosed
        var malformed: [StreamAnomaly] = []
        let observations = streams[pair].toServer.bytes.withPacketBytes { clientBytes in
            streams[pair].toClient.bytes.withPacketBytes { serverBytes in
                let sample = StreamSample(
                    client: clientBytes, server: serverBytes, clientPort: client.port, serverPort: server.port)
                malformed = StreamAnomaly.of(sample, limit: Self.streamLimit, closed: closed)
                if candidates == .max {
                    // Never asked (one side spoke, briefly, or the flow closed first): asked now, with
                    // every byte kept, so only the detectors that could want it read it.
                    candidates = 0
                    for bit in detectors.indices where detectors[bit].mightMatch(sample) {
                        candidates |= 1 << UInt64(bit)
                    }
                }
                var found: [Observation] = []
                for bit in detectors.indices where candidates & (1 << UInt64(bit)) != 0 {
                    let seen = detectors[bit].examine(sample)
                    if !seen.isEmpty { found += seen }
                }
                return found
            }
        }
        for observation in observations { note(observation, slot: slot) }
        for anomaly in malformed { streamAnomalies[anomaly, default: 0] += 1 }
        releaseStream(slot: slot)
    }

    private func releaseStream(slot: Int) {
        let pair = flows[slot].stream
        guard pair >= 0 else { return }
        streams[Int(pair)].reset()
        freeStreams.append(pair)
        flows[slot].stream = -1
    }

    private func handleUDP(slot: Int, packet: DecodedPacket, fromLow: Bool) {
        let client = flows[slot].client
        let server = flows[slot].server
        // Name services put every query of a host in one flow (137 to 137, or to the LLMNR group), so
        // their names are read from more datagrams.
        let limit = server.port == 137 || server.port == 5355 ? Self.nameServiceDatagramLimit : Self.datagramLimit
        guard flows[slot].datagramsInspected < limit, !packet.payload.isEmpty else { return }
        flows[slot].datagramsInspected += 1
        let sample = DatagramSample(
            payload: packet.payload, fromClient: fromLow == flows[slot].flags.contains(.clientIsLow),
            clientPort: client.port, serverPort: server.port)
        let detectors = datagramDetectors
        for index in detectors.indices {
            for observation in detectors[index].observations(sample) { note(observation, slot: slot) }
        }
    }

    /// Retires closed flows after a short linger and idle ones after their timeout.
    private func sweep(now: Timestamp) {
        lastSweep = now
        for slot in 0..<flows.count where flows[slot].flags.contains(.alive) {
            let flow = flows[slot]
            let idle = now.microseconds &- flow.last.microseconds
            let limit =
                flow.transport == .udp ? timeouts.udpIdle : (flow.isClosed ? timeouts.closedLinger : timeouts.tcpIdle)
            if idle > limit { retireFlow(slot: slot) }
        }
    }

    private func retireFlow(slot: Int) {
        if !flows[slot].flags.contains(.inspected) { inspect(slot: slot) }
        retire(Flow(flows[slot], observations: observations(of: slot)))
        let key = flows[slot].key
        index.remove(key, hash: key.mixedHash) { self.flows[Int($0)].key }
        flows[slot].flags.remove(.alive)
        if flows[slot].notes >= 0 {
            let list = Int(flows[slot].notes)
            notes[list] = []
            freeNotes.append(Int32(list))
            flows[slot].notes = -1
        }
        freeSlots.append(Int32(slot))
    }

    /// Keeps what a detector saw in a flow, once.
    private func note(_ observation: Observation, slot: Int) {
        if flows[slot].notes < 0 {
            if let free = freeNotes.popLast() {
                flows[slot].notes = free
            } else {
                flows[slot].notes = Int32(notes.count)
                notes.append([])
            }
        }
        let list = Int(flows[slot].notes)
        if !notes[list].contains(observation) { notes[list].append(observation) }
    }

    private func observations(of slot: Int) -> [Observation] {
        flows[slot].notes >= 0 ? notes[Int(flows[slot].notes)] : []
    }
}

/// The flow records, in chunks of 65,536 that never move: growing the table allocates another chunk
/// instead of copying every live flow (at a million flows a doubling array copied 100 MB and held
/// both copies at once). Slots are handed out in order and reused by the table through its free list.
struct FlowStore {
    private static let chunkShift = 16
    private static let chunkMask = (1 << chunkShift) - 1
    private var chunks: [UnsafeMutablePointer<FlowRecord>] = []
    /// Slots handed out so far.
    private(set) var count = 0

    subscript(slot: Int) -> FlowRecord {
        @inline(__always)
        unsafeAddress { UnsafePointer(chunks[slot >> Self.chunkShift] + (slot & Self.chunkMask)) }
        @inline(__always)
        nonmutating unsafeMutableAddress { chunks[slot >> Self.chunkShift] + (slot & Self.chunkMask) }
    }

    /// Stores a record in the next slot and returns the slot.
    mutating func append(_ record: FlowRecord) -> Int {
        if count >> Self.chunkShift == chunks.count { chunks.append(.allocate(capacity: 1 << Self.chunkShift)) }
        let slot = count
        (chunks[slot >> Self.chunkShift] + (slot & Self.chunkMask)).initialize(to: record)
        count += 1
        return slot
    }

    /// Frees every chunk; the store is empty afterwards.
    mutating func deallocate() {
        for chunk in chunks { chunk.deallocate() }
        chunks = []
        count = 0
    }
}
