import Testing

@testable import Capture

/// Feeds `(sequence, text)` segments to a fresh reassembly after a SYN at sequence 999 (data from 1000).
private func reassemble(_ segments: [(UInt32, String)], synAt syn: UInt32? = 999, limit: Int = 64) -> (
    String, Bool
) {
    var stream = StreamReassembly()
    if let syn { stream.synchronise(sequence: syn) }
    for (sequence, text) in segments {
        Array(text.utf8).withPacketBytes {
            stream.receive(sequence: sequence, payload: $0, cutShort: false, limit: limit)
        }
    }
    return (String(decoding: stream.bytes, as: UTF8.self), stream.isFull)
}

@Suite("In-order reassembly of the first bytes of a TCP direction")
struct ReassemblyTests {
    @Test("segments split mid-message are joined")
    func joinsSplitSegments() {
        #expect(reassemble([(1000, "USER al"), (1007, "ice\r\n")]).0 == "USER alice\r\n")
    }

    @Test("a segment that arrives early waits for the gap to fill")
    func outOfOrder() {
        #expect(reassemble([(1000, "USER "), (1010, "\r\n"), (1005, "alice")]).0 == "USER alice\r\n")
    }

    @Test("retransmissions and overlaps add only their new bytes")
    func retransmissionAndOverlap() {
        let segments: [(UInt32, String)] = [(1000, "USER"), (1000, "USER"), (1002, "ER alice"), (1005, "alice\r\n")]
        #expect(reassemble(segments).0 == "USER alice\r\n")
    }

    @Test("without a SYN the first data segment sets the start")
    func midStreamStart() {
        #expect(reassemble([(77, "220 ready\r\n"), (88, "x")], synAt: nil).0 == "220 ready\r\nx")
    }

    @Test("sequence numbers wrap around 2^32")
    func wrapAround() {
        let segments: [(UInt32, String)] = [(0xFFFF_FFFE, "ab"), (0, "cd")]
        #expect(reassemble(segments, synAt: 0xFFFF_FFFD).0 == "abcd")
    }

    @Test("nothing is kept past the limit and the direction is then full")
    func limit() {
        let (text, full) = reassemble([(1000, "0123456789"), (1010, "abcdefghij")], limit: 15)
        #expect(text == "0123456789abcde")
        #expect(full)
    }

    @Test("a segment cut by the snap length ends the direction: later bytes would not be contiguous")
    func cutShortEnds() {
        var stream = StreamReassembly()
        stream.synchronise(sequence: 999)
        Array("abc".utf8).withPacketBytes { stream.receive(sequence: 1000, payload: $0, cutShort: true, limit: 64) }
        Array("def".utf8).withPacketBytes { stream.receive(sequence: 1010, payload: $0, cutShort: false, limit: 64) }
        #expect(stream.bytes == Array("abc".utf8))
        #expect(stream.isFull)
    }

    /// The capture fuzz target's finding (`Fuzz/regressions/capture/`): a segment exactly 2^31 ahead of
    /// the next expected byte. Its signed distance is `Int32.min` either way round, so the "bytes
    /// already seen" came out negative and the slice started before the payload (a trap, until
    /// `PacketBytes` cut slices; then the segment's bytes were joined as if they were next).
    ///
    /// The frame, Ethernet + IPv4 + TCP, 198.51.100.20:40091 → 192.0.2.10:23, three bytes "XYZ":
    ///
    ///     0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00   dst, src, IPv4; version 4, IHL 5
    ///     0010  00 2b 00 01 00 00 40 06 00 00 c6 33 64 14 c0 00   total 43, TTL 64, TCP, src
    ///     0020  02 0a 9c 9b 00 17 80 00 03 ea 00 00 00 00 50 18   dst, ports, seq 0x800003ea, ack 0
    ///     0030  20 00 00 00 00 00 58 59 5a                        window, checksum, urgent; "XYZ"
    ///
    /// After a SYN at 999 and "ab" at 1000 the next byte is 1002; 0x800003ea is 1002 + 2^31.
    @Test("a segment half the sequence space ahead is in no window and is dropped (fuzz finding)")
    func segmentHalfTheSequenceSpaceAhead() throws {
        let frame: [UInt8] = [
            0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x45, 0x00,
            0x00, 0x2B, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00, 0xC6, 0x33, 0x64, 0x14, 0xC0, 0x00,
            0x02, 0x0A, 0x9C, 0x9B, 0x00, 0x17, 0x80, 0x00, 0x03, 0xEA, 0x00, 0x00, 0x00, 0x00, 0x50, 0x18,
            0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x58, 0x59, 0x5A,
        ]
        var stream = StreamReassembly()
        stream.synchronise(sequence: 999)
        Array("ab".utf8).withPacketBytes { stream.receive(sequence: 1000, payload: $0, cutShort: false, limit: 64) }
        let decoded: (UInt32, [UInt8])? = frame.withPacketBytes { bytes in
            guard case .packet(let packet) = PacketDecoder(linkLayer: .ethernet).decode(bytes) else { return nil }
            stream.receive(sequence: packet.transport.sequence, payload: packet.payload, cutShort: false, limit: 64)
            return (packet.transport.sequence, packet.payload.array)
        }
        let (sequence, payload) = try #require(decoded)
        #expect(sequence == 1002 &+ 0x8000_0000)
        #expect(payload == Array("XYZ".utf8))
        Array("cd".utf8).withPacketBytes { stream.receive(sequence: 1002, payload: $0, cutShort: false, limit: 64) }
        #expect(String(decoding: stream.bytes, as: UTF8.self) == "abcd")
    }
}
