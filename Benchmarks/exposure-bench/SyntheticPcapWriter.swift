import Foundation

/// Writes classic pcap files (Ethernet, microsecond timestamps) through a 4 MiB stdio buffer.
final class SyntheticPcapWriter {
    private let file: UnsafeMutablePointer<FILE>
    private var frame = [UInt8](repeating: 0, count: 2048)
    private(set) var packets = 0
    private(set) var bytes = 0
    var time: Int64 = 1_772_442_000_000_000

    init(path: String) throws {
        guard let file = fopen(path, "wb") else { throw CaptureBenchError("cannot write \(path)") }
        self.file = file
        setvbuf(file, nil, _IOFBF, 4 << 20)
        var header: [UInt32] = [0xA1B2_C3D4, 0x0004_0002, 0, 0, 65535, 1]
        fwrite(&header, 4, header.count, file)
    }

    func close() { fclose(file) }

    /// One Ethernet/IPv4/TCP-or-UDP frame; the payload is `payload` or, when nil, `fill` bytes of filler.
    func emit(
        source: UInt32, destination: UInt32, sourcePort: UInt16, destinationPort: UInt16, tcp: Bool,
        flags: UInt8 = 0, sequence: UInt32 = 0, acknowledgement: UInt32 = 0, payload: [UInt8]?, fill: Int = 0,
        step: Int64
    ) {
        let payloadLength = payload?.count ?? fill
        let transportLength = tcp ? 20 : 8
        let ipLength = 20 + transportLength + payloadLength
        let length = 14 + ipLength
        frame.withUnsafeMutableBytes { out in
            func put16(_ at: Int, _ v: UInt16) {
                out[at] = UInt8(v >> 8)
                out[at + 1] = UInt8(v & 0xFF)
            }
            func put32(_ at: Int, _ v: UInt32) {
                put16(at, UInt16(v >> 16))
                put16(at + 2, UInt16(v & 0xFFFF))
            }
            for i in 0..<12 { out[i] = i < 6 ? 0x02 : 0x04 }
            put16(12, 0x0800)
            out[14] = 0x45
            out[15] = 0
            put16(16, UInt16(ipLength))
            put32(18, 0)
            out[22] = 64
            out[23] = tcp ? 6 : 17
            put16(24, 0)
            put32(26, source)
            put32(30, destination)
            put16(34, sourcePort)
            put16(36, destinationPort)
            if tcp {
                put32(38, sequence)
                put32(42, acknowledgement)
                out[46] = 0x50
                out[47] = flags
                put16(48, 65535)
                put32(50, 0)
            } else {
                put16(38, UInt16(8 + payloadLength))
                put16(40, 0)
            }
            let start = 14 + 20 + transportLength
            if let payload {
                for (i, byte) in payload.enumerated() { out[start + i] = byte }
            } else {
                for i in 0..<fill { out[start + i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) }
            }
        }
        time += step
        var record: [UInt32] = [
            UInt32(time / 1_000_000), UInt32(time % 1_000_000), UInt32(length), UInt32(length),
        ]
        fwrite(&record, 4, 4, file)
        frame.withUnsafeBytes { _ = fwrite($0.baseAddress, 1, length, file) }
        packets += 1
        bytes += 16 + length
    }
}
