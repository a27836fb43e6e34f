import Foundation
import SeededRandom

/// One step of a synthetic conversation.
enum SyntheticStep {
    case packet(fromClient: Bool, flags: UInt8, payload: [UInt8])
    case bulk(fromClient: Bool, count: Int, size: Int)
}

/// A synthetic conversation replayed one packet at a time, so many can be interleaved.
struct SyntheticFlow {
    var client: UInt32
    var server: UInt32
    var clientPort: UInt16
    var serverPort: UInt16
    var tcp: Bool
    var steps: [SyntheticStep]
    var step = 0
    var bulkSent = 0
    var clientSequence: UInt32 = 1000
    var serverSequence: UInt32 = 9000

    var isDone: Bool { step >= steps.count }

    /// Writes the next packet; returns false when the conversation is over.
    mutating func emitNext(_ writer: SyntheticPcapWriter, step timeStep: Int64) {
        guard step < steps.count else { return }
        let fromClient: Bool
        let flags: UInt8
        var payload: [UInt8]? = nil
        var fill = 0
        switch steps[step] {
        case .packet(let direction, let f, let bytes):
            fromClient = direction
            flags = f
            payload = bytes
            step += 1
        case .bulk(let direction, let count, let size):
            fromClient = direction
            flags = 0x10
            fill = size
            bulkSent += 1
            if bulkSent >= count {
                bulkSent = 0
                step += 1
            }
        }
        let length = UInt32(payload?.count ?? fill) + (flags & 0x03 != 0 ? 1 : 0)
        if fromClient {
            writer.emit(
                source: client, destination: server, sourcePort: clientPort, destinationPort: serverPort, tcp: tcp,
                flags: flags, sequence: clientSequence, acknowledgement: serverSequence, payload: payload, fill: fill,
                step: timeStep)
            clientSequence &+= length
        } else {
            writer.emit(
                source: server, destination: client, sourcePort: serverPort, destinationPort: clientPort, tcp: tcp,
                flags: flags, sequence: serverSequence, acknowledgement: clientSequence, payload: payload, fill: fill,
                step: timeStep)
            serverSequence &+= length
        }
    }
}

