/// One conversation as it is handed over when it retires: a 5-tuple, which end is the client,
/// counters and what the detectors saw.
struct Flow {
    var key: FlowKey
    var transport: Transport
    /// Whether the low end of the key is the client.
    var clientIsLow: Bool
    /// Whether a SYN or SYN-ACK showed which end opened the connection.
    var openedByHandshake: Bool
    var packets: Int
    var bytes: Int
    var first: Timestamp
    var last: Timestamp
    var observations: [Observation]

    init(_ record: FlowRecord, observations: [Observation]) {
        key = record.key
        transport = record.transport
        clientIsLow = record.flags.contains(.clientIsLow)
        openedByHandshake = record.flags.contains(.orientedByHandshake)
        packets = record.packets
        bytes = record.bytes
        first = record.first
        last = record.last
        self.observations = observations
    }

    var client: (address: IPAddress, port: UInt16) {
        clientIsLow ? (key.lowAddress, key.lowPort) : (key.highAddress, key.highPort)
    }

    var server: (address: IPAddress, port: UInt16) {
        clientIsLow ? (key.highAddress, key.highPort) : (key.lowAddress, key.lowPort)
    }
}

/// A live flow as the flow table keeps it: plain values only (no references), 80 bytes, so a million
/// of them are stored, updated and retired without reference counting or an allocation each. What
/// the detectors saw lives beside it in the table, for the few flows that show anything.
struct FlowRecord {
    var key: FlowKey
    var flags: FlowFlags
    var datagramsInspected: UInt8 = 0
    /// Index of the flow's reassembly buffers in the table's stream store, or -1.
    var stream: Int32 = -1
    /// Index of the flow's observations in the table's list of them, or -1 when there are none.
    var notes: Int32 = -1
    var packets: Int = 0
    var bytes: Int = 0
    var first: Timestamp
    var last: Timestamp

    var transport: Transport { key.transport == 6 ? .tcp : .udp }

    var isClosed: Bool { flags.contains(.reset) || flags.isSuperset(of: [.finFromLow, .finFromHigh]) }

    var client: (address: IPAddress, port: UInt16) {
        flags.contains(.clientIsLow) ? (key.lowAddress, key.lowPort) : (key.highAddress, key.highPort)
    }

    var server: (address: IPAddress, port: UInt16) {
        flags.contains(.clientIsLow) ? (key.highAddress, key.highPort) : (key.lowAddress, key.lowPort)
    }
}

/// The yes/no facts about a live flow, in one byte.
struct FlowFlags: OptionSet {
    let rawValue: UInt8

    /// The slot holds a flow that has not retired.
    static let alive = FlowFlags(rawValue: 1 << 0)
    /// The low end of the key is the client.
    static let clientIsLow = FlowFlags(rawValue: 1 << 1)
    /// The orientation came from a SYN or SYN-ACK rather than from the port numbers.
    static let orientedByHandshake = FlowFlags(rawValue: 1 << 2)
    static let finFromLow = FlowFlags(rawValue: 1 << 3)
    static let finFromHigh = FlowFlags(rawValue: 1 << 4)
    static let reset = FlowFlags(rawValue: 1 << 5)
    /// The detectors have had their look; no more bytes are kept.
    static let inspected = FlowFlags(rawValue: 1 << 6)
    /// They had it before the opening was over, every candidate having decided: a later SYN does not
    /// re-orient the flow (it would not have while the bytes were still being kept).
    static let decidedEarly = FlowFlags(rawValue: 1 << 7)
}

/// The first bytes of both directions of a TCP flow.
struct StreamPair {
    var toServer = StreamReassembly()
    var toClient = StreamReassembly()
    /// The detectors were asked whether the flow might be theirs, with both sides' first bytes.
    var candidatesChecked = false
    /// They were asked with one side's bytes only (that side passed the threshold first).
    var checkedOneSided = false
    /// Bit `n` set: stream detector `n` might want this flow (all of them until they were asked).
    var candidates: UInt64 = .max

    /// Makes the pair as new for another flow, keeping its buffers' memory.
    mutating func reset() {
        toServer.reset()
        toClient.reset()
        candidatesChecked = false
        checkedOneSided = false
        candidates = .max
    }
}
