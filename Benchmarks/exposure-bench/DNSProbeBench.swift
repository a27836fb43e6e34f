import DNS
import Foundation

/// The dns-probe benchmark: what the probes spend on libldns, which is all the CPU they use (the rest
/// is waiting on the network and on the burst's pacing). Builds queries carrying a cookie and decodes
/// zone-transfer-sized replies, and prints throughput and peak memory.
///
/// `exposure-bench dns-probe [--queries N] [--replies N] [--records N]`
enum DNSProbeBench {
    static func run(_ args: [String]) throws {
        var queries = 200_000
        var replies = 2_000
        var records = 500
        var index = 0
        while index < args.count {
            let value = index + 1 < args.count ? Int(args[index + 1]) : nil
            switch (args[index], value) {
            case ("--queries", let n?): queries = n
            case ("--replies", let n?): replies = n
            case ("--records", let n?): records = min(n, 4000)
            default: throw UsageError(text: "unknown or incomplete option \(args[index])")
            }
            index += 2
        }

        let cookie = EDNSOption(code: EDNSOptionCode.cookie, data: [1, 2, 3, 4, 5, 6, 7, 8])
        var octets = 0
        let buildStart = cpuSeconds()
        for n in 0..<queries {
            let query = PacketQuery(
                name: "www.example.test.",
                type: QueryType.a,
                id: UInt16(truncatingIfNeeded: n),
                recursionDesired: true,
                dnssecOK: true,
                options: [cookie]
            )
            octets += query.wireFormat()?.count ?? 0
        }
        let buildSeconds = max(cpuSeconds() - buildStart, 1e-9)

        let message = replyWithRecords(records)
        var decodedRecords = 0
        let decodeStart = cpuSeconds()
        for _ in 0..<replies {
            decodedRecords += PacketReply(wire: message)?.answers.count ?? 0
        }
        let decodeSeconds = max(cpuSeconds() - decodeStart, 1e-9)

        print("dns-probe: built \(queries) queries with a cookie (\(octets) octets) in \(format(buildSeconds)) s CPU")
        print("  \(Int(Double(queries) / buildSeconds)) queries/s")
        print(
            "dns-probe: decoded \(replies) replies of \(records) records (\(message.count) octets each) in \(format(decodeSeconds)) s CPU"
        )
        print(
            "  \(Int(Double(decodedRecords) / decodeSeconds)) records/s, \(Int(Double(replies) / decodeSeconds)) replies/s"
        )
        print("peak memory: \(format(peakMemoryMiB())) MiB")
    }

    /// A response for example.test. A with `count` A records, names compressed to the question:
    /// the shape of one zone-transfer message.
    static func replyWithRecords(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = [0x12, 0x34, 0x84, 0x00, 0x00, 0x01, UInt8(count >> 8), UInt8(count & 0xFF), 0, 0, 0, 0]
        bytes += [7] + Array("example".utf8) + [4] + Array("test".utf8) + [0, 0x00, 0x01, 0x00, 0x01]
        for n in 0..<count {
            bytes += [0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x04]
            bytes += [10, 0, UInt8(n >> 8), UInt8(n & 0xFF)]
        }
        return bytes
    }

    static func format(_ value: Double) -> String { String(format: "%.3f", value) }

    struct UsageError: Error, CustomStringConvertible {
        var text: String
        var description: String { "\(text); usage: exposure-bench dns-probe [--queries N] [--replies N] [--records N]" }
    }
}
