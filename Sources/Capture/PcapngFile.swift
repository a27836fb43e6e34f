import Findings

#if canImport(Glibc)
    import Glibc
#endif

/// A pcapng file (draft-ietf-opsawg-pcapng), mapped into memory 8 MiB at a time and walked block by
/// block by hand, as `ClassicPcapFile` walks classic pcap.
///
/// Why not libpcap: its reader copies every block into its buffer and stops at the first damaged one; this walk
/// hands the packets out where they lie and, on a block whose lengths are impossible, resynchronises on
/// the next 4-byte aligned offset where a plausible chain of blocks parses, counting what it skipped.
///
/// What is read: Section Header Blocks (byte order per section, from the byte-order magic; each new
/// section forgets the interfaces of the one before), Interface Description Blocks (link type, snap
/// length, `if_tsresol`, `if_tsoffset`), Enhanced, Simple and the obsolete Packet Blocks. Every other
/// block is skipped by its length. The section length field is not used: it may be -1, and a walk
/// by block lengths finds the next section anyway.
///
/// One link type per file: the decoder and the BPF filter are made for the first interface's link
/// type (as libpcap's are), so packets on an interface with another link type are skipped and counted
/// (`packetsOnOtherLinkTypes`), and the run warns about them; libpcap instead stops reading at such an
/// interface.
///
/// Only regular files are mapped; for a pipe or a device `open` returns nil and libpcap reads the
/// stream (`PcapSource` looks at a pipe's first bytes without consuming them, so libpcap gets it whole).
final class PcapngFile {
    /// One interface of the current section.
    struct Interface {
        var linkType: UInt32
        var snapLength: UInt32
        /// Whether its packets are handed out: its link type is the first interface's.
        var isDecoded: Bool
        /// How a tick count becomes microseconds.
        var scale: TimestampScale
        /// `if_tsoffset`: seconds added to every timestamp.
        var offsetSeconds: Int64
    }

    /// The `if_tsresol` resolution, as the conversion from ticks to microseconds it needs.
    enum TimestampScale: Equatable {
        /// Ticks are microseconds (the default).
        case microseconds
        /// 10^n ticks per second with n < 6: multiply.
        case multiply(Int64)
        /// 10^n ticks per second with n > 6: divide (cut, as libpcap does).
        case divide(UInt64)
        /// 2^n ticks per second.
        case binary(UInt64)

        /// From the option's byte: the high bit set means a power of two, else a power of ten.
        /// libpcap refuses more than 19 decimal or 63 binary digits; here they are capped there.
        init(option: UInt8) {
            let exponent = Int(option & 0x7F)
            if option & 0x80 != 0 {
                self = .binary(UInt64(min(exponent, 63)))
            } else if exponent == 6 {
                self = .microseconds
            } else if exponent < 6 {
                var factor: Int64 = 1
                for _ in exponent..<6 { factor *= 10 }
                self = .multiply(factor)
            } else {
                var divisor: UInt64 = 1
                for _ in 6..<min(exponent, 19) { divisor *= 10 }
                self = .divide(divisor)
            }
        }

        /// Microseconds since the epoch for a tick count (wrapping, never trapping, on absurd values).
        @inline(__always)
        func microseconds(_ ticks: UInt64, offsetSeconds: Int64) -> Int64 {
            let offset = offsetSeconds &* 1_000_000
            switch self {
            case .microseconds: return Int64(bitPattern: ticks) &+ offset
            case .multiply(let factor): return Int64(bitPattern: ticks) &* factor &+ offset
            case .divide(let divisor): return Int64(bitPattern: ticks / divisor) &+ offset
            case .binary(let digits):
                let seconds = ticks >> digits
                let fraction = digits == 0 ? 0 : ticks & ((1 << digits) &- 1)
                let (high, low) = fraction.multipliedFullWidth(by: 1_000_000)
                let micro = digits == 0 ? 0 : (high << (64 - digits)) | (low >> digits)
                return Int64(bitPattern: seconds) &* 1_000_000 &+ Int64(bitPattern: micro) &+ offset
            }
        }
    }

