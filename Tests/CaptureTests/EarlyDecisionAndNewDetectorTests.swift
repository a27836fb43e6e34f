import Findings
import Foundation
import Testing

@testable import Capture

/// Runs a stream detector on a client and a server byte stream.
private func examine(_ detector: some StreamDetector, client: [UInt8], server: [UInt8]) -> [Observation] {
    client.withPacketBytes { c in
        server.withPacketBytes { s in
            detector.examine(StreamSample(client: c, server: s, clientPort: 40000, serverPort: 22))
        }
    }
}

private func decided(_ detector: some StreamDetector, client: [UInt8], server: [UInt8]) -> Bool {
    client.withPacketBytes { c in
        server.withPacketBytes { s in
            detector.hasDecided(StreamSample(client: c, server: s, clientPort: 40000, serverPort: 443))
        }
    }
}

private func nameList(_ names: [String]) -> [UInt8] {
    let data = Array(names.joined(separator: ",").utf8)
    return withUnsafeBytes(of: UInt32(data.count).bigEndian, Array.init) + data
}

/// An SSH_MSG_KEXINIT in a binary packet (RFC 4253 §6, §7.1), as `Captures/make-samples.py` writes it.
private func keyExchangeInit(kex: [String], ciphers: [String], macs: [String]) -> [UInt8] {
    var payload: [UInt8] = [20] + [UInt8](0..<16) + nameList(kex) + nameList(["ssh-ed25519"])
    payload += nameList(ciphers) + nameList(ciphers) + nameList(macs) + nameList(macs)
    payload += nameList(["none"]) + nameList(["none"]) + nameList([]) + nameList([]) + [0, 0, 0, 0, 0]
    var padding = 8 - (5 + payload.count) % 8
    if padding < 4 { padding += 8 }
    let length = UInt32(1 + payload.count + padding)
    return withUnsafeBytes(of: length.bigEndian, Array.init) + [UInt8(padding)] + payload
        + [UInt8](repeating: 0, count: padding)
}

private let tlsRecordHeader: [UInt8] = [22, 3, 1]

