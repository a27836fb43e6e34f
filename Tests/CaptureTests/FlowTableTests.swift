import Findings
import Testing

@testable import Capture

/// Feeds hand-made TCP and UDP packets to a flow table and collects the retired flows.
private final class FlowHarness {
    var retired: [Flow] = []
    lazy var table = FlowTable { [unowned self] flow in self.retired.append(flow) }

    func tcp(
        _ source: UInt32, _ sourcePort: UInt16, _ destination: UInt32, _ destinationPort: UInt16,
        flags: TCPFlags, sequence: UInt32 = 1, payload: [UInt8] = [], at seconds: Double
    ) {
        send(source, sourcePort, destination, destinationPort, .tcp, flags, sequence, payload, seconds)
    }

    func udp(
        _ source: UInt32, _ sourcePort: UInt16, _ destination: UInt32, _ destinationPort: UInt16, payload: [UInt8],
        at seconds: Double
    ) {
        send(source, sourcePort, destination, destinationPort, .udp, [], 0, payload, seconds)
    }

    private func send(
        _ source: UInt32, _ sourcePort: UInt16, _ destination: UInt32, _ destinationPort: UInt16,
        _ transport: Transport,
        _ flags: TCPFlags, _ sequence: UInt32, _ payload: [UInt8], _ seconds: Double
    ) {
        payload.withPacketBytes { bytes in
            let packet = DecodedPacket(
                source: IPAddress(ipv4: source), destination: IPAddress(ipv4: destination),
                transport: TransportHeader(
                    transport: transport, sourcePort: sourcePort, destinationPort: destinationPort, sequence: sequence,
                    flags: flags, payloadOffset: 20),
                payload: bytes, payloadLength: bytes.count)
            table.process(packet, at: Timestamp(microseconds: Int64(seconds * 1_000_000)))
        }
    }
}

private let client: UInt32 = 0xC633_6414  // 198.51.100.20
private let server: UInt32 = 0xC000_020A  // 192.0.2.10

@Suite("The flow table: orientation, counting, detection and eviction")
struct FlowTableTests {
    @Test("the SYN's sender is the client, even on high ports in both directions")
    func synDecidesOrientation() throws {
        let harness = FlowHarness()
        harness.tcp(server, 50000, client, 40000, flags: [.syn], at: 0)
        harness.tcp(client, 40000, server, 50000, flags: [.syn, .ack], at: 0.1)
        harness.table.finish()
        let flow = try #require(harness.retired.first)
        #expect(flow.client.address == IPAddress(ipv4: server))
        #expect(flow.server.port == 40000)
        #expect(flow.packets == 2)
    }

    @Test("without a handshake the end on the well-known port is the server")
    func wellKnownPortDecides() throws {
        let harness = FlowHarness()
        // The first packet seen goes from the server (port 23) to the client.
        harness.tcp(server, 23, client, 40000, flags: [.psh, .ack], payload: [255, 253, 24], at: 0)
        harness.tcp(client, 40000, server, 23, flags: [.psh, .ack], payload: [255, 251, 24], at: 0.1)
        harness.table.finish()
        let flow = try #require(harness.retired.first)
        #expect(flow.server.address == IPAddress(ipv4: server))
        #expect(flow.server.port == 23)
        #expect(flow.observations.map(\.legacyProtocol.name) == ["telnet"])
    }

    @Test("a closed connection is retired after its linger, an idle UDP flow after its timeout")
    func evictionAfterCloseAndIdle() {
        let harness = FlowHarness()
        harness.tcp(client, 40000, server, 23, flags: [.syn], at: 0)
        harness.tcp(client, 40000, server, 23, flags: [.rst], at: 0.5)
        harness.udp(client, 40001, server, 53, payload: [1, 2, 3], at: 0.5)
        // A packet of another flow 10 s later triggers a sweep: the reset flow (idle > 2 s) goes,
        // the UDP flow (idle < 60 s) stays.
        harness.udp(client, 40002, server, 53, payload: [1], at: 10)
        #expect(harness.retired.count == 1)
        #expect(harness.table.activeFlows == 2)
        harness.udp(client, 40003, server, 53, payload: [1], at: 100)
        #expect(harness.retired.count == 3)
    }

    @Test("a SYN reusing the ports of a closed connection starts a new flow, with its own detection")
    func portReuse() {
        let harness = FlowHarness()
        harness.tcp(client, 40000, server, 23, flags: [.syn], sequence: 9, at: 0)
        harness.tcp(client, 40000, server, 23, flags: [.rst], sequence: 10, at: 0.1)
        harness.tcp(client, 40000, server, 23, flags: [.syn], sequence: 99, at: 0.5)
        harness.tcp(server, 23, client, 40000, flags: [.syn, .ack], sequence: 499, at: 0.6)
        harness.tcp(server, 23, client, 40000, flags: [.psh, .ack], sequence: 500, payload: [255, 253, 24], at: 0.7)
        harness.table.finish()
        #expect(harness.table.flowsSeen == 2)
        #expect(harness.retired.map(\.packets) == [2, 3])
        #expect(harness.retired.last?.observations.map(\.legacyProtocol.name) == ["telnet"])
    }

    @Test("ten thousand short connections one second apart never fill the table")
    func memoryFollowsConcurrentFlows() {
        let harness = FlowHarness()
        for index in 0..<10_000 {
            let port = UInt16(10_000 + index % 50_000)
            let time = Double(index)
            harness.tcp(client, port, server, 80, flags: [.syn], at: time)
            harness.tcp(server, 80, client, port, flags: [.syn, .ack], at: time + 0.001)
            harness.tcp(client, port, server, 80, flags: [.fin, .ack], at: time + 0.002)
            harness.tcp(server, 80, client, port, flags: [.fin, .ack], at: time + 0.003)
        }
        #expect(harness.table.flowsSeen == 10_000)
        #expect(harness.table.peakFlows <= 10)
    }

    @Test("a flow's bytes are shown to the detectors once, when it closes, with both directions reassembled")
    func detectionOnClose() throws {
        let harness = FlowHarness()
        harness.tcp(client, 40000, server, 21, flags: [.syn], sequence: 99, at: 0)
        harness.tcp(server, 21, client, 40000, flags: [.syn, .ack], sequence: 499, at: 0.01)
        harness.tcp(
            server, 21, client, 40000, flags: [.psh, .ack], sequence: 500, payload: Array("220 ftp\r\n".utf8), at: 0.02)
        // The USER command split in two segments, the second arriving first.
        harness.tcp(
            client, 40000, server, 21, flags: [.psh, .ack], sequence: 106, payload: Array("ob\r\n".utf8), at: 0.03)
        harness.tcp(
            client, 40000, server, 21, flags: [.psh, .ack], sequence: 100, payload: Array("USER b".utf8), at: 0.04)
        harness.tcp(client, 40000, server, 21, flags: [.rst], sequence: 110, at: 0.05)
        #expect(harness.table.activeFlows == 1)
        harness.table.finish()
        let flow = try #require(harness.retired.first)
        #expect(flow.observations.map(\.detail) == [["user": "bob"]])
    }
}
