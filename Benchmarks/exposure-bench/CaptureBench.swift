import Capture
import Foundation

/// The capture benchmark: `swift run -c release exposure-bench capture [--mixed-mb N]
/// [--small-flows N] [--data DIR] [--regenerate] [--skip-ndpi]`.
///
/// Generates two captures under `Benchmarks/data/capture/` (gitignored; reused on later runs unless
/// `--regenerate`): a mixed one of about `--mixed-mb` MiB (default 600: millions of packets, tens of
/// thousands of interleaved flows of HTTP and TLS downloads, SSH, SMB2, DNS, SNMP, Telnet, FTP, …)
/// and a small-packet one with `--small-flows` flows (default 1,100,000: TCP connections of four
/// packets and UDP exchanges of two). Each is read by `exposure`'s analyzer with every detector on
/// (in a child process, so its CPU time and peak memory are its own), by a C libpcap reader that
/// parses headers, keeps a flow table and classifies first payloads (compiled here with `cc -O2`),
/// and by `ndpiReader` (Debian's libndpi-bin) when installed. A quick run:
/// `exposure-bench capture --mixed-mb 50 --small-flows 100000`.
enum CaptureBench {
    static func run(_ args: [String]) throws {
        if args.first == "measure", args.count == 2 {
            try measure(file: args[1])
            return
        }
        if args.first == "measure-read", args.count == 3 {
            let start = cpuSeconds()
            let (frames, _) = try CaptureAnalysis.readOnly(file: args[2], withLibpcap: args[1] == "libpcap")
            say("frames=\(frames) cpu=\(String(format: "%.3f", cpuSeconds() - start))")
            return
        }
        var options = CaptureBenchOptions()
        try options.parse(args)
        let folder = options.dataFolder
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let mixed = folder + "/mixed-\(options.mixedMiB)mib.pcap"
        let small = folder + "/small-packets-\(options.smallFlows)-flows.pcap"
        if options.regenerate || !FileManager.default.fileExists(atPath: mixed) {
            let made = try CaptureGenerator.mixed(path: mixed, targetBytes: options.mixedMiB << 20)
            say("generated \(mixed): \(made)")
        }
        if options.regenerate || !FileManager.default.fileExists(atPath: small) {
            let made = try CaptureGenerator.smallPackets(path: small, flows: options.smallFlows)
            say("generated \(small): \(made)")
        }
        let reference = try compileReferenceReader(folder: folder)
        let ndpi =
            options.skipNDPI
            ? nil
            : ["/usr/bin/ndpiReader", "/usr/local/bin/ndpiReader"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            }
        if ndpi == nil && !options.skipNDPI {
            say("ndpiReader not found: install Debian's libndpi-bin to compare with it")
        }
        for file in [mixed, small] { try compare(file: file, reference: reference, ndpi: ndpi) }
        say(
            "goals: exposure within 2x the C reader's CPU time, 5x faster than ndpiReader, under 512 MiB at a million flows"
        )
    }

    /// Runs the analyzer on one file in this process and prints its own figures as `key=value` pairs.
    static func measure(file: String) throws {
        let start = cpuSeconds()
        let (_, statistics) = try CaptureAnalysis.measure(file: file)
        let cpu = cpuSeconds() - start
        say(
            "frames=\(statistics.frames) flows=\(statistics.flows) peakFlows=\(statistics.peakFlows) "
                + "findings=\(statistics.findings) cpu=\(String(format: "%.3f", cpu)) "
                + "maxrss_mib=\(String(format: "%.1f", peakMemoryMiB()))")
    }

