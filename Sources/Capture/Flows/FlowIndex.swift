/// The flow table's index: an open-addressing hash table with linear probing from a flow key to its
/// slot. Swift's Dictionary seeds and runs a full Hasher per lookup; this one mixes the key's words
/// once, which is most of a packet's cost on small-packet captures. Deletion shifts later entries back
/// (no tombstones), so the table stays short however many flows come and go.
struct FlowIndex {
    private static let empty: Int32 = -1
    private var slots: [Int32]
    private var mask: Int
    private(set) var count = 0

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: Self.empty, count: size)
        mask = size - 1
    }

    /// The slot for `key`, if present; `keys` gives the key of a stored slot.
    func find(_ key: FlowKey, keys: (Int32) -> FlowKey) -> Int32? {
        var position = Int(truncatingIfNeeded: key.mixedHash) & mask
        while true {
            let slot = slots[position]
            if slot == Self.empty { return nil }
            if keys(slot) == key { return slot }
            position = (position + 1) & mask
        }
    }

    /// Adds `slot` under `key`, which must not be present.
    mutating func insert(_ key: FlowKey, slot: Int32, keys: (Int32) -> FlowKey) {
        if (count + 1) * 2 > slots.count { grow(keys: keys) }
        var position = Int(truncatingIfNeeded: key.mixedHash) & mask
        while slots[position] != Self.empty { position = (position + 1) & mask }
        slots[position] = slot
        count += 1
    }

    mutating func remove(_ key: FlowKey, keys: (Int32) -> FlowKey) {
        var hole = Int(truncatingIfNeeded: key.mixedHash) & mask
        while true {
            let slot = slots[hole]
            if slot == Self.empty { return }
            if keys(slot) == key { break }
            hole = (hole + 1) & mask
        }
        // Backward-shift deletion: move up every later entry of the run whose home is not between
        // the hole and its position.
        var next = hole
        while true {
            next = (next + 1) & mask
            let slot = slots[next]
            if slot == Self.empty { break }
            let home = Int(truncatingIfNeeded: keys(slot).mixedHash) & mask
            let stays = hole <= next ? (hole < home && home <= next) : (hole < home || home <= next)
            if stays { continue }
            slots[hole] = slot
            hole = next
        }
        slots[hole] = Self.empty
        count -= 1
    }

    private mutating func grow(keys: (Int32) -> FlowKey) {
        let old = slots
        slots = [Int32](repeating: Self.empty, count: old.count * 2)
        mask = slots.count - 1
        for slot in old where slot != Self.empty {
            var position = Int(truncatingIfNeeded: keys(slot).mixedHash) & mask
            while slots[position] != Self.empty { position = (position + 1) & mask }
            slots[position] = slot
        }
    }
}
