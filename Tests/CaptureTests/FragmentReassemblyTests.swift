import Testing

@testable import Capture

/// `IPFragmentReassembler` on fragments made by hand.
@Suite("IP fragments are put back together, within bounds")
struct FragmentReassemblyTests {
    let source = IPAddress(ipv4: 0xC633_6414)  // 198.51.100.20
    let destination = IPAddress(ipv4: 0xC000_020A)  // 192.0.2.10

    /// Feeds `data[range]` as the fragment at `range.lowerBound` of datagram `id`.
    func add(
        _ reassembler: IPFragmentReassembler, _ data: [UInt8], _ range: Range<Int>, more: Bool, id: UInt32 = 7,
        at seconds: Int64 = 0, plus micros: Int64 = 0, cutShort: Bool = false
    ) -> IPFragmentReassembler.Whole? {
        let piece = Array(data[range])
        return piece.withPacketBytes { bytes in
            reassembler.add(
                IPFragment(
                    network: .ipv4, source: source, destination: destination,
                    position: IPHeader.FragmentPosition(
                        id: id, offset: range.lowerBound, more: more, dataOffset: 20, nextHeader: 17),
                    data: bytes, isCutShort: cutShort, depth: 0),
                at: Timestamp(microseconds: seconds * 1_000_000 + micros))
        }
    }

    /// A UDP datagram of 60 bytes: header 40001 → 161, length 60, then 52 bytes 0, 1, 2, …
    var datagram: [UInt8] { [0x9C, 0x41, 0x00, 0xA1, 0x00, 0x3C, 0x00, 0x00] + (0..<52).map { UInt8($0) } }

    @Test("fragments at 48, 0 and 24 complete the datagram on the last, which decodes as one UDP packet")
    func outOfOrder() throws {
        let reassembler = IPFragmentReassembler()
        #expect(add(reassembler, datagram, 48..<60, more: false) == nil)
        #expect(add(reassembler, datagram, 0..<24, more: true) == nil)
        let whole = try #require(add(reassembler, datagram, 24..<48, more: true))
        #expect(whole.packet.count == 80)
        #expect(Array(whole.packet[20...]) == datagram)
        let decoded = whole.packet.withPacketBytes { bytes -> (UInt16, [UInt8])? in
            guard case .packet(let packet) = PacketDecoder(linkLayer: .raw).decode(bytes) else { return nil }
            return (packet.transport.destinationPort, Array(packet.payload))
        }
        #expect(decoded?.0 == 161)
        #expect(decoded?.1 == Array(datagram[8...]))
        #expect(reassembler.reassembled == 1 && reassembler.abandoned == 0)
    }

    @Test("an exact repeat is ignored; an overlap with other bytes drops the datagram (RFC 5722)")
    func overlaps() {
        let reassembler = IPFragmentReassembler()
        #expect(add(reassembler, datagram, 0..<24, more: true) == nil)
        #expect(add(reassembler, datagram, 0..<24, more: true) == nil)
        #expect(reassembler.abandoned == 0)
        var other = datagram
        other[30] ^= 0xFF
        #expect(add(reassembler, other, 16..<40, more: true) == nil)
        #expect(reassembler.abandoned == 1)
        // The datagram is gone: the rest no longer completes it.
        #expect(add(reassembler, datagram, 24..<60, more: false) == nil)
    }

    @Test("fragments more than 30 s apart, or cut by the snap length, are given up and counted")
    func timeoutAndCutShort() {
        let reassembler = IPFragmentReassembler()
        #expect(add(reassembler, datagram, 0..<24, more: true, at: 0) == nil)
        #expect(add(reassembler, datagram, 24..<60, more: false, id: 8, at: 31) == nil)
        #expect(reassembler.abandoned == 1)
        #expect(add(reassembler, datagram, 24..<60, more: false, at: 31) == nil)
        #expect(add(reassembler, datagram, 0..<24, more: true, id: 9, cutShort: true) == nil)
        #expect(reassembler.abandoned == 2)
        reassembler.finish()
        #expect(reassembler.abandoned == 4)
    }

    @Test("at most 4,096 datagrams are collected at once: one more pushes out the oldest")
    func bounded() {
        let reassembler = IPFragmentReassembler()
        for id in 0..<UInt32(IPFragmentReassembler.maximumInProgress + 1) {
            _ = add(reassembler, datagram, 0..<24, more: true, id: id, plus: Int64(id))
        }
        #expect(reassembler.abandoned == 1)
        // Datagram 1 is still there and completes; datagram 0 was pushed out.
        #expect(add(reassembler, datagram, 24..<60, more: false, id: 1, plus: 5000) != nil)
        #expect(add(reassembler, datagram, 24..<60, more: false, id: 0, plus: 5000) == nil)
    }
}