/// Conversation templates and the two capture generators.
enum CaptureGenerator {
    static let syn: UInt8 = 0x02
    static let synAck: UInt8 = 0x12
    static let ack: UInt8 = 0x10
    static let pushAck: UInt8 = 0x18
    static let finAck: UInt8 = 0x11
    static let rst: UInt8 = 0x04

    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static func tlsRecord(_ type: UInt8, version: UInt16, body: [UInt8]) -> [UInt8] {
        let message = [type, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        return [22, 3, 1, UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }

    static let clientHello: [UInt8] = tlsRecord(
        1, version: 0x0303,
        body: [3, 3] + [UInt8](repeating: 7, count: 32) + [
            0, 0, 8, 0x13, 0x01, 0xC0, 0x2F, 0xC0, 0x30, 0x00, 0x2F, 1, 0,
        ]
            + [0, 0])
    static func serverHello(version: UInt16, suite: UInt16) -> [UInt8] {
        tlsRecord(
            2, version: version,
            body: [UInt8(version >> 8), UInt8(version & 0xFF)] + [UInt8](repeating: 9, count: 32) + [0]
                + [UInt8(suite >> 8), UInt8(suite & 0xFF), 0])
    }

    static func open(_ extra: [SyntheticStep]) -> [SyntheticStep] {
        [.packet(fromClient: true, flags: syn, payload: []), .packet(fromClient: false, flags: synAck, payload: [])]
            + [.packet(fromClient: true, flags: ack, payload: [])] + extra
            + [
                .packet(fromClient: true, flags: finAck, payload: []),
                .packet(fromClient: false, flags: finAck, payload: []),
            ]
    }

    static func c(_ payload: [UInt8]) -> SyntheticStep { .packet(fromClient: true, flags: pushAck, payload: payload) }
    static func s(_ payload: [UInt8]) -> SyntheticStep { .packet(fromClient: false, flags: pushAck, payload: payload) }

    static let smb1Negotiate: [UInt8] = {
        let dialects = Array("\u{02}NT LM 0.12\u{0}\u{02}SMB 2.002\u{0}\u{02}SMB 2.???\u{0}".utf8)
        var message: [UInt8] = [0xFF, 0x53, 0x4D, 0x42, 0x72] + [UInt8](repeating: 0, count: 27) + [0]
        message += [UInt8(dialects.count & 0xFF), UInt8(dialects.count >> 8)] + dialects
        return [0, 0, UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
    }()
    static let smb2Response: [UInt8] = {
        let message: [UInt8] = [0xFE, 0x53, 0x4D, 0x42, 64, 0] + [UInt8](repeating: 0, count: 122)
        return [0, 0, 0, UInt8(message.count)] + message
    }()
    static let dnsQuery: [UInt8] =
        [0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0] + Array("\u{3}www\u{7}example\u{3}com\u{0}".utf8) + [0, 1, 0, 1]
    static let dnsAnswer: [UInt8] =
        [0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0] + Array("\u{3}www\u{7}example\u{3}com\u{0}".utf8)
        + [0, 1, 0, 1, 0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0x0E, 0x10, 0, 4, 192, 0, 2, 1]
    static let snmpGet: [UInt8] = [
        0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6C, 0x69, 0x63, 0xA0, 0x19, 0x02, 0x01, 0x01,
        0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0E, 0x30, 0x0C, 0x06, 0x08, 0x2B, 0x06, 0x01, 0x02, 0x01, 0x01,
        0x01, 0x00, 0x05, 0x00,
    ]

    /// The steps of conversation kind `kind` (0–19) with random sizes.
    static func conversation(_ kind: Int, random: inout SeededGenerator) -> (
        port: UInt16, tcp: Bool, steps: [SyntheticStep]
    ) {
        switch kind {
        case 0...5:
            return (
                80, true,
                open([
                    c(bytes("GET /files/\(random.next(1000)).iso HTTP/1.1\r\nHost: files\r\n\r\n")),
                    s(bytes("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n")),
                    .bulk(fromClient: false, count: 5 + random.next(40), size: 1448),
                ])
            )
        case 6...9:
            return (
                443, true,
                open([
                    c(clientHello), s(serverHello(version: 0x0303, suite: 0xC02F)),
                    .bulk(fromClient: false, count: 5 + random.next(40), size: 1448),
                ])
            )
        case 10: return (443, true, open([c(clientHello), s(serverHello(version: 0x0301, suite: 0x002F))]))
        case 11:
            return (
                23, true,
                open([
                    s([255, 253, 24, 255, 253, 32]), c([255, 251, 24, 255, 251, 32]), s(bytes("login: ")),
                    c(bytes("admin\r\n")), .bulk(fromClient: false, count: 10, size: 80),
                ])
            )
        case 12:
            return (
                21, true,
                open([
                    s(bytes("220 FTP ready\r\n")), c(bytes("USER bob\r\n")), s(bytes("331 ok\r\n")),
                    c(bytes("PASS pw\r\n")), s(bytes("230 ok\r\n")),
                ])
            )
        case 13:
            return (
                22, true,
                open([
                    s(bytes("SSH-2.0-OpenSSH_9.2\r\n")), c(bytes("SSH-2.0-OpenSSH_9.2\r\n")),
                    .bulk(fromClient: true, count: 30, size: 200), .bulk(fromClient: false, count: 30, size: 200),
                ])
            )
        case 14:
            return (
                445, true, open([c(smb1Negotiate), s(smb2Response), .bulk(fromClient: false, count: 50, size: 1448)])
            )
        case 15:
            return (
                8080, true,
                open([
                    c(bytes("GET /admin HTTP/1.1\r\nHost: x\r\nAuthorization: Basic Ym9iOnB3\r\n\r\n")),
                    s(bytes("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")),
                ])
            )
        case 16...18:
            return (53, false, [c(dnsQuery), s(dnsAnswer)])
        default:
            return (161, false, [c(snmpGet)])
        }
    }

    /// A mixed capture of about `targetBytes`: 256 conversations interleaved packet by packet.
    static func mixed(path: String, targetBytes: Int) throws -> String {
        let writer = try SyntheticPcapWriter(path: path)
        var random = SeededGenerator(state: 0x5EED)
        var active: [SyntheticFlow] = []
        var flows = 0
        func newFlow() -> SyntheticFlow {
            let (port, tcp, steps) = conversation(random.next(20), random: &random)
            flows += 1
            return SyntheticFlow(
                client: 0x0A00_0000 | UInt32(random.next(20000)), server: 0xC000_0200 | UInt32(random.next(200)),
                clientPort: UInt16(1024 + flows % 60000), serverPort: port, tcp: tcp, steps: steps)
        }
        for _ in 0..<256 { active.append(newFlow()) }
        var turn = 0
        while writer.bytes < targetBytes {
            let slot = turn % active.count
            active[slot].emitNext(writer, step: 10)
            if active[slot].isDone { active[slot] = newFlow() }
            turn += 1
        }
        writer.close()
        return "\(writer.packets) packets, \(flows) conversations, \(writer.bytes >> 20) MiB"
    }

    /// A small-packet capture of `flows` conversations: TCP (SYN, SYN-ACK, request, RST) and UDP (DNS
    /// query and answer), 512 interleaved, one microsecond apart.
    static func smallPackets(path: String, flows target: Int) throws -> String {
        let writer = try SyntheticPcapWriter(path: path)
        let request = bytes("GET / HTTP/1.0\r\n\r\n")
        var active: [SyntheticFlow] = []
        var flows = 0
        func newFlow() -> SyntheticFlow {
            flows += 1
            let client = 0x0A00_0000 | UInt32(flows % 1_000_003)
            let server = 0xC000_0200 | UInt32(flows % 1000)
            let port = UInt16(1024 + (flows / 1_000_003) % 60000)
            if flows % 2 == 0 {
                return SyntheticFlow(
                    client: client, server: server, clientPort: port, serverPort: 53, tcp: false,
                    steps: [c(dnsQuery), s(dnsAnswer)])
            }
            return SyntheticFlow(
                client: client, server: server, clientPort: port, serverPort: 80, tcp: true,
                steps: [
                    .packet(fromClient: true, flags: syn, payload: []),
                    .packet(fromClient: false, flags: synAck, payload: []),
                    c(request), .packet(fromClient: false, flags: rst, payload: []),
                ])
        }
        for _ in 0..<min(512, target) { active.append(newFlow()) }
        var turn = 0
        while !active.isEmpty {
            let slot = turn % active.count
            active[slot].emitNext(writer, step: 1)
            if active[slot].isDone {
                if flows < target { active[slot] = newFlow() } else { active.remove(at: slot) }
            }
            turn += 1
        }
        writer.close()
        return "\(writer.packets) packets, \(flows) conversations, \(writer.bytes >> 20) MiB"
    }
}

extension SeededGenerator {
    /// A number in `0..<bound`.
    mutating func next(_ bound: Int) -> Int { Int(next() >> 33) % bound }
}