    private static func compare(file: String, reference: String, ndpi: String?) throws {
        let resolved = (try? FileManager.default.destinationOfSymbolicLink(atPath: file)) ?? file
        let size = (try FileManager.default.attributesOfItem(atPath: resolved)[.size] as? Int) ?? 0
        let mib = Double(size) / 1_048_576
        say(String(format: "\n%@: %.0f MiB", (file as NSString).lastPathComponent, mib))
        let ours = pairs(try runChild(CommandLine.arguments[0], ["capture", "measure", file]))
        let oursCPU = Double(ours["cpu"] ?? "") ?? .nan
        let frames = Double(ours["frames"] ?? "") ?? 0
        say(
            String(
                format:
                    "  exposure     %7.2f s CPU  %7.0f MiB/s  %6.2f Mpps  peak %6.1f MiB  flows %@ (peak %@), findings %@",
                oursCPU, mib / oursCPU, frames / oursCPU / 1e6, Double(ours["maxrss_mib"] ?? "") ?? .nan,
                ours["flows"] ?? "?", ours["peakFlows"] ?? "?", ours["findings"] ?? "?"))
        // Reading alone, without decoding or flows: the own classic pcap walker against libpcap's reader.
        let ownRead =
            Double(
                pairs(try runChild(CommandLine.arguments[0], ["capture", "measure-read", "own", file]))["cpu"] ?? "")
            ?? .nan
        let libpcapRead =
            Double(
                pairs(try runChild(CommandLine.arguments[0], ["capture", "measure-read", "libpcap", file]))["cpu"] ?? ""
            ) ?? .nan
        say(
            String(
                format: "  reading only: own walker %.2f s CPU, libpcap %.2f s CPU  -> libpcap/own = %.2fx",
                ownRead, libpcapRead, libpcapRead / ownRead))
        let c = pairs(try runChild(reference, [file]))
        let cCPU = Double(c["cpu"] ?? "") ?? .nan
        say(
            String(
                format:
                    "  C reader     %7.2f s CPU  %7.0f MiB/s  %6.2f Mpps  peak %6.1f MiB  flows %@  -> exposure/C = %.2fx",
                cCPU, mib / cCPU, (Double(c["packets"] ?? "") ?? 0) / cCPU / 1e6,
                Double(c["maxrss_mib"] ?? "") ?? .nan, c["flows"] ?? "?", oursCPU / cCPU))
        if let ndpi {
            // /usr/bin/time prints user, system seconds and peak KiB on the last line of stderr.
            let timed = try runChild("/usr/bin/time", ["-f", "%U %S %M", ndpi, "-i", file, "-q"], stderrToo: true)
            let last = timed.split(separator: "\n").last.map(String.init) ?? ""
            let fields = last.split(separator: " ").compactMap { Double($0) }
            if fields.count == 3 {
                let cpu = fields[0] + fields[1]
                say(
                    String(
                        format:
                            "  ndpiReader   %7.2f s CPU  %7.0f MiB/s                peak %6.1f MiB  -> ndpiReader/exposure = %.1fx",
                        cpu, mib / cpu, fields[2] / 1024, cpu / oursCPU))
            } else {
                say("  ndpiReader: could not read its timing (\(last))")
            }
        }
    }

    private static func pairs(_ output: String) -> [String: String] {
        var result: [String: String] = [:]
        for token in output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            let parts = token.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { result[String(parts[0])] = String(parts[1]) }
        }
        return result
    }

    /// Runs a program to the end and returns its standard output (and error, when asked).
    private static func runChild(_ program: String, _ arguments: [String], stderrToo: Bool = false) throws -> String {
        let outputPath = NSTemporaryDirectory() + "exposure-bench-\(UUID().uuidString).txt"
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        process.standardOutput = stderrToo ? FileHandle.nullDevice : output
        process.standardError = stderrToo ? output : FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try output.close()
        return try String(contentsOfFile: outputPath, encoding: .utf8)
    }

    private static func compileReferenceReader(folder: String) throws -> String {
        let source = folder + "/flow-reader.c"
        let binary = folder + "/flow-reader"
        try referenceReaderSource.write(toFile: source, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        process.arguments = ["-O2", "-o", binary, source, "-lpcap"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw CaptureBenchError("cc could not compile \(source)") }
        return binary
    }
}

/// Prints a line and flushes it, so progress shows up at once even when the output goes to a file.
private func say(_ line: String) {
    print(line)
    fflush(nil)
}

private struct CaptureBenchOptions {
    var mixedMiB = 600
    var smallFlows = 1_100_000
    var dataFolder = "Benchmarks/data/capture"
    var regenerate = false
    var skipNDPI = false

