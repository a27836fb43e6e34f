/// One conversation: a 5-tuple, which end is the client, counters and what the detectors saw.
struct Flow {
    var key: FlowKey
    var transport: Transport
    /// Whether the low end of the key is the client.
    var clientIsLow: Bool
    /// The orientation came from a SYN or SYN-ACK rather than from the port numbers.
    var orientedByHandshake: Bool
    var packets: Int = 0
    var bytes: Int = 0
    var first: Timestamp
    var last: Timestamp
    var finFromLow = false
    var finFromHigh = false
    var reset = false
    /// Index of the flow's reassembly buffers in the table's stream store, or -1.
    var stream: Int32 = -1
    /// The detectors have had their look; no more bytes are kept.
    var inspected = false
    var datagramsInspected: UInt8 = 0
    var observations: [Observation] = []

    var isClosed: Bool { reset || (finFromLow && finFromHigh) }

    var client: (address: IPAddress, port: UInt16) {
        clientIsLow ? (key.lowAddress, key.lowPort) : (key.highAddress, key.highPort)
    }

    var server: (address: IPAddress, port: UInt16) {
        clientIsLow ? (key.highAddress, key.highPort) : (key.lowAddress, key.lowPort)
    }

    mutating func note(_ observation: Observation) {
        if !observations.contains(observation) { observations.append(observation) }
    }
}

/// The first bytes of both directions of a TCP flow.
struct StreamPair {
    var toServer = StreamReassembly()
    var toClient = StreamReassembly()
    /// The detectors were asked whether the flow might be theirs.
    var candidatesChecked = false
    /// Bit `n` set: stream detector `n` might want this flow (all of them until they were asked).
    var candidates: UInt64 = .max
}
