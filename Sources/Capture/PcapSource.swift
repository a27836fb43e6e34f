import CPcap
import Findings
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// One frame as libpcap hands it over: borrowed bytes, valid only during the callback.
public struct CapturedFrame {
    /// The frame's memory, for the C calls here (the BPF filter); everything else reads `bytes`.
    let unsafeBytes: UnsafeRawBufferPointer
    /// The frame's bytes as a bounds-checked view.
    public var bytes: PacketBytes { PacketBytes(unsafeBorrowing: unsafeBytes) }
    /// The frame's length on the wire; more than `bytes.count` when the snap length cut it.
    public var wireLength: Int
    public var time: Timestamp
    /// 1-based, counting every record in the file (as tshark's frame numbers do), filtered out or not.
    public var number: Int

    init(bytes: UnsafeRawBufferPointer, wireLength: Int, time: Timestamp, number: Int) {
        self.unsafeBytes = bytes
        self.wireLength = wireLength
        self.time = time
        self.number = number
    }
}

/// Capture time in microseconds since the Unix epoch.
public struct Timestamp: Sendable, Hashable, Comparable {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }
}

/// How reading ended.
public enum EndOfInput: Sendable, Hashable {
    case complete
    /// The file stopped in the middle of a record, or a record was unreadable; frames before it were read.
    case cut(packet: Int, reason: String)
    /// A live capture stopped because its time was up or the user interrupted it.
    case stopped
}

/// The only place Exposure talks to libpcap: opens a capture file or a live interface, applies a BPF
/// filter and hands each frame to a closure as borrowed bytes, never copying it.
public final class PcapSource {
    private let handle: OpaquePointer
    private var filter = bpf_program()
    private var hasFilter = false
    private let isLive: Bool
    /// The own walker for a classic pcap file; nil for pcapng and live capture, which libpcap reads.
    private let classic: ClassicPcapFile?
    /// The own walker for a pcapng file.
    let pcapngFile: PcapngFile?
    /// What the input is called in messages: the file path, or `interface NAME`.
    public let name: String
    public let linkLayer: LinkLayer

    /// libpcap's default stdio buffer is 4 KiB; a 1 MiB one halves the time spent reading a file.
    private static let fileBufferSize = 1 << 20

    /// Opens a pcap or pcapng file. Classic pcap is walked by `ClassicPcapFile`, pcapng by `PcapngFile`
    /// (faster, and they get past damaged records and blocks); libpcap then only compiles and runs the
    /// filter, on a "dead" handle. Anything else (and pcapng that is not a regular file) goes to libpcap.
    public static func open(file path: String, filter: String?) throws(InputError) -> PcapSource {
        try open(file: path, filter: filter, windowSize: nil)
    }

    /// `open(file:filter:)` with the walkers' window size chosen (classic pcap: 0 reads with `read()`,
    /// its default; pcapng: at least one page, 8 MiB by default), for the tests; nil for the defaults.
    static func open(file path: String, filter: String?, windowSize: Int?) throws(InputError) -> PcapSource {
        // A pipe (`dumpcap -w - | exposure capture audit /dev/stdin`) is read once: when it does not
        // start with classic pcap's magic, the classic walker must not take its first bytes, so they
        // are looked at without being consumed and anything else goes to libpcap.
        // The pipe is not opened again (a FIFO whose writer has finished would never open): the
        // readers take over the descriptor that looked.
        var classicFile: ClassicPcapFile?
        if let peek = PipePeek(path: path) {
            guard let magic = peek.firstBytes(4), ClassicPcapFile.isMagic(magic) else {
                return try openWithLibpcap(descriptor: peek.descriptor, name: path, filter: filter)
            }
            classicFile = try ClassicPcapFile.open(
                descriptor: peek.descriptor, path: path, windowSize: windowSize ?? ClassicPcapFile.defaultWindowSize)
        } else {
            classicFile = try ClassicPcapFile.open(
                path: path, windowSize: windowSize ?? ClassicPcapFile.defaultWindowSize)
        }
        if let classic = classicFile {
            let handle = try deadHandle(path, linkType: classic.header.linkType, snapLength: classic.captureLimit)
            return try PcapSource(handle: handle, name: path, isLive: false, filter: filter, classic: classic)
        }
        if let pcapng = try PcapngFile.open(path: path, windowSize: windowSize ?? PcapngFile.defaultWindowSize) {
            let snap = pcapng.snapLength
            let limit = snap == 0 || snap > ClassicPcapFile.largestSnapLength ? ClassicPcapFile.largestSnapLength : snap
            let handle = try deadHandle(path, linkType: pcapng.linkType, snapLength: limit)
            return try PcapSource(handle: handle, name: path, isLive: false, filter: filter, pcapng: pcapng)
        }
        return try openWithLibpcap(file: path, filter: filter)
    }

