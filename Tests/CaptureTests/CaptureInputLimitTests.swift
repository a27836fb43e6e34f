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
        return piece.withUnsafeBytes { bytes in
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
}
