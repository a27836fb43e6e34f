import CPcap

#if canImport(Glibc)
    import Glibc
#endif

/// A borrowed, bounds-checked, zero-copy view of packet or stream bytes: what every decoder and
/// detector reads. It holds the memory it views privately and never hands the address out, so the
/// unsafe code stays here and in the files that wrap libpcap or map capture files.
///
/// Every read is checked, in release builds too: the subscript traps (a `precondition`) on an index
/// outside `0..<count`, while the integer reads at an offset return nil past the end. A slice is a
/// view of its own, indexed from 0, like `UnsafeRawBufferPointer(rebasing:)`.
///
/// The view borrows: it is valid only while the memory it was made from is, which is inside the
/// closure of `withPacketBytes` or for one packet of a capture source. Swift's `RawSpan` would let the
/// compiler prove that, but it cannot be stored in the sample structs the detectors are given.
public struct PacketBytes {
    private let buffer: UnsafeRawBufferPointer

    /// The view of memory the caller keeps alive for as long as the view is used. Only the capture
    /// sources (libpcap, mapped files) and `withPacketBytes` make views this way.
    init(unsafeBorrowing buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// No bytes.
    public init() {
        buffer = UnsafeRawBufferPointer(start: nil, count: 0)
    }

    public var count: Int {
        @inline(__always) get { buffer.count }
    }

    public var isEmpty: Bool {
        @inline(__always) get { buffer.isEmpty }
    }

    /// The first byte, or nil when empty.
    public var first: UInt8? { buffer.isEmpty ? nil : buffer[0] }

    /// The byte at `index`; traps when `index` is outside `0..<count`, in every build.
    public subscript(index: Int) -> UInt8 {
        @inline(__always) get {
            precondition(index >= 0 && index < buffer.count, "PacketBytes index out of range")
            return buffer[index]
        }
    }

    /// The bytes in `range`, as a view indexed from 0, cut to the bytes there are: a range before the
    /// start or past the end of hostile or truncated data gives what lies inside it (possibly
    /// nothing), never a trap. A defence in depth: the capture fuzz target's slice before the start
    /// came from the stream reassembly's sequence arithmetic, fixed there (`StreamReassembly.append`).
    public subscript<R: RangeExpression>(range: R) -> PacketBytes where R.Bound == Int {
        @inline(__always) get {
            let bounds = range.relative(to: 0..<Int.max)
            let lower = Swift.min(Swift.max(bounds.lowerBound, 0), buffer.count)
            let upper = Swift.min(Swift.max(bounds.upperBound, lower), buffer.count)
            return PacketBytes(unsafeBorrowing: UnsafeRawBufferPointer(rebasing: buffer[lower..<upper]))
        }
    }

    /// The first `maxLength` bytes (all of them when there are fewer).
    public func prefix(_ maxLength: Int) -> PacketBytes {
        self[0..<Swift.min(Swift.max(maxLength, 0), buffer.count)]
    }

    /// Whether the view begins with `prefix`'s bytes.
    public func starts<S: Sequence>(with prefix: S) -> Bool where S.Element == UInt8 {
        var index = 0
        for byte in prefix {
            guard index < buffer.count, buffer[index] == byte else { return false }
            index += 1
        }
        return true
    }

    /// Where `byte` first occurs, or nil.
    public func firstIndex(of byte: UInt8) -> Int? {
        firstIndex(of: byte, from: 0)
    }

    /// Where `byte` first occurs at or after `start`, or nil (`memchr`).
    public func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        let from = Swift.max(start, 0)
        guard from < buffer.count, let base = buffer.baseAddress else { return nil }
        guard let found = memchr(base + from, Int32(byte), buffer.count - from) else { return nil }
        return UnsafeRawPointer(found) - base
    }