    mutating func parse(_ args: [String]) throws {
        var index = 0
        func value() throws -> String {
            guard index + 1 < args.count else { throw CaptureBenchError("\(args[index]) needs a value") }
            index += 1
            return args[index]
        }
        while index < args.count {
            switch args[index] {
            case "--mixed-mb": mixedMiB = Int(try value()) ?? mixedMiB
            case "--small-flows": smallFlows = Int(try value()) ?? smallFlows
            case "--data": dataFolder = try value()
            case "--regenerate": regenerate = true
            case "--skip-ndpi": skipNDPI = true
            default:
                throw CaptureBenchError(
                    "usage: exposure-bench capture [--mixed-mb N] [--small-flows N] [--data DIR] [--regenerate] [--skip-ndpi]"
                )
            }
            index += 1
        }
    }
}

private struct CaptureBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Writes classic pcap files (Ethernet, microsecond timestamps) through a 4 MiB stdio buffer.
private final class SyntheticPcapWriter {
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

/// One step of a synthetic conversation.
private enum SyntheticStep {
    case packet(fromClient: Bool, flags: UInt8, payload: [UInt8])
    case bulk(fromClient: Bool, count: Int, size: Int)
}

/// A synthetic conversation replayed one packet at a time, so many can be interleaved.
private struct SyntheticFlow {
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

/// A small deterministic random source (xorshift64*).
private struct SyntheticRandom {
    var state: UInt64