    /// A libpcap handle that reads nothing, for compiling and running the filter on the own walkers' frames.
    private static func deadHandle(_ path: String, linkType: UInt32, snapLength: UInt32) throws(InputError)
        -> OpaquePointer
    {
        // LINKTYPE_RAW (101) is DLT_RAW inside libpcap; the other link types we decode share their number.
        let dataLink = linkType == 101 ? DLT_RAW : Int32(truncatingIfNeeded: linkType)
        guard let handle = pcap_open_dead(dataLink, Int32(truncatingIfNeeded: snapLength)) else {
            throw InputError(file: path, reason: "libpcap could not make a handle for the filter")
        }
        return handle
    }

    /// Opens a file with libpcap alone: pcapng and other formats, and in the tests the reference the own
    /// classic pcap walker is compared with.
    static func openWithLibpcap(file path: String, filter: String?) throws(InputError) -> PcapSource {
        guard let stream = fopen(path, "rb") else {
            let reason = String(cString: strerror(errno))
            throw InputError(file: path, reason: "cannot open the capture (\(reason))")
        }
        return try openWithLibpcap(stream: stream, name: path, filter: filter)
    }

    /// `openWithLibpcap(file:filter:)` on a descriptor already open (a pipe), which it takes over.
    static func openWithLibpcap(descriptor: Int32, name path: String, filter: String?) throws(InputError)
        -> PcapSource
    {
        guard let stream = fdopen(descriptor, "rb") else {
            _ = close(descriptor)
            throw InputError(file: path, reason: "cannot read the capture (\(String(cString: strerror(errno))))")
        }
        return try openWithLibpcap(stream: stream, name: path, filter: filter)
    }

    private static func openWithLibpcap(stream: UnsafeMutablePointer<FILE>, name path: String, filter: String?)
        throws(InputError) -> PcapSource
    {
        setvbuf(stream, nil, _IOFBF, fileBufferSize)
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard
            let handle = pcap_fopen_offline_with_tstamp_precision(
                stream, UInt32(PCAP_TSTAMP_PRECISION_MICRO), &errorBuffer)
        else {
            fclose(stream)
            let reason = text(errorBuffer)
            throw InputError(file: path, reason: "not a readable pcap or pcapng capture (libpcap: \(reason))")
        }
        return try PcapSource(handle: handle, name: path, isLive: false, filter: filter)
    }

