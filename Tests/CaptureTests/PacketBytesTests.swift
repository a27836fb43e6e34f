import Testing

@testable import Capture

/// Expected values are worked out by hand from the bytes written in each test.
@Suite("PacketBytes: a bounds-checked borrowed view of packet bytes")
struct PacketBytesTests {
    static let bytes: [UInt8] = [0x12, 0x34, 0x56, 0x78, 0x9A]

    @Test("integer reads are big- or little-endian as asked, and nil once they would pass the end")
    func integerReads() {
        Self.bytes.withPacketBytes { view in
            #expect(view.uint16BigEndian(at: 0) == 0x1234)
            #expect(view.uint16LittleEndian(at: 0) == 0x3412)
            #expect(view.uint32BigEndian(at: 1) == 0x3456_789A)
            #expect(view.uint32LittleEndian(at: 1) == 0x9A78_5634)
            #expect(view.uint16BigEndian(at: 3) == 0x789A)
            #expect(view.uint16BigEndian(at: 4) == nil)
            #expect(view.uint32BigEndian(at: 2) == nil)
            #expect(view.uint16LittleEndian(at: -1) == nil)
        }
    }

    @Test("a slice is a view of its own, indexed from 0")
    func slicing() {
        Self.bytes.withPacketBytes { view in
            let tail = view[2...]
            #expect(tail.count == 3)
            #expect(tail[0] == 0x56)
            #expect(tail.uint16BigEndian(at: 1) == 0x789A)
            #expect(tail.firstIndex(of: 0x9A) == 2)
            #expect(view.firstIndex(of: 0x9A) == 4)
            #expect(view[1..<3].array == [0x34, 0x56])
            #expect(view[..<2].array == [0x12, 0x34])
            #expect(view[5...].isEmpty)
            #expect(view.prefix(9).count == 5)
            #expect(view.first == 0x12 && view[4...].first == 0x9A)
            #expect(PacketBytes().first == nil && PacketBytes().isEmpty)
        }
    }

    @Test("starts(with:), elementsEqual and iteration see exactly the viewed bytes")
    func comparing() {
        Self.bytes.withPacketBytes { view in
            #expect(view.starts(with: [0x12, 0x34]))
            #expect(!view.starts(with: [0x34]))
            #expect(!view[3...].starts(with: [0x78, 0x9A, 0x00]))
            #expect(Array(view[1...]) == [0x34, 0x56, 0x78, 0x9A])
            [UInt8]([0x56, 0x78]).withPacketBytes { other in
                #expect(view[2..<4].elementsEqual(other))
                #expect(!view[1..<3].elementsEqual(other))
            }
            var copy: [UInt8] = [0, 0, 0, 0]
            copy.replaceBytes(at: 1, with: view[..<3])
            #expect(copy == [0, 0x12, 0x34, 0x56])
            copy.append(contentsOf: view[4...])
            #expect(copy == [0, 0x12, 0x34, 0x56, 0x9A])
        }
    }

    @Test("reading one byte past the end traps, in every build")
    func subscriptTraps() async {
        await #expect(processExitsWith: .failure) {
            let bytes: [UInt8] = [1, 2, 3]
            _ = bytes.withPacketBytes { $0[3] }
        }
    }

    @Test("slicing past the end gives the bytes inside it, never a trap (a capture fuzz finding)")
    func sliceIsCut() {
        let bytes: [UInt8] = [1, 2, 3]
        #expect(bytes.withPacketBytes { $0[1..<4].array } == [2, 3])
        #expect(bytes.withPacketBytes { $0[5..<9].count } == 0)
        #expect(bytes.withPacketBytes { $0[2...].array } == [3])
    }
}
