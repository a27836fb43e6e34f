import Findings

#if canImport(Glibc)
    import Glibc
#endif

/// A classic pcap file (libpcap's original format; pcapng has its own walker, `PcapngFile`), read
/// with plain `read()` calls of 256 KiB into one reusable 1 MiB buffer (or, when asked for a window
/// size, mapped that many bytes at a time) and walked record by record by hand.
///
/// Why not libpcap: its reader copies every record into its own buffer and cannot get past a damaged
/// record header; this walk hands out the records where they lie in the buffer (1.2× to 4.5× faster
/// than libpcap's reader, docs/benchmarks.md) and, on a damaged header, resynchronises on the next
/// offset where a plausible chain of record headers parses. Why `read()` into a small buffer rather
/// than mapping the file: the buffer is reused, so it stays in the CPU's caches and costs no page
/// faults, while each mapped window cost the kernel its page-table work (mapping and unmapping every
/// page) and every record header a cache miss, since mapped page cache is not in the CPU's caches:
/// on the 600 MiB benchmark capture, a C walk of the record headers took 0.065–0.081 s CPU reading
/// 256 KiB at a time against 0.135–0.157 s with 8 MiB mapped windows (docs/benchmarks.md,
/// "Reading instead of mapping"). A file that grows while it is read is followed (reading goes on
/// to the end it has then); one truncated by another program while it is read ends as a file cut
/// short, named as such (its size at opening is remembered; when mapped, `MappedWindowGuard` turns
/// the fault into zeros and a mark).
final class ClassicPcapFile {
    /// What the 24-byte file header says.
    struct FileHeader: Equatable {
        /// The file was written in the other byte order than this machine's.
        var byteSwapped: Bool
        /// The magic said the fractions are nanoseconds (0xA1B23C4D), not microseconds (0xA1B2C3D4).
        var nanoseconds: Bool
        var snapLength: UInt32
        /// The LINKTYPE_ value (the low 16 bits of the field; the rest holds FCS flags).
        var linkType: UInt32
    }

    /// Damaged record headers met and what was skipped to get past them.
    struct Damage {
        var places = 0
        var skippedBytes = 0
        /// The record number and what was wrong with the first damaged header.
        var first: (packet: Int, reason: String)?
        /// A damaged header after which no plausible record followed: the rest of the file was skipped.
        var noRecordFollowed = false
    }

    let path: String
    let header: FileHeader
    private(set) var damage = Damage()
    private let descriptor: Int32
    private let buffer: UnsafeMutableRawBufferPointer
    /// Where the current bytes lie: the mapped window, or `buffer` when reading.
    private var base: UnsafeRawPointer
    /// The mapped window (nil when reading with `read()`), its length and its offset in the file.
    private var window: UnsafeMutableRawPointer?
    private var windowLength = 0
    private var windowOffset = 0
    /// The file's size when last asked; nil when the file is read rather than mapped.
    private var mappedFileSize: Int?
    /// How many windows were mapped, for the tests.
    private(set) var windowsMapped = 0
    /// The unread bytes are `base[start..<end]`.
    private var start = 0
    private var end = 0
    private var atEndOfFile = false
    private var readFailure: String?
    /// The `MappedWindowGuard` slot of the mapped windows.
    private var guardSlot: Int?