    mutating func next(_ bound: Int) -> Int {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return Int((state &* 0x2545_F491_4F6C_DD1D) >> 33) % bound
    }
}

/// Conversation templates and the two capture generators.
private enum CaptureGenerator {
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
    static func conversation(_ kind: Int, random: inout SyntheticRandom) -> (
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
        var random = SyntheticRandom(state: 0x5EED)
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

/// The C reference reader, compiled by the benchmark: libpcap with a 1 MiB stdio buffer, header
/// parsing, an open-addressing flow table and first-payload classification, and nothing else.
private let referenceReaderSource = #"""
    /* Reference reader for the Exposure capture benchmark: libpcap with a 1 MiB stdio buffer, decodes
       Ethernet (VLAN), IPv4/IPv6, TCP/UDP, keeps an open-addressing flow table keyed by the canonical
       5-tuple with packet and byte counts, and classifies the first payload of each flow by a few
       signatures. Prints packets, flows, classified flows, CPU seconds and peak memory. */
    #include <pcap/pcap.h>
    #include <stdint.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    #include <sys/resource.h>

    typedef struct {
        uint64_t a[2], b[2];
        uint16_t ap, bp;
        uint8_t proto, used, classified, pad;
        uint64_t packets, bytes;
    } flow_t;

    static flow_t *table;
    static size_t capacity = 1 << 16, count;
    static uint64_t classes[8];

    static uint64_t mix(const flow_t *k) {
        uint64_t h = k->a[1] * 0x9E3779B97F4A7C15ull ^ k->b[1] * 0xC2B2AE3D27D4EB4Full;
        h ^= (k->a[0] ^ k->b[0]) * 0x165667B19E3779F9ull;
        h ^= ((uint64_t)k->ap << 24) | ((uint64_t)k->bp << 8) | k->proto;
        h ^= h >> 29; h *= 0xBF58476D1CE4E5B9ull; h ^= h >> 32;
        return h;
    }

    static flow_t *lookup(const flow_t *key);

    static void grow(void) {
        flow_t *old = table; size_t old_capacity = capacity;
        capacity *= 2; table = calloc(capacity, sizeof(flow_t)); count = 0;
        for (size_t i = 0; i < old_capacity; i++) if (old[i].used) { flow_t *f = lookup(&old[i]); *f = old[i]; }
        free(old);
    }

    static flow_t *lookup(const flow_t *key) {
        if (count * 2 >= capacity) grow();
        size_t i = mix(key) & (capacity - 1);
        for (;;) {
            flow_t *f = &table[i];
            if (!f->used) { *f = *key; f->used = 1; f->packets = 0; f->bytes = 0; f->classified = 0; count++; return f; }
            if (f->proto == key->proto && f->ap == key->ap && f->bp == key->bp && !memcmp(f->a, key->a, 16) && !memcmp(f->b, key->b, 16)) return f;
            i = (i + 1) & (capacity - 1);
        }
    }

    static int classify(const uint8_t *p, size_t n) {
        if (n >= 3 && p[0] == 0xFF && p[1] >= 250) return 1;                  /* telnet */
        if (n >= 4 && !memcmp(p, "220", 3)) return 2;                          /* ftp/smtp */
        if (n >= 4 && !memcmp(p, "SSH-", 4)) return 3;                         /* ssh */
        if (n >= 3 && p[0] == 0x16 && p[1] == 3) return 4;                     /* tls */
        if (n >= 8 && (p[4] == 0xFF || p[4] == 0xFE) && !memcmp(p + 5, "SMB", 3)) return 5; /* smb */
        if (n >= 4 && (!memcmp(p, "GET ", 4) || !memcmp(p, "POST", 4) || !memcmp(p, "HTTP", 4))) return 6;
        return 7;
    }

    static void ip_addr(uint64_t out[2], const uint8_t *p, int v6) {
        if (v6) { memcpy(&out[0], p, 8); memcpy(&out[1], p + 8, 8); }
        else { out[0] = 0; uint32_t v; memcpy(&v, p, 4); out[1] = 0xFFFF00000000ull | v; }
    }

    int main(int argc, char **argv) {
        if (argc < 2) { fprintf(stderr, "usage: flow-reader FILE\n"); return 2; }
        char err[PCAP_ERRBUF_SIZE];
        FILE *fp = fopen(argv[1], "rb");
        if (!fp) { perror(argv[1]); return 2; }
        setvbuf(fp, NULL, _IOFBF, 1 << 20);
        pcap_t *p = pcap_fopen_offline(fp, err);
        if (!p) { fprintf(stderr, "%s\n", err); return 2; }
        table = calloc(capacity, sizeof(flow_t));
        struct pcap_pkthdr *h; const u_char *d; uint64_t packets = 0;
        while (pcap_next_ex(p, &h, &d) == 1) {
            packets++;
            size_t n = h->caplen, off = 12;
            if (n < 14) continue;
            uint16_t type = d[off] << 8 | d[off + 1]; off += 2;
            while ((type == 0x8100 || type == 0x88A8) && off + 4 <= n) { type = d[off + 2] << 8 | d[off + 3]; off += 4; }
            flow_t key; memset(&key, 0, sizeof key);
            const uint8_t *src, *dst; int v6; size_t l4; uint8_t proto; size_t end;
            if (type == 0x0800 && off + 20 <= n) {
                const uint8_t *ip = d + off; size_t ihl = (ip[0] & 15) * 4; proto = ip[9];
                if ((ip[6] & 0x1F) || ip[7]) continue;
                src = ip + 12; dst = ip + 16; v6 = 0; l4 = off + ihl; end = off + (ip[2] << 8 | ip[3]);
            } else if (type == 0x86DD && off + 40 <= n) {
                const uint8_t *ip = d + off; proto = ip[6]; src = ip + 8; dst = ip + 24; v6 = 1; l4 = off + 40;
                end = off + 40 + (ip[4] << 8 | ip[5]);
            } else continue;
            if (end > n) end = n;
            if (l4 + 8 > end || (proto != 6 && proto != 17)) continue;
            uint16_t sp = d[l4] << 8 | d[l4 + 1], dp = d[l4 + 2] << 8 | d[l4 + 3];
            size_t payload = proto == 6 ? l4 + (d[l4 + 12] >> 4) * 4 : l4 + 8;
            if (payload > end) continue;
            uint64_t sa[2], da[2]; ip_addr(sa, src, v6); ip_addr(da, dst, v6);
            int low = memcmp(sa, da, 16) < 0 || (!memcmp(sa, da, 16) && sp <= dp);
            if (low) { memcpy(key.a, sa, 16); memcpy(key.b, da, 16); key.ap = sp; key.bp = dp; }
            else { memcpy(key.a, da, 16); memcpy(key.b, sa, 16); key.ap = dp; key.bp = sp; }
            key.proto = proto;
            flow_t *f = lookup(&key);
            f->packets++; f->bytes += end - payload;
            if (!f->classified && end > payload) { f->classified = 1; classes[classify(d + payload, end - payload)]++; }
        }
        struct rusage u; getrusage(RUSAGE_SELF, &u);
        double cpu = u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
        uint64_t classified = 0; for (int i = 1; i < 8; i++) classified += classes[i];
        printf("packets=%llu flows=%zu classified=%llu telnet=%llu cpu=%.3f maxrss_mib=%.1f\n", (unsigned long long)packets,
               count, (unsigned long long)classified, (unsigned long long)classes[1], cpu, u.ru_maxrss / 1024.0);
        pcap_close(p);
        return 0;
    }
    """#