    /// Opens a live interface. Needs root or CAP_NET_RAW; says so when they are missing.
    public static func open(interface: String, filter: String?) throws(InputError) -> PcapSource {
        let name = "interface \(interface)"
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_create(interface, &errorBuffer) else {
            throw InputError(file: name, reason: "cannot capture (libpcap: \(text(errorBuffer)))")
        }
        pcap_set_snaplen(handle, 65535)
        pcap_set_timeout(handle, 200)
        pcap_set_buffer_size(handle, 16 << 20)
        let status = pcap_activate(handle)
        if status < 0 {
            let detail = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            switch status {
            case PCAP_ERROR_PERM_DENIED:
                throw InputError(
                    file: name,
                    reason: "permission denied: live capture needs root or the CAP_NET_RAW capability (run with sudo)"
                )
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw InputError(file: name, reason: "no such interface (libpcap: \(detail))")
            default:
                throw InputError(file: name, reason: "cannot start capturing (libpcap: \(detail))")
            }
        }
        // Non-blocking reads with our own poll: on Linux (TPACKET_V3) the read timeout only starts with
        // the first packet, so a blocking read on a quiet interface would never let --duration end.
        if pcap_setnonblock(handle, 1, &errorBuffer) != 0 {
            pcap_close(handle)
            throw InputError(file: name, reason: "cannot read without blocking (libpcap: \(text(errorBuffer)))")
        }
        return try PcapSource(handle: handle, name: name, isLive: true, filter: filter)
    }

    private init(
        handle: OpaquePointer, name: String, isLive: Bool, filter expression: String?,
        classic: ClassicPcapFile? = nil, pcapng: PcapngFile? = nil
    ) throws(InputError) {
        let dataLink = pcap_datalink(handle)
        guard let linkLayer = LinkLayer(dataLinkType: dataLink) else {
            let linkName = pcap_datalink_val_to_name(dataLink).map { " (" + String(cString: $0) + ")" } ?? ""
            pcap_close(handle)
            throw InputError(
                file: name,
                reason: "link type \(dataLink)\(linkName) is not supported; "
                    + "supported: EN10MB (Ethernet, VLAN, QinQ), LINUX_SLL, LINUX_SLL2, RAW, NULL, LOOP"
            )
        }
        self.handle = handle
        self.classic = classic
        self.pcapngFile = pcapng
        self.name = name
        self.isLive = isLive
        self.linkLayer = linkLayer
        if let expression {
            if pcap_compile(handle, &filter, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
                // Every property is set by now, so deinit runs on this throw and closes the handle.
                let detail = String(cString: pcap_geterr(handle))
                throw InputError(file: name, reason: "the filter '\(expression)' is not valid BPF (\(detail))")
            }
            hasFilter = true
            if isLive { pcap_setfilter(handle, &filter) }
        }
    }

    deinit {
        if hasFilter { pcap_freecode(&filter) }
        pcap_close(handle)
    }

