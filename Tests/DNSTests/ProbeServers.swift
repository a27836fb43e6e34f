import Foundation

/// The real DNS servers the probe tests run against: started once per test process by
/// `Servers/start-servers.sh` on 127.0.0.1 and free ports, stopped when the process exits (by the
/// exit handler, or else by the script's watchdog once this process is gone; in any case killed by
/// `timeout` after an hour). See that script for what each one is.
struct ProbeServers: Sendable {
    let directory: String
    let weakBIND: String
    let hardenedBIND: String
    let hardenedNSD: String
    let validatingUnbound: String
    let plainUnbound: String
    let bindResolver: String
    let weakNSD: String
    let defaultNSD: String
    let rateLimitedUnbound: String
    let hardenedKnot: String

    /// The zone every authoritative test server serves, and names in and around it.
    static let zone = "example.test"
    static let signedName = "www.example.test"
    static let bogusName = "www.bogus.test"
    static let outsideName = "www.outside.test"

    static let serversFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Servers")

    /// Started on first use; every test shares them.
    static func shared() async throws -> ProbeServers { try await offPool { try started.get() } }

    private static let started: Result<ProbeServers, StartFailure> = Result { () throws(StartFailure) -> ProbeServers in
        try start()
    }

    struct StartFailure: Error, CustomStringConvertible {
        var description: String
    }

    private static func start() throws(StartFailure) -> ProbeServers {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("exposure-probe-servers-\(getpid())").path
        let script = serversFolder.appendingPathComponent("start-servers.sh").path
        let (status, output) = run(["/bin/bash", script, directory], timeout: 60)
        startedDirectory = directory
        atexit { ProbeServers.stopAll() }
        guard status == 0 else { throw StartFailure(description: "start-servers.sh failed (\(status)): \(output)") }
        var ports: [String: String] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { ports[String(parts[0])] = "127.0.0.1:\(parts[1])" }
        }
        func port(_ key: String) throws(StartFailure) -> String {
            guard let value = ports[key] else { throw StartFailure(description: "no \(key) in: \(output)") }
            return value
        }
        return ProbeServers(
            directory: directory,
            weakBIND: try port("WEAK_BIND"),
            hardenedBIND: try port("HARDENED_BIND"),
            hardenedNSD: try port("HARDENED_NSD"),
            validatingUnbound: try port("VALIDATING_UNBOUND"),
            plainUnbound: try port("PLAIN_UNBOUND"),
            bindResolver: try port("BIND_RESOLVER"),
            weakNSD: try port("WEAK_NSD"),
            defaultNSD: try port("DEFAULT_NSD"),
            rateLimitedUnbound: try port("RATELIMITED_UNBOUND"),
            hardenedKnot: try port("HARDENED_KNOT")
        )
    }

    nonisolated(unsafe) private static var startedDirectory: String?

    /// Stops the servers by the process ids the start script recorded, then removes their folder.
    private static func stopAll() {
        guard let directory = startedDirectory else { return }
        let script = serversFolder.appendingPathComponent("stop-servers.sh").path
        _ = run(["/bin/bash", script, directory], timeout: 10)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Runs a command with a time limit; returns its exit status and standard output plus error.
    /// The output goes through a file, not a pipe: servers a script leaves running would hold a pipe
    /// open and make reading it wait for them.
    static func run(_ arguments: [String], timeout: TimeInterval) -> (Int32, String) {
        let log = FileManager.default.temporaryDirectory
            .appendingPathComponent("exposure-probe-run-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: log)
        else { return (-1, "cannot create \(log.path)") }
        defer {
            try? handle.close()
            try? FileManager.default.removeItem(at: log)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "cannot run \(arguments[0]): \(error)") }
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            return (-1, "\(arguments.joined(separator: " ")) did not finish in \(Int(timeout)) s")
        }
        process.waitUntilExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (process.terminationStatus, output)
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