    /// Damaged blocks met and what was skipped to get past them.
    struct Damage {
        var places = 0
        var skippedBytes = 0
        /// How many packets had been read before the first damaged block, and what was wrong with it.
        var first: (afterPacket: Int, reason: String)?
        /// A damaged block after which no plausible block followed: the rest of the file was skipped.
        var noBlockFollowed = false
    }

    let path: String
    /// The first interface's link type (LINKTYPE_ value) and snap length: what the file is decoded as.
    var linkType: UInt32 { firstLinkType }
    var snapLength: UInt32 { firstSnapLength }
    private(set) var damage = Damage()
    /// Packets skipped because their interface has another link type than the first, per link type.
    private(set) var packetsOnOtherLinkTypes: [UInt32: Int] = [:]
    /// How many windows were mapped, for the tests.
    private(set) var windowsMapped = 0

    private let descriptor: Int32
    /// The mapped window, its length and its offset in the file.
    private var window: UnsafeMutableRawPointer?
    private var windowLength = 0
    private var windowOffset = 0
    /// `window - windowOffset`, as an address: a file offset added to it gives the byte's address.
    private var origin = 0
    private var fileSize: Int
    private var mapFailure: String?
    /// The `MappedWindowGuard` slot of the mapped windows: a file truncated by another program while it
    /// is read ends as one cut short.
    private let guardSlot: Int
    private let windowSize: Int
    private let pageSize: Int

    /// The current section's byte order and interfaces.
    private var swapped = false
    private var interfaces: [Interface] = []

    static let defaultWindowSize = 8 << 20
    /// The largest block accepted, a generous bound (a packet block needs at most 262,144 bytes of data
    /// and its options): a longer one is damage.
    static let largestBlock = 16 << 20
    /// libpcap's largest snap length; a resynchronisation does not trust a packet block claiming more
    /// (the walk itself reads any captured length its block holds).
    static let largestCapture = 262_144

    static let sectionHeaderType: UInt32 = 0x0A0D_0D0A
    static let byteOrderMagic: UInt32 = 0x1A2B_3C4D
    static let interfaceType: UInt32 = 1
    static let obsoletePacketType: UInt32 = 2
    static let simplePacketType: UInt32 = 3
    static let enhancedPacketType: UInt32 = 6
    /// Block types a resynchronisation accepts: the spec's standard ones (SHB, IDB, PB, SPB, NRB, ISB,
    /// EPB, systemd journal, decryption secrets) and the two custom block types.
    @inline(__always)
    static func isKnownType(_ type: UInt32) -> Bool {
        switch type {
        case sectionHeaderType, 1, 2, 3, 4, 5, 6, 9, 10, 0x0000_0BAD, 0x4000_0BAD: true
        default: false
        }
    }

