import Findings
import Foundation
import SeededRandom
import Testing

@testable import Capture

/// A sample converted to pcapng by Wireshark's `editcap -F pcapng`, in the temporary folder.
private func pcapngCopy(of sample: String) throws -> String {
    let path = NSTemporaryDirectory() + "exposure-pcapng-\(getpid())-\(UUID().uuidString)-\(sample).pcapng"
    let editcap = Process()
    editcap.executableURL = URL(fileURLWithPath: "/usr/bin/editcap")
    editcap.arguments = ["-F", "pcapng", packageRoot + "/Captures/" + sample, path]
    editcap.standardError = FileHandle.nullDevice
    try editcap.run()
    editcap.waitUntilExit()
    return path
}

/// The findings of one file read through `source`, rendered as JSON (warnings left out).
private func findingsJSON(_ source: PcapSource) -> String {
    let inventory = Inventory()
    _ = CaptureRun(source: source, inventory: inventory).read()
    return JSONRenderer().render(Report(findings: inventory.findings, warnings: []))
}

/// The offsets of a pcapng file's blocks, by their little-endian lengths (for editcap's files).
private func blockOffsets(_ bytes: [UInt8]) -> [(offset: Int, type: UInt32)] {
    var blocks: [(Int, UInt32)] = []
    var offset = 0
    func word(_ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
    while offset + 8 <= bytes.count {
        blocks.append((offset, word(offset)))
        offset += Int(word(offset + 4))
    }
    return blocks
}

/// Builds pcapng files by hand, each section in either byte order.
private struct PcapngBytes {
    var bigEndian = false
    var bytes: [UInt8] = []

    func word(_ value: UInt32) -> [UInt8] {
        let little = [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
        return bigEndian ? little.reversed() : little
    }

    func half(_ value: UInt16) -> [UInt8] {
        bigEndian ? [UInt8(value >> 8), UInt8(value & 0xFF)] : [UInt8(value & 0xFF), UInt8(value >> 8)]
    }

    mutating func block(_ type: UInt32, _ body: [UInt8]) {
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        let length = UInt32(12 + padded.count)
        bytes += word(type) + word(length) + padded + word(length)
    }

    /// A Section Header Block, version 1.0, section length unknown (-1).
    mutating func section(bigEndian: Bool) {
        self.bigEndian = bigEndian
        block(0x0A0D_0D0A, word(0x1A2B_3C4D) + half(1) + half(0) + [UInt8](repeating: 0xFF, count: 8))
    }

    /// An Interface Description Block with optional if_tsresol (9) and if_tsoffset (14).
    mutating func interface(linkType: UInt16, snapLength: UInt32 = 0, resolution: UInt8? = nil, offset: Int64? = nil) {
        var body = half(linkType) + half(0) + word(snapLength)
        if let resolution { body += half(9) + half(1) + [resolution, 0, 0, 0] }
        if let offset {
            let raw = UInt64(bitPattern: offset)
            let (high, low) = (word(UInt32(raw >> 32)), word(UInt32(raw & 0xFFFF_FFFF)))
            body += half(14) + half(8) + (bigEndian ? high + low : low + high)
        }
        if resolution != nil || offset != nil { body += half(0) + half(0) }
        block(1, body)
    }

    mutating func enhancedPacket(interface: UInt32, ticks: UInt64, wireLength: UInt32? = nil, _ frame: [UInt8]) {
        block(
            6,
            word(interface) + word(UInt32(ticks >> 32)) + word(UInt32(ticks & 0xFFFF_FFFF))
                + word(UInt32(frame.count)) + word(wireLength ?? UInt32(frame.count)) + frame)
    }

    mutating func simplePacket(wireLength: UInt32? = nil, _ frame: [UInt8]) {
        block(3, word(wireLength ?? UInt32(frame.count)) + frame)
    }

    mutating func obsoletePacket(interface: UInt16, ticks: UInt64, _ frame: [UInt8]) {
        block(
            2,
            half(interface) + half(0) + word(UInt32(ticks >> 32)) + word(UInt32(ticks & 0xFFFF_FFFF))
                + word(UInt32(frame.count)) + word(UInt32(frame.count)) + frame)
    }
}

/// An IPv4 + TCP SYN from 192.0.2.1:40001 to 192.0.2.2:23, 40 bytes, raw IP (link type 101).
private let synFrame: [UInt8] = [
    0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00, 192, 0, 2, 1, 192, 0, 2, 2,
    0x9C, 0x41, 0x00, 0x17, 0x00, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x00, 0x00, 0x50, 0x02, 0x20, 0x00,
    0x00, 0x00, 0x00, 0x00,
]

/// Classic samples converted to pcapng in the tests: every link layer, IPv6, a snap length, detectors.
private let convertedSamples = [
    "telnet-on-port-2323.pcap", "link-linux-cooked-sll-telnet.pcap", "link-linux-cooked-sll2-telnet.pcap",
    "link-null-loopback-telnet.pcap", "link-raw-ip-telnet.pcap", "link-vlan-qinq-telnet.pcap",
    "ipv6-extension-headers-telnet.pcap", "snaplen-64-telnet.pcap", "tls13-not-legacy.pcap",
    "ntlmv1-in-smb2-session-setup.pcap", "snmpv2c-set.pcap", "http-basic-auth-after-401.pcap",
    "tls10-server-hello-split-out-of-order.pcap",
]

@Suite("The own pcapng reader reads what libpcap reads, and gets past damaged blocks")
struct PcapngReaderTests {
    @Test("committed pcapng samples and pcapng copies of classic samples: libpcap's frames and findings")
    func sameFramesAndFindingsAsLibpcap() throws {
        var paths = captureSamples.filter { $0.hasSuffix(".pcapng") }.map { packageRoot + "/Captures/" + $0 }
        #expect(!paths.isEmpty)
        var copies: [String] = []
        defer { for copy in copies { try? FileManager.default.removeItem(atPath: copy) } }
        for sample in convertedSamples {
            copies.append(try pcapngCopy(of: sample))
        }
        paths += copies
        var filesWithFindings = 0
        for path in paths {
            #expect(try PcapngFile.open(path: path) != nil, "\(path) is not read by the own reader")
            let own = readAll(try PcapSource.open(file: path, filter: nil))
            let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: nil))
            #expect(!own.frames.isEmpty, "\(path)")
            if path.hasSuffix("corrupt-block-length-telnet.pcapng") {
                // libpcap stops at packet block 3; the reader skips it and reads the 11 after.
                #expect(reference.frames.count == 2)
                #expect(Array(own.frames.prefix(2)) == reference.frames)
                #expect(own.frames.count == 13)
                #expect(own.end == .complete)
                continue
            }
            #expect(own.frames == reference.frames, "\(path)")
            #expect(own.end == .complete && reference.end == .complete, "\(path)")
            let ownFindings = findingsJSON(try PcapSource.open(file: path, filter: nil))
            #expect(ownFindings == findingsJSON(try PcapSource.openWithLibpcap(file: path, filter: nil)), "\(path)")
            if ownFindings.contains("\"check\"") { filesWithFindings += 1 }
            #expect(try CaptureAnalyzer.analyze(files: [path], filter: nil).warnings.isEmpty, "\(path)")
        }
        #expect(filesWithFindings >= 10)
        // The copies hold the same frames as the classic originals.
        for (sample, copy) in zip(convertedSamples, copies) {
            let original = readAll(try PcapSource.open(file: packageRoot + "/Captures/" + sample, filter: nil))
            #expect(readAll(try PcapSource.open(file: copy, filter: nil)).frames == original.frames, "\(sample)")
        }
    }

    /// `mergecap -F pcapng` of two samples into one file: of two Ethernet samples (one interface,
    /// packets interleaved by time), and of an Ethernet and a raw IP one (two interfaces).
    private func merged(_ samples: [String]) throws -> String {
        let path = NSTemporaryDirectory() + "exposure-pcapng-\(getpid())-\(UUID().uuidString)-merged.pcapng"
        let mergecap = Process()
        mergecap.executableURL = URL(fileURLWithPath: "/usr/bin/mergecap")
        mergecap.arguments = ["-F", "pcapng", "-w", path] + samples.map { packageRoot + "/Captures/" + $0 }
        mergecap.standardError = FileHandle.nullDevice
        try mergecap.run()
        mergecap.waitUntilExit()
        return path
    }

    @Test("files merged by mergecap: libpcap's frames, or the first link type's packets with a warning")
    func mergedFiles() throws {
        let sameLink = try merged(["telnet-on-port-2323.pcap", "ftp-cleartext-login.pcap"])
        defer { try? FileManager.default.removeItem(atPath: sameLink) }
        let own = readAll(try PcapSource.open(file: sameLink, filter: nil))
        #expect(own.frames.count == 27)
        #expect(own.frames == readAll(try PcapSource.openWithLibpcap(file: sameLink, filter: nil)).frames)
        let findings = try CaptureAnalyzer.analyze(files: [sameLink], filter: nil).findings
        #expect(Set(findings.compactMap { $0.evidence["protocol"] }) == [.string("telnet"), .string("ftp")])
        // Ethernet first, raw IP second: the raw IP packets are skipped, the Ethernet ones are exactly
        // the classic sample's (by time and bytes; numbers count both interfaces' packets).
        let twoLinks = try merged(["telnet-on-port-2323.pcap", "link-raw-ip-telnet.pcap"])
        defer { try? FileManager.default.removeItem(atPath: twoLinks) }
        let ethernet = readAll(try PcapSource.open(file: twoLinks, filter: nil)).frames
        let original = readAll(
            try PcapSource.open(file: packageRoot + "/Captures/telnet-on-port-2323.pcap", filter: nil))
        #expect(ethernet.map(\.bytes) == original.frames.map(\.bytes))
        #expect(ethernet.map(\.microseconds) == original.frames.map(\.microseconds))
        #expect(ethernet.last?.number ?? 0 > 14)
        let report = try CaptureAnalyzer.analyze(files: [twoLinks], filter: nil)
        #expect(report.findings.map(\.subject) == ["192.0.2.10:2323"])
        #expect(
            report.warnings == [
                "\(twoLinks): 14 packets on interfaces of link type 101 were skipped; only the first interface's link type (1) is decoded"
            ])
        // libpcap stops at the second interface.
        #expect(readAll(try PcapSource.openWithLibpcap(file: twoLinks, filter: nil)).frames.count < 14)
    }

    @Test("with a filter the reader passes exactly the frames libpcap's own filtering passes")
    func sameFilteredFramesAsLibpcap() throws {
        let filters = ["tcp", "udp", "port 23", "tcp[tcpflags] & tcp-syn != 0", "ip6", "len > 60"]
        for sample in convertedSamples.prefix(8) {
            let path = try pcapngCopy(of: sample)
            defer { try? FileManager.default.removeItem(atPath: path) }
            for filter in filters {
                let own = readAll(try PcapSource.open(file: path, filter: filter)).frames
                let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: filter)).frames
                #expect(own == reference, "\(sample) \(filter)")
            }
        }
        // On the damaged sample libpcap's filtered frames are a prefix of the reader's.
        let damaged = packageRoot + "/Captures/corrupt-block-length-telnet.pcapng"
        for filter in filters {
            let own = readAll(try PcapSource.open(file: damaged, filter: filter)).frames
            let reference = readAll(try PcapSource.openWithLibpcap(file: damaged, filter: filter)).frames
            #expect(Array(own.prefix(reference.count)) == reference, "\(filter)")
        }
        #expect(readAll(try PcapSource.open(file: damaged, filter: "tcp")).frames.count == 13)
    }

    /// Hand-worked: a section with Ethernet interfaces (the frames are not decoded here; libpcap 1.10
    /// refuses a second raw IP interface, comparing LINKTYPE_RAW 101 with its DLT_RAW 12) in microseconds (default),
    /// nanoseconds (if_tsresol 9), milliseconds (3) and 2^-10 s (0x8a) with if_tsoffset 100 s, all with
    /// a snap length of 40 (libpcap refuses interfaces whose snap lengths differ), then a
    /// name resolution block to skip and a Simple Packet Block (no time: 0; 70 bytes on the wire cut to
    /// interface 0's snap length of 40). 1772413440 s is
    /// 2026-03-02 01:04:00 UTC.
    @Test("hand-made sections: every timestamp resolution, if_tsoffset, SPB, obsolete PB, skipped blocks")
    func handMadeFixture() throws {
        for bigEndian in [false, true] {
            var file = PcapngBytes()
            file.section(bigEndian: bigEndian)
            file.interface(linkType: 1, snapLength: 40)
            file.interface(linkType: 1, snapLength: 40, resolution: 9)
            file.interface(linkType: 1, snapLength: 40, resolution: 3)
            file.interface(linkType: 1, snapLength: 40, resolution: 0x8A, offset: 100)
            file.enhancedPacket(interface: 0, ticks: 1_772_413_440_123_456, wireLength: 60, synFrame)
            file.enhancedPacket(interface: 1, ticks: 1_772_413_440_123_456_789, synFrame)
            file.block(4, [0, 0, 0, 0])  // an empty name resolution block
            file.enhancedPacket(interface: 2, ticks: 1_772_413_440_123, synFrame)
            // 1772413440 s and 512/1024 s in 2^-10 s ticks, plus the 100 s offset.
            file.enhancedPacket(interface: 3, ticks: 1_772_413_440 << 10 | 512, synFrame)
            file.obsoletePacket(interface: 1, ticks: 1_772_413_441_000_000_999, synFrame)
            file.simplePacket(wireLength: 70, synFrame)
            file.block(0x0000_0BAD, [1, 2, 3, 4, 5])  // a custom block
            let path = try temporaryCaptureFile(file.bytes, "fixture-\(bigEndian)", extension: "pcapng")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let expected = [
                ReadFrame(number: 1, microseconds: 1_772_413_440_123_456, wireLength: 60, bytes: synFrame),
                ReadFrame(number: 2, microseconds: 1_772_413_440_123_456, wireLength: 40, bytes: synFrame),
                ReadFrame(number: 3, microseconds: 1_772_413_440_123_000, wireLength: 40, bytes: synFrame),
                ReadFrame(number: 4, microseconds: 1_772_413_540_500_000, wireLength: 40, bytes: synFrame),
                ReadFrame(number: 5, microseconds: 1_772_413_441_000_000, wireLength: 40, bytes: synFrame),
                ReadFrame(number: 6, microseconds: 0, wireLength: 70, bytes: synFrame),
            ]
            let own = readAll(try PcapSource.open(file: path, filter: nil))
            #expect(own.frames == expected, "big-endian \(bigEndian)")
            #expect(own.end == .complete)
            let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: nil))
            #expect(reference.frames == expected, "\(reference.end)")
        }
    }

    @Test("sections in both byte orders, each with its own interfaces, read as tshark reads them")
    func sectionsInBothByteOrders() throws {
        var file = PcapngBytes()
        file.section(bigEndian: false)
        file.interface(linkType: 101, resolution: 9)
        file.enhancedPacket(interface: 0, ticks: 1_772_413_440_000_000_000, synFrame)
        file.section(bigEndian: true)
        file.interface(linkType: 101)
        file.enhancedPacket(interface: 0, ticks: 1_772_413_441_000_000, synFrame)
        file.section(bigEndian: false)
        file.interface(linkType: 101, resolution: 3)
        file.enhancedPacket(interface: 0, ticks: 1_772_413_442_000, synFrame)
        let path = try temporaryCaptureFile(file.bytes, "sections", extension: "pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let own = readAll(try PcapSource.open(file: path, filter: nil))
        let seconds: [Int64] = [1_772_413_440, 1_772_413_441, 1_772_413_442]
        #expect(own.frames.map(\.microseconds) == seconds.map { $0 * 1_000_000 })
        #expect(own.end == .complete)
        #expect(try CaptureAnalyzer.analyze(files: [path], filter: nil).warnings.isEmpty)
        // tshark, an independent reader, sees the same packets at the same times.
        let tshark = Process()
        tshark.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
        tshark.arguments = ["-r", path, "-T", "fields", "-e", "frame.time_epoch"]
        let output = Pipe()
        tshark.standardOutput = output
        tshark.standardError = FileHandle.nullDevice
        try tshark.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        tshark.waitUntilExit()
        #expect(text.split(separator: "\n").map(String.init) == seconds.map { "\($0).000000000" })
        // A packet naming an interface its section does not describe is damage, skipped and counted.
        file.section(bigEndian: false)
        file.enhancedPacket(interface: 0, ticks: 1_772_413_443_000_000, synFrame)
        file.interface(linkType: 101)
        file.enhancedPacket(interface: 0, ticks: 1_772_413_444_000_000, synFrame)
        let unknown = try temporaryCaptureFile(file.bytes, "unknown-interface", extension: "pcapng")
        defer { try? FileManager.default.removeItem(atPath: unknown) }
        #expect(readAll(try PcapSource.open(file: unknown, filter: nil)).frames.map(\.number) == [1, 2, 3, 5])
        let warnings = try CaptureAnalyzer.analyze(files: [unknown], filter: nil).warnings
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("names interface 0, which the section does not describe") == true)
    }

    @Test("a damaged header of a section in the other byte order: reading goes on in that byte order")
    func damagedSectionHeader() throws {
        var file = PcapngBytes()
        file.section(bigEndian: false)
        file.interface(linkType: 101)
        file.enhancedPacket(interface: 0, ticks: 1_772_413_440_000_000, synFrame)
        let secondSection = file.bytes.count
        file.section(bigEndian: true)
        file.interface(linkType: 101, resolution: 9)
        for second in 1...3 {
            file.enhancedPacket(interface: 0, ticks: UInt64(1_772_413_440 + second) * 1_000_000_000, synFrame)
        }
        for magicDamaged in [false, true] {
            var bytes = file.bytes
            // The big-endian section header's magic, or its leading length (28 → 29).
            if magicDamaged { bytes[secondSection + 8] = 0x77 } else { bytes[secondSection + 7] = 29 }
            let path = try temporaryCaptureFile(bytes, "section-\(magicDamaged)", extension: "pcapng")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let own = readAll(try PcapSource.open(file: path, filter: nil))
            #expect(own.frames.map(\.microseconds) == (0...3).map { (1_772_413_440 + Int64($0)) * 1_000_000 })
            #expect(own.end == .complete)
            let warnings = try CaptureAnalyzer.analyze(files: [path], filter: nil).warnings
            #expect(warnings.count == 1)
            // The 28-byte section header was passed over.
            #expect(warnings.first?.contains("1 damaged pcapng block was skipped (the first after packet 1") == true)
            #expect(warnings.first?.contains("28 bytes were passed over") == true, "\(warnings)")
        }
    }

    @Test("a pcapng file that grows while it is read is followed to its new end")
    func growingFile() throws {
        var file = PcapngBytes()
        file.section(bigEndian: false)
        file.interface(linkType: 101)
        for second in 0..<3 {
            file.enhancedPacket(interface: 0, ticks: UInt64(1_772_413_440 + second) * 1_000_000, synFrame)
        }
        var more = PcapngBytes()
        for second in 3..<5 {
            more.enhancedPacket(interface: 0, ticks: UInt64(1_772_413_440 + second) * 1_000_000, synFrame)
        }
        let path = try temporaryCaptureFile(file.bytes, "growing", extension: "pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try PcapSource.open(file: path, filter: nil)
        var numbers: [Int] = []
        let end = source.forEachFrame { frame in
            numbers.append(frame.number)
            if frame.number == 1, let writer = FileHandle(forWritingAtPath: path) {
                writer.seekToEndOfFile()
                writer.write(Data(more.bytes))
                writer.closeFile()
            }
        }
        #expect(numbers == [1, 2, 3, 4, 5])
        #expect(end == .complete)
    }

    @Test("packets on an interface of another link type are skipped with a warning; libpcap stops there")
    func otherLinkType() throws {
        var file = PcapngBytes()
        file.section(bigEndian: false)
        file.interface(linkType: 101)
        file.enhancedPacket(interface: 0, ticks: 1_772_413_440_000_000, synFrame)
        file.interface(linkType: 1)
        file.enhancedPacket(interface: 1, ticks: 1_772_413_441_000_000, [UInt8](repeating: 0, count: 54))
        file.enhancedPacket(interface: 0, ticks: 1_772_413_442_000_000, synFrame)
        let path = try temporaryCaptureFile(file.bytes, "link-types", extension: "pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(readAll(try PcapSource.open(file: path, filter: nil)).frames.map(\.number) == [1, 3])
        let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: nil))
        #expect(reference.frames.map(\.number) == [1])
        let warnings = try CaptureAnalyzer.analyze(files: [path], filter: nil).warnings
        #expect(
            warnings == [
                "\(path): 1 packet on interfaces of link type 1 was skipped; only the first interface's link type (101) is decoded"
            ])
    }

    @Test("a second interface with another snap length, or a second raw IP one, is read; libpcap stops there")
    func interfacesLibpcapRefuses() throws {
        for (linkType, snapLengths) in [(UInt16(1), [UInt32(40), 0]), (101, [0, 0])] {
            var file = PcapngBytes()
            file.section(bigEndian: false)
            file.interface(linkType: linkType, snapLength: snapLengths[0])
            file.enhancedPacket(interface: 0, ticks: 1_772_413_440_000_000, synFrame)
            file.interface(linkType: linkType, snapLength: snapLengths[1])
            file.enhancedPacket(interface: 1, ticks: 1_772_413_441_000_000, synFrame)
            let path = try temporaryCaptureFile(file.bytes, "interfaces-\(linkType)", extension: "pcapng")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let own = readAll(try PcapSource.open(file: path, filter: nil))
            #expect(own.frames.map(\.number) == [1, 2], "link type \(linkType)")
            #expect(own.end == .complete)
            let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: nil))
            #expect(reference.frames == Array(own.frames.prefix(1)), "link type \(linkType)")
            guard case .cut(2, _) = reference.end else {
                Issue.record("libpcap read on: \(reference.end)")
                continue
            }
        }
    }

    @Test("captured lengths above the snap length are read when the block holds them; libpcap stops there")
    func capturedBeyondSnapLength() throws {
        var file = PcapngBytes()
        file.section(bigEndian: false)
        file.interface(linkType: 1, snapLength: 40)
        let sizes = [60, 300_000, 20]
        for (index, size) in sizes.enumerated() {
            file.enhancedPacket(
                interface: 0, ticks: 1_772_413_440_000_000 + UInt64(index),
                [UInt8](repeating: UInt8(index), count: size))
        }
        let path = try temporaryCaptureFile(file.bytes, "beyond-snap", extension: "pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let own = readAll(try PcapSource.open(file: path, filter: nil))
        #expect(own.frames.map(\.bytes.count) == sizes)
        #expect(own.frames.map { $0.bytes.last } == [0, 1, 2])
        #expect(own.end == .complete)
        // libpcap: "invalid packet capture length 60, bigger than snaplen of 40".
        let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: nil))
        #expect(reference.frames.isEmpty)
        guard case .cut(1, _) = reference.end else {
            Issue.record("libpcap read on: \(reference.end)")
            return
        }
    }

    /// A pcapng copy of the telnet sample with `damage` applied to the bytes of its fourth packet block.
    private func damagedCopy(_ name: String, _ damage: (inout [UInt8], Int) -> Void) throws -> (
        path: String, clean: [ReadFrame]
    ) {
        let copy = try pcapngCopy(of: "telnet-on-port-2323.pcap")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let clean = readAll(try PcapSource.openWithLibpcap(file: copy, filter: nil)).frames
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy)))
        let packets = blockOffsets(bytes).filter { $0.type == 6 }
        damage(&bytes, packets[3].offset)
        return (try temporaryCaptureFile(bytes, name, extension: "pcapng"), clean)
    }

    @Test(
        "a damaged block length in the middle: the packets before and after it, a damage warning; libpcap stops",
        arguments: [
            ("length 13", [13, 0, 0, 0], 4), ("length 0", [0, 0, 0, 0], 4),
            ("length 4 GiB", [0xFC, 0xFF, 0xFF, 0xFF], 4),
            ("length one word longer", nil, 4), ("trailing length", [9, 9, 0, 0], -4),
        ] as [(String, [UInt8]?, Int)])
    func damagedBlockInTheMiddle(what: String, value: [UInt8]?, at: Int) throws {
        let (path, clean) = try damagedCopy("damaged-\(at)-\(value?.first ?? 1)") { bytes, block in
            let length = Int(bytes[block + 4]) | Int(bytes[block + 5]) << 8
            if let value {
                let field = at > 0 ? block + at : block + length + at
                bytes.replaceSubrange(field..<field + 4, with: value)
            } else {
                bytes[block + 4] = UInt8(length + 4)
            }
        }
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(clean.count == 14)
        let own = readAll(try PcapSource.open(file: path, filter: nil))
        // The fourth packet is lost; numbering goes on from the block after it.
        var expected = clean
        expected.remove(at: 3)
        for index in 3..<expected.count { expected[index].number -= 1 }
        #expect(own.frames == expected, "\(what)")
        #expect(own.end == .complete, "\(what)")
        if at == 4 && value != nil {
            // libpcap stops at an impossible leading length (it does not check the trailing one).
            let reference = readAll(try PcapSource.openWithLibpcap(file: path, filter: nil))
            #expect(reference.frames == Array(clean.prefix(3)), "\(what)")
        }
        let report = try CaptureAnalyzer.analyze(files: [path], filter: nil)
        #expect(report.warnings.count == 1, "\(what): \(report.warnings)")
        #expect(
            report.warnings.first?.contains("1 damaged pcapng block was skipped (the first after packet 3") == true,
            "\(what): \(report.warnings)")
        #expect(report.warnings.first?.contains("reading went on at the next plausible block") == true)
        // The Telnet finding survives the damage.
        #expect(report.findings.contains { $0.evidence["protocol"] == .string("telnet") })
    }

    @Test("a truncated pcapng gives the packets before the cut and the truncation warning, as libpcap does")
    func truncated() throws {
        let copy = try pcapngCopy(of: "telnet-on-port-2323.pcap")
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy)))
        let packets = blockOffsets(bytes).filter { $0.type == 6 }
        let clean = readAll(try PcapSource.open(file: copy, filter: nil)).frames
        // Cut inside the tenth packet's data, inside its block header, and right after its header.
        for cut in [packets[9].offset + 40, packets[9].offset + 5, packets[9].offset + 8] {
            let path = try temporaryCaptureFile(Array(bytes.prefix(cut)), "cut-\(cut)", extension: "pcapng")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let own = readAll(try PcapSource.open(file: path, filter: nil))
            #expect(own.frames == Array(clean.prefix(9)), "cut at \(cut)")
            guard case .cut(10, _) = own.end else {
                Issue.record("cut at \(cut): \(own.end)")
                continue
            }
            #expect(readAll(try PcapSource.openWithLibpcap(file: path, filter: nil)).frames == own.frames)
            let report = try CaptureAnalyzer.analyze(files: [path], filter: nil)
            #expect(report.warnings.count == 1, "\(report.warnings)")
            #expect(
                report.warnings.first?.contains(
                    "packet 10: the capture is cut short or damaged here") == true, "\(report.warnings)")
            #expect(report.findings.contains { $0.evidence["protocol"] == .string("telnet") })
        }
    }

    @Test("random bytes, zero and huge lengths after a valid section header end quickly, never crash")
    func hostileBlocks() throws {
        var header = PcapngBytes()
        header.section(bigEndian: false)
        header.interface(linkType: 101)
        var state: UInt32 = 1
        var garbage: [UInt8] = []
        for _ in 0..<(1 << 20) {
            state = state &* 1_664_525 &+ 1_013_904_223
            garbage.append(UInt8(state >> 24))
        }
        var huge = header
        huge.bytes += [6, 0, 0, 0, 0xFC, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0xFF, count: 4096)
        var hugeButFits = header
        hugeButFits.bytes += [6, 0, 0, 0, 0x00, 0x00, 0x00, 0x01] + [UInt8](repeating: 6, count: 1 << 16)
        var endlessSections = PcapngBytes()
        for _ in 0..<10_000 { endlessSections.section(bigEndian: false) }
        endlessSections.interface(linkType: 101)
        let inputs: [(String, [UInt8])] = [
            ("garbage", header.bytes + garbage),
            ("zeros", header.bytes + [UInt8](repeating: 0, count: 1 << 16)),
            ("huge", huge.bytes), ("huge-fits", hugeButFits.bytes),
            ("sections", endlessSections.bytes + [6, 0, 0, 0, 32, 0, 0, 0]),
            ("header only", header.bytes), ("section only", Array(header.bytes.prefix(28))),
        ]
        for (name, bytes) in inputs {
            let path = try temporaryCaptureFile(bytes, "hostile-\(name)", extension: "pcapng")
            defer { try? FileManager.default.removeItem(atPath: path) }
            let clock = ContinuousClock()
            let started = clock.now
            let report = try? CaptureAnalyzer.analyze(files: [path], filter: nil)
            _ = try? readAll(PcapSource.open(file: path, filter: "tcp"))
            #expect(clock.now - started < .seconds(10), "\(name)")
            #expect(report?.findings.isEmpty ?? true, "\(name)")
        }
    }

    /// After the section header and interface (48 bytes), 12-byte groups `06 00 00 00 | L | 00 00 00 00`
    /// with L = 4 MiB - 4 (a multiple of 12): every third offset claims an EPB of L bytes whose trailing
    /// length (a zero word) does not match. A resynchronisation checks those lengths at every offset;
    /// with 4 MiB windows each check would need a new mapping, unless windows stretch past one length.
    @Test("long damaged lengths at every offset are checked without remapping the file for each")
    func longLengthsEverywhere() throws {
        var file = PcapngBytes()
        file.section(bigEndian: false)
        file.interface(linkType: 101)
        let length: UInt32 = (4 << 20) - 4
        #expect(file.bytes.count == 48 && length % 12 == 0)
        let group = [6, 0, 0, 0] + file.word(length) + [0, 0, 0, 0]
        for _ in 0..<((6 << 20) / 12) { file.bytes += group }
        let path = try temporaryCaptureFile(file.bytes, "long-lengths", extension: "pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ContinuousClock()
        let started = clock.now
        let source = try PcapSource.open(file: path, filter: nil, windowSize: 4 << 20)
        let read = readAll(source)
        #expect(read.frames.isEmpty)
        #expect(source.windowsMapped < 10, "\(source.windowsMapped) windows")
        #expect(clock.now - started < .seconds(20 * testTimeScale))
    }

    @Test("random damage anywhere in pcapng copies never crashes or hangs")
    func randomDamage() throws {
        var random = SeededGenerator(state: 0x9E37_79B9_7F4A_7C15)
        let clock = ContinuousClock()
        let started = clock.now
        var rounds = 0
        for sample in convertedSamples {
            let copy = try pcapngCopy(of: sample)
            defer { try? FileManager.default.removeItem(atPath: copy) }
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: copy)))
            // Damage after the section header and the first interface.
            let start: Int = blockOffsets(original).first(where: { $0.type == 6 }).map(\.offset) ?? 28
            for round in 0..<24 {
                let bytes = damaged(original, after: start, round: round, &random)
                let outcome = try readDamagedCapture(bytes, "random-\(round)-\(sample)", extension: "pcapng")
                #expect(outcome.took < .seconds(2), "\(sample) round \(round) took too long")
                #expect(outcome.frames <= original.count / 32)
                rounds += 1
            }
        }
        #expect(rounds >= 300)
        #expect(clock.now - started < .seconds(120))
    }

    @Test("windows of one page and of 8 MiB give the same frames, end and damage")
    func windowSizes() throws {
        var file = PcapngBytes()
        file.section(bigEndian: false)
        file.interface(linkType: 101)
        var frame = [UInt8](repeating: 0xAB, count: 65_000)
        for index in 0..<40 {
            frame[0] = UInt8(index)
            file.enhancedPacket(interface: 0, ticks: 1_772_413_440_000_000 + UInt64(index), frame)
            if index % 7 == 3 { file.enhancedPacket(interface: 0, ticks: 1_772_413_440_000_000, synFrame) }
        }
        let damaged = blockOffsets(file.bytes)[20].offset
        file.bytes.replaceSubrange(damaged..<damaged + 5_000, with: [UInt8](repeating: 0, count: 5_000))
        file.bytes.removeLast(100)
        let path = try temporaryCaptureFile(file.bytes, "windows", extension: "pcapng")
        defer { try? FileManager.default.removeItem(atPath: path) }
        func readWindowed(_ windowSize: Int) throws -> (
            frames: [ReadFrame], end: EndOfInput, warnings: [String], windows: Int
        ) {
            let source = try PcapSource.open(file: path, filter: nil, windowSize: windowSize)
            let (frames, end) = readAll(source)
            return (frames, end, source.pcapngWarnings, source.windowsMapped)
        }
        let small = try readWindowed(4096)
        let large = try readWindowed(PcapngFile.defaultWindowSize)
        #expect(small.frames.count > 35)
        #expect(small.frames == large.frames)
        #expect(small.end == large.end)
        if case .cut = small.end {} else { Issue.record("the cut last block was not reported: \(small.end)") }
        #expect(small.warnings == large.warnings)
        #expect(small.warnings.count == 1, "\(small.warnings)")
        #expect(small.windows > 30)
    }
}
