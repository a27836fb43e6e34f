import Testing

@testable import Capture

/// Decodes `bytes` with `link`, or fails the test.
private func decode(_ bytes: [UInt8], _ link: LinkLayer) -> DecodeOutcome {
    bytes.withPacketBytes { buffer in
        // The decoded packet borrows `buffer`; tests only read scalar fields and copy the payload.
        PacketDecoder(linkLayer: link).decode(buffer)
    }
}

private struct Decoded {
    var source: String
    var destination: String
    var transport: Transport
    var sourcePort: UInt16
    var destinationPort: UInt16
    var flags: TCPFlags
    var payload: [UInt8]
    var payloadLength: Int
}

private func decodedPacket(_ bytes: [UInt8], _ link: LinkLayer) -> Decoded? {
    bytes.withPacketBytes { buffer in
        guard case .packet(let packet) = PacketDecoder(linkLayer: link).decode(buffer) else { return nil }
        return Decoded(
            source: packet.source.description, destination: packet.destination.description,
            transport: packet.transport.transport, sourcePort: packet.transport.sourcePort,
            destinationPort: packet.transport.destinationPort, flags: packet.transport.flags,
            payload: Array(packet.payload), payloadLength: packet.payloadLength)
    }
}

@Suite("Link, IP and transport decoders on hand-made frames")
struct DecoderTests {
    /// Ethernet with an 802.1ad outer tag and an 802.1Q inner tag, IPv4, TCP PSH/ACK 40001 → 23 with
    /// the two payload bytes `ff fb` (Telnet IAC WILL), followed by 4 bytes of Ethernet padding:
    /// ```
    /// 0000  02 00 00 00 00 02 02 00 00 00 00 01 88 a8 00 64   dst, src, 802.1ad tag vlan 100
    /// 0010  81 00 00 c8 08 00                                 802.1Q tag vlan 200, type IPv4
    /// 0016  45 00 00 2a 00 01 00 00 40 06 00 00 c0 00 02 01   IPv4, total length 42, TCP
    /// 0026  c0 00 02 02                                       192.0.2.1 → 192.0.2.2
    /// 002a  9c 41 00 17 00 00 03 e8 00 00 00 00 50 18 20 00   TCP 40001 → 23, offset 5, PSH|ACK
    /// 003a  00 00 00 00 ff fb                                 payload
    /// 0040  00 00 00 00                                       Ethernet padding
    /// ```
    static let qinqTelnet: [UInt8] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x88, 0xA8, 0x00, 0x64,
        0x81, 0x00, 0x00, 0xC8, 0x08, 0x00,
        0x45, 0x00, 0x00, 0x2A, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
        0xC0, 0x00, 0x02, 0x02,
        0x9C, 0x41, 0x00, 0x17, 0x00, 0x00, 0x03, 0xE8, 0x00, 0x00, 0x00, 0x00, 0x50, 0x18, 0x20, 0x00,
        0x00, 0x00, 0x00, 0x00, 0xFF, 0xFB,
        0x00, 0x00, 0x00, 0x00,
    ]

    @Test("Ethernet with QinQ tags, IPv4 and TCP decode to ports, flags and payload without the padding")
    func ethernetQinQ() throws {
        let packet = try #require(decodedPacket(Self.qinqTelnet, .ethernet))
        #expect(packet.source == "192.0.2.1")
        #expect(packet.destination == "192.0.2.2")
        #expect(packet.transport == .tcp)
        #expect(packet.sourcePort == 40001)
        #expect(packet.destinationPort == 23)
        #expect(packet.flags == [.psh, .ack])
        #expect(packet.payload == [0xFF, 0xFB])
    }

    /// Linux cooked capture v2 (SLL2), IPv6 with a hop-by-hop options header, UDP 5001 → 5355 with
    /// payload `ab cd`:
    /// ```
    /// 0000  86 dd 00 00 00 00 00 02 00 01 00 06 02 00 00 00   SLL2: protocol IPv6, ifindex 2, ARPHRD 1
    /// 0010  00 01 00 00                                       … link address
    /// 0014  60 00 00 00 00 12 00 40                           IPv6, payload 18, next header 0 (HBH)
    /// 001c  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   2001:db8::1
    /// 002c  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02   2001:db8::2
    /// 003c  11 00 01 04 00 00 00 00                           HBH: next UDP, length 0, PadN
    /// 0044  13 89 14 eb 00 0a 00 00 ab cd                     UDP 5001 → 5355, length 10
    /// ```
    static let sll2IPv6: [UInt8] = [
        0x86, 0xDD, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x06, 0x02, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00,
        0x60, 0x00, 0x00, 0x00, 0x00, 0x12, 0x00, 0x40,
        0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x20, 0x01, 0x0D, 0xB8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
        0x11, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, 0x00,
        0x13, 0x89, 0x14, 0xEB, 0x00, 0x0A, 0x00, 0x00, 0xAB, 0xCD,
    ]

    @Test("SLL2 and IPv6 with a hop-by-hop header decode to the UDP payload")
    func sll2IPv6ExtensionHeader() throws {
        let packet = try #require(decodedPacket(Self.sll2IPv6, .linuxCookedV2))
        #expect(packet.source == "2001:db8::1")
        #expect(packet.destination == "2001:db8::2")
        #expect(packet.transport == .udp)
        #expect(packet.destinationPort == 5355)
        #expect(packet.payload == [0xAB, 0xCD])
    }

    /// BSD loopback (DLT_NULL, family 2 written little-endian), IPv4, and a TCP header cut after 10 bytes:
    /// ```
    /// 0000  02 00 00 00                                       family AF_INET, little-endian
    /// 0004  45 00 00 28 00 01 00 00 40 06 00 00 7f 00 00 01   IPv4, total length 40
    /// 0014  7f 00 00 01
    /// 0018  9c 41 00 17 00 00 03 e8 00 00                     TCP, cut short
    /// ```
    static let nullTruncatedTCP: [UInt8] = [
        0x02, 0x00, 0x00, 0x00,
        0x45, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00, 0x7F, 0x00, 0x00, 0x01,
        0x7F, 0x00, 0x00, 0x01,
        0x9C, 0x41, 0x00, 0x17, 0x00, 0x00, 0x03, 0xE8, 0x00, 0x00,
    ]

    @Test("a TCP header cut short is a named anomaly, not a crash")
    func truncatedTCPHeader() {
        guard case .anomaly(let anomaly) = decode(Self.nullTruncatedTCP, .null) else {
            Issue.record("expected an anomaly")
            return
        }
        #expect(anomaly == .tcpHeaderTruncated)
    }

    /// Raw IPv4 whose header length field says 4 words (16 bytes), below the minimum of 5:
    /// ```
    /// 0000  44 00 00 28 00 01 00 00 40 06 00 00 c0 00 02 01 c0 00 02 02
    /// ```
    @Test("an IPv4 header length below 20 bytes is a named anomaly")
    func badIPv4HeaderLength() {
        let frame: [UInt8] = [
            0x44, 0x00, 0x00, 0x28, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0xC0, 0x00, 0x02, 0x02,
        ]
        guard case .anomaly(let anomaly) = decode(frame, .raw) else {
            Issue.record("expected an anomaly")
            return
        }
        #expect(anomaly == .ipv4BadHeaderLength)
    }

    /// Raw IPv4, a fragment at offset 185 × 8 bytes (flags/offset `00 b9`): it has no TCP header.
    /// ```
    /// 0000  45 00 00 1c 00 01 00 b9 40 06 00 00 c0 00 02 01 c0 00 02 02 de ad be ef 00 00 00 00
    /// ```
    @Test("a later IP fragment goes to reassembly with its id, offset and data, without the padding")
    func laterFragment() {
        let frame: [UInt8] = [
            0x45, 0x00, 0x00, 0x1C, 0x00, 0x01, 0x00, 0xB9, 0x40, 0x06, 0x00, 0x00, 0xC0, 0x00, 0x02, 0x01,
            0xC0, 0x00, 0x02, 0x02, 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x00,
        ]
        let outcome = frame.withPacketBytes { buffer -> (IPHeader.FragmentPosition, [UInt8])? in
            guard case .fragment(let fragment) = PacketDecoder(linkLayer: .raw).decode(buffer) else { return nil }
            return (fragment.position, Array(fragment.data))
        }
        guard let (position, data) = outcome else {
            Issue.record("expected a fragment")
            return
        }
        // Total length 28: a 20-byte header and 8 bytes of data (the rest is padding).
        #expect(position == IPHeader.FragmentPosition(id: 1, offset: 1480, more: false, dataOffset: 20, nextHeader: 6))
        #expect(data == [0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x00])
    }

    /// The IPv4/TCP part of `qinqTelnet` (from offset 0x16, without the padding) inside a PPPoE session
    /// with an uncompressed PPP protocol field:
    /// ```
    /// 0000  02 00 00 00 00 02 02 00 00 00 00 01 88 64         dst, src, PPPoE session
    /// 000e  11 00 00 07 00 2c 00 21                           ver/type, code, session 7, length 44, PPP IPv4
    /// 0016  45 00 00 2a …                                     as in qinqTelnet
    /// ```
    @Test("PPPoE with a two-byte PPP protocol field decodes to the TCP packet inside")
    func pppoeUncompressed() throws {
        let inner = Array(Self.qinqTelnet[0x16..<0x40])
        let frame: [UInt8] =
            [
                0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01, 0x88, 0x64, 0x11, 0x00, 0x00, 0x07, 0x00, 0x2C, 0x00,
                0x21,
            ]
            + inner
        let packet = try #require(decodedPacket(frame, .ethernet))
        #expect(packet.destinationPort == 23)
        #expect(packet.payload == [0xFF, 0xFB])
    }

    /// An IPv4 header (no options) with protocol `proto` around `payload`.
    static func ipv4(proto: UInt8, _ payload: [UInt8]) -> [UInt8] {
        let total = 20 + payload.count
        return [
            0x45, 0x00, UInt8(total >> 8), UInt8(total & 0xFF), 0x00, 0x01, 0x00, 0x00, 0x40, proto, 0x00, 0x00,
            0xCB, 0x00, 0x71, 0x01, 0xCB, 0x00, 0x71, 0x02,
        ] + payload
    }

    @Test("four IP-in-IP tunnels are opened to the TCP packet inside; a fifth is a named anomaly")
    func tunnelDepth() throws {
        let inner = Array(Self.qinqTelnet[0x16..<0x40])
        var four = inner
        for _ in 0..<4 { four = Self.ipv4(proto: 4, four) }
        let packet = try #require(decodedPacket(four, .raw))
        #expect(packet.source == "192.0.2.1" && packet.destinationPort == 23)
        guard case .anomaly(let anomaly) = decode(Self.ipv4(proto: 4, four), .raw) else {
            Issue.record("expected an anomaly")
            return
        }
        #expect(anomaly == .encapsulationTooDeep)
    }

    @Test("a GRE header cut short, or one whose key field is missing, is a named anomaly")
    func truncatedGRE() {
        // Flags 0x2000 announce a 4-byte key that is not there.
        for gre: [UInt8] in [[0x00, 0x00, 0x08], [0x20, 0x00, 0x08, 0x00, 0x00, 0x00]] {
            guard case .anomaly(let anomaly) = decode(Self.ipv4(proto: 47, gre), .raw) else {
                Issue.record("expected an anomaly")
                continue
            }
            #expect(anomaly == .encapsulationTruncated)
        }
    }

    /// An ARP frame (EtherType 0x0806) is not IP: skipped, not an anomaly.
    @Test("non-IP frames are skipped quietly")
    func arpIsSkipped() {
        let frame: [UInt8] =
            [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06] + [UInt8](repeating: 0, count: 28)
        guard case .skipped(let laterFragment) = decode(frame, .ethernet) else {
            Issue.record("expected ARP to be skipped")
            return
        }
        #expect(!laterFragment)
    }

    @Test(
        "a frame shorter than its link header is a named anomaly",
        arguments: [LinkLayer.ethernet, .linuxCooked, .linuxCookedV2, .null])
    func shortLinkHeader(_ link: LinkLayer) {
        guard case .anomaly(let anomaly) = decode([0x00, 0x01, 0x02], link) else {
            Issue.record("expected an anomaly")
            return
        }
        #expect(anomaly == .linkHeaderTruncated)
    }

    @Test("libpcap link types map to the framings Exposure decodes, and unknown ones to none")
    func linkTypes() {
        #expect(LinkLayer(dataLinkType: 1) == .ethernet)
        #expect(LinkLayer(dataLinkType: 113) == .linuxCooked)
        #expect(LinkLayer(dataLinkType: 276) == .linuxCookedV2)
        #expect(LinkLayer(dataLinkType: 12) == .raw)
        #expect(LinkLayer(dataLinkType: 0) == .null)
        #expect(LinkLayer(dataLinkType: 108) == .loop)
        // The numbers of the tcpdump.org link-layer header types list.
        #expect(LinkLayer(dataLinkType: 9) == .ppp)
        #expect(LinkLayer(dataLinkType: 104) == .ciscoHDLC)
        #expect(LinkLayer(dataLinkType: 239) == .nflog)
        #expect(LinkLayer(dataLinkType: 105) == .ieee80211)
        #expect(LinkLayer(dataLinkType: 127) == .radiotap)
        #expect(LinkLayer(dataLinkType: 192) == .ppi)
        #expect(LinkLayer(dataLinkType: 147) == nil)
    }

    @Test(
        "addresses print as RFC 5952 text",
        arguments: [
            (IPAddress(ipv4: 0xC000_0201), "192.0.2.1"),
            (IPAddress(high: 0x2001_0DB8_0000_0000, low: 1), "2001:db8::1"),
            (IPAddress(high: 0, low: 1), "::1"),
            (IPAddress(high: 0x2001_0DB8_0000_0001, low: 0x0001_0001_0001_0001), "2001:db8:0:1:1:1:1:1"),
            (IPAddress(high: 0x2001_0DB8_0000_0000, low: 0x0001_0000_0000_0001), "2001:db8::1:0:0:1"),
        ])
    func addressText(_ address: IPAddress, _ text: String) {
        #expect(address.description == text)
    }

    @Test(
        "timestamps print as RFC 3339 UTC with microseconds (checked with `date -u -d @SECONDS`)",
        arguments: [
            (Int64(0), "1970-01-01T00:00:00.000000Z"),
            (Int64(1_772_442_000_010_000), "2026-03-02T09:00:00.010000Z"),
            (Int64(951_782_400_000_001), "2000-02-29T00:00:00.000001Z"),
            (Int64(-1_000_000), "1969-12-31T23:59:59.000000Z"),
        ])
    func timestampText(_ micros: Int64, _ text: String) {
        #expect(RFC3339.format(Timestamp(microseconds: micros)) == text)
    }
}