    /// Opens `path` as pcapng, or returns nil when it is something else, is not a regular file, or its
    /// start (up to the first Interface Description Block) does not parse, for libpcap to read or refuse.
    /// Windows smaller than a page are one page.
    static func open(path: String, windowSize: Int = defaultWindowSize) throws(InputError) -> PcapngFile? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw InputError(file: path, reason: "cannot open the capture (\(reason))")
        }
        var status = stat()
        var start = [UInt8](repeating: 0, count: 12)
        let got = start.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 12, 0) }
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG, got == 12,
            start.withUnsafeBytes({ $0.loadUnaligned(as: UInt32.self) }) == sectionHeaderType,
            // With every guard slot taken, libpcap reads the file instead.
            let slot = MappedWindowGuard.acquire()
        else {
            close(descriptor)
            return nil
        }
        let file = PcapngFile(
            path: path, descriptor: descriptor, size: Int(status.st_size), windowSize: windowSize, guardSlot: slot)
        guard let first = file.firstInterface() else { return nil }
        file.firstLinkType = first.linkType
        file.firstSnapLength = first.snapLength
        return file
    }

    private var firstLinkType: UInt32 = 0
    private var firstSnapLength: UInt32 = 0

    private init(path: String, descriptor: Int32, size: Int, windowSize: Int, guardSlot: Int) {
        self.guardSlot = guardSlot
        self.path = path
        self.descriptor = descriptor
        self.fileSize = size
        self.pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 1)
        self.windowSize = max(windowSize, pageSize)
    }

    deinit {
        MappedWindowGuard.release(guardSlot)
        if let window { munmap(window, windowLength) }
        close(descriptor)
    }

    // MARK: Bytes of the file

    /// Makes the file's bytes `offset..<end` addressable, mapping a new window that starts at the page
    /// holding `anchor` (at most `offset`) when they are not. False when the file does not reach `end`
    /// (its size is asked again first, so a file still being written is followed) or mapping failed.
    @inline(__always)
    private func ensure(_ offset: Int, _ end: Int, anchor: Int? = nil) -> Bool {
        if offset >= windowOffset && end <= windowOffset + windowLength { return true }
        return remap(from: anchor ?? offset, to: end)
    }

    private func remap(from start: Int, to end: Int) -> Bool {
        if end > fileSize {
            var status = stat()
            if fstat(descriptor, &status) == 0 { fileSize = Int(status.st_size) }
            if end > fileSize { return false }
        }
        let alignedStart = start - start % pageSize
        // Twice what is wanted when that is more than a window: a resynchronisation checking long
        // (damaged) block lengths at every offset then remaps once per such length, not per offset.
        let length = min(max(windowSize, 2 * (end - alignedStart)), fileSize - alignedStart)
        MappedWindowGuard.setWindow(guardSlot, start: nil, length: 0)
        if let window { munmap(window, windowLength) }
        window = nil
        windowLength = 0
        windowOffset = 0
        let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, off_t(alignedStart))
        guard let mapped, mapped != MAP_FAILED else {
            mapFailure = String(cString: strerror(errno))
            return false
        }
        madvise(mapped, length, MADV_SEQUENTIAL)
        MappedWindowGuard.setWindow(guardSlot, start: mapped, length: length)
        windowsMapped += 1
        window = mapped
        windowLength = length
        windowOffset = alignedStart
        origin = Int(bitPattern: mapped) &- alignedStart
        return true
    }

    /// The address of the file's byte at `offset`, which `ensure` made addressable.
    @inline(__always)
    private func address(_ offset: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(bitPattern: origin &+ offset).unsafelyUnwrapped
    }

    @inline(__always)
    private func word(_ offset: Int, swapped: Bool) -> UInt32 {
        let raw = address(offset).loadUnaligned(as: UInt32.self)
        return swapped ? raw.byteSwapped : raw
    }

    @inline(__always)
    private func word(_ offset: Int) -> UInt32 { word(offset, swapped: swapped) }

    @inline(__always)
    private func halfWord(_ offset: Int) -> UInt16 {
        let raw = address(offset).loadUnaligned(as: UInt16.self)
        return swapped ? raw.byteSwapped : raw
    }

    // MARK: Blocks

    /// What one block's frame (type and the two lengths) says, or why it is impossible.
    private enum Frame {
        case block(type: UInt32, length: Int)
        /// The block runs past the end of the file (by its length, which may itself be damaged).
        case pastEnd(length: Int, available: Int)
        case damaged(String)
    }

    /// Reads the block frame at `offset` in the byte order `swapped` (a Section Header Block sets its
    /// own, returned), making the whole block addressable. `anchor` keeps a resynchronisation's window.
    @inline(__always)
    private func frame(at offset: Int, swapped: inout Bool, anchor: Int? = nil) -> Frame {
        let type = word(offset, swapped: false)
        if type == Self.sectionHeaderType {
            guard ensure(offset, offset + 12, anchor: anchor) else {
                return .pastEnd(length: 12, available: max(fileSize - offset, 0))
            }
            let magic = word(offset + 8, swapped: false)
            if magic == Self.byteOrderMagic {
                swapped = false
            } else if magic == Self.byteOrderMagic.byteSwapped {
                swapped = true
            } else {
                return .damaged("a section header without the byte-order magic")
            }
        }
        let declared = word(offset + 4, swapped: swapped)
        let length = Int(declared)
        let blockType = swapped && type != Self.sectionHeaderType ? type.byteSwapped : type
        guard length % 4 == 0, length >= Self.minimumLength(blockType), length <= Self.largestBlock else {
            return .damaged("block type \(blockType) with an impossible length of \(declared) bytes")
        }
        guard ensure(offset, offset + length, anchor: anchor) else {
            return .pastEnd(length: length, available: max(fileSize - offset, 0))
        }
        let trailing = word(offset + length - 4, swapped: swapped)
        guard trailing == declared else {
            return .damaged("block type \(blockType) of \(declared) bytes ends with the length \(trailing)")
        }
        return .block(type: blockType, length: length)
    }

    /// The shortest sound block of a type: header, fixed fields and trailing length.
    @inline(__always)
    private static func minimumLength(_ type: UInt32) -> Int {
        switch type {
        case enhancedPacketType, obsoletePacketType: 32
        case sectionHeaderType: 28
        case interfaceType: 20
        case simplePacketType: 16
        default: 12
        }
    }

    /// Parses an Interface Description Block of `length` bytes at `offset`.
    private func interface(at offset: Int, length: Int) -> Interface {
        let linkType = UInt32(halfWord(offset + 8))
        var parsed = Interface(
            linkType: linkType, snapLength: word(offset + 12), isDecoded: linkType == firstLinkType,
            scale: .microseconds, offsetSeconds: 0)
        // Options: a 2-byte code and 2-byte length, the value padded to 4 bytes; code 0 ends them.
        var option = offset + 16
        let end = offset + length - 4
        while option + 4 <= end {
            let code = halfWord(option)
            let valueLength = Int(halfWord(option + 2))
            let value = option + 4
            if code == 0 || value + valueLength > end { break }
            if code == 9 && valueLength >= 1 {
                parsed.scale = TimestampScale(option: address(value).load(as: UInt8.self))
            } else if code == 14 && valueLength >= 8 {
                let raw = address(value).loadUnaligned(as: UInt64.self)
                parsed.offsetSeconds = Int64(bitPattern: swapped ? raw.byteSwapped : raw)
            }
            option = value + (valueLength + 3) & ~3
        }
        return parsed
    }

    /// The first interface of the file, walking from its start; nil when a packet, damage or the end of
    /// the file comes first (libpcap then says what is wrong).
    private func firstInterface() -> Interface? {
        var offset = 0
        var order = false
        while ensure(offset, offset + 12) {
            guard case .block(let type, let length) = frame(at: offset, swapped: &order) else { return nil }
            swapped = order
            switch type {
            case Self.interfaceType:
                firstLinkType = UInt32(halfWord(offset + 8))
                let first = interface(at: offset, length: length)
                swapped = false
                return first
            case Self.enhancedPacketType, Self.simplePacketType, Self.obsoletePacketType: return nil
            default: offset += length
            }
        }
        return nil
    }

    /// Whether a chain of plausible blocks starts at `offset` in the byte order `startOrder`: three
    /// blocks of known types whose lengths parse (a section header switching the byte order for those
    /// after it), or fewer that end exactly at the end of the file.
    private func plausibleChain(at offset: Int, swapped startOrder: Bool) -> Bool {
        var position = offset
        var order = startOrder
        for count in 0..<3 {
            if position == fileSize { return count >= 1 }
            guard ensure(position, position + 12, anchor: offset) else { return false }
            let type = word(position, swapped: false)
            guard Self.isKnownType(type) || Self.isKnownType(type.byteSwapped) else { return false }
            guard case .block(let blockType, let length) = frame(at: position, swapped: &order, anchor: offset),
                Self.isKnownType(blockType)
            else { return false }
            if blockType == Self.enhancedPacketType || blockType == Self.obsoletePacketType {
                let captured = Int(word(position + 20, swapped: order))
                guard captured <= Self.largestCapture, 28 + captured + 4 <= length else { return false }
            }
            position += length
        }
        return true
    }

    /// The next 4-byte aligned offset after `offset` where a plausible chain of blocks starts, and
    /// whether it is in the current section's byte order; nil when the file ends first. The other byte
    /// order is tried too: the damage may have hit the header of a section written in it.
    private func nextChain(after offset: Int) -> (offset: Int, sameOrder: Bool)? {
        var candidate = (offset + 4) & ~3
        while candidate + 12 <= fileSize || ensure(candidate, candidate + 12) {
            // Most offsets in damage fail on the type alone: test it once before both byte orders.
            guard ensure(candidate, candidate + 12, anchor: candidate) else { return nil }
            let type = word(candidate, swapped: false)
            if !Self.isKnownType(type) && !Self.isKnownType(type.byteSwapped) {
                candidate += 4
                continue
            }
            if plausibleChain(at: candidate, swapped: swapped) { return (candidate, true) }
            if plausibleChain(at: candidate, swapped: !swapped) { return (candidate, false) }
            candidate += 4
        }
        return nil
    }

    /// Goes on at a chain `nextChain` found; one in the other byte order belongs to a new section whose
    /// header was damaged, so the interfaces described so far are forgotten.
    private func resume(at chain: (offset: Int, sameOrder: Bool)) -> Int {
        if !chain.sameOrder {
            swapped.toggle()
            interfaces = []
        }
        return chain.offset
    }

    /// Counts a damaged block at `offset` and returns where reading goes on, or nil (the rest skipped).
    private func resynchronise(from offset: Int, packetsRead: Int, reason: String) -> Int? {
        damage.places += 1
        if damage.first == nil { damage.first = (packetsRead, reason) }
        guard let chain = nextChain(after: offset) else {
            damage.skippedBytes += max(fileSize - offset, 0)
            damage.noBlockFollowed = true
            return nil
        }
        damage.skippedBytes += chain.offset - offset
        return resume(at: chain)
    }

    // MARK: The walk

    /// Hands every packet to `body` as a frame borrowed from the mapped file (valid only during the
    /// call), skipping damaged blocks, until the file ends or `shouldStop` says so.
    func forEachPacket(shouldStop: () -> Bool, _ body: (CapturedFrame) -> Void) -> EndOfInput {
        var number = 0
        let end = walk(shouldStop: shouldStop, number: &number) { frame in
            // The packet at the cut is not handed on: its bytes may be the zeros of the guard.
            if !MappedWindowGuard.wasCut(guardSlot) { body(frame) }
        }
        guard MappedWindowGuard.wasCut(guardSlot) else { return end }
        return .cut(packet: number + 1, reason: "the file was truncated by another program while it was read")
    }

    private func walk(shouldStop: () -> Bool, number: inout Int, _ body: (CapturedFrame) -> Void) -> EndOfInput {
        var position = 0
        swapped = false
        interfaces = []
        while true {
            if shouldStop() { return .stopped }
            if MappedWindowGuard.wasCut(guardSlot) { return .complete }
            guard ensure(position, position + 8) else {
                if let mapFailure { return .cut(packet: number + 1, reason: mapFailure) }
                let left = fileSize - position
                if left <= 0 { return .complete }
                return .cut(packet: number + 1, reason: "the file ends inside a block header (\(left) of 8 bytes)")
            }
            var order = swapped
            let type: UInt32
            let length: Int
            switch frame(at: position, swapped: &order) {
            case .block(let blockType, let blockLength):
                (type, length) = (blockType, blockLength)
            case .pastEnd(let announced, let available):
                if let mapFailure { return .cut(packet: number + 1, reason: mapFailure) }
                // A cut last block, unless sound blocks follow (then its length was damaged).
                if let chain = nextChain(after: position) {
                    damage.places += 1
                    if damage.first == nil {
                        damage.first = (number, "a block's length of \(announced) bytes runs past the end of the file")
                    }
                    damage.skippedBytes += chain.offset - position
                    position = resume(at: chain)
                    continue
                }
                return .cut(
                    packet: number + 1,
                    reason: "the block announces \(announced) bytes, the file ends after \(available)")
            case .damaged(let reason):
                guard let next = resynchronise(from: position, packetsRead: number, reason: reason) else {
                    return .complete
                }
                position = next
                continue
            }
            swapped = order
            switch type {
            case Self.enhancedPacketType, Self.obsoletePacketType:
                number += 1
                let enhanced = type == Self.enhancedPacketType
                let interfaceID = enhanced ? Int(word(position + 8)) : Int(halfWord(position + 8))
                let captured = Int(word(position + 20))
                let wire = Int(word(position + 24))
                guard 28 + captured + 4 <= length, interfaceID < interfaces.count else {
                    let reason =
                        interfaceID < interfaces.count
                        ? "packet \(number) announces \(captured) captured bytes in a block of \(length)"
                        : "packet \(number) names interface \(interfaceID), which the section does not describe"
                    damage.places += 1
                    if damage.first == nil { damage.first = (number - 1, reason) }
                    damage.skippedBytes += length
                    position += length
                    continue
                }
                let interface = interfaces[interfaceID]
                if interface.isDecoded {
                    let ticks = UInt64(word(position + 12)) << 32 | UInt64(word(position + 16))
                    body(
                        CapturedFrame(
                            bytes: UnsafeRawBufferPointer(start: address(position + 28), count: captured),
                            wireLength: wire,
                            time: Timestamp(
                                microseconds: interface.scale.microseconds(
                                    ticks, offsetSeconds: interface.offsetSeconds)),
                            number: number))
                } else {
                    packetsOnOtherLinkTypes[interface.linkType, default: 0] += 1
                }
            case Self.simplePacketType:
                number += 1
                guard let interface = interfaces.first else {
                    damage.places += 1
                    if damage.first == nil {
                        damage.first = (number - 1, "packet \(number) comes before any interface is described")
                    }
                    damage.skippedBytes += length
                    position += length
                    continue
                }
                // The captured part is the original length cut to the snap length (0: none) and the block.
                let wire = Int(word(position + 8))
                let snap = interface.snapLength == 0 ? Int.max : Int(interface.snapLength)
                let captured = min(wire, snap, length - 16)
                if interface.isDecoded {
                    // No timestamp in the block: 0, as libpcap gives.
                    body(
                        CapturedFrame(
                            bytes: UnsafeRawBufferPointer(start: address(position + 12), count: captured),
                            wireLength: wire,
                            time: Timestamp(microseconds: 0),
                            number: number))
                } else {
                    packetsOnOtherLinkTypes[interface.linkType, default: 0] += 1
                }
            case Self.interfaceType:
                interfaces.append(interface(at: position, length: length))
            case Self.sectionHeaderType:
                interfaces = []
            default:
                break
            }
            position += length
        }
    }
}

