/// Reads big-endian integers and byte runs from borrowed memory with a moving index, never copying and
/// never trapping: a read past the end returns nil and leaves the reader where it was, so a decoder on
/// a cut-off or hostile packet stops cleanly instead of crashing. The small reads are forced inline:
/// every packet's headers go through them, and a call each was a tenth of the decoding time.
public struct ByteReader {
    public let bytes: PacketBytes
    public private(set) var offset: Int

    public init(_ bytes: PacketBytes, offset: Int = 0) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    /// Bytes left to read.
    public var remaining: Int { bytes.count - offset }

    public var isAtEnd: Bool { offset >= bytes.count }

    @inline(__always)
    public mutating func readUInt8() -> UInt8? {
        guard remaining >= 1 else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    @inline(__always)
    public mutating func readUInt16() -> UInt16? {
        guard let value = bytes.uint16BigEndian(at: offset) else { return nil }
        offset += 2
        return value
    }

    @inline(__always)
    public mutating func readUInt24() -> UInt32? {
        guard remaining >= 3 else { return nil }
        defer { offset += 3 }
        return UInt32(bytes[offset]) << 16 | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2])
    }

    @inline(__always)
    public mutating func readUInt32() -> UInt32? {
        guard let value = bytes.uint32BigEndian(at: offset) else { return nil }
        offset += 4
        return value
    }

    public mutating func readUInt16LittleEndian() -> UInt16? {
        readUInt16().map { $0.byteSwapped }
    }

    public mutating func readUInt32LittleEndian() -> UInt32? {
        readUInt32().map { $0.byteSwapped }
    }

    @inline(__always)
    public mutating func readUInt64() -> UInt64? {
        guard let high = readUInt32(), let low = readUInt32() else { return nil }
        return UInt64(high) << 32 | UInt64(low)
    }

    /// The next `count` bytes as a borrowed slice, or nil when fewer remain.
    @inline(__always)
    public mutating func readBytes(_ count: Int) -> PacketBytes? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    /// Up to `count` bytes: what is there when the input is cut short.
    public mutating func readAtMost(_ count: Int) -> PacketBytes {
        readBytes(min(max(count, 0), remaining)) ?? PacketBytes()
    }

    /// Everything after the current position.
    public mutating func readRest() -> PacketBytes {
        readAtMost(remaining)
    }

    @discardableResult
    @inline(__always)
    public mutating func skip(_ count: Int) -> Bool {
        guard count >= 0, remaining >= count else { return false }
        offset += count
        return true
    }

    /// The byte `ahead` positions past the current one, without moving.
    @inline(__always)
    public func peekUInt8(ahead: Int = 0) -> UInt8? {
        let at = offset + ahead
        guard ahead >= 0, at < bytes.count else { return nil }
        return bytes[at]
    }

    /// Reads up to (not including) the next `terminator` byte and steps over it; nil when there is none.
    public mutating func readUntil(_ terminator: UInt8, limit: Int = Int.max) -> PacketBytes? {
        var at = offset
        let end = limit >= bytes.count - offset ? bytes.count : offset + max(limit, 0)
        while at < end {
            if bytes[at] == terminator {
                let run = bytes[offset..<at]
                offset = at + 1
                return run
            }
            at += 1
        }
        return nil
    }
}
