import Foundation
import SeededRandom
import Testing

@testable import Capture

/// Builds classic pcap files by hand, in either byte order, with micro- or nanosecond fractions.
private struct PcapBytes {
    var bigEndian = false
    var nanoseconds = false
    var snapLength: UInt32 = 65_535
    var linkType: UInt32 = 101
    var bytes: [UInt8] = []

    func word(_ value: UInt32) -> [UInt8] {
        let little = [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
        return bigEndian ? little.reversed() : little
    }

    init(bigEndian: Bool = false, nanoseconds: Bool = false, snapLength: UInt32 = 65_535) {
        self.bigEndian = bigEndian
        self.nanoseconds = nanoseconds
        self.snapLength = snapLength
        let half: [UInt8] = bigEndian ? [0x00, 0x02, 0x00, 0x04] : [0x02, 0x00, 0x04, 0x00]
        bytes =
            word(nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4) + half + word(0) + word(0) + word(snapLength)
            + word(linkType)
    }

    mutating func record(seconds: UInt32, fraction: UInt32, wireLength: UInt32? = nil, _ frame: [UInt8]) {
        bytes += word(seconds) + word(fraction) + word(UInt32(frame.count)) + word(wireLength ?? UInt32(frame.count))
        bytes += frame
    }
}

/// An IPv4 + TCP SYN from 192.0.2.1:40001 to 192.0.2.2:23, 40 bytes, raw IP (link type 101).
private let synFrame: [UInt8] = [
    0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00, 192, 0, 2, 1, 192, 0, 2, 2,
    0x9C, 0x41, 0x00, 0x17, 0x00, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x20, 0x00,
    0x00, 0x00, 0x00, 0x00,
]

@Suite("The own classic pcap reader reads what libpcap reads, and gets past damaged record headers")
struct ClassicPcapReaderTests {
    /// Little-endian microseconds, as written by hand:
    /// ```
    /// 0000  d4 c3 b2 a1 02 00 04 00 00 00 00 00 00 00 00 00   magic, version 2.4, zone, sigfigs
    /// 0010  ff ff 00 00 65 00 00 00                           snaplen 65535, link type 101 (raw IP)
    /// 0018  00 e2 a4 69 40 e2 01 00 28 00 00 00 3c 00 00 00   1772413440 s, 123456 µs, caplen 40, len 60
    /// 0028  45 00 00 28 …                                     the 40-byte frame
    /// ```
    /// Big-endian writes the same words reversed; the nanosecond magic (a1b23c4d) carries 123456789 ns,
    /// which libpcap and the reader both cut to 123456 µs.
    @Test(
        "hand-made files in both byte orders, micro- and nanoseconds, give the same frame as libpcap",
        arguments: [(false, false), (true, false), (false, true), (true, true)])
    func handMadeFixtures(bigEndian: Bool, nanoseconds: Bool) throws {
        var file = PcapBytes(bigEndian: bigEndian, nanoseconds: nanoseconds)
        file.record(seconds: 1_772_413_440, fraction: nanoseconds ? 123_456_789 : 123_456, wireLength: 60, synFrame)
        file.record(seconds: 1_772_413_441, fraction: 0, synFrame)
        if !bigEndian && !nanoseconds {
            #expect(
                file.bytes[24..<40] == [
                    0x00, 0xE2, 0xA4, 0x69, 0x40, 0xE2, 0x01, 0x00, 0x28, 0, 0, 0, 0x3C, 0, 0, 0,
                ])
        }
        let path = try temporaryCaptureFile(file.bytes, "fixture-\(bigEndian)-\(nanoseconds)", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected = [
            ReadFrame(number: 1, microseconds: 1_772_413_440_123_456, wireLength: 60, bytes: synFrame),
            ReadFrame(number: 2, microseconds: 1_772_413_441_000_000, wireLength: 40, bytes: synFrame),
        ]
        let own = readAll(try PcapSource.open(file: path, filter: nil))
        #expect(own.frames == expected)
        #expect(own.end == .complete)
        #expect(readAll(try PcapSource.openWithLibpcap(file: path, filter: nil)).frames == expected)
        let header = try #require(try ClassicPcapFile.open(path: path)).header
        #expect(header.byteSwapped == bigEndian)
        #expect(header.nanoseconds == nanoseconds)
        #expect(header.linkType == 101)
    }

