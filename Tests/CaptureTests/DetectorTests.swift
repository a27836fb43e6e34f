import Testing

@testable import Capture

/// Runs a stream detector on a client and a server byte stream.
private func examine(
    _ detector: some StreamDetector, client: [UInt8], server: [UInt8], clientPort: UInt16 = 40000,
    serverPort: UInt16 = 1
) -> [Observation] {
    client.withPacketBytes { c in
        server.withPacketBytes { s in
            detector.examine(StreamSample(client: c, server: s, clientPort: clientPort, serverPort: serverPort))
        }
    }
}

private func text(_ string: String) -> [UInt8] { Array(string.utf8) }

/// A TLS handshake record (type 22) around `body`.
private func record(_ body: [UInt8]) -> [UInt8] {
    [22, 3, 3, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
}

@Suite("Detectors on hand-written streams: the cases the samples do not show")
struct DetectorTests {
    @Test("SMTP AUTH LOGIN: the user is the first continuation line (base64 'alice'), the password never kept")
    func smtpAuthLogin() {
        let client = text("EHLO ws\r\nAUTH LOGIN\r\nYWxpY2U=\r\ncGFzc3dvcmQ=\r\n")
        let found = examine(SMTPAuthDetector(), client: client, server: text("220 mx ESMTP\r\n"))
        #expect(found.map(\.detail) == [["mechanism": "LOGIN", "user": "alice"]])
    }

    @Test("SMTP CRAM-MD5 sends no password: medium, not high")
    func smtpCramMD5() {
        let found = examine(
            SMTPAuthDetector(), client: text("EHLO ws\r\nAUTH CRAM-MD5\r\n"), server: text("220 mx\r\n"))
        #expect(found.map(\.severity) == [.medium])
    }

    @Test("POP3 that switches to TLS with STLS before USER is quiet")
    func pop3STLS() {
        let found = examine(
            POP3AuthDetector(), client: text("STLS\r\nUSER alice\r\n"), server: text("+OK ready\r\n+OK begin TLS\r\n"))
        #expect(found.isEmpty)
    }

    @Test("IMAP LOGIN with a quoted user name reports the name without quotes")
    func imapQuotedLogin() {
        let found = examine(
            IMAPAuthDetector(), client: text("a1 LOGIN \"alice smith\" \"pw\"\r\n"), server: text("* OK ready\r\n"))
        #expect(found.first?.detail["user"] == "alice smith")
    }

    @Test("FTP that negotiates AUTH TLS (234) is quiet; plain FTP with anonymous login is medium")
    func ftpTLSAndAnonymous() {
        #expect(
            examine(FTPDetector(), client: text("AUTH TLS\r\n"), server: text("220 ftp\r\n234 Proceed\r\n")).isEmpty)
        let anonymous = examine(
            FTPDetector(), client: text("USER anonymous\r\nPASS guest@\r\n"), server: text("220 ftp\r\n331 ok\r\n"))
        #expect(anonymous.map(\.severity) == [.medium])
    }

    @Test("an SMTP banner is not FTP: the client answers EHLO")
    func smtpIsNotFTP() {
        #expect(examine(FTPDetector(), client: text("EHLO ws\r\n"), server: text("220 mx ESMTP\r\n")).isEmpty)
    }

    @Test("SSH-1.99 server with an SSH-1.5 client is a version 1 session; the version is the server's banner")
    func ssh199WithV1Client() {
        let found = examine(
            SSHDetector(), client: text("SSH-1.5-old_client\n"), server: text("SSH-1.99-OpenSSH_3.9\n"))
        #expect(found.first?.detail["version"] == "SSH-1.99-OpenSSH_3.9")
    }

    @Test("a ServerHello fragmented over two TLS records is read whole")
    func serverHelloAcrossRecords() {
        // ServerHello: type 2, length 38: version 0x0301, 32-byte random, empty session id, suite
        // 0x0005 (RC4-SHA), compression 0.
        let hello: [UInt8] = [2, 0, 0, 38, 3, 1] + [UInt8](repeating: 0xAB, count: 32) + [0, 0x00, 0x05, 0]
        let server = record(Array(hello[0..<10])) + record(Array(hello[10...]))
        let found = examine(TLSDetector(), client: [], server: server)
        #expect(Set(found.map(\.legacyProtocol.name)) == ["tls1.0", "weak-tls-cipher"])
        #expect(
            found.first { $0.legacyProtocol.name == "weak-tls-cipher" }?.detail["cipher"] == "TLS_RSA_WITH_RC4_128_SHA")
    }

    @Test("a lower-case 'authorization: basic' header is found too")
    func lowerCaseBasic() {
        let client = text("GET / HTTP/1.1\r\nhost: x\r\nauthorization: basic Ym9iOnB3\r\n\r\n")
        #expect(examine(HTTPBasicAuthDetector(), client: client, server: []).first?.detail["user"] == "bob")
    }

    @Test("rsh and rexec off their ports: a privileged client port means rsh, else rexec")
    func rshOrRexecByClientPort() {
        let request = text("0\0alice\0bob\0ls\0")
        let rsh = examine(RCommandsDetector(), client: request, server: [0], clientPort: 1021, serverPort: 6514)
        let rexec = examine(RCommandsDetector(), client: request, server: [0], clientPort: 40001, serverPort: 6514)
        #expect(rsh.map(\.legacyProtocol.name) == ["rsh"])
        #expect(rexec.map(\.legacyProtocol.name) == ["rexec"])
        #expect(rexec.first?.detail["user"] == "alice")  // the second field, the password, is never read
    }

    @Test("syslog over TCP is not rsh: it does not start with a port and NUL")
    func syslogIsNotRsh() {
        #expect(examine(RCommandsDetector(), client: text("<34>Oct 11 22:14:15 host su: fail\n"), server: []).isEmpty)
    }

    @Test("LDAP StartTLS before a simple bind: nothing after it is read as cleartext")
    func ldapStartTLS() {
        // ExtendedRequest (0x77) with requestName [0] "1.3.6.1.4.1.1466.20037", message id 1.
        let oid = text("1.3.6.1.4.1.1466.20037")
        let startTLS: [UInt8] =
            [0x30, UInt8(5 + 2 + oid.count), 0x02, 0x01, 0x01, 0x77, UInt8(2 + oid.count), 0x80, UInt8(oid.count)] + oid
        // BindRequest, message id 2, version 3, name "cn=a", simple "pw".
        let bind: [UInt8] =
            [0x30, 0x12, 0x02, 0x01, 0x02, 0x60, 0x0D, 0x02, 0x01, 0x03, 0x04, 0x04] + text("cn=a")
            + [0x80, 0x02] + text("pw")
        #expect(examine(LDAPDetector(), client: bind, server: []).first?.detail["user"] == "cn=a")
        #expect(examine(LDAPDetector(), client: startTLS + bind, server: []).isEmpty)
    }

    /// RFC 4253 §4.2: `SSH-protoversion-softwareversion SP comments`. The comments Debian and Ubuntu
    /// add (`DebianBanner`) are package revisions; Zeek's ssh-on-port-80 trace has one without a dot.
    @Test("an SSH comment with a digit is a patch level (Debian-1ubuntu3, Raspbian-10+deb9u7), a bare word is not")
    func sshPatchLevels() {
        let banner = { (line: String) in
            examine(VersionDisclosureDetector(), client: text("SSH-2.0-OpenSSH_9.2p1\r\n"), server: text(line + "\r\n"))
                .map { $0.detail["banner"] ?? "" }
        }
        #expect(banner("SSH-2.0-OpenSSH_5.8p1 Debian-1ubuntu3") == ["OpenSSH_5.8p1 Debian-1ubuntu3"])
        #expect(banner("SSH-2.0-OpenSSH_7.4p1 Raspbian-10+deb9u7") == ["OpenSSH_7.4p1 Raspbian-10+deb9u7"])
        #expect(banner("SSH-2.0-OpenSSH_9.6 Debian").isEmpty)
        #expect(banner("SSH-2.0-OpenSSH_9.6").isEmpty)
    }

    /// Greetings of Zeek's ftp-password-pass-command and pop3-starttls traces: the word before the
    /// version names a role or protocol, so the product is the word before it.
    @Test("a greeting's banner names the product: 'FileZilla Server 1.9.1', 'Cyrus POP3 v2.3.16', 'Exim 4.96'")
    func greetingProducts() {
        #expect(VersionDisclosureDetector.productVersion("220-FileZilla Server 1.9.1") == "FileZilla Server 1.9.1")
        #expect(
            VersionDisclosureDetector.productVersion("+OK ladymacbeth.local Cyrus POP3 v2.3.16 server ready <1.2@x>")
                == "Cyrus POP3 v2.3.16")
        #expect(VersionDisclosureDetector.productVersion("220 mx.example.com ESMTP Exim 4.96 ready") == "Exim 4.96")
        #expect(VersionDisclosureDetector.productVersion("220 mx.example.com ESMTP 4.96") == "ESMTP 4.96")
    }

    /// The wildcard name of a node status query, `*` and 15 NULs (RFC 1002 §4.1.1), encoded:
    /// 43 4b 41 41 … 41 ("CK" then 30 "A"), as tshark shows it: `*<00><00>…`.
    @Test("the wildcard NetBIOS name is '*<00>', its NUL padding dropped like the spaces of other names")
    func netbiosWildcardName() {
        let encoded = Array("CK".utf8) + [UInt8](repeating: 0x41, count: 30)
        #expect(encoded.withPacketBytes { NetBIOSNameServiceDetector.decodeName($0) } == "*<00>")
    }

    /// A node status query for the wildcard name sent to port 53 (nDPI's netbios_wildcard_dns_query:
    /// DNS to nDPI and to tshark):
    ///
    ///     0000  55 01 00 00 00 01 00 00 00 00 00 00 20 43 4b 41   id, flags, 1 question, name length 32
    ///     0010  41 …                                      41 00   "CKAAAA…A", root
    ///     0030  00 21 00 01                                       type NBSTAT, class IN
    @Test("a NetBIOS-shaped query to a DNS port is DNS, not NetBIOS name service; on 137 it is")
    func netbiosShapeOnDNSPort() {
        let query: [UInt8] =
            [0x55, 0x01, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x20] + Array("CK".utf8)
            + [UInt8](repeating: 0x41, count: 30) + [0, 0, 0x21, 0, 1]
        let seen = { (port: UInt16) in
            query.withPacketBytes {
                NetBIOSNameServiceDetector().examine(
                    DatagramSample(payload: $0, fromClient: true, clientPort: 41102, serverPort: port))
            }
        }
        #expect(seen(53) == nil)
        #expect(seen(5353) == nil)
        #expect(seen(137)?.detail["name"] == "*<00>")
    }

    @Test("NetBIOS names decode from their first-level encoding: 'FHEPFCELEHFCEPFFFACACACACACACAAA' is WORKGROUP<00>")
    func netbiosNameDecoding() {
        let encoded = text("FHEPFCELEHFCEPFFFACACACACACACAAA")
        let name = encoded.withPacketBytes { NetBIOSNameServiceDetector.decodeName($0) }
        #expect(name == "WORKGROUP<00>")
    }

    @Test("Telnet: the user typed at the login prompt is reported, negotiation taken out; the password is not")
    func telnetLoginName() {
        // The client answers DO TTYPE with WILL TTYPE and a TTYPE subnegotiation, then types its name
        // and its password.
        let client: [UInt8] =
            [255, 251, 24, 255, 250, 24, 0] + text("VT100") + [255, 240] + text("ad") + [255, 251, 31] + text("min\r\n")
            + text("hunter2\r\n")
        let server: [UInt8] = [255, 253, 24] + text("\r\nlogin: ") + text("Password: ")
        let found = examine(TelnetDetector(), client: client, server: server)
        #expect(found.map(\.detail) == [["user": "admin"]])
    }

    @Test("Telnet without a login prompt reports no user")
    func telnetWithoutPrompt() {
        let found = examine(TelnetDetector(), client: [255, 251, 24] + text("ls\r\n"), server: [255, 253, 24])
        #expect(found.map(\.detail) == [[:]])
    }

    @Test("a TLS record on port 23 is not Telnet")
    func tlsIsNotTelnet() {
        #expect(examine(TelnetDetector(), client: [22, 3, 1, 0, 5, 1], server: [22, 3, 3, 0, 5, 2]).isEmpty)
    }
}
