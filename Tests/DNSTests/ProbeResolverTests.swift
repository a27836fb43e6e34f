import Findings
import Foundation
import Testing

@testable import DNS

/// `exposure dns resolver` against real resolvers: a validating Unbound, a plain (non-validating)
/// Unbound and a validating BIND that answers cookies, all reaching example.test (signed) and
/// bogus.test (signatures broken after signing) on the weak BIND.
@Suite("Resolver probes against real Unbound and BIND", .serialized)
struct ProbeResolverTests {
    func probe(_ servers: [String], approved: String? = nil, resolvConf: String? = nil, burst: Int = 0) async throws
        -> Report
    {
        try await offPool {
            try ResolverProbe(
                resolvConfPath: resolvConf,
                servers: servers,
                approved: approved,
                signedName: ProbeServers.signedName,
                bogusName: ProbeServers.bogusName,
                burst: burst
            ).analyze()
        }
    }

    @Test("a 200-query burst answered in full by the plain Unbound is dns.resolver-rate-limit-missing, medium")
    func plainUnboundHasNoRateLimit() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe([servers.plainUnbound], approved: servers.plainUnbound, burst: 200)
        let finding = try #require(report.findings.first { $0.check.id == "dns.resolver-rate-limit-missing" })
        #expect(finding.severity == .medium)
        // Loopback loses nothing: every query of the burst is answered, none truncated.
        #expect(finding.evidence["answered"] == .int(200))
        #expect(finding.evidence["truncated"] == .int(0))
        #expect(finding.evidence["name"] == .string(ProbeServers.signedName + "."))
    }

    @Test("the Unbound with ip-ratelimit 20 (factor 0) drops most of a 200-query burst: no rate-limit finding")
    func rateLimitedUnbound() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe([servers.rateLimitedUnbound], approved: servers.rateLimitedUnbound, burst: 200)
        #expect(!report.ids().contains("dns.resolver-rate-limit-missing"), "\(report.verdictLines)")
        // The same Unbound, same probes, without the burst: the burst is the only thing that differs.
        let quiet = try await probe([servers.rateLimitedUnbound], approved: servers.rateLimitedUnbound)
        #expect(quiet.ids() == report.ids())
    }

    @Test("the non-validating Unbound is reported as not validating, for both reasons")
    func plainUnboundDoesNotValidate() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe([servers.plainUnbound], approved: servers.plainUnbound)
        let finding = try #require(report.findings.first { $0.check.id == "dns.resolver-not-validating" })
        #expect(
            finding.evidence["failed"]
                == .strings([
                    "www.example.test. came back without AD",
                    "www.bogus.test., whose signatures are broken, came back with data instead of SERVFAIL",
                ])
        )
        #expect(report.warnings.isEmpty)
    }

    @Test("the validating Unbound sets AD and refuses the bogus name, noting EDE 6 (DNSSEC Bogus)")
    func validatingUnboundValidates() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe([servers.validatingUnbound], approved: servers.validatingUnbound)
        #expect(!report.findings.contains { $0.check.id == "dns.resolver-not-validating" })
        #expect(report.warnings.isEmpty)
        // The observation behind the verdict, checked against what dig shows for these servers.
        let session = ProbeSession(server: try #require(ServerAddress(parsing: servers.validatingUnbound)))
        let seen = ResolverNotValidating.observe(
            session,
            signedName: ProbeServers.signedName,
            bogusName: ProbeServers.bogusName
        )
        #expect(seen.signed?.authenticatedData == true)
        #expect(seen.bogus?.rcodeName == "SERVFAIL")
        #expect(seen.bogus?.extendedErrors.map(\.code) == [6])
        // With checking disabled the tampered address comes back: 192.0.2.66, set after signing.
        #expect(seen.bogusWithCheckingDisabled?.rcodeName == "NOERROR")
    }

    @Test("Unbound 1.17 has no server cookies: cookies-missing fires on both Unbounds")
    func unboundHasNoCookies() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe([servers.validatingUnbound, servers.plainUnbound])
        let subjects = report.findings.filter { $0.check.id == "dns.cookies-missing" }.map(\.subject)
        #expect(Set(subjects) == [servers.validatingUnbound, servers.plainUnbound])
    }

    @Test("a validating BIND resolver that answers cookies and is approved gives no finding")
    func hardenedResolverIsQuiet() async throws {
        let servers = try await ProbeServers.shared()
        let report = try await probe([servers.bindResolver], approved: "10.0.0.53, \(servers.bindResolver)")
        #expect(report.findings.map(\.check.id) == [])
        #expect(report.warnings == [])
    }

    @Test("resolvers off the approved list are high; without a list each is info")
    func approvedList() async throws {
        let servers = try await ProbeServers.shared()
        let judged = try await probe([servers.bindResolver, servers.validatingUnbound], approved: servers.bindResolver)
        let untrusted = judged.findings.filter { $0.check.id == "dns.resolver-untrusted" }
        #expect(untrusted.map(\.subject) == [servers.validatingUnbound])
        #expect(untrusted.map(\.severity) == [.high])
        let listed = try await probe([servers.bindResolver])
        let info = listed.findings.filter { $0.check.id == "dns.resolver-untrusted" }
        #expect(info.map(\.severity) == [.info])
    }

    @Test("a resolv.conf resolver that does not answer is an error naming the file and line")
    func resolvConfLines() async throws {
        // resolv.conf takes no port: the resolver is probed on port 53 of 127.0.0.254, where nothing
        // listens unless some server holds port 53 on every address (then there is nothing to test).
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-resolv-\(getpid()).conf")
        try "# written by a test\nsearch example.test\n\nnameserver 127.0.0.254\n".write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        defer { try? FileManager.default.removeItem(at: file) }
        let someoneListens =
            (try? ProbeSession(server: try #require(ServerAddress(parsing: "127.0.0.254")))
                .ask(PacketQuery(name: ".", type: QueryType.ns))) != nil
        try #require(!someoneListens)
        await #expect {
            _ = try await probe([], resolvConf: file.path)
        } throws: { error in
            "\(error)".hasPrefix("\(file.path): line 4: resolver 127.0.0.254:53 did not answer a DNS query")
        }
    }

    @Test("a resolver that does not answer is an error, not an empty report")
    func unreachableResolver() async throws {
        let port = try ProbeServerTests.unusedUDPPort()
        await #expect {
            _ = try await probe(["127.0.0.1:\(port)"])
        } throws: { error in
            "\(error)"
                == "resolver 127.0.0.1:\(port) did not answer a DNS query: connection refused (nothing listens on that port)"
        }
    }
}