/// A TLS handshake record holding one message.
private func handshake(_ type: UInt8, _ body: [UInt8]) -> [UInt8] {
    let message = [type, 0, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    return tlsRecordHeader + [UInt8(message.count >> 8), UInt8(message.count & 0xFF)] + message
}

private let clientHello = handshake(1, [3, 3] + [UInt8](repeating: 7, count: 32) + [0, 0, 2, 0x00, 0x05, 1, 0])
private let serverHello = handshake(2, [3, 1] + [UInt8](repeating: 9, count: 32) + [0, 0x00, 0x05, 0])

@Suite("Flows decided early, and the detectors added for the public-trace disagreements")
struct EarlyDecisionAndNewDetectorTests {
    /// The report of every sample is the same whether flows are inspected as soon as their detectors
    /// have decided or only when the opening is over (both directions full, closed or retired).
    @Test("every sample gives the same report with and without early decisions", arguments: captureSamples)
    func sameReport(_ sample: String) throws {
        let file = packageRoot + "/Captures/" + sample
        let options = try CaptureOptions(internalRanges: nil, approvedResolvers: "10.0.0.53")
        let early = try CaptureAnalyzer.analyze(files: [file], filter: nil, options: options, earlyDecisions: true)
        let late = try CaptureAnalyzer.analyze(files: [file], filter: nil, options: options, earlyDecisions: false)
        #expect(JSONRenderer().render(early) == JSONRenderer().render(late))
    }

    @Test("TLS decides once the ClientHello and the ServerHello are complete, not on a part of either")
    func tlsDecides() {
        let tls = TLSDetector()
        #expect(decided(tls, client: clientHello, server: serverHello))
        #expect(!decided(tls, client: clientHello, server: Array(serverHello.dropLast())))
        #expect(!decided(tls, client: Array(clientHello.prefix(20)), server: serverHello))
        #expect(!decided(tls, client: [], server: serverHello))
        // After a STARTTLS or a SOCKS opening the TLS part starts later: never decided early.
        #expect(!decided(tls, client: Array("EHLO ws\r\nSTARTTLS\r\n".utf8) + clientHello, server: serverHello))
        #expect(!decided(tls, client: [5, 1, 0] + clientHello, server: [5, 0] + serverHello))
    }

    /// A TLS download like the capture benchmark's: the ServerHello, then 40 full segments. The flow is
    /// inspected at the ServerHello, and the finding is the one the whole opening gives.
    @Test("a TLS download is inspected at its ServerHello; the later segments are not kept")
    func tlsDownloadDecidedEarly() throws {
        var retired: [Flow] = []
        let table = FlowTable { retired.append($0) }
        let client = IPAddress(ipv4: 0xC633_6414)
        let server = IPAddress(ipv4: 0xC000_020A)
        func send(_ fromClient: Bool, _ flags: TCPFlags, _ sequence: UInt32, _ payload: [UInt8], _ at: Int64) {
            payload.withPacketBytes { bytes in
                let packet = DecodedPacket(
                    source: fromClient ? client : server, destination: fromClient ? server : client,
                    transport: TransportHeader(
                        transport: .tcp, sourcePort: fromClient ? 40000 : 443,
                        destinationPort: fromClient ? 443 : 40000,
                        sequence: sequence, flags: flags, payloadOffset: 20),
                    payload: bytes, payloadLength: bytes.count)
                table.process(packet, at: Timestamp(microseconds: at))
            }
        }
        send(true, [.syn], 999, [], 0)
        send(false, [.syn, .ack], 4999, [], 1)
        send(true, [.ack, .psh], 1000, clientHello, 2)
        #expect(table.flowsDecidedEarly == 0)
        send(false, [.ack, .psh], 5000, serverHello, 3)
        #expect(table.flowsDecidedEarly == 1)
        var sequence = 5000 + UInt32(serverHello.count)
        for number in 0..<40 {
            send(false, [.ack], sequence, [UInt8](repeating: 0x17, count: 1448), 4 + Int64(number))
            sequence &+= 1448
        }
        table.finish()
        let flow = try #require(retired.first)
        #expect(flow.packets == 44)
        #expect(Set(flow.observations.map(\.legacyProtocol.name)) == ["tls1.0", "weak-tls-cipher"])
    }

    /// nDPI's `result/ssh.pcap.out` flags arcfour128 in both KEXINITs ("SSH Obsolete Cli/Ser
    /// Vers/Cipher"); RFC 4253 §7.1 says which algorithm is chosen; tshark's `ssh.kex_algorithms`,
    /// `ssh.encryption_algorithms_*` and `ssh.mac_algorithms_*` list what our sample sends.
    @Test("weak SSH algorithms: the client's first choice the server lists is what is in force")
    func sshNegotiation() {
        let server =
            Array("SSH-2.0-OpenSSH_5.3\r\n".utf8)
            + keyExchangeInit(
                kex: ["diffie-hellman-group14-sha256", "diffie-hellman-group1-sha1"],
                ciphers: ["aes128-ctr", "arcfour128", "3des-cbc"], macs: ["hmac-sha2-256", "hmac-md5"])
        let weakClient =
            Array("SSH-2.0-OpenSSH_5.3\r\n".utf8)
            + keyExchangeInit(
                kex: ["diffie-hellman-group1-sha1"], ciphers: ["arcfour128", "aes128-ctr"], macs: ["hmac-md5"])
        let found = examine(SSHAlgorithmsDetector(), client: weakClient, server: server)
        #expect(found.map(\.legacyProtocol.name) == Array(repeating: "weak-ssh-algorithm", count: 3))
        #expect(found.map { $0.detail["algorithm"] } == ["arcfour128", "diffie-hellman-group1-sha1", "hmac-md5"])
        #expect(found.allSatisfy { $0.severity == .high })
        // A modern client: nothing weak negotiated, so what the server accepts is reported, low.
        let modernClient =
            Array("SSH-2.0-OpenSSH_9.6\r\n".utf8)
            + keyExchangeInit(
                kex: ["curve25519-sha256", "diffie-hellman-group14-sha256"], ciphers: ["aes128-ctr"],
                macs: ["hmac-sha2-256"])
        let accepted = examine(SSHAlgorithmsDetector(), client: modernClient, server: server)
        #expect(
            accepted.map { $0.detail["algorithm"] } == [
                "3des-cbc", "arcfour128", "diffie-hellman-group1-sha1", "hmac-md5",
            ])
        #expect(accepted.allSatisfy { $0.legacyProtocol.name == "weak-ssh-algorithm-accepted" && $0.severity == .low })
        // An AEAD cipher makes the MAC list unused: hmac-md5 first on both lists is not in force.
        let aead =
            Array("SSH-2.0-x\r\n".utf8)
            + keyExchangeInit(
                kex: ["curve25519-sha256"], ciphers: ["chacha20-poly1305@openssh.com"], macs: ["hmac-md5"])
        let aeadServer =
            Array("SSH-2.0-y\r\n".utf8)
            + keyExchangeInit(
                kex: ["curve25519-sha256"], ciphers: ["chacha20-poly1305@openssh.com"], macs: ["hmac-md5"])
        #expect(
            examine(SSHAlgorithmsDetector(), client: aead, server: aeadServer).map(\.legacyProtocol.name) == [
                "weak-ssh-algorithm-accepted"
            ])
        // A KEXINIT cut short, or a binary packet that is not one, says nothing.
        #expect(examine(SSHAlgorithmsDetector(), client: weakClient, server: Array(server.dropLast(30))).isEmpty)
        #expect(
            examine(
                SSHAlgorithmsDetector(), client: [],
                server: Array("SSH-2.0-x\r\n".utf8) + [UInt8](repeating: 0, count: 64)
            ).isEmpty)
    }

    /// Zeek's `socks-auth.pcap` baseline (socks.log: user bob) and tshark's `socks.username` on our
    /// sample; the password tshark shows (`socks.password`) is never in the observation.
    @Test("SOCKS 5 user/password sub-negotiation (RFC 1929) reports the user name, never the password")
    func socks5Auth() {
        let client: [UInt8] = [5, 2, 0, 2] + [1, 3] + Array("bob".utf8) + [7] + Array("hunter2".utf8)
        let found = examine(SOCKS5AuthDetector(), client: client, server: [5, 2, 1, 0])
        #expect(found.map(\.detail) == [["user": "bob"]])
        #expect(found.map(\.legacyProtocol.check.id) == ["capture.cleartext-credentials"])
        // The server chose no authentication (0): the client sent no credential.
        #expect(examine(SOCKS5AuthDetector(), client: [5, 2, 0, 2], server: [5, 0]).isEmpty)
        // Cut in the password: not a complete sub-negotiation.
        #expect(examine(SOCKS5AuthDetector(), client: Array(client.dropLast(2)), server: [5, 2]).isEmpty)
    }

    @Test("management banners: an RFB ProtocolVersion (RFC 6143 §7.1.1) and an SSH identification string")
    func managementBanners() {
        let vnc = examine(ManagementBannerDetector(), client: [], server: Array("RFB 003.008\n".utf8))
        #expect(vnc.map(\.legacyProtocol.name) == ["vnc"])
        let ssh = examine(ManagementBannerDetector(), client: [], server: Array("SSH-2.0-OpenSSH_9.6\r\n".utf8))
        #expect(ssh.map(\.legacyProtocol.name) == ["ssh"])
        #expect(examine(ManagementBannerDetector(), client: [], server: Array("RFB 3.8\n".utf8)).isEmpty)
        #expect(examine(ManagementBannerDetector(), client: Array("RFB 003.008\n".utf8), server: []).isEmpty)
    }

    @Test("the samples of the fixes give their findings: weak SSH negotiated high, only accepted low, SOCKS 5 user")
    func samples() throws {
        func report(_ sample: String) throws -> [Finding] {
            try CaptureAnalyzer.analyze(files: [packageRoot + "/Captures/" + sample], filter: nil).findings
        }
        let weak = try report("ssh-weak-algorithms-negotiated.pcap")
        #expect(weak.map(\.check.id) == ["capture.weak-ssh-algorithm"])
        #expect(weak.first?.severity == .high)
        #expect(
            weak.first?.evidence["algorithm"] == .strings(["arcfour128", "diffie-hellman-group1-sha1", "hmac-md5"]))
        let accepted = try report("ssh-server-offers-weak-algorithms-client-refuses.pcap")
        #expect(accepted.map(\.severity) == [.low])
        #expect(accepted.first?.evidence["protocol"] == .string("weak-ssh-algorithm-accepted"))
        let socks = try report("socks5-username-password-cleartext.pcap")
        #expect(socks.map(\.check.id) == ["capture.cleartext-credentials"])
        #expect(socks.first?.evidence["user"] == .strings(["bob"]))
        #expect(socks.first?.evidence["protocol"] == .string("socks5-cleartext-auth"))
        let modern = try report("ssh-on-port-2222-from-internet.pcap")
        #expect(!modern.contains { $0.check.id == "capture.weak-ssh-algorithm" })
    }
}