/// The decoder's direct read of plain Ethernet / IPv4 / TCP frames (`PacketDecoder.plainIPv4TCP`)
/// against its general path, which it must agree with wherever it answers: on every frame of every
/// sample capture, and on those frames with single bytes of their headers changed to values that
/// take the direct read off its path (IP options, fragments, short lengths, bad data offsets, VLAN
/// tags, other protocols). The reference is the general path itself, layer by layer, which the
/// hand-worked frames above check against their hex dumps.
@Suite("The direct read of plain IPv4 TCP frames agrees with the general decoder")
struct PlainIPv4TCPTests {
    private static func describe(_ outcome: DecodeOutcome) -> String {
        guard case .packet(let packet) = outcome else { return "not a packet: \(outcome)" }
        return describe(packet)
    }

    private static func describe(_ packet: DecodedPacket) -> String {
        "\(packet.source) \(packet.destination) \(packet.transport) \(Array(packet.payload)) \(packet.payloadLength)"
    }

    /// The general path for an Ethernet frame: the link layer, then IP and the transport.
    private static func general(_ frame: PacketBytes) -> DecodeOutcome {
        let decoder = PacketDecoder(linkLayer: .ethernet)
        switch LinkLayer.ethernet.decode(frame) {
        case .failure(let anomaly): return .anomaly(anomaly)
        case .success(let (network, offset)):
            return decoder.decode(network, frame[min(offset, frame.count)...], depth: 0)
        }
    }

