import Findings
import Foundation
import Testing

@testable import DNS

/// The pieces of the probes that need no server: wire format, resolv.conf, addresses, verdicts.
@Suite("Probe building blocks")
struct ProbeParsingTests {
    @Test("a query with a cookie is the packet RFC 1035, 6891 and 7873 describe, octet for octet")
    func queryWireFormat() throws {
        let query = PacketQuery(
            name: "example.test.",
            type: QueryType.a,
            id: 0x1234,
            recursionDesired: true,
            dnssecOK: true,
            options: [EDNSOption(code: EDNSOptionCode.cookie, data: [1, 2, 3, 4, 5, 6, 7, 8])]
        )
        let expected: [UInt8] = [
            0x12, 0x34,  // ID
            0x01, 0x00,  // QR=0 opcode 0, RD=1
            0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,  // QD 1, AN 0, NS 0, AR 1
            7, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 4, 0x74, 0x65, 0x73, 0x74, 0,  // example.test.
            0x00, 0x01, 0x00, 0x01,  // A, IN
            0,  // OPT owner: root
            0x00, 0x29,  // type OPT (41)
            0x04, 0xd0,  // UDP payload size 1232
            0x00, 0x00, 0x80, 0x00,  // extended rcode 0, version 0, DO=1
            0x00, 0x0c,  // RDLENGTH 12
            0x00, 0x0a, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 7, 8,  // COOKIE (10), 8 octets: the client cookie
        ]
        #expect(query.wireFormat() == expected)
    }

