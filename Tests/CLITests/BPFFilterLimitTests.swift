import Foundation
import Testing

/// `--filter` is bounded before libpcap compiles it: its optimizer's cost grows as the cube of the
/// terms (measured with `tcpdump -d`: 100 `or port` terms 0.14 s of CPU, 200 terms 1.1 s, 300 terms
/// 3.6 s; issue 18 measured 1,000 terms at 60 s and 411 MiB). At the limits the filter is compiled
/// and used; just past them the command exits 2 naming `--filter`.
@Suite("Limits on the size of a BPF filter")
struct BPFFilterLimitTests {
    static func ports(_ count: Int) -> String {
        (1...count).map { "port \(60_000 + $0)" }.joined(separator: " or ")
    }

    @Test("a filter of 200 terms, the limit, is compiled and filters the capture")
    func atTermLimit() throws {
        // 199 ports the sample does not use, then its 2323: the telnet finding remains (exit 1).
        let run = try ExposureBinary.run([
            "capture", "audit", "Captures/telnet-on-port-2323.pcap", "--filter", Self.ports(199) + " or port 2323",
        ])
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("telnet"))
        // Without the 2323 term nothing is left, which says the filter was applied.
        let none = try ExposureBinary.run([
            "capture", "audit", "Captures/telnet-on-port-2323.pcap", "--filter", Self.ports(200),
        ])
        #expect(none.stderr.contains("the capture holds no decodable packet"))
    }

    @Test("a filter of 201 terms, mixing or and ||, exits 2 naming --filter and the count")
    func pastTermLimit() throws {
        let filter = Self.ports(200) + " || port 2323"
        let run = try ExposureBinary.run(["capture", "audit", "Captures/telnet-on-port-2323.pcap", "--filter", filter])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--filter: the BPF expression has 201 terms; at most 200 are accepted"))
    }

    @Test("a filter of 8,192 bytes is accepted and one of 8,193 bytes exits 2 naming --filter")
    func lengthLimit() throws {
        // `port 2323` padded with blanks, which libpcap skips: one term, any length.
        let atLimit = "port 2323" + String(repeating: " ", count: 8192 - 9)
        let run = try ExposureBinary.run([
            "capture", "audit", "Captures/telnet-on-port-2323.pcap", "--filter", atLimit,
        ])
        #expect(run.status == 1, "the telnet finding remains: \(run.stderr)")
        let past = try ExposureBinary.run([
            "capture", "audit", "Captures/telnet-on-port-2323.pcap", "--filter", atLimit + " ",
        ])
        #expect(past.status == 2)
        #expect(past.stderr.contains("--filter: the BPF expression is 8193 bytes long; at most 8192 are accepted"))
    }
}