    @Test("on every sample the reader yields exactly libpcap's frames, or more where libpcap stops at damage")
    func sameFramesAsLibpcap() throws {
        let samples = captureSamples.filter { $0.hasSuffix(".pcap") }
        #expect(samples.count >= 40)
        for sample in samples {
            let path = packageRoot + "/Captures/" + sample
            #expect(try ClassicPcapFile.open(path: path) != nil, "\(sample) is not read by the own reader")
            let own = readAll(try PcapSource.open(file: path, filter: nil))
            let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: nil))
            #expect(!own.frames.isEmpty)
            if sample == "corrupt-record-header-telnet.pcap" {
                // libpcap stops at record 3; the reader skips it and reads the 11 after.
                #expect(reference.frames.count == 2)
                #expect(Array(own.frames.prefix(2)) == reference.frames)
                #expect(own.frames.count == 13)
                #expect(own.frames.last?.number == 14)
                #expect(own.end == .complete)
            } else {
                #expect(own.frames == reference.frames, "\(sample)")
                if case .cut(let packet, _) = reference.end {
                    guard case .cut(packet, _) = own.end else {
                        Issue.record("\(sample): libpcap stopped at packet \(packet), the reader \(own.end)")
                        continue
                    }
                } else {
                    #expect(own.end == .complete, "\(sample)")
                }
            }
        }
    }

    @Test("with a filter the reader passes exactly the frames libpcap's own filtering passes, on every sample")
    func sameFilteredFramesAsLibpcap() throws {
        let filters = ["tcp", "udp", "port 23", "tcp[tcpflags] & tcp-syn != 0", "ip6", "host 192.0.2.10 and len > 60"]
        // libpcap compiles no filter for NFLOG ("NFLOG link-layer type filtering not implemented").
        for sample in captureSamples where sample.hasSuffix(".pcap") && !sample.contains("nflog") {
            let path = packageRoot + "/Captures/" + sample
            for filter in filters {
                let own = readAll(try PcapSource.open(file: path, filter: filter)).frames
                let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: filter)).frames
                if sample == "corrupt-record-header-telnet.pcap" {
                    #expect(Array(own.prefix(reference.count)) == reference, "\(sample) \(filter)")
                } else {
                    #expect(own == reference, "\(sample) \(filter)")
                }
            }
        }
    }

    @Test("pcapng is left to the pcapng reader")
    func pcapngGoesToLibpcap() throws {
        #expect(try ClassicPcapFile.open(path: packageRoot + "/Captures/pcapng-format-telnet.pcapng") == nil)
    }

    @Test("a BPF filter works through pcap_open_dead on raw IP and Ethernet samples")
    func filterOnOwnReader() throws {
        for sample in ["link-raw-ip-telnet.pcap", "telnet-on-port-2323.pcap", "link-linux-cooked-sll2-telnet.pcap"] {
            let path = packageRoot + "/Captures/" + sample
            let all = readAll(try PcapSource.open(file: path, filter: nil)).frames
            let syn = readAll(try PcapSource.open(file: path, filter: "tcp[tcpflags] & tcp-syn != 0")).frames
            // The handshake's SYN and SYN-ACK, with their numbers in the whole file.
            #expect(syn.map(\.number) == [1, 2], "\(sample)")
            #expect(syn == Array(all.prefix(2)))
            #expect(readAll(try PcapSource.open(file: path, filter: "udp")).frames.isEmpty)
        }
    }

    /// Three records a second apart, then damage in record 2's header per `damage`.
    private func damagedFile(_ damage: (inout [UInt8], Int) -> Void) throws -> (path: String, frames: [ReadFrame]) {
        var file = PcapBytes()
        for second in 0..<5 { file.record(seconds: 1_772_413_440 + UInt32(second), fraction: 0, synFrame) }
        let secondHeader = 24 + 16 + synFrame.count
        damage(&file.bytes, secondHeader)
        let path = try temporaryCaptureFile(file.bytes, "damaged-\(UUID().uuidString)", extension: "pcap")
        return (path, readAll(try PcapSource.open(file: path, filter: nil)).frames)
    }

    @Test("a captured length above the snap length, or above the wire length, is skipped and reading goes on")
    func impossibleLengths() throws {
        for length: [UInt8] in [[0xFF, 0xFF, 0x01, 0x00], [0x29, 0x00, 0x00, 0x00]] {
            // 0x1ffff exceeds the 65535 limit; 41 exceeds the wire length 40 and misaligns the walk.
            let (path, frames) = try damagedFile { bytes, header in
                bytes.replaceSubrange(header + 8..<header + 12, with: length)
            }
            defer { try? FileManager.default.removeItem(atPath: path) }
            #expect(frames.map(\.number) == [1, 3, 4, 5])
            let report = try CaptureAnalyzer.analyze(files: [path], filter: nil)
            #expect(report.warnings.count == 1)
            #expect(
                report.warnings.first?.contains("1 damaged record header was skipped (the first at packet 2") == true)
            #expect(report.warnings.first?.contains("56 bytes were passed over") == true)
        }
    }

    @Test("a timestamp far out of order is damage; a clock step followed by sound records is not")
    func timestamps() throws {
        let (path, frames) = try damagedFile { bytes, header in bytes[header + 3] = 0x7F }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(frames.map(\.number) == [1, 3, 4, 5])
        // Every record from the third on jumps 60 days ahead: a clock step, all read.
        var file = PcapBytes()
        for second in 0..<6 {
            let step: UInt32 = second >= 2 ? 60 * 86_400 : 0
            file.record(seconds: 1_772_413_440 + UInt32(second) + step, fraction: 0, synFrame)
        }
        let stepped = try temporaryCaptureFile(file.bytes, "clock-step", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: stepped) }
        let read = readAll(try PcapSource.open(file: stepped, filter: nil))
        #expect(read.frames.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(try CaptureAnalyzer.analyze(files: [stepped], filter: nil).warnings.isEmpty)
        // A quiet capture, one record every three days: nothing suspect.
        var sparse = PcapBytes()
        for day in 0..<6 { sparse.record(seconds: 1_772_413_440 + UInt32(day) * 3 * 86_400, fraction: 0, synFrame) }
        let sparsePath = try temporaryCaptureFile(sparse.bytes, "sparse", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: sparsePath) }
        #expect(readAll(try PcapSource.open(file: sparsePath, filter: nil)).frames.count == 6)
        #expect(try CaptureAnalyzer.analyze(files: [sparsePath], filter: nil).warnings.isEmpty)
        // A timestamp damaged backwards (1990) with sound records after it is still damage: the step back
        // to 2026 is too far forward to be a clock step.
        let (back, backFrames) = try damagedFile { bytes, header in bytes[header + 3] = 0x26 }
        defer { try? FileManager.default.removeItem(atPath: back) }
        #expect(backFrames.map(\.number) == [1, 3, 4, 5])
    }

    @Test("zeros written over records are skipped, and damage with nothing sound after it ends the read")
    func zerosAndNothingAfter() throws {
        let (path, frames) = try damagedFile { bytes, header in
            for index in header..<(header + 2 * (16 + synFrame.count)) { bytes[index] = 0 }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Each damaged place counts as one record number: two records lost, numbered as one.
        #expect(frames.map(\.number) == [1, 3, 4])
        #expect(frames.map(\.microseconds) == [0, 3, 4].map { (1_772_413_440 + $0) * 1_000_000 })
        let (tail, tailFrames) = try damagedFile { bytes, header in
            for index in header..<bytes.count { bytes[index] = 0xEE }
        }
        defer { try? FileManager.default.removeItem(atPath: tail) }
        #expect(tailFrames.map(\.number) == [1])
        let warnings = try CaptureAnalyzer.analyze(files: [tail], filter: nil).warnings
        #expect(warnings.first?.contains("the rest of the file was skipped") == true, "\(warnings)")
        #expect(warnings.first?.contains("\(4 * (16 + synFrame.count)) bytes were passed over") == true)
    }

    @Test("records larger than the read buffer's free end are joined across refills")
    func recordsSpanningBufferEnds() throws {
        // 70 records of 64 KiB minus a bit: about 4.4 MiB, more than the 4 MiB buffer, so records straddle.
        var file = PcapBytes()
        var frame = [UInt8](repeating: 0xAB, count: 65_000)
        for index in 0..<70 {
            frame[0] = UInt8(index)
            file.record(seconds: 1_772_413_440, fraction: UInt32(index), frame)
        }
        let path = try temporaryCaptureFile(file.bytes, "large", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let own = readAll(try PcapSource.open(file: path, filter: nil))
        #expect(own.frames.count == 70)
        #expect(own.frames.map { $0.bytes.first ?? 0 } == (0..<70).map { UInt8($0) })
        #expect(own.frames == readAll(try PcapSource.openWithLibpcap(file: path, filter: nil)).frames)
    }

    /// What one way of reading a file saw: the frames, how reading ended and the damage skipped.
    private func readWith(windowSize: Int, _ path: String) throws -> (
        frames: [ReadFrame], end: EndOfInput, damage: [Int], windows: Int
    ) {
        let source = try PcapSource.open(file: path, filter: nil, windowSize: windowSize)
        let (frames, end) = readAll(source)
        let damage = source.recordDamage.map { [$0.places, $0.skippedBytes, $0.noRecordFollowed ? 1 : 0] } ?? []
        return (frames, end, damage, source.windowsMapped)
    }

    @Test(
        "mapped in windows of one page, of the default 8 MiB, or read with read(): the same frames, end and damage"
    )
    func mappedWindowsReadWhatReadReads() throws {
        // Records of many sizes (a window edge falls inside headers and frames alike), a damaged header
        // and zeros written over a stretch that lies across window edges, and a cut last record.
        var file = PcapBytes()
        var state: UInt32 = 7
        for index in 0..<600 {
            state = state &* 1_664_525 &+ 1_013_904_223
            let size = index % 50 == 0 ? 60_000 + Int(state >> 20) : 1 + Int(state >> 21)
            var frame = [UInt8](repeating: UInt8(truncatingIfNeeded: index), count: size)
            frame[0] = UInt8(truncatingIfNeeded: index >> 8)
            file.record(seconds: 1_772_413_440 + UInt32(index / 10), fraction: UInt32(index), frame)
        }
        let damagedHeader = file.bytes.count / 3
        file.bytes.replaceSubrange(damagedHeader..<damagedHeader + 4, with: [0xFF, 0xFF, 0xFF, 0xFF])
        let zeroed = file.bytes.count * 2 / 3
        file.bytes.replaceSubrange(zeroed..<zeroed + 9_000, with: [UInt8](repeating: 0, count: 9_000))
        file.bytes.removeLast(10)
        let path = try temporaryCaptureFile(file.bytes, "windows", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let read = try readWith(windowSize: 0, path)
        #expect(read.frames.count > 500)
        #expect(read.windows == 0)
        #expect(read.damage.first ?? 0 >= 1)
        if case .cut = read.end {} else { Issue.record("the cut last record was not reported: \(read.end)") }
        for windowSize in [4096, ClassicPcapFile.mappedWindowSize] {
            let mapped = try readWith(windowSize: windowSize, path)
            let sameFrames = mapped.frames == read.frames
            #expect(sameFrames, "window \(windowSize): \(mapped.frames.count) frames, read() \(read.frames.count)")
            #expect(mapped.end == read.end, "window \(windowSize)")
            #expect(mapped.damage == read.damage, "window \(windowSize)")
            // The file is about 1.4 MB: hundreds of one-page windows, or one of 8 MiB mapped once more
            // when the walker first wants bytes past its end (to see whether the file grew).
            #expect(windowSize == 4096 ? mapped.windows > 100 : mapped.windows == 2, "\(mapped.windows) windows")
        }
        for sample in captureSamples where sample.hasSuffix(".pcap") {
            let samplePath = packageRoot + "/Captures/" + sample
            let sampleRead = try readWith(windowSize: 0, samplePath)
            let sampleMapped = try readWith(windowSize: 4096, samplePath)
            let sameFrames = sampleMapped.frames == sampleRead.frames
            #expect(sameFrames, "\(sample)")
            #expect(sampleMapped.end == sampleRead.end, "\(sample)")
            #expect(sampleMapped.damage == sampleRead.damage, "\(sample)")
        }
    }

    @Test("a file that grows while it is read is followed to its new end, mapped or read")
    func growingFile() throws {
        var file = PcapBytes()
        for second in 0..<3 { file.record(seconds: 1_772_413_440 + UInt32(second), fraction: 0, synFrame) }
        var more = PcapBytes()
        more.bytes = []
        for second in 3..<5 { more.record(seconds: 1_772_413_440 + UInt32(second), fraction: 0, synFrame) }
        for windowSize in [0, ClassicPcapFile.mappedWindowSize] {
            let path = try temporaryCaptureFile(file.bytes, "growing-\(windowSize)", extension: "pcap")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let source = try PcapSource.open(file: path, filter: nil, windowSize: windowSize)
            var numbers: [Int] = []
            let end = source.forEachFrame { frame in
                numbers.append(frame.number)
                if frame.number == 1, let writer = FileHandle(forWritingAtPath: path) {
                    // A writer appends two records while the first is being handled.
                    writer.seekToEndOfFile()
                    writer.write(Data(more.bytes))
                    writer.closeFile()
                }
            }
            #expect(numbers == [1, 2, 3, 4, 5], "window \(windowSize)")
            #expect(end == .complete, "window \(windowSize)")
        }
    }

    @Test("random damage anywhere after the file header never crashes or hangs, and sound records survive")
    func randomDamage() throws {
        var random = SeededGenerator(state: 0x9E37_79B9_7F4A_7C15)
        let samples = captureSamples.filter { $0.hasSuffix(".pcap") }
        let clock = ContinuousClock()
        let started = clock.now
        var rounds = 0
        for sample in samples {
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Captures/" + sample)))
            for round in 0..<12 {
                let bytes = damaged(original, after: 24, round: round, &random)
                let outcome = try readDamagedCapture(bytes, "random-\(round)-\(sample)", extension: "pcap")
                #expect(outcome.took < .seconds(2), "\(sample) round \(round) took too long")
                #expect(outcome.frames <= original.count / 16)
                rounds += 1
            }
        }
        #expect(rounds >= 480)
        #expect(clock.now - started < .seconds(120))
    }

    @Test("a file of a valid header and pure garbage ends quickly with at most a warning")
    func garbageAfterHeader() throws {
        var file = PcapBytes()
        var state: UInt32 = 1
        for _ in 0..<(1 << 20) {
            state = state &* 1_664_525 &+ 1_013_904_223
            file.bytes.append(UInt8(state >> 24))
        }
        let path = try temporaryCaptureFile(file.bytes, "garbage", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ContinuousClock()
        let started = clock.now
        let report = try CaptureAnalyzer.analyze(files: [path], filter: nil)
        #expect(clock.now - started < .seconds(10 * testTimeScale))
        #expect(report.findings.isEmpty)
        // Zeros parse as headers of empty records, but nothing is 0 bytes long on the wire: all skipped.
        let zeros = try temporaryCaptureFile(
            PcapBytes().bytes + [UInt8](repeating: 0, count: 1 << 16), "zeros", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: zeros) }
        #expect(readAll(try PcapSource.open(file: zeros, filter: nil)).frames.isEmpty)
        let warnings = try CaptureAnalyzer.analyze(files: [zeros], filter: nil).warnings
        #expect(
            warnings == [
                "\(zeros): 1 damaged record header was skipped (the first at packet 1: the length on the wire is 0); "
                    + "65536 bytes were passed over; no sound record followed the last one, so the rest of the file was skipped"
            ])
    }
}
