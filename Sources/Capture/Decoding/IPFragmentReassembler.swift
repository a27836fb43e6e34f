/// Puts fragmented IPv4 and IPv6 datagrams back together (RFC 791 §3.2, RFC 8200 §4.5), so that a
/// login or handshake sent in fragments reaches the detectors as one packet.
///
/// Memory stays bounded: at most `maximumInProgress` datagrams are collected at once (the one started
/// longest ago is dropped for a new one), a datagram is dropped when its fragments are more than
/// `timeout` of capture time apart (Linux's `ipfrag_time` is 30 s), and none grows beyond 65,535
/// bytes. Fragments that overlap other than as an exact repeat drop their datagram, as RFC 5722
/// asks for IPv6 (overlaps are an evasion trick). Each completed datagram is handed back as a
/// synthetic IP packet with the original addresses and protocol, for the ordinary decoder.
///
/// Worked example: a 60-byte TCP segment sent as fragments at offsets 0 (24 bytes, MF), 24 (24, MF) and
/// 48 (12, last) arriving 48, 0, 24: after the first the total is known (60) and 12 bytes are held;
/// after the third, the ranges 0..<24, 24..<48 and 48..<60 cover 0..<60 and the datagram is complete.
final class IPFragmentReassembler {
    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var id: UInt32
        var nextHeader: UInt8
        var isIPv6: Bool
    }

    /// One datagram being collected.
    private final class Datagram {
        var data: [UInt8] = []
        /// The byte ranges received, sorted and merged.
        var ranges: [Range<Int>] = []
        /// Known once the last fragment (MF clear) arrives.
        var total: Int?
        var lastSeen: Timestamp
        let depth: Int

        init(lastSeen: Timestamp, depth: Int) {
            self.lastSeen = lastSeen
            self.depth = depth
        }

        var isComplete: Bool {
            guard let total else { return false }
            return ranges.count == 1 && ranges[0] == 0..<total
        }

        /// Adds `bytes` at `offset`; false when they overlap data already held (other than an exact
        /// repeat of a received range, which is ignored).
        func add(_ bytes: PacketBytes, at offset: Int) -> Bool {
            let range = offset..<(offset + bytes.count)
            guard !range.isEmpty else { return true }
            if ranges.contains(where: { $0.contains(range.lowerBound) && $0.upperBound >= range.upperBound }) {
                // Within what is held: a retransmission when the bytes are the same.
                return data.withPacketBytes { held in held[range].elementsEqual(bytes) }
            }
            if ranges.contains(where: { $0.overlaps(range) }) { return false }
            if data.count < range.upperBound { data += [UInt8](repeating: 0, count: range.upperBound - data.count) }
            data.replaceBytes(at: range.lowerBound, with: bytes)
            ranges.append(range)
            ranges.sort { $0.lowerBound < $1.lowerBound }
            var merged: [Range<Int>] = []
            for next in ranges {
                if let last = merged.last, last.upperBound == next.lowerBound {
                    merged[merged.count - 1] = last.lowerBound..<next.upperBound
                } else {
                    merged.append(next)
                }
            }
            ranges = merged
            return true
        }
    }

    static let maximumInProgress = 4096
    static let timeout: Int64 = 30_000_000
    static let maximumSize = 65_535

    private var inProgress: [Key: Datagram] = [:]
    /// Keys in the order their datagrams were started (some long finished), from `startedHead` on.
    private var started: [Key] = []
    private var startedHead = 0
    private var lastSweep: Timestamp?
    /// Datagrams completed.
    private(set) var reassembled = 0
    /// Datagrams given up: fragments missing at the end or for longer than `timeout`, cut by the snap
    /// length, overlapping, too large, or dropped to make room.
    private(set) var abandoned = 0

    /// A completed datagram: a synthetic IP packet of the network kind, and how deep in tunnels it lay.
    struct Whole {
        var network: LinkLayer.Network
        var packet: [UInt8]
        var depth: Int
    }

    /// Takes one fragment; returns the datagram when this fragment completes it.
    func add(_ fragment: IPFragment, at time: Timestamp) -> Whole? {
        sweep(now: time)
        let position = fragment.position
        let key = Key(
            source: fragment.source, destination: fragment.destination, id: position.id,
            nextHeader: position.nextHeader, isIPv6: fragment.network == .ipv6)
        let datagram: Datagram
        if let known = inProgress[key] {
            datagram = known
        } else {
            if inProgress.count >= Self.maximumInProgress { dropOldest() }
            datagram = Datagram(lastSeen: time, depth: fragment.depth)
            inProgress[key] = datagram
            started.append(key)
            if started.count > 4 * Self.maximumInProgress {
                // Forget the keys of datagrams already finished, so the list stays bounded too.
                started = started[startedHead...].filter { inProgress[$0] != nil }
                startedHead = 0
            }
        }
        datagram.lastSeen = time
        let end = position.offset + fragment.data.count
        let headerSize = fragment.network == .ipv6 ? 40 : 20
        guard !fragment.isCutShort, end + headerSize <= Self.maximumSize + (fragment.network == .ipv6 ? 40 : 0),
            datagram.add(fragment.data, at: position.offset)
        else {
            inProgress[key] = nil
            abandoned += 1
            return nil
        }
        if !position.more {
            guard datagram.total == nil || datagram.total == end, datagram.data.count <= end else {
                inProgress[key] = nil
                abandoned += 1
                return nil
            }
            datagram.total = end
        } else if let total = datagram.total, end > total {
            inProgress[key] = nil
            abandoned += 1
            return nil
        }
        guard datagram.isComplete else { return nil }
        inProgress[key] = nil
        reassembled += 1
        return Whole(
            network: fragment.network, packet: Self.header(for: key, length: datagram.data.count) + datagram.data,
            depth: datagram.depth)
    }

    /// Drops the datagram started longest ago that is still being collected, to make room.
    private func dropOldest() {
        while startedHead < started.count {
            let key = started[startedHead]
            startedHead += 1
            if inProgress.removeValue(forKey: key) != nil {
                abandoned += 1
                break
            }
        }
    }

    /// Gives up what is still incomplete at the end of the capture.
    func finish() {
        abandoned += inProgress.count
        inProgress = [:]
        started = []
        startedHead = 0
    }

    /// Drops datagrams not added to for longer than `timeout`, looking at most once a second.
    private func sweep(now: Timestamp) {
        if let last = lastSweep, now.microseconds - last.microseconds < 1_000_000 { return }
        lastSweep = now
        let stale = inProgress.filter { now.microseconds - $0.value.lastSeen.microseconds > Self.timeout }
        for key in stale.keys { inProgress[key] = nil }
        abandoned += stale.count
    }

    /// A minimal IPv4 or IPv6 header for the reassembled payload: the original addresses and protocol,
    /// no options or extension headers, not a fragment.
    private static func header(for key: Key, length: Int) -> [UInt8] {
        func bytes(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (56 - 8 * $0)) } }
        if key.isIPv6 {
            return [0x60, 0, 0, 0, UInt8(length >> 8), UInt8(length & 0xFF), key.nextHeader, 64]
                + bytes(key.source.high) + bytes(key.source.low) + bytes(key.destination.high)
                + bytes(key.destination.low)
        }
        let total = 20 + length
        return [
            0x45, 0, UInt8(total >> 8), UInt8(total & 0xFF), UInt8(key.id >> 8 & 0xFF), UInt8(key.id & 0xFF), 0, 0, 64,
            key.nextHeader, 0, 0,
        ] + Array(bytes(key.source.low)[4...]) + Array(bytes(key.destination.low)[4...])
    }
}
