import Foundation

/// A domain name in uncompressed wire form, lower-cased as DNSSEC's canonical form wants it
/// (RFC 4034 §6.2). Comparing, hashing and sorting zone data all work on these bytes directly.
struct DomainName: Sendable, Hashable {
    /// Length-prefixed labels ending with the root's empty label.
    let wire: [UInt8]

    init(wire: [UInt8]) { self.wire = wire }

    /// Hashes the wire bytes in one call: the synthesised hash feeds the hasher a byte at a time, which
    /// was most of the cost of indexing a large zone's owner names.
    func hash(into hasher: inout Hasher) {
        wire.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (a: DomainName, b: DomainName) -> Bool { a.wire == b.wire }

    /// The root name, `.`.
    static let root = DomainName(wire: [0])

    /// Reads a name at `offset` in `bytes` (no compression pointers, as in canonical RDATA), lower-casing
    /// ASCII letters. Returns nil when the bytes run out or a label is malformed.
    static func read(_ bytes: ArraySlice<UInt8>, at offset: inout Int) -> DomainName? {
        var out: [UInt8] = []
        var i = offset
        while true {
            guard i < bytes.endIndex else { return nil }
            let length = Int(bytes[i])
            guard length < 64, i + length < bytes.endIndex || (length == 0 && i < bytes.endIndex) else { return nil }
            out.append(UInt8(length))
            if length == 0 { break }
            for b in bytes[(i + 1)...(i + length)] { out.append(b >= 65 && b <= 90 ? b + 32 : b) }
            i += length + 1
            guard out.count <= 255 else { return nil }
        }
        offset = i + 1
        return DomainName(wire: out)
    }

    /// The start offset of each label, left to right, without the root label.
    var labelOffsets: [Int] {
        var offsets: [Int] = []
        var i = 0
        while i < wire.count, wire[i] != 0 {
            offsets.append(i)
            i += Int(wire[i]) + 1
        }
        return offsets
    }

    /// The number of labels, not counting the root (RFC 4034's "Labels" field counts the same way).
    var labelCount: Int {
        var count = 0
        var i = 0
        while i < wire.count, wire[i] != 0 {
            count += 1
            i += Int(wire[i]) + 1
        }
        return count
    }

    /// Whether the leftmost label is `*`.
    var isWildcard: Bool { wire.count >= 2 && wire[0] == 1 && wire[1] == UInt8(ascii: "*") }

    /// The name with its leftmost label removed; the root's parent is nil.
    var parent: DomainName? {
        guard wire.count > 1 else { return nil }
        return DomainName(wire: Array(wire[(Int(wire[0]) + 1)...]))
    }

    /// The rightmost `count` labels of this name.
    func suffix(labels count: Int) -> DomainName {
        let offsets = labelOffsets
        guard count < offsets.count else { return self }
        return DomainName(wire: Array(wire[offsets[offsets.count - count]...]))
    }

    /// Whether this name equals `other` or lies below it.
    func isSubdomain(of other: DomainName) -> Bool {
        guard wire.count >= other.wire.count else { return false }
        let start = wire.count - other.wire.count
        return wire.withUnsafeBufferPointer { wire in
            other.wire.withUnsafeBufferPointer { suffix in
                guard memcmp(wire.baseAddress! + start, suffix.baseAddress!, suffix.count) == 0 else { return false }
                // The match must start on a label boundary.
                var i = 0
                while i < start { i += Int(wire[i]) + 1 }
                return i == start
            }
        }
    }

    /// Whether `other` is this name's parent (`parent == other`), without making the parent.
    func isChild(of other: DomainName) -> Bool {
        guard wire.count > 1 else { return false }
        let start = Int(wire[0]) + 1
        return wire.count - start == other.wire.count && wire[start...].elementsEqual(other.wire)
    }

    /// `*.` followed by this name.
    var wildcardChild: DomainName { DomainName(wire: [1, UInt8(ascii: "*")] + wire) }

    /// The name prefixed by one label.
    func prepending(label: [UInt8]) -> DomainName { DomainName(wire: [UInt8(label.count)] + label + wire) }

    /// Presentation form with a trailing dot, escaping what RFC 1035 §5.1 says must be escaped.
    var text: String {
        if wire.count <= 1 { return "." }
        var out = ""
        var i = 0
        while i < wire.count, wire[i] != 0 {
            let length = Int(wire[i])
            for b in wire[(i + 1)...(i + length)] {
                switch b {
                case UInt8(ascii: "."), UInt8(ascii: "\\"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: ";"),
                    UInt8(ascii: "\""), UInt8(ascii: "$"), UInt8(ascii: "@"):
                    out += "\\" + String(UnicodeScalar(b))
                case 33...126: out.unicodeScalars.append(UnicodeScalar(b))
                default:
                    let digits = String(b)
                    out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
            }
            out += "."
            i += length + 1
        }
        return out
    }

    /// Parses a presentation-form name (`www.example.com.`; relative names are taken as absolute),
    /// handling `\.` and `\DDD` escapes. Returns nil for names DNS cannot carry.
    init?(text: String) {
        var wire: [UInt8] = []
        var label: [UInt8] = []
        var bytes = Array(text.utf8)[...]
        if bytes == [UInt8(ascii: ".")] {
            self = .root
            return
        }
        func closeLabel() -> Bool {
            guard !label.isEmpty, label.count < 64 else { return false }
            wire.append(UInt8(label.count))
            wire += label.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
            label = []
            return true
        }
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: ".") {
                guard closeLabel() else { return nil }
            } else if b == UInt8(ascii: "\\") {
                guard let next = bytes.popFirst() else { return nil }
                if next >= 48 && next <= 57 {
                    guard bytes.count >= 2 else { return nil }
                    let d2 = bytes.removeFirst()
                    let d3 = bytes.removeFirst()
                    guard d2 >= 48, d2 <= 57, d3 >= 48, d3 <= 57 else { return nil }
                    let value = Int(next - 48) * 100 + Int(d2 - 48) * 10 + Int(d3 - 48)
                    guard value < 256 else { return nil }
                    label.append(UInt8(value))
                } else {
                    label.append(next)
                }
            } else {
                label.append(b)
            }
        }
        if !label.isEmpty { guard closeLabel() else { return nil } }
        wire.append(0)
        guard wire.count <= 255 else { return nil }
        self.wire = wire
    }
}

