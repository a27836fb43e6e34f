import Foundation
import Testing

/// `exposure dns server` and `dns resolver` end to end, against the real servers that
/// Tests/DNSTests/Servers/start-servers.sh starts (weak and hardened authoritative servers, a
/// non-validating Unbound and a validating BIND resolver).
@Suite("DNS probe commands", .serialized)
struct ProbeCLITests {
    @Test("dns server on the weak BIND: every server check in JSON, exit 1")
    func weakServerJSON() async throws {
        let servers = try await CLIProbeServers.shared()
        let run = try await offPool {
            try ExposureBinary.run([
                "dns", "server", servers.port("WEAK_BIND"), "--zone", "example.test", "--outside-name",
                "www.outside.test",
                "--format", "json",
            ])
        }
        #expect(run.status == 1)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect(
            Set(findings.compactMap { $0["check"] as? String }) == [
                "dns.zone-transfer-open", "dns.version-disclosed", "dns.recursion-on-authoritative",
                "dns.cookies-missing", "dns.rrl-missing",
            ]
        )
        #expect((document["summary"] as? [String: Int])?["high"] == 2)
    }

    @Test("dns server --zone example.com with the default outside name runs (example.net. is asked), no exit 2")
    func defaultOutsideName() async throws {
        let servers = try await CLIProbeServers.shared()
        let run = try await offPool {
            try ExposureBinary.run([
                "dns", "server", servers.port("HARDENED_NSD"), "--zone", "example.com", "--burst", "0", "--format",
                "json",
            ])
        }
        // The NSD does not serve example.com: a warning, findings judged, but never the usage error of
        // an outside name inside the zone.
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stderr.contains("inside the zone"))
        #expect(run.stdout.contains("is not authoritative for example.com."))
    }

    @Test(
        "dns resolver --burst 200 on the plain Unbound reports dns.resolver-rate-limit-missing; without --burst it does not"
    )
    func resolverBurst() async throws {
        let servers = try await CLIProbeServers.shared()
        let resolver = servers.port("PLAIN_UNBOUND")
        let arguments = [
            "dns", "resolver", "--server", resolver, "--approved", resolver, "--signed-name", "www.example.test",
            "--bogus-name", "www.bogus.test", "--format", "json",
        ]
        let with = try await offPool { try ExposureBinary.run(arguments + ["--burst", "200"]) }
        let without = try await offPool { try ExposureBinary.run(arguments) }
        #expect(with.stdout.contains("\"check\": \"dns.resolver-rate-limit-missing\""))
        #expect(!without.stdout.contains("dns.resolver-rate-limit-missing"))
    }

    @Test("dns server on the hardened NSD: no finding, exit 0")
    func hardenedServerText() async throws {
        let servers = try await CLIProbeServers.shared()
        let run = try await offPool {
            try ExposureBinary.run([
                "dns", "server", servers.port("HARDENED_NSD"), "--zone", "example.test", "--outside-name",
                "www.outside.test",
            ])
        }
        #expect(run.status == 0)
        #expect(run.stdout.contains("0 findings"))
    }

    @Test("dns resolver on the non-validating Unbound: SARIF with the resolver rules, exit 1")
    func plainResolverSARIF() async throws {
        let servers = try await CLIProbeServers.shared()
        let run = try await offPool {
            try ExposureBinary.run([
                "dns", "resolver", "--server", servers.port("PLAIN_UNBOUND"), "--signed-name", "www.example.test",
                "--bogus-name", "www.bogus.test", "--approved", servers.port("PLAIN_UNBOUND"), "--format", "sarif",
            ])
        }
        #expect(run.status == 1)
        #expect(run.stdout.contains("\"ruleId\": \"dns.resolver-not-validating\""))
        #expect(run.stdout.contains("\"ruleId\": \"dns.cookies-missing\""))
        // Approved, so no resolver-untrusted finding.
        #expect(!run.stdout.contains("\"ruleId\": \"dns.resolver-untrusted\""))
    }

    @Test("dns resolver on the validating, approved BIND resolver: exit 0")
    func hardenedResolver() async throws {
        let servers = try await CLIProbeServers.shared()
        let resolver = servers.port("BIND_RESOLVER")
        let run = try await offPool {
            try ExposureBinary.run([
                "dns", "resolver", "--server", resolver, "--signed-name", "www.example.test", "--bogus-name",
                "www.bogus.test",
                "--approved", resolver,
            ])
        }
        #expect(run.status == 0)
        #expect(run.stdout.contains("0 findings"))
    }

    @Test(
        "unusable arguments and unreachable servers exit 2 with a message",
        arguments: [
            (
                ["dns", "server", "127.0.0.1:1", "--zone", "example.test"],
                "exposure: 127.0.0.1:1 did not answer a DNS query: connection refused"
            ),
            (
                ["dns", "server", "127.0.0.1", "--zone", "example.test", "--burst", "20000"],
                "--burst must be between 0 and 10000"
            ),
            (["dns", "server", "ns1.example.test", "--zone", "example.test"], "'ns1.example.test' is not IP[:PORT]"),
            (
                ["dns", "server", "127.0.0.1", "--zone", "example.test", "--timeout", "0"],
                "--timeout must be between 0.1 and 30 seconds"
            ),
            (
                ["dns", "resolver", "--resolv-conf", "no/such/resolv.conf"],
                "exposure: no/such/resolv.conf: cannot read the file"
            ),
            (
                ["dns", "resolver", "--server", "127.0.0.1:1", "--approved", "x"],
                "--approved entry 'x' is not IP[:PORT]"
            ),
        ]
    )
    func errorsExitTwo(_ arguments: [String], _ message: String) async throws {
        let run = try await offPool { try ExposureBinary.run(arguments, timeout: 20) }
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }
}