    @Test("every sample frame, and each with one header byte changed, reads the same both ways")
    func agreesWithGeneralPath() throws {
        var frames: [[UInt8]] = []
        for sample in captureSamples where sample.hasSuffix(".pcap") {
            let source = try PcapSource.open(file: packageRoot + "/Captures/" + sample, filter: nil)
            guard source.linkLayer == .ethernet else { continue }
            _ = source.forEachFrame { frame in frames.append(Array(frame.bytes)) }
        }
        #expect(frames.count > 1000, "\(frames.count) Ethernet frames in the samples")
        var direct = 0
        var compared = 0
        var mismatches: [String] = []
        func check(_ bytes: [UInt8]) {
            bytes.withPacketBytes { frame in
                guard let packet = PacketDecoder.plainIPv4TCP(frame) else { return }
                direct += 1
                let want = Self.describe(Self.general(frame))
                let got = Self.describe(packet)
                if want != got && mismatches.count < 5 { mismatches.append("\(bytes.prefix(60)): \(got) != \(want)") }
                compared += 1
            }
            // Whatever the direct read says, the decoder's answer is the general path's.
            bytes.withPacketBytes { frame in
                let want = Self.describe(Self.general(frame))
                let got = Self.describe(PacketDecoder(linkLayer: .ethernet).decode(frame))
                if want != got && mismatches.count < 5 { mismatches.append("decode: \(got) != \(want)") }
            }
        }
        let changes: [(offset: Int, values: [UInt8])] = [
            (12, [0x81, 0x86]), (13, [0x00, 0xDD]), (14, [0x44, 0x46, 0x4F, 0x55, 0x65]), (16, [0x00, 0xFF]),
            (17, [0x00, 0x14, 0x27, 0x28, 0xFF]), (20, [0x20, 0x40, 0x1F]), (21, [0x01]), (23, [17, 4, 47, 1]),
            (46, [0x00, 0x40, 0x60, 0xF0]), (47, [0x00, 0xFF]),
        ]
        for frame in frames {
            check(frame)
            for (offset, values) in changes where offset < frame.count {
                for value in values {
                    var changed = frame
                    changed[offset] = value
                    check(changed)
                }
            }
            for cut in [frame.count - 1, 54, 53, 40] where cut >= 0 && cut < frame.count {
                check(Array(frame.prefix(cut)))
            }
        }
        #expect(direct > 1000, "\(direct) frames read directly")
        #expect(mismatches.isEmpty, "\(mismatches)")
        #expect(compared == direct)
    }
}