extension DomainName: Comparable {
    /// RFC 4034 §6.1 canonical order: compare labels from the rightmost, each as an octet string
    /// (names are already lower-cased); a name sorts before the names below it.
    static func < (a: DomainName, b: DomainName) -> Bool {
        a.canonicalKey.lexicographicallyPrecedes(b.canonicalKey)
    }

    /// Bytes whose plain lexicographic order is the canonical order of names: the labels from the right,
    /// each ended by 0x00, with 0x00 and 0x01 inside labels written as 0x01 0x01 and 0x01 0x02 so the
    /// terminator still sorts first. Sorting a large zone compares these instead of walking labels.
    var canonicalKey: [UInt8] {
        var key: [UInt8] = []
        key.reserveCapacity(wire.count + 4)
        appendCanonicalKey(to: &key)
        return key
    }

    /// Appends `canonicalKey` to `key`, making no array of its own (a large zone ranks every owner).
    func appendCanonicalKey(to key: inout [UInt8]) {
        wire.withUnsafeBufferPointer { wire in
            // At most 127 labels fit the 255 bytes of a name.
            withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { offsets in
                var labels = 0
                var i = 0
                while i < wire.count, wire[i] != 0, labels < 128 {
                    offsets[labels] = i
                    labels += 1
                    i += Int(wire[i]) + 1
                }
                while labels > 0 {
                    labels -= 1
                    let start = offsets[labels]
                    for b in wire[(start + 1)...(start + Int(wire[start]))] {
                        if b <= 1 {
                            key.append(1)
                            key.append(b + 1)
                        } else {
                            key.append(b)
                        }
                    }
                    key.append(0)
                }
            }
        }
    }
}
