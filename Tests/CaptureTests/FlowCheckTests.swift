import Findings
import Testing

@testable import Capture

private func findings(_ sample: String, _ options: CaptureOptions) throws -> [Finding] {
    try CaptureAnalyzer.analyze(files: [packageRoot + "/Captures/" + sample], filter: nil, options: options).findings
}

@Suite("Checks judged from addresses: remote management from the internet, unapproved resolvers")
struct FlowCheckTests {
    @Test("RDP opened from 45.33.32.156 is remote management from the internet; --internal 45.33.32.0/24 silences it")
    func remoteManagement() throws {
        let open = try findings("rdp-from-internet.pcap", CaptureOptions())
        #expect(open.map(\.check.id) == ["capture.remote-management-from-internet"])
        #expect(open.first?.evidence["protocol"] == .string("rdp"))
        #expect(open.first?.evidence["clients"] == .strings(["45.33.32.156"]))
        let ours = try CaptureOptions(internalRanges: "45.33.32.0/24", approvedResolvers: nil)
        #expect(try findings("rdp-from-internet.pcap", ours).isEmpty)
    }

    @Test("documentation, private and CGNAT clients are not the internet (RFC 5737, RFC 1918, RFC 6598)")
    func nonPublicRanges() throws {
        for text in ["198.51.100.20", "10.1.2.3", "172.31.0.1", "100.64.0.1", "2001:db8::1", "fe80::1"] {
            #expect(IPAddress(text: text)?.isPublic(internalRanges: []) == false, "\(text)")
        }
        for text in ["45.33.32.156", "8.8.8.8", "2a00:1450:4001::1"] {
            #expect(IPAddress(text: text)?.isPublic(internalRanges: []) == true, "\(text)")
        }
    }

    @Test("with --approved-resolvers 10.0.0.53, queries to 8.8.8.8 from two clients are one finding; without it none")
    func untrustedResolver() throws {
        #expect(try findings("dns-to-two-resolvers.pcap", CaptureOptions()).isEmpty)
        let approved = try CaptureOptions(internalRanges: nil, approvedResolvers: "10.0.0.53")
        let found = try findings("dns-to-two-resolvers.pcap", approved)
        #expect(found.map(\.subject) == ["8.8.8.8:53"])
        #expect(found.first?.evidence["resolver"] == .string("8.8.8.8"))
        #expect(found.first?.evidence["clients"] == .strings(["10.0.0.20", "10.0.0.21"]))
        #expect(found.first?.severity == .medium)
    }

    /// nDPI's `tests/cfgs/default/result/vnc.pcap.out` (VNC from 95.237.48.208 to 192.168.2.110:6900,
    /// "Known Proto on Non Std Port", "Desktop/File Sharing") and tshark (`-d tcp.port==6900,vnc`:
    /// `vnc.server_proto_ver` 003.008) on our own sample of the same shape.
    @Test("VNC known by its RFB banner on port 6900, opened from a public address, is remote management")
    func vncByBanner() throws {
        let found = try findings("vnc-on-port-6900-from-internet.pcap", CaptureOptions())
        #expect(found.map(\.check.id) == ["capture.remote-management-from-internet"])
        #expect(found.first?.subject == "10.0.0.5:6900")
        #expect(found.first?.evidence["protocol"] == .string("vnc"))
        #expect(found.first?.evidence["clients"] == .strings(["45.33.32.156"]))
        let ours = try CaptureOptions(internalRanges: "45.33.32.0/24", approvedResolvers: nil)
        #expect(try findings("vnc-on-port-6900-from-internet.pcap", ours).isEmpty)
    }

    /// Zeek names SSH by content on any port (its `ssh/ssh-on-port-80.pcap` baseline has an ssh.log
    /// entry for port 80); tshark `-d tcp.port==2222,ssh` reads `ssh.protocol` SSH-2.0-OpenSSH_9.6.
    @Test("SSH known by its identification string on port 2222, from a public address, is remote management")
    func sshByBanner() throws {
        let found = try findings("ssh-on-port-2222-from-internet.pcap", CaptureOptions())
        #expect(found.map(\.check.id) == ["capture.remote-management-from-internet"])
        #expect(found.first?.subject == "10.0.0.5:2222")
        #expect(found.first?.evidence["protocol"] == .string("ssh"))
        // A banner from a private client is no finding.
        #expect(
            try findings("ssh-weak-algorithms-negotiated.pcap", CaptureOptions()).allSatisfy {
                $0.check.id != "capture.remote-management-from-internet"
            })
    }

    /// nDPI's `result/dns_dot.pcap.out`: DoT (DNS over TLS, RFC 7858) to 8.8.8.8:853.
    @Test("DNS over TLS on port 853 to a resolver outside --approved-resolvers is an untrusted resolver")
    func dnsOverTLS() throws {
        #expect(try findings("dns-over-tls-to-two-resolvers.pcap", CaptureOptions()).isEmpty)
        let approved = try CaptureOptions(internalRanges: nil, approvedResolvers: "10.0.0.53")
        let found = try findings("dns-over-tls-to-two-resolvers.pcap", approved)
        #expect(found.map(\.subject) == ["8.8.8.8:853"])
        #expect(found.first?.check.id == "capture.untrusted-resolver")
        #expect(found.first?.evidence["resolver"] == .string("8.8.8.8"))
        #expect(found.first?.evidence["transport"] == .string("tcp"))
    }

    @Test("an entry that is not a prefix or an address is an error naming it")
    func badOptions() {
        #expect(throws: InputError.self) { try CaptureOptions(internalRanges: "10.0.0.0/33", approvedResolvers: nil) }
        #expect(throws: InputError.self) { try CaptureOptions(internalRanges: nil, approvedResolvers: "dns.example") }
    }

    @Test("IPv6 text parses as RFC 4291 writes it, and prefixes contain what they should")
    func parsing() {
        #expect(IPAddress(text: "2001:db8::1")?.description == "2001:db8::1")
        #expect(IPAddress(text: "::ffff:192.0.2.1")?.description == "192.0.2.1")
        #expect(IPAddress(text: "1::2::3") == nil)
        #expect(IPPrefix(text: "203.0.113.0/24")?.contains(IPAddress(text: "203.0.113.77")!) == true)
        #expect(IPPrefix(text: "203.0.113.0/24")?.contains(IPAddress(text: "203.0.114.1")!) == false)
    }
}
