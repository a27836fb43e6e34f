/// The flow table's index: an open-addressing hash table with linear probing from a flow key to its
/// slot. Swift's Dictionary seeds and runs a full Hasher per lookup; this one mixes the key's words
/// once, which is most of a packet's cost on small-packet captures. Each entry holds 32 bits of the
/// key's hash beside the slot, so a probe compares keys only when the hashes agree and growing the
/// index never reads the flows (at a million flows, a cache miss per flow). Deletion shifts later
/// entries back (no tombstones), so the table stays short however many flows come and go.
struct FlowIndex {
    /// An entry is `hash tag << 32 | slot + 1`; zero is an empty place.
    private var entries: [UInt64]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        entries = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// The part of a key's hash kept in its entry; it also picks the key's home position.
    @inline(__always)
    static func tag(_ hash: UInt64) -> UInt64 { hash & 0xFFFF_FFFF }

    @inline(__always)
    private static func slot(_ entry: UInt64) -> Int32 { Int32(truncatingIfNeeded: entry & 0xFFFF_FFFF) &- 1 }

    /// The slot for `key` (whose `mixedHash` is `hash`), if present; `keys` gives the key of a slot.
    @inline(__always)
    func find(_ key: FlowKey, hash: UInt64, keys: (Int32) -> FlowKey) -> Int32? {
        let tag = Self.tag(hash)
        var position = Int(truncatingIfNeeded: tag) & mask
        while true {
            let entry = entries[position]
            if entry == 0 { return nil }
            if entry >> 32 == tag {
                let slot = Self.slot(entry)
                if keys(slot) == key { return slot }
            }
            position = (position + 1) & mask
        }
    }

    /// Adds `slot` under a key with hash `hash`, which must not be present.
    mutating func insert(hash: UInt64, slot: Int32) {
        if (count + 1) * 2 > entries.count { grow() }
        let tag = Self.tag(hash)
        var position = Int(truncatingIfNeeded: tag) & mask
        while entries[position] != 0 { position = (position + 1) & mask }
        entries[position] = tag << 32 | UInt64(UInt32(bitPattern: slot &+ 1))
        count += 1
    }

    mutating func remove(_ key: FlowKey, hash: UInt64, keys: (Int32) -> FlowKey) {
        let tag = Self.tag(hash)
        var hole = Int(truncatingIfNeeded: tag) & mask
        while true {
            let entry = entries[hole]
            if entry == 0 { return }
            if entry >> 32 == tag && keys(Self.slot(entry)) == key { break }
            hole = (hole + 1) & mask
        }
        // Backward-shift deletion: move up every later entry of the run whose home is not between
        // the hole and its position.
        var next = hole
        while true {
            next = (next + 1) & mask
            let entry = entries[next]
            if entry == 0 { break }
            let home = Int(truncatingIfNeeded: entry >> 32) & mask
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if stays { continue }
            entries[hole] = entry
            hole = next
        }
        entries[hole] = 0
        count -= 1
    }

    private mutating func grow() {
        let old = entries
        entries = [UInt64](repeating: 0, count: old.count * 2)
        mask = entries.count - 1
        for entry in old where entry != 0 {
            var position = Int(truncatingIfNeeded: entry >> 32) & mask
            while entries[position] != 0 { position = (position + 1) & mask }
            entries[position] = entry
        }
    }
}
