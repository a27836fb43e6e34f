import Findings
import Foundation
import Testing

@testable import DNS

/// `exposure dns server` against real servers: every check fires on the weak BIND and none on the
/// hardened BIND and NSD (see Servers/*.conf for what each one allows). Serialized: the rate-limiting
/// bursts are timing-sensitive and the machine is small.
@Suite("Server probes against real BIND and NSD", .serialized)
struct ProbeServerTests {
    static let serverChecks: Set<String> = [
        "dns.zone-transfer-open", "dns.version-disclosed", "dns.recursion-on-authoritative",
        "dns.cookies-missing", "dns.rrl-missing",
    ]

    func probe(_ server: String, burst: Int = 200) async throws -> Report {
        try await offPool {
            try ServerProbe(
                server: server, zone: ProbeServers.zone, burst: burst, outsideName: ProbeServers.outsideName
            )
            .analyze()
        }
    }

    @Test("every server check fires on the weak BIND")
    func weakServerFiresEveryCheck() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe(servers.weakBIND)
        #expect(Set(report.findings.map(\.check.id)) == Self.serverChecks)
        #expect(report.warnings.isEmpty)
        #expect(report.findings.allSatisfy { $0.subject == servers.weakBIND })
    }

    @Test("the hardened BIND, NSD and Knot stay quiet", arguments: ["BIND", "NSD", "Knot"])
    func hardenedServerIsQuiet(_ software: String) async throws {
        let servers = try await ProbeServers.shared()
        let server = ["BIND": servers.hardenedBIND, "NSD": servers.hardenedNSD, "Knot": servers.hardenedKnot][software]!
        let report = try await probe(server)
        #expect(report.findings.map(\.check.id) == [])
        #expect(report.warnings == [])
    }

    @Test("every server check but recursion fires on the weak NSD, which never recurses")
    func weakNSDFiresAllButRecursion() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe(servers.weakNSD)
        #expect(
            Set(report.findings.map(\.check.id)) == Self.serverChecks.subtracting(["dns.recursion-on-authoritative"]))
        #expect(report.warnings.isEmpty)
    }

    @Test(
        "the AXFR record and message counts are the ones dig reports for the transfer",
        arguments: [("BIND", "example.test"), ("NSD", "example.test"), ("NSD", "large.test")]
    )
    func transferCountMatchesDig(_ software: String, _ zone: String) async throws {
        let servers = try await ProbeServers.shared()
        let server = software == "BIND" ? servers.weakBIND : servers.weakNSD
        let report = try await offPool {
            try ServerProbe(server: server, zone: zone, burst: 0, outsideName: ProbeServers.outsideName).analyze()
        }
        let finding = try #require(report.findings.first { $0.check.id == "dns.zone-transfer-open" })
        let port = try #require(server.split(separator: ":").last)
        let (status, digOutput) = ProbeServers.run(
            ["/usr/bin/dig", "@127.0.0.1", "-p", String(port), zone, "AXFR"],
            timeout: 20
        )
        #expect(status == 0)
        // dig: ";; XFR size: 3003 records (messages 5, bytes 74136)"
        let line = try #require(digOutput.split(separator: "\n").first { $0.contains("XFR size:") })
        let words = line.split(separator: " ")
        let digRecords = try #require(Int(words[3]))
        let digMessages = try #require(Int(words[6].trimmingCharacters(in: .punctuationCharacters)))
        #expect(finding.evidence["records"] == .int(digRecords))
        #expect(finding.evidence["messages"] == .int(digMessages))
        #expect(finding.evidence["complete"] == true)
        #expect(finding.evidence["zone"] == .string(zone + "."))
        if zone == "large.test" {
            // 3,000 generated hosts, the SOA twice and the NS: the transfer must span several messages.
            #expect(digRecords == 3003)
            #expect(digMessages > 1)
        }
    }

    @Test("NSD's version.server is the version nsd -v prints")
    func nsdVersionMatches() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe(servers.weakNSD, burst: 0)
        let finding = try #require(report.findings.first { $0.check.id == "dns.version-disclosed" })
        guard case .object(let answers)? = finding.evidence["answers"],
            case .string(let version)? = answers["version.server"]
        else {
            Issue.record("no version.server answer in \(finding.evidence)")
            return
        }
        // nsd -v: "NSD version 4.6.1" on its first line; version.server: "NSD 4.6.1".
        let (_, nsd) = ProbeServers.run(["/usr/sbin/nsd", "-v"], timeout: 10)
        let number = try #require(nsd.split(separator: "\n").first?.split(separator: " ").last)
        #expect(version == "NSD \(number)")
    }

    @Test("version.bind is the version named -v prints, and an absent name is not reported")
    func versionMatchesNamed() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe(servers.weakBIND, burst: 0)
        let finding = try #require(report.findings.first { $0.check.id == "dns.version-disclosed" })
        guard case .object(let answers)? = finding.evidence["answers"],
            case .string(let version)? = answers["version.bind"]
        else {
            Issue.record("no version.bind answer in \(finding.evidence)")
            return
        }
        // named -v: "BIND 9.18.49-1~deb12u3-Debian (Extended Support Version) <id:>"
        let (_, named) = ProbeServers.run(["/usr/sbin/named", "-v"], timeout: 10)
        #expect(named.hasPrefix("BIND \(version) "))
        // BIND 9.18 leaves id.server empty unless server-id is set.
        #expect(answers["id.server"] == nil)
    }

    @Test(
        "recursion: high when the weak BIND resolved the name, medium when it offered recursion and failed",
        arguments: [
            ("www.outside.test", Severity.high, "NOERROR", true),
            // dead.test is forwarded to port 9, where nothing listens: RA set, SERVFAIL.
            ("www.dead.test", Severity.medium, "SERVFAIL", false),
        ]
    )
    func recursionVerdicts(_ name: String, _ severity: Severity, _ rcode: String, _ resolved: Bool) async throws {
        let servers = try await ProbeServers.shared()
        let report = try await offPool {
            try ServerProbe(server: servers.weakBIND, zone: ProbeServers.zone, burst: 0, outsideName: name).analyze()
        }
        let finding = try #require(report.findings.first { $0.check.id == "dns.recursion-on-authoritative" })
        #expect(finding.severity == severity)
        #expect(finding.evidence["resolved"] == .bool(resolved))
        #expect(finding.evidence["rcode"] == .string(rcode))
    }

    @Test(
        "recursion: RA on the weak BIND's in-zone answer (RD=1) is medium with the default outside name, which cannot resolve offline"
    )
    func recursionFromInZoneRA() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await offPool {
            try ServerProbe(
                server: servers.weakBIND, zone: ProbeServers.zone, burst: 0, limits: QueryLimits(timeout: 0.5, tries: 1)
            ).analyze()
        }
        let finding = try #require(report.findings.first { $0.check.id == "dns.recursion-on-authoritative" })
        #expect(finding.evidence["recursionAvailableInZone"] == .bool(true))
        #expect(finding.evidence["name"] == .string("example.com."))
        // The test network has no route out, so example.com. cannot resolve: medium, not high.
        #expect(finding.severity == .medium || finding.evidence["resolved"] == .bool(true))
        #expect(!report.warnings.contains { $0.contains("recursion probe") })
    }

    @Test("recursion: the hardened NSD and BIND set no RA and give no recursion finding")
    func noRecursionOnHardened() async throws {
        let servers = try await ProbeServers.shared()
        for server in [servers.hardenedNSD, servers.hardenedBIND] {
            let report = try await offPool {
                try ServerProbe(
                    server: server, zone: ProbeServers.zone, burst: 0, outsideName: ProbeServers.outsideName
                ).analyze()
            }
            #expect(!report.ids().contains("dns.recursion-on-authoritative"), "\(server)")
        }
    }

    @Test("the default outside name lies outside the zone: --zone example.com probes example.net.")
    func defaultOutsideNameAvoidsTheZone() {
        #expect(ServerProbe.outsideCandidates.first { !ServerProbe.isAtOrBelow($0, "example.com.") } == "example.net.")
        #expect(ServerProbe.outsideCandidates.first { !ServerProbe.isAtOrBelow($0, "com.") } == "example.net.")
        #expect(ServerProbe.outsideCandidates.first { !ServerProbe.isAtOrBelow($0, "test.") } == "example.com.")
    }

    @Test("rate limiting shows as truncated and lost replies on the hardened servers, none on the weak one")
    func burstCounts() async throws {
        let servers = try await ProbeServers.shared()
        for (server, limited) in [
            (servers.weakBIND, false), (servers.hardenedBIND, true), (servers.hardenedNSD, true),
            (servers.hardenedKnot, true),
        ] {
            let address = try #require(ServerAddress(parsing: server))
            let query = PacketQuery(name: "mail.example.test", type: QueryType.a)
            let outcome = try await offPool {
                try QueryBurst.run(count: 100, perSecond: 1000, to: address, quietPeriod: 0.5) { id in
                    var q = query
                    q.id = id
                    return q.wireFormat() ?? []
                }
            }
            // Paced at most 1,000 a second: 100 queries take at least 99 ms to send.
            #expect(outcome.sendingSeconds >= 0.099)
            #expect(outcome.answered + outcome.truncated + outcome.lost == 100)
            if limited {
                // BIND: 5/s, NSD and Knot's rrl module: 10/s, all slip 2: a few answers, about half the rest
                // truncated.
                // Knot's rrl module is a token bucket that starts full, so it answers more of the start.
                #expect(outcome.answered <= (server == servers.hardenedKnot ? 50 : 30), "\(server): \(outcome)")
                // Slip 2 truncates about every second limited reply and drops the rest; under a loaded
                // machine the split moves, so each must be at least a quarter of what was limited.
                let limited = 100 - outcome.answered
                #expect(limited >= 50, "\(server): \(outcome)")
                #expect(outcome.truncated * 4 >= limited, "\(server): \(outcome)")
                #expect(outcome.lost * 4 >= limited, "\(server): \(outcome)")
            } else {
                #expect(outcome.answered == 100, "\(server): \(outcome)")
            }
        }
    }

    @Test(
        "Knot answers a client-only cookie with BADCOOKIE and a server cookie (RFC 7873 §5.2.3), which the probe accepts"
    )
    func knotBadCookie() async throws {
        let servers = try await ProbeServers.shared()
        let session = ProbeSession(server: try #require(ServerAddress(parsing: servers.hardenedKnot)))
        let clientCookie: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let query = PacketQuery(
            name: ProbeServers.zone, type: QueryType.soa,
            options: [EDNSOption(code: EDNSOptionCode.cookie, data: clientCookie)])
        let reply = try await offPool { try session.ask(query) }
        // BIND and NSD answer NOERROR here; Knot's cookies module wants the server cookie first.
        #expect(reply.rcode == 23)
        #expect(CookiesMissing.judge(reply, clientCookie: clientCookie) == .valid(serverCookieLength: 16))
        let weak = ProbeSession(server: try #require(ServerAddress(parsing: servers.hardenedBIND)))
        #expect(try await offPool { try weak.ask(query) }.rcode == 0)
    }

    @Test("Debian's default NSD limit (200 a second) is invisible to a burst of 200 and seen by one of 1,000")
    func defaultNSDLimitNeedsALargerBurst() async throws {
        let servers = try await ProbeServers.shared()
        let small = try await probe(servers.defaultNSD, burst: 200)
        let missed = try #require(small.findings.first { $0.check.id == "dns.rrl-missing" })
        #expect(missed.evidence["detectableLimit"] == 200)
        #expect(missed.evidence["answered"] == 200)
        // A full second at 1,000 a second: five times the limit, however busy the machine is.
        let large = try await probe(servers.defaultNSD, burst: 1000)
        let unseen = large.findings.first { $0.check.id == "dns.rrl-missing" }
        #expect(unseen == nil, "\(unseen?.evidence ?? [:])")
    }

    @Test("cookies: the hardened servers return a valid server cookie, the weak one none")
    func cookieVerdicts() async throws {
        let servers = try await ProbeServers.shared()
        for (server, expectValid) in [
            (servers.weakBIND, false), (servers.hardenedBIND, true), (servers.hardenedNSD, true),
            (servers.hardenedKnot, true),
        ] {
            let session = ProbeSession(server: try #require(ServerAddress(parsing: server)))
            let verdict = CookiesMissing.exchange(
                session,
                name: ProbeServers.zone,
                type: QueryType.soa,
                recursionDesired: false
            )
            switch verdict {
            case .valid(let length)?:
                #expect(expectValid, "\(server)")
                // RFC 7873 allows 8 to 32 octets; BIND 9.18, NSD 4.6 and Knot 3.2 make RFC 9018
                // interoperable cookies of 16 (dig +cookie shows 8 + 16 octets for each, marked "good").
                #expect(length == 16)
            case .missing(let why)?:
                #expect(!expectValid, "\(server): \(why)")
            case nil:
                Issue.record("\(server) did not answer the cookie probe")
            }
        }
    }

    @Test("a zone the server does not serve gives a warning, and a refused transfer stays quiet")
    func notAuthoritativeWarns() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await offPool {
            try ServerProbe(server: servers.hardenedNSD, zone: "other.test", burst: 0).analyze()
        }
        #expect(report.findings.isEmpty)
        #expect(
            report.warnings == [
                "\(servers.hardenedNSD) is not authoritative for other.test. (REFUSED, AA clear); "
                    + "the zone-transfer and rate-limiting results say little"
            ]
        )
    }

    @Test("a port where nothing listens is an error naming the server, quickly", arguments: ["127.0.0.1", "[::1]"])
    func refusedPortIsAnError(_ host: String) async throws {
        let port = try Self.unusedUDPPort()
        let (message, elapsed) = try await offPool {
            Self.failureAndTime { try ServerProbe(server: "\(host):\(port)", zone: "example.test").analyze() }
        }
        #expect(
            message == "\(host):\(port) did not answer a DNS query: connection refused (nothing listens on that port)")
        #expect(elapsed < 5)
    }

    @Test("a server that never answers times out after the bounded tries")
    func silentServerTimesOut() async throws {
        // A UDP socket that receives queries and never replies.
        let silent = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(silent, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(silent, $0, &length) }
        }
        let port = UInt16(bigEndian: address.sin_port)
        let (message, elapsed) = try await offPool {
            Self.failureAndTime {
                try ServerProbe(
                    server: "127.0.0.1:\(port)", zone: "example.test", limits: QueryLimits(timeout: 0.2, tries: 2)
                )
                .analyze()
            }
        }
        #expect(message.hasSuffix("did not answer a DNS query: no reply after 2 tries of 0.2 s each"), "\(message)")
        #expect(elapsed >= 0.4 && elapsed < 2)
    }

    /// Runs `work`, which must fail, and returns its error as text and how long it took.
    static func failureAndTime(_ work: () throws -> Report) -> (String, Double) {
        let started = Date()
        var message = "no error"
        do { _ = try work() } catch { message = "\(error)" }
        return (message, Date().timeIntervalSince(started))
    }

    @Test(
        "unusable arguments are refused before anything is sent",
        arguments: [
            ("example.com", "example.test", 200, "'example.com' is not IP[:PORT]"),
            ("127.0.0.1:99999", "example.test", 200, "is not IP[:PORT]"),
            ("127.0.0.1", "example.test", 10_001, "--burst must be between 0 and 10000"),
            ("127.0.0.1", "example.test", -1, "--burst must be between 0 and 10000"),
            ("127.0.0.1", "outside.test", 200, "is inside the zone outside.test."),
        ]
    )
    func badArguments(_ server: String, _ zone: String, _ burst: Int, _ expected: String) async {
        #expect {
            _ = try ServerProbe(server: server, zone: zone, burst: burst, outsideName: ProbeServers.outsideName)
                .analyze()
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    /// A UDP port nothing listens on right now.
    static func unusedUDPPort() throws -> UInt16 {
        let probe = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(probe) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(probe, $0, &length) }
        }
        return UInt16(bigEndian: address.sin_port)
    }
}
