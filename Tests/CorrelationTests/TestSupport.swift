import Foundation

/// The package root, so samples are named `Topologies/…` and `Captures/…` as users name them.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// A scratch folder for one test's files, removed by `remove()`.
struct Scratch {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "exposure-correlation-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func write(_ name: String, _ data: Data) throws -> String {
        let url = folder.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    func write(_ name: String, _ text: String) throws -> String { try write(name, Data(text.utf8)) }

    func remove() { try? FileManager.default.removeItem(at: folder) }
}

/// Classic pcap files (Ethernet, microsecond timestamps) of IPv4 TCP and UDP packets, built byte by
/// byte as RFC 791, 793 and 768 lay them out; checksums are left zero, which decoders do not check.
struct PcapWriter {
    private(set) var data = Data()

    init() {
        // Magic, version 2.4, zone 0, sigfigs 0, snap length 65535, link type 1 (Ethernet).
        append32(0xA1B2_C3D4)
        append16(2)
        append16(4)
        append32(0)
        append32(0)
        append32(65535)
        append32(1)
    }

    private mutating func append16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
    private mutating func append32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }

    static func address(_ text: String) -> [UInt8] { text.split(separator: ".").map { UInt8($0)! } }

    static func be16(_ v: Int) -> [UInt8] { [UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    /// One frame at `seconds` since 1970.
    mutating func frame(_ ip: [UInt8], at seconds: Double) {
        let ethernet: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00] + ip
        let whole = UInt32(seconds.rounded(.down))
        append32(whole)
        append32(UInt32(((seconds - Double(whole)) * 1_000_000).rounded()))
        append32(UInt32(ethernet.count))
        append32(UInt32(ethernet.count))
        data.append(contentsOf: ethernet)
    }

    static func ipv4(_ source: String, _ destination: String, protocol proto: UInt8, _ segment: [UInt8]) -> [UInt8] {
        [0x45, 0] + be16(20 + segment.count) + [0, 0, 0x40, 0, 64, proto, 0, 0] + address(source)
            + address(destination) + segment
    }

    /// TCP flags: SYN 0x02, ACK 0x10.
    mutating func tcp(
        _ source: String, _ sourcePort: Int, _ destination: String, _ port: Int, flags: UInt8, at t: Double
    ) {
        let segment =
            Self.be16(sourcePort) + Self.be16(port) + [0, 0, 0, 1, 0, 0, 0, 0, 0x50, flags, 0xFF, 0xFF, 0, 0, 0, 0]
        frame(Self.ipv4(source, destination, protocol: 6, segment), at: t)
    }

    mutating func udp(_ source: String, _ sourcePort: Int, _ destination: String, _ port: Int, at t: Double) {
        let segment = Self.be16(sourcePort) + Self.be16(port) + Self.be16(12) + [0, 0, 1, 2, 3, 4]
        frame(Self.ipv4(source, destination, protocol: 17, segment), at: t)
    }

    /// An ICMP echo request: neither TCP nor UDP.
    mutating func icmp(_ source: String, _ destination: String, at t: Double) {
        frame(Self.ipv4(source, destination, protocol: 1, [8, 0, 0, 0, 0, 1, 0, 1]), at: t)
    }

    /// A TCP connection: SYN, SYN-ACK, ACK.
    mutating func connection(_ client: String, _ clientPort: Int, _ server: String, _ port: Int, at t: Double) {
        tcp(client, clientPort, server, port, flags: 0x02, at: t)
        tcp(server, port, client, clientPort, flags: 0x12, at: t + 0.001)
        tcp(client, clientPort, server, port, flags: 0x10, at: t + 0.002)
    }
}
