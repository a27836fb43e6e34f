import Foundation
import SeededRandom
import Testing

@testable import Capture

@Suite("Hostile bytes never crash the decoders, the detectors or the reader")
struct HostileInputTests {
    @Test("random frames through every link layer decode or become anomalies")
    func randomFrames() {
        var random = SeededGenerator(state: 7)
        let links: [LinkLayer] = [
            .ethernet, .null, .loop, .raw, .linuxCooked, .linuxCookedV2, .ppp, .ciscoHDLC, .nflog, .ieee80211,
            .radiotap,
            .ppi,
        ]
        for round in 0..<10000 {
            var frame = random.bytes(random.below(120))
            // Make later layers reachable: plausible EtherTypes and IP version nibbles.
            if frame.count > 20 && round % 2 == 0 {
                frame[12] = 0x08
                frame[13] = 0x00
                frame[14] = 0x45
            }
            for link in links {
                _ = frame.withPacketBytes { PacketDecoder(linkLayer: link).decode($0) }
            }
        }
    }

    @Test("random and mutated streams through every detector return, never crash")
    func randomStreams() {
        var random = SeededGenerator(state: 11)
        let openings: [[UInt8]] = [
            Array("GET / HTTP/1.1\r\nAuthorization: NTLM TlRMTVNTUAAD\r\n".utf8), [0x16, 0x03, 0x01, 0x00, 0x30, 0x02],
            [0x80, 0x20, 0x04, 0x00], [0x00, 0x00, 0x00, 0x40, 0xFF, 0x53, 0x4D, 0x42, 0x72], [0x30, 0x84, 0xFF],
            Array("220 x\r\nUSER ".utf8), Array("SSH-1.".utf8), Array("NTLMSSP\0\u{3}\0\0\0".utf8), [0x00],
            Array("0\0".utf8),
        ]
        for round in 0..<10000 {
            let client = openings[round % openings.count] + random.bytes(random.below(300))
            let server = openings[(round / 3) % openings.count] + random.bytes(random.below(300))
            client.withPacketBytes { c in
                server.withPacketBytes { s in
                    let sample = StreamSample(client: c, server: s, clientPort: 40000, serverPort: UInt16(round % 1024))
                    for detector in Detectors.stream {
                        _ = detector.mightMatch(sample)
                        _ = detector.examine(sample)
                    }
                    for detector in Detectors.datagram {
                        _ = detector.examine(
                            DatagramSample(payload: c, fromClient: true, clientPort: 40000, serverPort: 5355))
                    }
                }
            }
        }
    }

    @Test("samples with corrupted bytes are read to the end or stopped with a warning, never a crash")
    func corruptedSamples() throws {
        var random = SeededGenerator(state: 13)
        let folder = NSTemporaryDirectory() + "exposure-corrupt-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for sample in captureSamples {
            let original = try [UInt8](Data(contentsOf: URL(fileURLWithPath: packageRoot + "/Captures/" + sample)))
            for round in 0..<8 {
                var bytes = original
                // Leave the file header alone so libpcap opens it; damage records and packets.
                for _ in 0..<(1 + round * 4) where bytes.count > 40 {
                    bytes[24 + random.below(bytes.count - 24)] = UInt8(random.below(256))
                }
                let path = folder + "/\(round)-" + sample
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                _ = try? CaptureAnalyzer.analyze(files: [path], filter: nil)
            }
        }
    }
}