    /// The buffer holds a whole chain of three maximal records, so resynchronising never reads past it.
    static let bufferSize = 1 << 20
    /// How much one `read()` asks for (more when a record or a chain of records needs it): small
    /// enough that what was read is still in the CPU's cache when the walk reaches it.
    static let readChunk = 256 << 10
    /// The default: read, not map.
    static let defaultWindowSize = 0
    /// A window size for mapping the file (the tests compare mapped and read walks).
    static let mappedWindowSize = 8 << 20
    /// This file's window size; 0 reads with `read()` instead of mapping.
    private let windowSize: Int
    /// A regular file read with `read()`: its size when it was opened, and how far it has been read.
    /// Reading that ends before that size means another program truncated the file meanwhile.
    private var sizeAtOpen: Int?
    private var bytesRead = 24
    /// Reading stopped before the size the file had at opening: it was truncated while it was read.
    private var shrank = false
    /// libpcap's largest snap length for any link type; a captured length above it is damage.
    static let largestSnapLength: UInt32 = 262_144
    /// A record more than a day older than the one before, or more than 30 days newer, is suspect (a
    /// damaged timestamp): merged captures go back by seconds, quiet ones skip days, damage by years.
    static let plausibleStepBack: Int64 = 86_400 * 1_000_000
    static let plausibleStepForward: Int64 = 30 * 86_400 * 1_000_000

    @inline(__always)
    static func plausibleStep(from previous: Int64, to time: Int64) -> Bool {
        time >= previous &- plausibleStepBack && time <= previous &+ plausibleStepForward
    }
    private static let recordHeaderSize = 16

