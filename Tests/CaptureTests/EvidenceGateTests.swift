import Testing

@testable import Capture

/// Runs a stream detector on a client and a server byte stream given as text.
private func examine(
    _ detector: some StreamDetector, client: String, server: String, clientPort: UInt16 = 40000,
    serverPort: UInt16 = 1
) -> [Observation] {
    Array(client.utf8).withPacketBytes { c in
        Array(server.utf8).withPacketBytes { s in
            detector.examine(StreamSample(client: c, server: s, clientPort: clientPort, serverPort: serverPort))
        }
    }
}

@Suite("Evidence is admitted by kind, and a protocol is named only on evidence of it")
struct EvidenceGateTests {
    @Test("a mechanism not on IANA's SASL list is masked; registered ones and SCRAM-* pass")
    func mechanismsAreMasked() {
        #expect(EvidenceGate.admit("SUP3RSECRETPWD", as: "mechanism") == EvidenceGate.unregisteredMechanism)
        #expect(EvidenceGate.admit("CRAM-MD5", as: "mechanism") == "CRAM-MD5")
        #expect(EvidenceGate.admit("SCRAM-SHA-256-PLUS", as: "mechanism") == "SCRAM-SHA-256-PLUS")
    }

    @Test("a key of no known kind is dropped, and vocabularies admit only their own values")
    func unknownKeysAreDropped() {
        let admitted = EvidenceGate.admit(["password": "hunter2", "community": "public", "user": "alice"])
        #expect(admitted == ["user": "alice"])
    }

    @Test("user names are cut at 64 characters and control bytes become '?'")
    func userNamesAreBounded() {
        #expect(EvidenceGate.admit("al\u{1B}[31mice", as: "user") == "al?[31mice")
        #expect(EvidenceGate.admit(String(repeating: "a", count: 100), as: "user")?.count == 64)
    }

    @Test("Redis 'AUTH <password>' answered '+OK' is not POP3: no greeting, not port 110")
    func redisIsNotPOP3() {
        let found = examine(
            POP3AuthDetector(), client: "AUTH Sup3rSecretPwd\r\n", server: "+OK\r\n", serverPort: 6379)
        #expect(found.isEmpty)
    }

    @Test("POP3 with its greeting ('+OK POP3 ready', RFC 1939 §4) is still POP3 on any port")
    func pop3GreetingIsEvidence() {
        let found = examine(
            POP3AuthDetector(), client: "USER alice\r\nPASS x\r\n", server: "+OK POP3 ready\r\n+OK\r\n",
            serverPort: 1110)
        #expect(found.map(\.detail) == [["mechanism": "USER/PASS", "user": "alice"]])
    }

    @Test("Beckhoff ADS (AMS/TCP header 00 00 20 00 00 00) is not rexec: empty NUL-separated fields")
    func adsIsNotRexec() {
        let client: [UInt8] = [0, 0, 0x20, 0, 0, 0] + [UInt8](repeating: 1, count: 32)
        let found = client.withPacketBytes { c in
            [UInt8](repeating: 0, count: 8).withPacketBytes { s in
                RCommandsDetector().examine(
                    StreamSample(client: c, server: s, clientPort: 40000, serverPort: 48898))
            }
        }
        #expect(found.isEmpty)
    }

    @Test("SMTP AUTH LOGIN then QUIT sent no user: no user and medium, since no credential crossed")
    func smtpLoginThenQuit() {
        let found = examine(
            SMTPAuthDetector(), client: "EHLO ws\r\nAUTH LOGIN\r\nQUIT\r\n",
            server: "220 mx ESMTP\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n221 bye\r\n")
        #expect(found.map(\.detail) == [["mechanism": "LOGIN"]])
        #expect(found.map(\.severity) == [.medium])
    }
}

@Suite("NTLM in mail SASL is judged by its version, never as a cleartext credential")
struct MailNTLMTests {
    /// base64 of "NTLMSSP\0" + type 1 ([MS-NLMP] §2.2.1.1), flags 0x00088207, empty domain and workstation.
    static let negotiate = "TlRMTVNTUAABAAAAB4IIAAAAAAAAAAAAAAAAAAAAAAA="

    @Test("SMTP AUTH NTLM with only a NEGOTIATE sent gives no finding: NTLM sends no password")
    func ntlmNegotiateOnly() {
        let found = Array("EHLO ws\r\nAUTH NTLM \(Self.negotiate)\r\nQUIT\r\n".utf8).withPacketBytes { c in
            Array("220 mx ESMTP\r\n".utf8).withPacketBytes { s in
                SMTPAuthDetector().examine(StreamSample(client: c, server: s, clientPort: 40000, serverPort: 587))
            }
        }
        #expect(found.isEmpty)
    }
}
