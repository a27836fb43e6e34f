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
