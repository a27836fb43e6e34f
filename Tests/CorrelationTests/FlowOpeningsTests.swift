import Capture
import Foundation
import Testing

/// `CaptureFlowOpenings`, the capture side of correlation: which packets open a flow.
@Suite("Flow openings read from captures")
struct FlowOpeningsTests {
    static func read(_ writer: PcapWriter) throws -> CaptureFlowOpenings {
        let scratch = try Scratch()
        defer { scratch.remove() }
        return try CaptureFlowOpenings.read(file: try scratch.write("c.pcap", writer.data))
    }

    static func text(_ o: FlowOpening) -> String {
        "\(o.client):\(o.clientPort)>\(o.server):\(o.serverPort)/\(o.transport.rawValue)"
    }

    /// RFC 793's three-way handshake: only the SYN without ACK opens; a repeated SYN is the same flow.
    @Test("a SYN opens a TCP flow; SYN-ACK, a repeated SYN and mid-stream segments do not")
    func tcpOpenings() throws {
        var pcap = PcapWriter()
        pcap.tcp("10.0.0.1", 40000, "10.0.0.2", 22, flags: 0x02, at: 100)
        pcap.tcp("10.0.0.1", 40000, "10.0.0.2", 22, flags: 0x02, at: 101)
        pcap.tcp("10.0.0.2", 22, "10.0.0.1", 40000, flags: 0x12, at: 101.5)
        pcap.tcp("10.0.0.1", 40000, "10.0.0.2", 22, flags: 0x10, at: 102)
        // Mid-stream: an ACK of a connection opened before the capture.
        pcap.tcp("10.0.0.3", 443, "10.0.0.1", 40001, flags: 0x10, at: 103)
        let openings = try Self.read(pcap)
        #expect(openings.openings.map(Self.text) == ["10.0.0.1:40000>10.0.0.2:22/tcp"])
        #expect(openings.openings.first?.packets == 4)
        #expect(openings.conversationsWithoutOpening == 1)
        #expect(openings.spanSeconds == 3)
        #expect(openings.packetsByAddress.count == 3)
    }

    @Test("the first UDP datagram of a five-tuple opens it; the answer does not")
    func udpOpenings() throws {
        var pcap = PcapWriter()
        pcap.udp("10.0.0.1", 5353, "10.0.0.53", 53, at: 10)
        pcap.udp("10.0.0.53", 53, "10.0.0.1", 5353, at: 10.1)
        pcap.udp("10.0.0.1", 5353, "10.0.0.53", 53, at: 10.2)
        pcap.udp("10.0.0.1", 5354, "10.0.0.53", 53, at: 10.3)
        let openings = try Self.read(pcap)
        #expect(
            openings.openings.map(Self.text) == [
                "10.0.0.1:5353>10.0.0.53:53/udp", "10.0.0.1:5354>10.0.0.53:53/udp",
            ])
        #expect(openings.openings.map(\.packets) == [3, 1])
    }

    /// The openings tshark's decoding gives: TCP packets with SYN set and ACK clear, and the first
    /// packet of each UDP five-tuple in either direction, innermost headers (`-E occurrence=l`).
    static func tsharkOpenings(_ path: String) throws -> [String]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/tshark")
        process.arguments = [
            "-r", path, "-T", "fields", "-E", "occurrence=l", "-E", "separator=,", "-e", "ip.src", "-e", "ipv6.src",
            "-e", "ip.dst", "-e", "ipv6.dst", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "udp.srcport", "-e",
            "udp.dstport", "-e", "tcp.flags.syn", "-e", "tcp.flags.ack",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        var seen: Set<String> = []
        var result: [String] = []
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard f.count == 10 else { continue }
            let source = f[0].isEmpty ? f[1] : f[0]
            let destination = f[2].isEmpty ? f[3] : f[2]
            if !f[4].isEmpty {
                let syn = f[8] == "1" || f[8] == "True"
                let ack = f[9] == "1" || f[9] == "True"
                let key = "\(source):\(f[4])>\(destination):\(f[5])/tcp"
                if syn && !ack && seen.insert(key).inserted { result.append(key) }
            } else if !f[6].isEmpty {
                let key = "\(source):\(f[6])>\(destination):\(f[7])/udp"
                let reverse = "\(destination):\(f[7])>\(source):\(f[6])/udp"
                if !seen.contains(reverse) && seen.insert(key).inserted { result.append(key) }
            }
        }
        return result
    }

    /// Samples that cover the link layers, tunnels, fragments, UDP and pcapng (tshark takes about a
    /// second each to start, so not every sample).
    static let samples = [
        "correlation-every-check.pcap", "ip-fragments-telnet.pcap", "ipv6-fragments-telnet.pcap",
        "link-linux-cooked-sll2-telnet.pcap", "link-vlan-qinq-telnet.pcap", "tunnel-gre-ethernet-telnet.pcap",
        "tunnel-vxlan-telnet.pcap", "llmnr-query.pcap", "snmpv2c-set.pcap", "pcapng-format-telnet.pcapng",
    ]

    @Test(
        "capture samples give the openings tshark's decoding gives",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/tshark")), arguments: samples)
    func agreesWithTshark(_ sample: String) throws {
        let path = packageRoot + "/Captures/" + sample
        let expected = try #require(try Self.tsharkOpenings(path), "tshark could not read \(sample)")
        #expect(!expected.isEmpty)
        let got = try CaptureFlowOpenings.read(file: path).openings.map(Self.text)
        #expect(got.sorted() == expected.sorted(), "\(sample)")
    }

    /// tcpdump's test captures on which the two disagree by design: tshark's innermost UDP header is
    /// the outer one when the packet inside is not TCP or UDP (ICMP in VXLAN) or is one Exposure counts
    /// as damaged (BIG TCP's zero IPv4 length); tshark opens MPLS-in-UDP and VXLAN-GPE, which Exposure
    /// leaves closed; two are fuzzed packets that tshark decodes as far as it can.
    static let knownDifferences: Set<String> = [
        "bigtcp-ipv4-vxlan-ipv4.pcap", "bigtcp-ipv4-vxlan-ipv6.pcap", "vxlan.pcap", "mpls-over-udp.pcap",
        "nsh-over-vxlan-gpe.pcap", "quic_32_bit_pointer_overflow.pcap", "udp-length-heapoverflow.pcap",
    ]

    /// Public captures checked by hand: point `EXPOSURE_PUBLIC_PCAPS` at a folder of them (the
    /// tcpdump project's `tests/*.pcap`, for one). Files tshark cannot read are passed over.
    @Test(
        "a folder of public captures gives the openings tshark's decoding gives",
        .enabled(if: ProcessInfo.processInfo.environment["EXPOSURE_PUBLIC_PCAPS"] != nil))
    func publicCapturesAgree() throws {
        let folder = ProcessInfo.processInfo.environment["EXPOSURE_PUBLIC_PCAPS"]!
        var compared = 0
        var openings = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        where (name.hasSuffix(".pcap") || name.hasSuffix(".pcapng")) && !Self.knownDifferences.contains(name) {
            let path = folder + "/" + name
            guard let expected = try Self.tsharkOpenings(path),
                let read = try? CaptureFlowOpenings.read(file: path)
            else { continue }
            compared += 1
            openings += expected.count
            #expect(read.openings.map(Self.text).sorted() == expected.sorted(), "\(name)")
        }
        print("compared \(compared) public captures, \(openings) openings")
        #expect(compared > 0)
    }
}