@Suite("DNS probe time limits")
struct ProbeTimeoutCLITests {
    @Test("--timeout bounds the wait for a server that never answers: 3 tries, then exit 2")
    func silentServerHonoursTimeout() async throws {
        // A UDP socket that takes queries and never replies.
        let silent = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(silent) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(silent, $0, length) == 0 ? getsockname(silent, $0, &length) : -1
            }
        }
        let port = UInt16(bigEndian: address.sin_port)
        let (run, elapsed) = try await offPool {
            let started = Date()
            let run = try ExposureBinary.run(
                ["dns", "server", "127.0.0.1:\(port)", "--zone", "example.test", "--timeout", "0.2"],
                timeout: 20
            )
            return (run, Date().timeIntervalSince(started))
        }
        #expect(run.status == 2)
        #expect(
            run.stderr.contains("127.0.0.1:\(port) did not answer a DNS query: no reply after 3 tries of 0.2 s each"))
        #expect(elapsed >= 0.6 && elapsed < 10, "took \(elapsed) s")
    }
}

/// The probe test servers for the CLI tests: the DNS tests' start script, run once per test process,
/// stopped at exit by their recorded process ids.
enum CLIProbeServers {
    struct Ports: Sendable {
        var ports: [String: String]
        func port(_ name: String) -> String { ports[name].map { "127.0.0.1:\($0)" } ?? "127.0.0.1:1" }
    }

    struct StartFailure: Error, CustomStringConvertible { var description: String }

    static func shared() async throws -> Ports { try await offPool { try started.get() } }

    private static let started: Result<Ports, StartFailure> = Result { () throws(StartFailure) -> Ports in
        try start()
    }

    nonisolated(unsafe) private static var directory: String?

    private static var scripts: URL {
        ExposureBinary.packageRoot.appendingPathComponent("Tests/DNSTests/Servers")
    }

    private static func start() throws(StartFailure) -> Ports {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-cli-servers-\(getpid())").path
        directory = dir
        atexit {
            guard let dir = CLIProbeServers.directory else { return }
            _ = CLIProbeServers.run([
                "/bin/bash", CLIProbeServers.scripts.appendingPathComponent("stop-servers.sh").path, dir,
            ])
            try? FileManager.default.removeItem(atPath: dir)
        }
        let status = run(["/bin/bash", scripts.appendingPathComponent("start-servers.sh").path, dir])
        let env = (try? String(contentsOfFile: dir + "/servers.env", encoding: .utf8)) ?? ""
        guard status == 0, !env.isEmpty else { throw StartFailure(description: "start-servers.sh failed (\(status))") }
        var ports: [String: String] = [:]
        for line in env.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { ports[String(parts[0])] = String(parts[1]) }
        }
        return Ports(ports: ports)
    }

    /// Runs a script with its output discarded (the servers it leaves behind must not hold a pipe of
    /// ours), for at most 60 seconds.
    private static func run(_ arguments: [String]) -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return -1 }
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            return -1
        }
        return process.terminationStatus
    }
}

/// Runs blocking work (sockets, waits, child processes) on a thread of its own, so that it holds
/// neither one of Swift Testing's cooperative threads nor one of Dispatch's (as many as cores: two
/// here) while it waits, stalling every other suite.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