    /// Calls `body` with every frame that passes the filter, until the input ends or `shouldStop`
    /// says so (checked between frames and, live, at least every 200 ms).
    public func forEachFrame(shouldStop: () -> Bool = { false }, _ body: (CapturedFrame) -> Void) -> EndOfInput {
        if classic != nil || pcapngFile != nil {
            guard hasFilter else { return walk(shouldStop: shouldStop, body) }
            return walk(shouldStop: shouldStop) { frame in
                var header = pcap_pkthdr()
                header.ts.tv_sec = Int(frame.time.microseconds / 1_000_000)
                header.ts.tv_usec = Int(frame.time.microseconds % 1_000_000)
                header.caplen = UInt32(frame.bytes.count)
                header.len = UInt32(truncatingIfNeeded: frame.wireLength)
                guard let data = frame.unsafeBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
                    // An empty record: BPF decides on its length alone.
                    var nothing: UInt8 = 0
                    if pcap_offline_filter(&filter, &header, &nothing) != 0 { body(frame) }
                    return
                }
                if pcap_offline_filter(&filter, &header, data) != 0 { body(frame) }
            }
        }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var number = 0
        while true {
            if shouldStop() { return .stopped }
            let status = pcap_next_ex(handle, &header, &data)
            switch status {
            case 1:
                number += 1
                guard let header, let data else { continue }
                if hasFilter && !isLive && pcap_offline_filter(&filter, header, data) == 0 { continue }
                let record = header.pointee
                let seconds = Int64(record.ts.tv_sec)
                let micros = Int64(record.ts.tv_usec)
                body(
                    CapturedFrame(
                        bytes: UnsafeRawBufferPointer(start: data, count: Int(record.caplen)),
                        wireLength: Int(record.len),
                        time: Timestamp(microseconds: seconds &* 1_000_000 &+ micros),
                        number: number
                    )
                )
            case 0:
                // Live and nothing waiting: sleep until a packet arrives or 200 ms pass.
                var waiting = pollfd(fd: pcap_get_selectable_fd(handle), events: Int16(POLLIN), revents: 0)
                _ = poll(&waiting, 1, 200)
            case PCAP_ERROR_BREAK:
                return isLive ? .stopped : .complete
            default:
                let reason = String(cString: pcap_geterr(handle))
                return .cut(packet: number + 1, reason: "libpcap: " + reason)
            }
        }
    }

    /// The own walker's frames: classic pcap's or pcapng's.
    private func walk(shouldStop: () -> Bool, _ body: (CapturedFrame) -> Void) -> EndOfInput {
        if let classic {
            return classic.forEachRecord(shouldStop: shouldStop, prefetch: { exposure_prefetch($0) }, body)
        }
        return pcapngFile?.forEachPacket(shouldStop: shouldStop, body) ?? .complete
    }

    /// Damaged record headers the classic pcap walker skipped, and how many bytes it passed over.
    var recordDamage: ClassicPcapFile.Damage? { classic?.damage }

    /// How many windows of the file the classic pcap walker mapped, for the tests.
    var windowsMapped: Int { classic?.windowsMapped ?? pcapngFile?.windowsMapped ?? 0 }

    /// Packets the kernel dropped during a live capture, when it can tell.
    public var droppedByKernel: Int? {
        guard isLive else { return nil }
        var stats = pcap_stat()
        guard pcap_stats(handle, &stats) == 0 else { return nil }
        return Int(stats.ps_drop)
    }
}

/// The NUL-terminated message libpcap wrote into an error buffer.
private func text(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}

/// Set by SIGINT during a live capture so the report is still printed.
let interruptRequested = Atomic<Bool>(false)

/// Makes Ctrl-C (SIGINT) or SIGTERM end a live capture cleanly instead of killing the process before
/// it reports. Both are unblocked too: a parent may have spawned us with them blocked.
func stopOnInterrupt() {
    for signalNumber in [SIGINT, SIGTERM] {
        signal(signalNumber) { _ in interruptRequested.store(true, ordering: .relaxed) }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, signalNumber)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}

/// Seconds since it was made, on a clock that does not jump with the wall clock.
struct MonotonicClock {
    private let start = MonotonicClock.now()

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    var elapsedSeconds: Double { Self.now() - start }
}

/// Looks at the first bytes waiting in a pipe without taking them, with Linux's tee(2), which copies
/// from one pipe into another and leaves the source as it was. The descriptor it opened is handed to
/// the reader, so the pipe is opened once.
struct PipePeek {
    /// The open pipe, which the reader takes over.
    let descriptor: Int32

    /// Nil unless `path` is a pipe (a FIFO, or /dev/stdin fed by one).
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFIFO else { return nil }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
    }

    /// The first `count` bytes, waiting up to 5 s for the writer to send them; nil when they do not come.
    func firstBytes(_ count: Int) -> [UInt8]? {
        typealias Tee = @convention(c) (Int32, Int32, Int, UInt32) -> Int
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "tee") else { return nil }
        let tee = unsafeBitCast(symbol, to: Tee.self)
        for _ in 0..<5_000 {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { return nil }
            defer {
                _ = Glibc.close(ends[0])
                _ = Glibc.close(ends[1])
            }
            let copied = tee(descriptor, ends[1], count, 0)
            if copied <= 0 { return nil }
            if copied >= count {
                var bytes = [UInt8](repeating: 0, count: count)
                let got = bytes.withUnsafeMutableBytes { read(ends[0], $0.baseAddress, count) }
                return got == count ? bytes : nil
            }
            // Fewer bytes than asked are waiting: give the writer a moment.
            usleep(1_000)
        }
        return nil
    }
}
