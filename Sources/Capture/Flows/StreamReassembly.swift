/// In-order reassembly of the first bytes of one direction of a TCP connection: enough for banners,
/// handshakes and logins. Segments split mid-message are joined, retransmissions and overlaps add only
/// their new bytes, a few early out-of-order segments wait for the gap to fill, and nothing is kept
/// past `limit` bytes, so memory per flow is bounded.
struct StreamReassembly {
    private(set) var bytes: [UInt8] = []
    private var nextSequence: UInt32 = 0
    private var started = false
    /// No more bytes will be added: the limit was reached or a segment was cut by the snap length.
    private(set) var ended = false
    private var pending: [(sequence: UInt32, bytes: [UInt8])] = []

    /// At most this many segments wait for a gap to fill; more means the capture lost data.
    private static let pendingLimit = 8

    /// Notes the sequence number of a SYN: data starts one past it.
    mutating func synchronise(sequence: UInt32) {
        guard !started else { return }
        nextSequence = sequence &+ 1
        started = true
    }

    mutating func receive(sequence: UInt32, payload: PacketBytes, cutShort: Bool, limit: Int) {
        guard !ended, !payload.isEmpty else { return }
        if !started {
            nextSequence = sequence
            started = true
        }
        let ahead = Int32(bitPattern: sequence &- nextSequence)
        if ahead > 0 {
            if pending.count < Self.pendingLimit && Int(ahead) < limit {
                pending.append((sequence, payload.prefix(limit).array))
            }
            return
        }
        append(sequence: sequence, payload: payload, limit: limit)
        if cutShort {
            ended = true
            return
        }
        drainPending(limit: limit)
    }

    var isFull: Bool { ended }

    /// Empties the reassembly for another flow, keeping the memory of its byte buffer: the table
    /// reuses released reassemblies, so a busy capture allocates buffers once, not once per flow.
    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        nextSequence = 0
        started = false
        ended = false
        pending = []
    }

    /// Keeps what was gathered and takes no more.
    mutating func stopKeeping() {
        ended = true
        pending = []
    }

    /// Adds the bytes of a segment that starts at or before `nextSequence`. How far back it starts is
    /// the unsigned distance: the signed one is negative for a segment exactly 2^31 ahead (whose
    /// `Int32` difference is `Int32.min` either way round), which made the slice start before the
    /// payload (the capture fuzz target's finding). Such a segment is half the sequence space away,
    /// in no window, and is dropped like a retransmission.
    private mutating func append(sequence: UInt32, payload: PacketBytes, limit: Int) {
        let already = Int(nextSequence &- sequence)
        guard already < payload.count else { return }  // a pure retransmission, or out of any window
        let fresh = payload[already...]
        let room = limit - bytes.count
        bytes.append(contentsOf: fresh.prefix(room))
        nextSequence = sequence &+ UInt32(truncatingIfNeeded: payload.count)
        if bytes.count >= limit {
            ended = true
            pending = []
        }
    }

    private mutating func drainPending(limit: Int) {
        var progressed = true
        while progressed && !pending.isEmpty && !ended {
            progressed = false
            for (position, segment) in pending.enumerated()
            where Int32(bitPattern: segment.sequence &- nextSequence) <= 0 {
                pending.remove(at: position)
                segment.bytes.withPacketBytes { append(sequence: segment.sequence, payload: $0, limit: limit) }
                progressed = true
                break
            }
        }
    }
}
