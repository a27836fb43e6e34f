/// NetBIOS name service (RFC 1002 §4.2): DNS-like messages whose names are 32 letters `A`–`P`, each
/// pair encoding one byte of a 16-byte NetBIOS name. Like LLMNR, broadcast queries can be answered by
/// any host on the segment, which is how name poisoning starts.
public struct NetBIOSNameServiceDetector: DatagramDetector {
    public static let netbiosNS = LegacyProtocol(
        name: "netbios-ns",
        check: CaptureCatalogue.legacyProtocol,
        title: "NetBIOS name service",
        risk: "any host on the segment can answer its broadcasts and capture the clients' credentials",
        remediation: "Disable NetBIOS over TCP/IP on the clients and rely on DNS.",
        severity: .medium
    )

    public init() {}

    /// Decodes a first-level encoded NetBIOS name to `NAME<xx>`, the suffix byte in hex.
    static func decodeName(_ encoded: PacketBytes) -> String? {
        guard encoded.count == 32, encoded.allSatisfy({ (0x41...0x50).contains($0) }) else { return nil }
        var bytes: [UInt8] = []
        var index = 0
        while index < 32 {
            bytes.append((encoded[index] - 0x41) << 4 | (encoded[index + 1] - 0x41))
            index += 2
        }
        // Names are padded with spaces; the wildcard `*` of a node status query with NULs (RFC 1002 §4.1.1).
        let padded = bytes.prefix(15)
        let name = TextScanning.printable(
            padded.prefix(padded.lastIndex { $0 != 0x20 && $0 != 0x00 }.map { $0 + 1 } ?? 0))
        let suffix = String(bytes[15], radix: 16, uppercase: true)
        return String(name) + "<" + (suffix.count == 1 ? "0" + suffix : suffix) + ">"
    }

    /// DNS, mDNS and LLMNR: on their ports a message is theirs, whatever its name looks like (a
    /// scanner's node status query sent to a DNS server is DNS, and no name service answers it).
    static let otherNameServicePorts: Set<UInt16> = [53, 5353, 5355]

    public func examine(_ datagram: DatagramSample) -> Observation? {
        guard !Self.otherNameServicePorts.contains(datagram.serverPort) else { return nil }
        var reader = ByteReader(datagram.payload)
        guard reader.skip(4), let questions = reader.readUInt16(), let answers = reader.readUInt16(),
            Int(questions) + Int(answers) >= 1, reader.skip(4), reader.readUInt8() == 0x20,
            let encoded = reader.readBytes(32),
            let name = Self.decodeName(encoded)
        else { return nil }
        return Observation(Self.netbiosNS, detail: ["name": name])
    }
}
