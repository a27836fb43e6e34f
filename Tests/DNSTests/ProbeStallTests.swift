import Findings
import Foundation
import Testing

@testable import DNS

/// A fake server on 127.0.0.1 that answers every UDP query by echoing it back as an authoritative
/// response (QR AA, nothing else changed), and accepts TCP connections into its backlog without ever
/// reading or writing. The zone-transfer probe must give up after its read time limit with a
/// warning, and the whole run must finish in bounded time.
final class EchoAndStallServer: @unchecked Sendable {
    let port: UInt16
    private let udp: Int32
    private let tcp: Int32
    private let lock = NSLock()
    private var stopped = false

    init() throws {
        let udpSocket = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        let tcpSocket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(tcpSocket, $0, size) }
        }
        var length = size
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(tcpSocket, $0, &length) }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(udpSocket, $0, size) }
        }
        udp = udpSocket
        tcp = tcpSocket
        port = UInt16(bigEndian: address.sin_port)
        guard bound == 0, listen(tcpSocket, 8) == 0 else { throw CocoaError(.fileWriteUnknown) }
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func serve() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !isStopped {
            var entry = pollfd(fd: udp, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 50) > 0 else { continue }
            var peer = sockaddr_storage()
            var peerLength = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let count = withUnsafeMutablePointer(to: &peer) { peerPointer in
                peerPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                    buffer.withUnsafeMutableBytes {
                        recvfrom(udp, $0.baseAddress, $0.count, 0, sockaddrPointer, &peerLength)
                    }
                }
            }
            guard count >= 12 else { continue }
            buffer[2] |= 0x84  // QR AA
            _ = withUnsafePointer(to: &peer) { peerPointer in
                peerPointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                    buffer.withUnsafeBytes { sendto(udp, $0.baseAddress, count, 0, sockaddrPointer, peerLength) }
                }
            }
        }
        close(udp)
        close(tcp)
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }
}

@Suite("Probes against a server that stalls")
struct ProbeStallTests {
    @Test("a server that accepts TCP but never sends the transfer gives a warning within the time bound")
    func stalledTransferWarns() async throws {
        let server = try EchoAndStallServer()
        defer { server.stop() }
        let port = server.port
        let (report, elapsed) = try await offPool {
            let started = Date()
            let report = try ServerProbe(
                server: "127.0.0.1:\(port)",
                zone: "example.test",
                burst: 20,
                outsideName: "www.outside.test",
                limits: QueryLimits(timeout: 0.5, tries: 2)
            ).analyze()
            return (report, Date().timeIntervalSince(started))
        }
        #expect(
            report.warnings.contains(
                "127.0.0.1:\(server.port): the AXFR probe of example.test. timed out over TCP; no verdict"
            )
        )
        #expect(!report.findings.contains { $0.check.id == "dns.zone-transfer-open" })
        // The echo returns the query's own 8-octet client cookie: no server cookie.
        let cookie = try #require(report.findings.first { $0.check.id == "dns.cookies-missing" })
        #expect(cookie.evidence["reply"] == "the COOKIE option is 8 octets; a server cookie makes it 16 to 40")
        // Echoed queries have QR AA set and TC clear: every burst query answered in full.
        #expect(report.findings.contains { $0.check.id == "dns.rrl-missing" })
        #expect(elapsed < 8, "took \(elapsed) s")
    }
}
