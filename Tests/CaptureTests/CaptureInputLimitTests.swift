import Foundation
import Testing

@testable import Capture

/// Sizes a capture decides, tried at the limit and just past it. The limit on a reassembled IPv4
/// datagram is RFC 791's: the total length field has 16 bits, so 65,535 bytes with the header.
@Suite("Limits on capture sizes, at and just past each")
struct CaptureInputLimitTests {
    let source = IPAddress(ipv4: 0xC633_6414)  // 198.51.100.20
    let destination = IPAddress(ipv4: 0xC000_020A)  // 192.0.2.10

    func add(
        _ reassembler: IPFragmentReassembler, _ data: [UInt8], _ range: Range<Int>, more: Bool
    ) -> IPFragmentReassembler.Whole? {
        let piece = Array(data[range])
        return piece.withPacketBytes { bytes in
            reassembler.add(
                IPFragment(
                    network: .ipv4, source: source, destination: destination,
                    position: IPHeader.FragmentPosition(
                        id: 9, offset: range.lowerBound, more: more, dataOffset: 20, nextHeader: 17),
                    data: bytes, isCutShort: false, depth: 0),
                at: Timestamp(microseconds: 0))
        }
    }

    /// A UDP datagram of `size` bytes (header and payload) in two fragments, the first 65,000 bytes
    /// (a multiple of 8, as fragment offsets must be).
    func reassemble(udpSize size: Int) -> (whole: IPFragmentReassembler.Whole?, abandoned: Int) {
        let datagram =
            [0x9C, 0x41, 0x00, 0xA1, UInt8(size >> 8 & 0xFF), UInt8(size & 0xFF), 0, 0]
            + [UInt8](repeating: 0x5A, count: size - 8)
        let reassembler = IPFragmentReassembler()
        _ = add(reassembler, datagram, 0..<65_000, more: true)
        let whole = add(reassembler, datagram, 65_000..<size, more: false)
        return (whole, reassembler.abandoned)
    }

    @Test("fragments that make a 65,535-byte IPv4 datagram are reassembled; one byte more is given up and counted")
    func largestDatagram() throws {
        // 20 bytes of IPv4 header + 65,515 of data = 65,535, the largest total length.
        let atLimit = reassemble(udpSize: 65_515)
        let whole = try #require(atLimit.whole)
        #expect(whole.packet.count == 65_535)
        #expect(atLimit.abandoned == 0)
        let past = reassemble(udpSize: 65_516)
        #expect(past.whole == nil)
        #expect(past.abandoned == 1)
    }

    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    /// A classic pcap whose header announces a snap length of 262,144 and whose one record holds
    /// `captured` bytes: a UDP packet to port 161 followed by zeros (what a jumbo capture keeps).
    static func capture(captured: Int) -> [UInt8] {
        var out: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0] + le32(0) + le32(0) + le32(262_144) + le32(1)
        let udp: [UInt8] = [0x9C, 0x41, 0x00, 0xA1, 0x00, 0x0C, 0x00, 0x00, 1, 2, 3, 4]
        let ip: [UInt8] =
            [0x45, 0, 0, UInt8(20 + udp.count), 0, 1, 0, 0, 64, 17, 0, 0, 198, 51, 100, 20, 192, 0, 2, 10] + udp
        var frame: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + ip
        frame += [UInt8](repeating: 0, count: captured - frame.count)
        out += le32(1_700_000_000) + le32(0) + le32(captured) + le32(captured) + frame
        return out
    }

    @Test(
        "a classic pcap record of 262,144 bytes is read; one of 262,145 is skipped as damaged, with a warning naming it"
    )
    func largestClassicRecord() throws {
        let atLimit = try temporaryCaptureFile(Self.capture(captured: 262_144), "limit-at", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: atLimit) }
        let read = readAll(try PcapSource.open(file: atLimit, filter: nil))
        #expect(read.frames.map(\.bytes.count) == [262_144])
        #expect(read.end == .complete)
        let past = try temporaryCaptureFile(Self.capture(captured: 262_145), "limit-past", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: past) }
        #expect(readAll(try PcapSource.open(file: past, filter: nil)).frames.isEmpty)
        // The record is skipped as damaged, and the warning names it.
        let warnings = try CaptureAnalyzer.analyze(files: [past], filter: nil).warnings
        #expect(
            warnings.contains {
                $0.hasPrefix("\(past): 1 damaged record header was skipped")
                    && $0.contains("the first at packet 1: captured length 262145 exceeds the limit of 262144")
            }, "\(warnings)")
    }
}
