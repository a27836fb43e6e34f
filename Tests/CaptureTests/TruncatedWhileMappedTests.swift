import Foundation
import Testing

@testable import Capture

/// A capture that another program truncates while Exposure reads it (logrotate, a second
/// `tcpdump -w` on the same path). Mapped, reading a page past the new end of the file raises
/// SIGBUS, which used to end the process; read with `read()` (classic pcap's default), the file
/// just ends early. Either way the read ends as a file cut short, named as such, with the frames
/// before the cut. Without the guard the mapped cases do not fail politely: the test process dies
/// of SIGBUS.
@Suite("Captures truncated while they are mapped")
struct TruncatedWhileMappedTests {
    /// Records of 1,000 bytes each (raw IP link type, zero bytes: the reader does not decode them).
    static let payload = 1000
    static let records = 6000
    /// The cut, as a count of records kept: about 2 MB into the file, inside the first 8 MiB window.
    static let kept = 2000

    static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
    static func littleEndian(_ value: UInt16) -> [UInt8] {
        (0..<2).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }

    /// A classic pcap (microsecond magic, snap length 65,535, link type 101) and where record `kept` starts.
    static func classic() -> (bytes: [UInt8], cut: Int) {
        var bytes = littleEndian(UInt32(0xA1B2_C3D4)) + littleEndian(UInt16(2)) + littleEndian(UInt16(4))
        bytes += [UInt8](repeating: 0, count: 8) + littleEndian(UInt32(65_535)) + littleEndian(UInt32(101))
        let body = [UInt8](repeating: 0x45, count: payload)
        var cut = 0
        for index in 0..<records {
            if index == kept { cut = bytes.count }
            bytes += littleEndian(UInt32(1_772_413_440 + index)) + littleEndian(UInt32(0))
            bytes += littleEndian(UInt32(payload)) + littleEndian(UInt32(payload)) + body
        }
        return (bytes, cut)
    }

    /// A pcapng file (one section, one raw IP interface, enhanced packet blocks) and where block `kept`
    /// of the packets starts.
    static func pcapng() -> (bytes: [UInt8], cut: Int) {
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let length = UInt32(12 + body.count)
            return littleEndian(type) + littleEndian(length) + body + littleEndian(length)
        }
        var bytes = block(
            0x0A0D_0D0A,
            littleEndian(UInt32(0x1A2B_3C4D)) + littleEndian(UInt16(1)) + littleEndian(UInt16(0))
                + [UInt8](repeating: 0xFF, count: 8))
        bytes += block(1, littleEndian(UInt16(101)) + littleEndian(UInt16(0)) + littleEndian(UInt32(0)))
        let body = [UInt8](repeating: 0x45, count: payload)
        var cut = 0
        for index in 0..<records {
            if index == kept { cut = bytes.count }
            let ticks = UInt64(1_772_413_440 + index) * 1_000_000
            bytes += block(
                6,
                littleEndian(UInt32(0)) + littleEndian(UInt32(ticks >> 32)) + littleEndian(UInt32(ticks & 0xFFFF_FFFF))
                    + littleEndian(UInt32(payload)) + littleEndian(UInt32(payload)) + body)
        }
        return (bytes, cut)
    }

    /// Reads `bytes` as a capture and truncates the file to `cut` bytes while the tenth frame is handed
    /// over; returns the frames read and how reading ended.
    static func readTruncating(
        _ bytes: [UInt8], at cut: Int, extension fileExtension: String, windowSize: Int? = nil
    ) throws -> (frames: Int, end: EndOfInput) {
        let path = try temporaryCaptureFile(
            bytes, "truncated-while-mapped-\(windowSize.map(String.init) ?? "default")", extension: fileExtension)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let source = try PcapSource.open(file: path, filter: nil, windowSize: windowSize)
        var frames = 0
        let end = source.forEachFrame { frame in
            frames += 1
            if frame.number == 10 { #expect(truncate(path, off_t(cut)) == 0) }
        }
        return (frames, end)
    }

    /// Classic pcap is read with `read()` by default (the file's size at opening tells a truncation
    /// from the file's end) and mapped when a window size is given.
    @Test(
        "a classic pcap truncated while read or mapped ends as cut, with the records before the cut",
        arguments: [ClassicPcapFile.defaultWindowSize, ClassicPcapFile.mappedWindowSize])
    func classicPcap(windowSize: Int) throws {
        let (bytes, cut) = Self.classic()
        let read = try Self.readTruncating(bytes, at: cut, extension: "pcap", windowSize: windowSize)
        #expect(read.frames == Self.kept)
        #expect(
            read.end
                == .cut(packet: Self.kept + 1, reason: "the file was truncated by another program while it was read"))
    }

    @Test("a pcapng file truncated while mapped ends as cut, with the packets before the cut")
    func pcapngFile() throws {
        let (bytes, cut) = Self.pcapng()
        let read = try Self.readTruncating(bytes, at: cut, extension: "pcapng")
        #expect(read.frames == Self.kept)
        #expect(
            read.end
                == .cut(packet: Self.kept + 1, reason: "the file was truncated by another program while it was read"))
    }
}