    /// Where the bytes of `needle` first occur at or after `start`, or nil; nil for an empty needle
    /// (`memmem`). The detectors search whole 8 KiB openings for signatures with it.
    public func firstIndex(of needle: [UInt8], from start: Int = 0) -> Int? {
        let from = Swift.max(start, 0)
        guard !needle.isEmpty, needle.count <= buffer.count - from, let base = buffer.baseAddress else { return nil }
        return needle.withUnsafeBytes { wanted -> Int? in
            guard let found = exposure_memmem(base + from, buffer.count - from, wanted.baseAddress!, wanted.count)
            else {
                return nil
            }
            return UnsafeRawPointer(found) - base
        }
    }

    /// Whether `needle`, lower-case ASCII, occurs anywhere in the view with ASCII letters in any case.
    public func containsIgnoringASCIICase(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first, needle.count <= buffer.count else { return false }
        @inline(__always) func lower(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }
        let last = buffer.count - needle.count
        return needle.withUnsafeBufferPointer { wanted in
            var index = 0
            outer: while index <= last {
                if lower(buffer[index]) == first {
                    for offset in 1..<wanted.count where lower(buffer[index + offset]) != wanted[offset] {
                        index += 1
                        continue outer
                    }
                    return true
                }
                index += 1
            }
            return false
        }
    }

    /// Whether the two views hold the same bytes.
    public func elementsEqual(_ other: PacketBytes) -> Bool {
        buffer.elementsEqual(other.buffer)
    }

    /// The bytes decoded as UTF-8, invalid sequences repaired (a copy).
    public var utf8Text: String { String(decoding: buffer, as: UTF8.self) }

    /// The bytes as a new array (a copy: for what outlives the borrowed memory).
    public var array: [UInt8] { [UInt8](buffer) }

    // MARK: Integers at an offset, nil past the end

    @inline(__always)
    public func uint16BigEndian(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= buffer.count - 2 else { return nil }
        return UInt16(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    public func uint32BigEndian(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= buffer.count - 4 else { return nil }
        return UInt32(bigEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    @inline(__always)
    public func uint16LittleEndian(at offset: Int) -> UInt16? {
        guard offset >= 0, offset <= buffer.count - 2 else { return nil }
        return UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always)
    public func uint32LittleEndian(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= buffer.count - 4 else { return nil }
        return UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
}

extension PacketBytes: Sequence {
    public struct Iterator: IteratorProtocol {
        private var inner: UnsafeRawBufferPointer.Iterator

        fileprivate init(_ inner: UnsafeRawBufferPointer.Iterator) { self.inner = inner }

        @inline(__always)
        public mutating func next() -> UInt8? { inner.next() }
    }

    public func makeIterator() -> Iterator { Iterator(buffer.makeIterator()) }

    public var underestimatedCount: Int { buffer.count }
}

extension Array where Element == UInt8 {
    /// Calls `body` with a view of the array's bytes, valid only inside the call.
    public func withPacketBytes<Result>(_ body: (PacketBytes) throws -> Result) rethrows -> Result {
        try withUnsafeBytes { try body(PacketBytes(unsafeBorrowing: $0)) }
    }

    /// Appends the view's bytes.
    public mutating func append(contentsOf bytes: PacketBytes) {
        bytes.appendAll(to: &self)
    }

    /// Overwrites the bytes from `offset` with the view's; traps when they do not fit.
    mutating func replaceBytes(at offset: Int, with bytes: PacketBytes) {
        precondition(offset >= 0 && offset + bytes.count <= count, "PacketBytes copy out of range")
        bytes.copy(into: &self, at: offset)
    }
}

extension PacketBytes {
    fileprivate func appendAll(to array: inout [UInt8]) {
        array.append(contentsOf: buffer)
    }

    fileprivate func copy(into array: inout [UInt8], at offset: Int) {
        array.withUnsafeMutableBytes { target in
            UnsafeMutableRawBufferPointer(rebasing: target[offset..<(offset + buffer.count)]).copyMemory(from: buffer)
        }
    }
}