    @Test("a reply with a server cookie, an extended error and BADCOOKIE decodes to those values")
    func replyDecoding() throws {
        // Response, QR AA, RCODE low bits 7 (23 & 0xF), one TXT answer, OPT with extended rcode 1 (23 >> 4).
        let reply: [UInt8] = [
            0xab, 0xcd, 0x84, 0x07, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
            7, 0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 4, 0x62, 0x69, 0x6e, 0x64, 0,  // version.bind.
            0x00, 0x10, 0x00, 0x03,  // TXT, CH
            0xc0, 0x0c, 0x00, 0x10, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,  // TXT CH TTL 0, RDLENGTH 4
            3, 0x39, 0x2e, 0x39,  // "9.9"
            0, 0x00, 0x29, 0x04, 0xd0, 0x01, 0x00, 0x00, 0x00,  // OPT, 1232, ext rcode 1
            0x00, 0x1c,  // RDLENGTH 28
            0x00, 0x0a, 0x00, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9,  // COOKIE 16 octets
            0x00, 0x0f, 0x00, 0x04, 0x00, 0x06, 0x68, 0x69,  // EDE 6, "hi"
        ]
        let decoded = try #require(PacketReply(wire: reply))
        #expect(decoded.id == 0xabcd)
        #expect(decoded.rcode == 23)
        #expect(decoded.rcodeName == "BADCOOKIE")
        #expect(decoded.authoritative && decoded.isResponse && !decoded.truncated)
        #expect(decoded.answers.map(\.texts) == [["9.9"]])
        #expect(decoded.cookie == [1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 9, 9, 9, 9, 9, 9])
        #expect(decoded.extendedErrors.map(\.code) == [6])
        #expect(decoded.extendedErrors.map(\.text) == ["hi"])
        #expect(CookiesMissing.judge(decoded, clientCookie: [1, 2, 3, 4, 5, 6, 7, 8]) == .valid(serverCookieLength: 8))
        #expect(
            CookiesMissing.judge(decoded, clientCookie: [8, 7, 6, 5, 4, 3, 2, 1])
                == .missing("the COOKIE option does not echo the client cookie")
        )
        #expect(PacketReply(wire: Array(reply.prefix(20))) == nil)
    }

    @Test("resolv.conf is read as the C library reads it")
    func resolvConf() {
        let conf = ResolvConf(
            text: """
                # comment
                ; also a comment
                domain corp.example
                search a.example b.example
                nameserver 10.0.0.53
                nameserver dns.example
                nameserver fe80::1%lo
                nameserver 192.0.2.1:53
                nameserver 2001:db8::53
                nameserver 10.0.1.53
                options edns0 trust-ad
                """
        )
        #expect(
            conf.nameservers.map(\.address.description) == ["10.0.0.53:53", "[fe80::1%lo]:53", "[2001:db8::53]:53"])
        #expect(conf.nameservers.map(\.line) == [5, 7, 9])
        #expect(conf.search == ["a.example", "b.example"])
        #expect(conf.options == ["edns0", "trust-ad"])
        #expect(
            conf.warnings == [
                "line 6: 'dns.example' is not an IP address; the C library ignores it",
                "line 8: '192.0.2.1:53' is not an IP address; the C library ignores it",
                "line 10: nameserver 10.0.1.53 is beyond the first 3; the C library ignores it",
            ]
        )
    }

    @Test(
        "server addresses: IP, IP:PORT, [IPv6]:PORT and bare IPv6; names and bad ports refused",
        arguments: [
            ("192.0.2.1", "192.0.2.1:53"), ("192.0.2.1:5353", "192.0.2.1:5353"),
            ("[2001:db8::1]:853", "[2001:db8::1]:853"),
            ("2001:db8::1", "[2001:db8::1]:53"), ("dns.example", nil), ("192.0.2.1:0", nil), ("192.0.2.1:70000", nil),
            ("[2001:db8::1", nil), ("", nil),
        ] as [(String, String?)]
    )
    func serverAddresses(_ text: String, _ expected: String?) {
        #expect(ServerAddress(parsing: text)?.description == expected)
    }

    @Test(
        "public and non-public addresses (IANA special-purpose registries)",
        arguments: [
            ("9.9.9.9", true), ("8.8.8.8", true), ("2620:fe::fe", true), ("10.1.2.3", false), ("172.31.255.255", false),
            ("172.32.0.1", true), ("192.168.1.1", false), ("100.64.0.1", false), ("127.0.0.53", false),
            ("169.254.1.1", false), ("192.0.2.1", false), ("::1", false), ("fd00::53", false), ("fe80::1", false),
            ("2001:db8::1", false), ("::ffff:10.0.0.1", false), ("::ffff:9.9.9.9", true),
        ]
    )
    func addressScope(_ text: String, _ global: Bool) throws {
        let address = try #require(ServerAddress(parsing: text))
        #expect(AddressScope.isGlobal(address.addressOctets) == global)
    }

    @Test("an open resolver needs both a public address and a recursed answer")
    func openResolverVerdict() throws {
        // A recursed answer: QR RD RA, NOERROR, one A record.
        let recursed: [UInt8] = [
            0x00, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
            3, 0x69, 0x73, 0x63, 3, 0x6f, 0x72, 0x67, 0, 0x00, 0x01, 0x00, 0x01,  // isc.org. A IN
            0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 151, 101, 2, 217,
        ]
        let reply = try #require(PacketReply(wire: recursed))
        let publicResolver = ConfiguredResolver(
            address: try #require(ServerAddress(parsing: "9.9.9.9")), origin: "--server")
        let privateResolver = ConfiguredResolver(
            address: try #require(ServerAddress(parsing: "10.0.0.53")), origin: "--server")
        #expect(ResolverOpen.judge(reply, resolver: publicResolver, name: "isc.org.")?.severity == .high)
        #expect(ResolverOpen.judge(reply, resolver: privateResolver, name: "isc.org.") == nil)
        var refused = reply
        refused.recursionAvailable = false
        #expect(ResolverOpen.judge(refused, resolver: publicResolver, name: "isc.org.") == nil)
    }

    @Test("validation verdicts: missing AD or bogus data fire; NXDOMAIN and unexplained SERVFAIL only warn")
    func validationVerdicts() throws {
        // The recursed isc.org answer from openResolverVerdict, varied field by field.
        let base = try #require(PacketReply(wire: Self.recursedAnswer))
        let resolver = ConfiguredResolver(
            address: try #require(ServerAddress(parsing: "10.0.0.53")), origin: "--server")
        func judge(signed: PacketReply?, bogus: PacketReply?, unchecked: PacketReply? = nil) -> ([String], Int) {
            let observation = ResolverNotValidating.Observation(
                signed: signed,
                bogus: bogus,
                bogusWithCheckingDisabled: unchecked
            )
            let result = ResolverNotValidating.judge(observation, resolver: resolver, signedName: "s.", bogusName: "b.")
            let failed = result.findings.first.flatMap { finding -> [String]? in
                guard case .array(let items)? = finding.evidence["failed"] else { return nil }
                return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
            }
            return (failed ?? [], result.warnings.count)
        }
        var validated = base
        validated.authenticatedData = true
        var servfail = base
        servfail.rcode = 2
        servfail.answers = []
        var nxdomain = servfail
        nxdomain.rcode = 3
        // A validating resolver: AD on the signed name, SERVFAIL on the bogus one that CD=1 explains.
        #expect(judge(signed: validated, bogus: servfail, unchecked: base) == ([], 0))
        // No AD, and the bogus data passed through.
        #expect(
            judge(signed: base, bogus: base) == (
                [
                    "s. came back without AD",
                    "b., whose signatures are broken, came back with data instead of SERVFAIL",
                ], 0
            )
        )
        // An offline or filtering resolver: nothing proven, two warnings.
        #expect(judge(signed: nxdomain, bogus: nxdomain) == ([], 2))
        // SERVFAIL that persists with CD=1: the bogus name is unreachable, not rejected.
        #expect(judge(signed: validated, bogus: servfail, unchecked: servfail) == ([], 1))
        // No reply at all: warnings, never a finding.
        #expect(judge(signed: nil, bogus: nil) == ([], 2))
    }

    /// A recursed answer: ID 1, QR RD RA, NOERROR, isc.org. A 151.101.2.217.
    static let recursedAnswer: [UInt8] = [
        0x00, 0x01, 0x81, 0x80, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
        3, 0x69, 0x73, 0x63, 3, 0x6f, 0x72, 0x67, 0, 0x00, 0x01, 0x00, 0x01,
        0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04, 151, 101, 2, 217,
    ]

    @Test("the rate-limiting verdict: any truncation or a tenth lost is rate limiting")
    func rateLimitVerdict() {
        func outcome(_ answered: Int, _ truncated: Int) -> BurstOutcome {
            BurstOutcome(sent: 200, answered: answered, truncated: truncated, sendingSeconds: 0.2)
        }
        #expect(!RateLimitBurst.showsRateLimiting(outcome(200, 0)))
        #expect(!RateLimitBurst.showsRateLimiting(outcome(181, 0)))
        #expect(RateLimitBurst.showsRateLimiting(outcome(180, 0)))
        #expect(RateLimitBurst.showsRateLimiting(outcome(199, 1)))
        #expect(RateLimitBurst.showsRateLimiting(outcome(0, 0)))
    }

    @Test("a resolv.conf resolver's finding points at its line and carries the search list and options")
    func untrustedEvidence() throws {
        let conf = ResolvConf(text: "search corp.example\nnameserver 10.0.0.53\noptions edns0 trust-ad\n")
        let nameserver = try #require(conf.nameservers.first)
        let resolver = ConfiguredResolver(
            address: nameserver.address,
            origin: "resolv.conf line \(nameserver.line)",
            location: SourceLocation(file: "resolv.conf", line: nameserver.line),
            search: conf.search,
            options: conf.options
        )
        let unjudged = try #require(ResolverUntrusted.judge(resolver, approved: nil))
        #expect(unjudged.severity == .info)
        #expect(unjudged.location == SourceLocation(file: "resolv.conf", line: 2))
        #expect(unjudged.evidence["search"] == ["corp.example"])
        #expect(unjudged.evidence["options"] == ["edns0", "trust-ad"])
        let approved = try ResolverUntrusted.parseApproved("10.0.0.53")
        #expect(ResolverUntrusted.judge(resolver, approved: approved) == nil)
        let other = try ResolverUntrusted.parseApproved("10.0.0.54,10.0.0.53:5353")
        #expect(ResolverUntrusted.judge(resolver, approved: other)?.severity == .high)
    }

    @Test("a burst shorter than a second sees only limits below its size; a longer one, its rate")
    func detectableLimit() {
        #expect(RateLimitBurst.detectableLimit(sent: 200, seconds: 0.2) == 200)
        #expect(RateLimitBurst.detectableLimit(sent: 1000, seconds: 1.0) == 1000)
        #expect(RateLimitBurst.detectableLimit(sent: 2000, seconds: 2.0) == 1000)
    }

    @Test("--approved takes addresses with or without a port")
    func approvedList() throws {
        let list = try ResolverUntrusted.parseApproved("10.0.0.53, 127.0.0.1:5353,[2001:db8::53]:53,2001:db8::1")
        #expect(list.map(\.text) == ["10.0.0.53", "127.0.0.1:5353", "[2001:db8::53]:53", "2001:db8::1"])
        #expect(throws: InputError.self) { try ResolverUntrusted.parseApproved("10.0.0.53,resolver.example") }
    }
}