    /// Opens `path` as classic pcap, or returns nil when it is something else (pcapng, the "modified"
    /// pcap of old Red Hat tcpdump, not a capture at all) for libpcap to open or refuse. A regular file
    /// is mapped `windowSize` bytes at a time; other files, or a `windowSize` of 0, are read.
    static func open(path: String, windowSize: Int = defaultWindowSize) throws(InputError) -> ClassicPcapFile? {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            throw InputError(file: path, reason: "cannot open the capture (\(reason))")
        }
        return try open(descriptor: descriptor, path: path, windowSize: windowSize)
    }

    /// `open(path:windowSize:)` on a descriptor already open at the file's start, which it takes over
    /// (and closes when the file is not classic pcap).
    static func open(descriptor: Int32, path: String, windowSize: Int = defaultWindowSize) throws(InputError)
        -> ClassicPcapFile?
    {
        var bytes = [UInt8](repeating: 0, count: 24)
        var got = 0
        while got < 24 {
            let count = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + got, 24 - got) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            got += count
        }
        guard got == 24, let header = bytes.withUnsafeBytes({ parseFileHeader($0) }) else {
            close(descriptor)
            return nil
        }
        return ClassicPcapFile(path: path, descriptor: descriptor, header: header, windowSize: windowSize)
    }

    /// Whether the first four bytes of a file are one of classic pcap's magic numbers.
    static func isMagic(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        let magic = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        return [0xA1B2_C3D4, 0xA1B2_3C4D, 0xD4C3_B2A1, 0x4D3C_B2A1].contains(magic)
    }

    /// The file header from its 24 bytes, or nil when the magic is not classic pcap's.
    static func parseFileHeader(_ bytes: UnsafeRawBufferPointer) -> FileHeader? {
        guard bytes.count >= 24 else { return nil }
        let magic = bytes.loadUnaligned(as: UInt32.self)
        let byteSwapped: Bool
        let nanoseconds: Bool
        switch magic {
        case 0xA1B2_C3D4: (byteSwapped, nanoseconds) = (false, false)
        case 0xA1B2_3C4D: (byteSwapped, nanoseconds) = (false, true)
        case 0xD4C3_B2A1: (byteSwapped, nanoseconds) = (true, false)
        case 0x4D3C_B2A1: (byteSwapped, nanoseconds) = (true, true)
        default: return nil
        }
        func word(_ offset: Int) -> UInt32 {
            let raw = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return byteSwapped ? raw.byteSwapped : raw
        }
        return FileHeader(
            byteSwapped: byteSwapped, nanoseconds: nanoseconds, snapLength: word(16), linkType: word(20) & 0xFFFF)
    }

    private init(path: String, descriptor: Int32, header: FileHeader, windowSize: Int) {
        self.path = path
        self.descriptor = descriptor
        self.header = header
        self.buffer = .allocate(byteCount: Self.bufferSize, alignment: 16)
        self.base = UnsafeRawPointer(buffer.baseAddress!)
        self.windowSize = windowSize
        var status = stat()
        if windowSize > 0 && fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFREG,
            let slot = MappedWindowGuard.acquire()
        {
            guardSlot = slot
            // Mapping starts after the 24-byte file header, which was read.
            mappedFileSize = Int(status.st_size)
            windowOffset = 24
        } else if fstat(descriptor, &status) == 0 && status.st_mode & S_IFMT == S_IFREG {
            sizeAtOpen = Int(status.st_size)
        }
        let snap = header.snapLength
        self.captureLimit = snap == 0 || snap > Self.largestSnapLength ? Self.largestSnapLength : max(snap, 65_535)
    }

    deinit {
        if let guardSlot { MappedWindowGuard.release(guardSlot) }
        if let window { munmap(window, windowLength) }
        buffer.deallocate()
        close(descriptor)
    }

    /// The largest captured length a sound record can have: the file's snap length, or 65,535 when that is
    /// smaller (writers put 64 or 96 there and still write whole headers), at most libpcap's maximum.
    let captureLimit: UInt32

    /// One record header, already in this machine's byte order.
    struct RecordHeader {
        var seconds: UInt32
        var fraction: UInt32
        var capturedLength: UInt32
        var wireLength: UInt32
    }

    @inline(__always)
    private func recordHeader(at offset: Int) -> RecordHeader {
        let base = self.base + offset
        var header = RecordHeader(
            seconds: base.loadUnaligned(as: UInt32.self),
            fraction: base.loadUnaligned(fromByteOffset: 4, as: UInt32.self),
            capturedLength: base.loadUnaligned(fromByteOffset: 8, as: UInt32.self),
            wireLength: base.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
        if self.header.byteSwapped {
            header.seconds = header.seconds.byteSwapped
            header.fraction = header.fraction.byteSwapped
            header.capturedLength = header.capturedLength.byteSwapped
            header.wireLength = header.wireLength.byteSwapped
        }
        return header
    }

    /// Microseconds since the epoch; nanoseconds are cut to microseconds as libpcap does.
    @inline(__always)
    private func microseconds(_ record: RecordHeader) -> Int64 {
        let fraction = header.nanoseconds ? record.fraction / 1000 : record.fraction
        return Int64(record.seconds) &* 1_000_000 &+ Int64(fraction)
    }

    /// Whether nothing in this header on its own is impossible. Kept free of allocation: resynchronising
    /// asks it at every byte offset.
    @inline(__always)
    private func looksSound(_ record: RecordHeader) -> Bool {
        record.capturedLength <= captureLimit && record.capturedLength <= record.wireLength && record.wireLength > 0
            && record.fraction < (header.nanoseconds ? 1_000_000_000 : 1_000_000)
    }

    /// What is impossible in this header on its own, or nil when it could be sound.
    private func flaw(_ record: RecordHeader) -> String? {
        if looksSound(record) { return nil }
        if record.capturedLength > captureLimit {
            return "captured length \(record.capturedLength) exceeds the limit of \(captureLimit)"
        }
        if record.capturedLength > record.wireLength {
            return "captured length \(record.capturedLength) exceeds the length on the wire \(record.wireLength)"
        }
        if record.wireLength == 0 { return "the length on the wire is 0" }
        return "timestamp fraction \(record.fraction) is out of range"
    }

    /// Makes `count` bytes from `start` available when the file has them, moving the unread bytes to the
    /// front of the buffer and reading more. Returns how many are available (fewer only at the end).
    @inline(__always)
    private func ensure(_ count: Int) -> Int {
        if end - start >= count || atEndOfFile { return end - start }
        return refill(count)
    }

    private func refill(_ count: Int) -> Int {
        if mappedFileSize != nil { return remap(count) }
        guard let base = buffer.baseAddress else { return 0 }
        if start > 0 {
            if end > start { memmove(base, base + start, end - start) }
            end -= start
            start = 0
        }
        while end < count && !atEndOfFile {
            let wanted = min(Self.bufferSize - end, max(Self.readChunk, count - end))
            let got = read(descriptor, base + end, wanted)
            if got > 0 {
                end += got
                bytesRead += got
            } else if got == 0 {
                atEndOfFile = true
                if let sizeAtOpen, bytesRead < sizeAtOpen { shrank = true }
            } else if errno != EINTR {
                readFailure = String(cString: strerror(errno))
                atEndOfFile = true
            }
        }
        return end - start
    }

    /// Maps the window that starts at the page holding the first unread byte. At the end of the mapped
    /// part the file's size is asked again, so a file still being written is followed as `read()`
    /// would. When mapping fails, reading goes on with `read()` from the same place.
    private func remap(_ count: Int) -> Int {
        let unread = windowOffset + start
        var size = mappedFileSize ?? 0
        let sizeAsked = unread + count > size
        if sizeAsked {
            var status = stat()
            if fstat(descriptor, &status) == 0 { size = Int(status.st_size) }
            mappedFileSize = size
        }
        let pageSize = max(Int(sysconf(Int32(_SC_PAGESIZE))), 1)
        let alignedStart = unread - unread % pageSize
        let length = min(max(windowSize, unread - alignedStart + count), size - alignedStart)
        if let guardSlot { MappedWindowGuard.setWindow(guardSlot, start: nil, length: 0) }
        if let window { munmap(window, windowLength) }
        window = nil
        windowLength = 0
        guard length > unread - alignedStart else {
            // Nothing beyond what was walked: the end of the file.
            windowOffset = unread
            base = UnsafeRawPointer(buffer.baseAddress!)
            start = 0
            end = 0
            atEndOfFile = true
            return 0
        }
        let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE | MAP_POPULATE, descriptor, off_t(alignedStart))
        guard let mapped, mapped != MAP_FAILED else {
            mappedFileSize = nil
            bytesRead = unread
            base = UnsafeRawPointer(buffer.baseAddress!)
            start = 0
            end = 0
            if lseek(descriptor, off_t(unread), SEEK_SET) < 0 {
                readFailure = String(cString: strerror(errno))
                atEndOfFile = true
                return 0
            }
            return refill(count)
        }
        madvise(mapped, length, MADV_SEQUENTIAL)
        if let guardSlot { MappedWindowGuard.setWindow(guardSlot, start: mapped, length: length) }
        windowsMapped += 1
        window = mapped
        windowLength = length
        windowOffset = alignedStart
        base = UnsafeRawPointer(mapped)
        start = unread - alignedStart
        end = length
        // The end of the file, as `read()` would find it: more was wanted than the file now holds.
        if sizeAsked && alignedStart + length >= size && end - start < count { atEndOfFile = true }
        return end - start
    }

    /// Whether a chain of records that look sound starts `offset` bytes after `start`: three headers in a
    /// row, each without a flaw and a plausible step in time from the one before (and from `reference`,
    /// the last sound record, if given); or fewer that end exactly at the end of the file or whose next record is cut
    /// by it. Needs the buffer filled as far as three maximal records reach.
    private func plausibleChain(at offset: Int, after reference: Int64?) -> Bool {
        var position = start + offset
        var previous = reference
        for count in 0..<3 {
            if position == end && atEndOfFile { return count >= 1 }
            guard position + Self.recordHeaderSize <= end else { return count >= 2 && atEndOfFile }
            let record = recordHeader(at: position)
            guard looksSound(record) else { return false }
            let time = microseconds(record)
            if let previous, !Self.plausibleStep(from: previous, to: time) { return false }
            previous = time
            position += Self.recordHeaderSize + Int(record.capturedLength)
            if position > end { return count >= 1 && atEndOfFile }
        }
        return true
    }

    /// The bytes a check of three chained records may look at.
    private var chainWindow: Int { 3 * Self.recordHeaderSize + 2 * Int(captureLimit) }

    /// Hands every record to `body` as a frame borrowed from the buffer (valid only during the call),
    /// skipping damaged record headers, until the file ends or `shouldStop` says so. Before each
    /// record is handed out, `prefetch` is given the addresses of the next record's header and
    /// first headers, so they are in cache when their turn comes (mapped page cache is not: the
    /// first load of each record header missed every time).
    func forEachRecord(
        shouldStop: () -> Bool, prefetch: (UnsafeRawPointer) -> Void = { _ in }, _ body: (CapturedFrame) -> Void
    ) -> EndOfInput {
        var number = 0
        var previousTime: Int64?
        while true {
            if shouldStop() { return .stopped }
            if let cut = truncatedWhileRead(packet: number + 1) { return cut }
            let available = ensure(Self.recordHeaderSize)
            if let cut = truncatedWhileRead(packet: number + 1) { return cut }
            if available == 0 { return readFailure.map { .cut(packet: number + 1, reason: $0) } ?? .complete }
            if available < Self.recordHeaderSize {
                return .cut(
                    packet: number + 1,
                    reason: "the file ends inside a record header (\(available) of 16 bytes)")
            }
            let record = recordHeader(at: start)
            if let cut = truncatedWhileRead(packet: number + 1) { return cut }
            let time = microseconds(record)
            var problem = looksSound(record) ? nil : flaw(record)
            if problem == nil, let previousTime, !Self.plausibleStep(from: previousTime, to: time) {
                // A clock step is not damage when sound records follow in the new time.
                _ = ensure(chainWindow)
                if !plausibleChain(at: 0, after: nil) {
                    problem = "timestamp \(record.seconds) is far out of order and no sound record follows it"
                }
            }
            number += 1
            if let problem {
                if resynchronise(after: previousTime, packet: number, reason: problem) { continue }
                if let cut = truncatedWhileRead(packet: number) { return cut }
                return readFailure.map { .cut(packet: number, reason: $0) } ?? .complete
            }
            let length = Self.recordHeaderSize + Int(record.capturedLength)
            let got = ensure(length)
            if got < length, let cut = truncatedWhileRead(packet: number) { return cut }
            if got < length {
                let reason =
                    readFailure
                    ?? "the record announces \(record.capturedLength) captured bytes, the file ends after \(got - Self.recordHeaderSize)"
                return .cut(packet: number, reason: reason)
            }
            if start + length + 128 <= end {
                prefetch(base + start + length)
                prefetch(base + start + length + 64)
            }
            body(
                CapturedFrame(
                    bytes: UnsafeRawBufferPointer(
                        start: base + start + Self.recordHeaderSize, count: Int(record.capturedLength)),
                    wireLength: Int(record.wireLength),
                    time: Timestamp(microseconds: time),
                    number: number))
            start += length
            previousTime = time
        }
    }

    /// The end of a read whose mapped file another program truncated (`MappedWindowGuard`), if it was.
    private func truncatedWhileRead(packet: Int) -> EndOfInput? {
        guard shrank || guardSlot.map(MappedWindowGuard.wasCut) == true else { return nil }
        return .cut(packet: packet, reason: "the file was truncated by another program while it was read")
    }

    /// Skips forward byte by byte from a damaged header to the next offset where a plausible chain of
    /// records starts. Returns false when the file ended first (the rest was skipped).
    private func resynchronise(after reference: Int64?, packet: Int, reason: String) -> Bool {
        damage.places += 1
        if damage.first == nil { damage.first = (packet, reason) }
        while true {
            start += 1
            damage.skippedBytes += 1
            _ = ensure(chainWindow)
            if start >= end && atEndOfFile || shrank || guardSlot.map(MappedWindowGuard.wasCut) == true {
                damage.noRecordFollowed = true
                return false
            }
            if plausibleChain(at: 0, after: reference) { return true }
        }
    }
}
