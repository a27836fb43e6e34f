import Foundation
import SeededRandom
import Testing

@testable import Capture

/// Property tests: random valid frames (Ethernet with and without 802.1Q/802.1ad tags, IPv4 and
/// IPv6, TCP and UDP with random ports, options and payloads) are built here byte by byte from the
/// RFCs' header layouts, written to a classic pcap, read back through both readers (Exposure's own
/// and libpcap) and decoded; the five-tuple and payload must be the ones written. tshark, an
/// independent dissector, reads the same file and must name the same addresses and ports.
@Suite("Round trips of random frames through the capture readers and the packet decoder")
struct FrameRoundTripPropertyTests {
    struct Frame: Equatable, CustomStringConvertible {
        var source: IPAddress
        var destination: IPAddress
        var transport: Transport
        var sourcePort: UInt16
        var destinationPort: UInt16
        var payload: [UInt8]
        var description: String {
            "\(transport) \(source):\(sourcePort) -> \(destination):\(destinationPort) \(payload.count) bytes"
        }
    }

    static func address(_ bytes: [UInt8]) -> IPAddress {
        if bytes.count == 4 {
            return IPAddress(ipv4: bytes.reduce(0) { $0 << 8 | UInt32($1) })
        }
        return IPAddress(
            high: bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }, low: bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
        )
    }

    static func be16(_ v: Int) -> [UInt8] { [UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
    static func le32(_ v: Int) -> [UInt8] { (0..<4).map { UInt8((v >> (8 * $0)) & 0xFF) } }

    /// The RFC 1071 one's-complement sum over 16-bit words.
    static func checksum(_ bytes: [UInt8]) -> [UInt8] {
        var sum = 0
        var i = 0
        while i < bytes.count {
            sum += Int(bytes[i]) << 8 + (i + 1 < bytes.count ? Int(bytes[i + 1]) : 0)
            i += 2
        }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        return be16(~sum & 0xFFFF)
    }

    /// One random frame and what it holds.
    static func randomFrame(_ rng: inout SeededGenerator) -> (bytes: [UInt8], frame: Frame) {
        let ipv6 = Bool.random(using: &rng)
        let tcp = Bool.random(using: &rng)
        let src = (0..<(ipv6 ? 16 : 4)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        var dst = (0..<(ipv6 ? 16 : 4)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        if ipv6 && Bool.random(using: &rng) { dst = [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [1] }
        let sport = UInt16.random(in: 0...65535, using: &rng)
        let dport = UInt16.random(in: 0...65535, using: &rng)
        let payload = (0..<[0, 1, 7, 100, 1400].randomElement(using: &rng)!).map { _ in
            UInt8.random(in: 0...255, using: &rng)
        }
        var transport: [UInt8]
        if tcp {
            let optionWords = Int.random(in: 0...10, using: &rng)
            transport =
                be16(Int(sport)) + be16(Int(dport)) + (0..<8).map { _ in UInt8.random(in: 0...255, using: &rng) }
            transport += [UInt8((5 + optionWords) << 4), 0x18] + be16(65535) + [0, 0, 0, 0]
            // NOP options then padding: stepped over by the decoder.
            transport +=
                Array(repeating: 1, count: optionWords * 4 - (optionWords > 0 ? 1 : 0)) + (optionWords > 0 ? [0] : [])
        } else {
            transport = be16(Int(sport)) + be16(Int(dport)) + be16(8 + payload.count) + [0, 0]
        }
        let segment = transport + payload
        var ip: [UInt8]
        if ipv6 {
            ip = [0x60, 0, 0, 0] + be16(segment.count) + [tcp ? 6 : 17, 64] + src + dst
        } else {
            var header = [0x45, 0] + be16(20 + segment.count) + be16(Int.random(in: 0...65535, using: &rng))
            header += [0x40, 0, 64, tcp ? 6 : 17, 0, 0] + src + dst
            let sum = checksum(header)
            header[10] = sum[0]
            header[11] = sum[1]
            ip = header
        }
        var link: [UInt8] = (0..<12).map { _ in UInt8.random(in: 0...255, using: &rng) }
        link[0] &= 0xFE  // unicast destination
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: link += [0x81, 0x00] + be16(Int.random(in: 1...4094, using: &rng))
        case 1: link += [0x88, 0xA8] + be16(Int.random(in: 1...4094, using: &rng)) + [0x81, 0x00] + be16(100)
        default: break
        }
        link += ipv6 ? [0x86, 0xDD] : [0x08, 0x00]
        var frame = link + ip + segment
        // Short frames are padded to Ethernet's minimum; the padding is not payload.
        if frame.count < 60 { frame += Array(repeating: 0, count: 60 - frame.count) }
        return (
            frame,
            Frame(
                source: address(src), destination: address(dst), transport: tcp ? .tcp : .udp, sourcePort: sport,
                destinationPort: dport, payload: payload)
        )
    }

    /// A classic pcap (microsecond timestamps, link type 1) holding `frames`.
    static func pcap(_ frames: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0] + le32(0) + le32(0) + le32(65535) + le32(1)
        for (i, f) in frames.enumerated() {
            out += le32(1_700_000_000 + i) + le32(i * 10) + le32(f.count) + le32(f.count)
            out += f
        }
        return out
    }

    static func decodeAll(_ source: PcapSource) -> [Frame?] {
        var result: [Frame?] = []
        _ = source.forEachFrame { captured in
            guard case .packet(let p) = PacketDecoder(linkLayer: source.linkLayer).decode(captured.bytes) else {
                result.append(nil)
                return
            }
            result.append(
                Frame(
                    source: p.source, destination: p.destination, transport: p.transport.transport,
                    sourcePort: p.transport.sourcePort, destinationPort: p.transport.destinationPort,
                    payload: Array(p.payload)))
        }
        return result
    }

    @Test(
        "Random frames written to a pcap decode to the five-tuple and payload written, through both readers",
        arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func roundTrip(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed &* 0x2545_F491_4F6C_DD1D)
        let made = (0..<60).map { _ in Self.randomFrame(&rng) }
        let path = try temporaryCaptureFile(Self.pcap(made.map(\.bytes)), "roundtrip-\(seed)", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let expected: [Frame?] = made.map(\.frame)
        let ours = Self.decodeAll(try PcapSource.open(file: path, filter: nil))
        let libpcap = Self.decodeAll(try PcapSource.openWithLibpcap(file: path, filter: nil))
        #expect(ours.count == expected.count)
        for (i, (got, want)) in zip(ours, expected).enumerated() {
            #expect(got == want, "seed \(seed), packet \(i + 1)")
        }
        #expect(libpcap == expected, "seed \(seed), read with libpcap")
    }

    @Test("tshark reads the same addresses, protocol and ports from a sample of the random frames")
    func tsharkAgrees() throws {
        try #require(tsharkAvailable, "tshark is installed by make test")
        var rng = SeededGenerator(state: 0xC0FF_EE00)
        let made = (0..<40).map { _ in Self.randomFrame(&rng) }
        let path = try temporaryCaptureFile(Self.pcap(made.map(\.bytes)), "roundtrip-tshark", extension: "pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let outputPath = NSTemporaryDirectory() + "exposure-tshark-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
        process.arguments = [
            "-n", "-r", path, "-T", "fields", "-E", "separator=,", "-e", "ip.src", "-e",
            "ipv6.src", "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "udp.srcport", "-e", "tcp.dstport",
            "-e", "udp.dstport", "-e", "tcp.len", "-e", "udp.length",
        ]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        let lines = try String(contentsOfFile: outputPath, encoding: .utf8).split(separator: "\n").map(String.init)
        let ours = Self.decodeAll(try PcapSource.open(file: path, filter: nil))
        #expect(lines.count == made.count)
        for (i, line) in lines.enumerated() where i < ours.count {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count >= 10, let frame = ours[i] else {
                Issue.record("packet \(i + 1): \(line)")
                continue
            }
            // tshark prints the first value of a field that occurs more than once (tunnels): none here.
            let source = f[0].isEmpty ? f[1] : f[0]
            let destination = f[2].isEmpty ? f[3] : f[2]
            let sport = f[4].isEmpty ? f[5] : f[4]
            let dport = f[6].isEmpty ? f[7] : f[6]
            let length = frame.transport == .tcp ? Int(f[8]) : Int(f[9]).map { $0 - 8 }
            #expect(source == frame.source.description, "packet \(i + 1)")
            #expect(destination == frame.destination.description, "packet \(i + 1)")
            #expect(sport == "\(frame.sourcePort)" && dport == "\(frame.destinationPort)", "packet \(i + 1)")
            #expect(length == frame.payload.count, "packet \(i + 1)")
        }
    }
}