extension PcapSource {
    /// What the pcapng walker skipped, as warnings: damaged blocks and packets of another link type.
    var pcapngWarnings: [String] {
        guard let pcapng = pcapngFile else { return [] }
        var warnings: [String] = []
        let damage = pcapng.damage
        if damage.places > 0, let first = damage.first {
            let blocks =
                damage.places == 1 ? "1 damaged pcapng block was" : "\(damage.places) damaged pcapng blocks were"
            let after =
                damage.noBlockFollowed
                ? "no sound block followed the last one, so the rest of the file was skipped"
                : "reading went on at the next plausible block"
            warnings.append(
                "\(name): \(blocks) skipped (the first after packet \(first.afterPacket): \(first.reason)); "
                    + "\(damage.skippedBytes) bytes were passed over; \(after)")
        }
        if !pcapng.packetsOnOtherLinkTypes.isEmpty {
            let total = pcapng.packetsOnOtherLinkTypes.values.reduce(0, +)
            let types = pcapng.packetsOnOtherLinkTypes.keys.sorted().map(String.init).joined(separator: ", ")
            warnings.append(
                "\(name): \(total) packet\(total == 1 ? "" : "s") on interfaces of link type \(types) "
                    + "\(total == 1 ? "was" : "were") skipped; only the first interface's link type "
                    + "(\(pcapng.linkType)) is decoded")
        }
        return warnings
    }
}
