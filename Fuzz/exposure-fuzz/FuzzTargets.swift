import Capture
import DNS
import Findings
import Foundation
import Topology

/// The parsers that take outside bytes, one fuzz target each. libFuzzer calls one entry point, so the
/// binary serves every target and `EXPOSURE_FUZZ_TARGET` picks one (`make fuzz` runs them all in turn).
/// A target may reject its input — an `InputError` is the expected answer to hostile bytes — but it
/// must never crash, hang or grow without bound: libFuzzer (with AddressSanitizer) reports those.
enum FuzzTarget: String, CaseIterable {
    /// Classic pcap and pcapng files: the mapped walkers, link and IP decoding, fragments, tunnels,
    /// reassembly and every detector, through the capture entry point.
    case capture
    /// A TCP conversation whose client and server payloads come from the input, on a port the input
    /// picks: every detector by port and by content, without the file walkers in the way.
    case detectors
    /// Zone master files: the lexer, directives, libldns record parsing, the zone structure and checks.
    case zone
    /// The zone-file splitter that cuts files of 8 MiB and more into pieces read in parallel, with its
    /// size threshold set to 0 and pieces of a sixteenth of the input: the file read whole and in pieces must
    /// give the same records (`ZoneFilePieceAgreement`); a difference stops the run as a crash.
    case zonePieces = "zone-pieces"
    /// Azure resource lists, REST and SDK shapes: the JSON stream reader and the importer.
    case azureJSON = "azure-json"
    /// ARM template expressions: the input is placed where templates hold expressions.
    case armExpression = "arm-expression"
    /// Exposure's own YAML topology format.
    case yaml
    /// The flows CSV of `topology verify-flows`.
    case flowsCSV = "flows-csv"
    /// The justification file of `topology audit`.
    case justifications
    /// DNS replies as the probes parse them.
    case dnsReply = "dns-reply"

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["EXPOSURE_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("set EXPOSURE_FUZZ_TARGET to one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()

    /// A scratch file per process in memory-backed storage: the file entry points read paths.
    static let scratch: String = {
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return "\(dir)/exposure-fuzz-\(getpid())"
    }()

    func run(_ bytes: [UInt8]) {
        switch self {
        case .capture:
            write(bytes, to: Self.scratch + ".pcap")
            _ = try? CaptureAnalyzer.analyze(files: [Self.scratch + ".pcap"], filter: nil)
        case .detectors:
            write(SyntheticConversation(bytes).pcap(), to: Self.scratch + "-tcp.pcap")
            _ = try? CaptureAnalyzer.analyze(files: [Self.scratch + "-tcp.pcap"], filter: nil)
        case .zone:
            write(bytes, to: Self.scratch + ".zone")
            let options = ZoneCheckOptions(origin: "example.com", now: 1_780_000_000)
            _ = try? ZoneAnalyzer.analyze(file: Self.scratch + ".zone", options: options)
        case .zonePieces:
            // A `$TTL` first: without one, a TTL carries over from the records before only within a
            // piece, a known difference (docs/limitations.md).
            write(Array("$TTL 3600\n".utf8) + bytes, to: Self.scratch + "-pieces.zone")
            let outcome = ZoneFilePieceAgreement.compare(
                file: Self.scratch + "-pieces.zone", origin: "example.com.", pieceSize: max(1, bytes.count / 16))
            if case .differ(let difference) = outcome { fatalError("zone read in pieces differs: \(difference)") }
        case .azureJSON:
            _ = try? TopologyLoader.load(documents: [("fuzz.json", Data(bytes))])
        case .armExpression:
            let expression = String(decoding: bytes, as: UTF8.self)
            _ = try? TopologyLoader.load(documents: [("template.json", Data(ARMTemplateFrame.wrap(expression).utf8))])
        case .yaml:
            _ = try? TopologyLoader.load(documents: [("fuzz.yaml", Data(bytes))])
        case .flowsCSV:
            _ = try? FlowList.parse(Data(bytes), file: "flows.csv")
        case .justifications:
            _ = try? JustificationFile.parse(String(decoding: bytes, as: UTF8.self), file: "justifications.yaml")
        case .dnsReply:
            _ = PacketReply(wire: bytes)
        }
    }

    private func write(_ bytes: [UInt8], to path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }
}

/// An ARM template whose expressions come from the fuzzer: as an NSG name, a rule's port and source,
/// a variable, a parameter default and a copy count, so every evaluator path sees it.
enum ARMTemplateFrame {
    static func wrap(_ expression: String) -> String {
        let quoted = jsonString("[" + expression + "]")
        return """
            {"$schema":"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
             "parameters":{"p":{"type":"string","defaultValue":\(quoted)}},
             "variables":{"v":\(quoted)},
             "resources":[{"type":"Microsoft.Network/networkSecurityGroups","apiVersion":"2023-04-01",
               "name":\(quoted),"copy":{"name":"c","count":\(quoted)},
               "properties":{"securityRules":[{"name":"r","properties":{"priority":100,"direction":"Inbound",
                 "access":"Allow","protocol":"Tcp","sourceAddressPrefix":\(quoted),"sourcePortRange":"*",
                 "destinationAddressPrefix":"*","destinationPortRange":\(quoted)}}]}}]}
            """
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// A classic pcap of one TCP conversation (handshake, then the input's payloads alternating client and
/// server, split at 0xFF bytes), on the server port the input's first two bytes name.
struct SyntheticConversation {
    var port: UInt16
    var payloads: [[UInt8]]

    init(_ bytes: [UInt8]) {
        port = bytes.count >= 2 ? UInt16(bytes[0]) << 8 | UInt16(bytes[1]) : 23
        payloads = bytes.dropFirst(2).split(separator: 0xFF, omittingEmptySubsequences: false).prefix(64).map(
            Array.init)
    }

    func pcap() -> [UInt8] {
        var out: [UInt8] = [0xD4, 0xC3, 0xB2, 0xA1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0, 0, 1, 0, 0, 0]
        var clientSeq: UInt32 = 1000
        var serverSeq: UInt32 = 5000
        var time: UInt32 = 1_780_000_000
        func frame(fromClient: Bool, flags: UInt8, payload: [UInt8]) {
            let seq = fromClient ? clientSeq : serverSeq
            let ack = fromClient ? serverSeq : clientSeq
            var tcp: [UInt8] = []
            tcp += be16(fromClient ? 40000 : port) + be16(fromClient ? port : 40000) + be32(seq) + be32(ack)
            tcp += [0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0] + payload
            var ip: [UInt8] = [0x45, 0, 0, 0, 0, 1, 0x40, 0, 64, 6, 0, 0]
            ip += fromClient ? [192, 0, 2, 1, 198, 51, 100, 2] : [198, 51, 100, 2, 192, 0, 2, 1]
            let total = UInt16(ip.count + tcp.count)
            ip[2] = UInt8(total >> 8)
            ip[3] = UInt8(total & 0xFF)
            let ethernet: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]
            let packet = ethernet + ip + tcp
            time += 1
            out += le32(time) + le32(0) + le32(UInt32(packet.count)) + le32(UInt32(packet.count)) + packet
            let advance = UInt32(payload.count) + (flags & 0x03 != 0 ? 1 : 0)
            if fromClient { clientSeq &+= advance } else { serverSeq &+= advance }
        }
        frame(fromClient: true, flags: 0x02, payload: [])
        frame(fromClient: false, flags: 0x12, payload: [])
        frame(fromClient: true, flags: 0x10, payload: [])
        for (n, payload) in payloads.enumerated() where !payload.isEmpty {
            frame(fromClient: n % 2 == 0, flags: 0x18, payload: Array(payload.prefix(60_000)))
        }
        frame(fromClient: true, flags: 0x11, payload: [])
        return out
    }

    private func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xFF)] }
    private func be32(_ v: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: v >> $0) } }
    private func le32(_ v: UInt32) -> [UInt8] { [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: v >> $0) } }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    FuzzTarget.selected.run(bytes)
    return 0
}

/// libFuzzer's driver, called from the executable's entry point: SwiftPM names an executable's entry
/// point `<target>_main`, so libFuzzer's own `main` is not linked and this one hands over to it.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

@_cdecl("exposure_fuzz_main")
public func exposureFuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return llvmFuzzerRunDriver(&count, &arguments) { data, size in fuzzTestOneInput(data, size) }
}
