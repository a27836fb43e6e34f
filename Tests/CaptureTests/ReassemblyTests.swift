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
}
