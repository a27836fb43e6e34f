import Foundation
import SeededRandom
import Testing

@testable import Topology

#if canImport(Glibc)
    import Glibc
#endif

/// IPv6 beside IPv4 in the engine. Address text is held to the C library's `inet_pton` and
/// `inet_ntop` (an independent implementation: glibc's `inet_ntop` writes RFC 5952 text, with the
/// first longest run of two or more zero groups as `::`); the semantics to Azure's documentation:
/// an IPv4 prefix matches IPv4 traffic only and an IPv6 prefix IPv6 only, `*` both, and a flow
/// never changes family (Azure's data path has no NAT64).
@Suite("IPv6 and dual stack")
struct DualStackTests {
    /// The 16 bytes `inet_pton` reads from IPv6 text, nil when it refuses the text.
    static func libcIPv6(_ text: String) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, text, &bytes) == 1 else { return nil }
        return bytes
    }

    static func libcText(_ bytes: [UInt8]) -> String {
        var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(AF_INET6, bytes, &out, socklen_t(out.count))
        let text = out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: text, as: UTF8.self)
    }

    static func bytes(_ value: UInt128) -> [UInt8] {
        (0..<16).map { UInt8(truncatingIfNeeded: value >> UInt128(120 - 8 * $0)) }
    }

    @Test("RFC 5952's own examples print as the RFC says, and every form parses to the same address")
    func rfc5952Examples() {
        // RFC 5952 §4.1 (no leading zeros), §4.2.1 (`::` as far as it goes), §4.2.2 (not for one
        // group), §4.2.3 (the first of equal runs), §4.3 (lower case).
        let cases = [
            ("2001:0db8::0001", "2001:db8::1"),
            ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
            ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
            ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
            ("2001:DB8::ABCD", "2001:db8::abcd"),
            ("0:0:0:0:0:0:0:0", "::"),
            ("::1", "::1"),
            ("fe80::", "fe80::"),
            ("2001:db8::ffff:0:1", "2001:db8::ffff:0:1"),
            ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ]
        for (text, expected) in cases {
            #expect(NetworkAddress(text)?.description == expected, "\(text)")
            #expect(Self.libcIPv6(text).map(Self.libcText) == expected, "glibc agrees on \(text)")
        }
        // An IPv4-mapped address is the IPv4 address: the engine keeps IPv4 there.
        #expect(NetworkAddress("::ffff:10.0.0.1") == NetworkAddress("10.0.0.1"))
        #expect(NetworkAddress("::FFFF:0a00:0001")?.description == "10.0.0.1")
    }

    @Test("IPv4 addresses print as glibc's inet_ntop prints them, and parse back")
    func ipv4TextAgreesWithGlibc() {
        var rng = SeededGenerator(state: 4242)
        let edges: [UInt32] = [0, 1, 9, 10, 99, 100, 255, 0x0A00_0001, 0xC0A8_0001, 0xFFFF_FFFF, 0x6464_6464]
        for v in edges + (0..<8_000).map({ _ in UInt32(truncatingIfNeeded: rng.next()) }) {
            var raw = v.bigEndian
            var out = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            _ = inet_ntop(AF_INET, &raw, &out, socklen_t(out.count))
            let expected = String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let address = NetworkAddress(ipv4: v)
            #expect(address.description == expected)
            #expect(NetworkAddress(expected) == address)
        }
    }

    @Test(
        "Text that is not an address is refused, a zone id with its own reason",
        arguments: [
            "2001:db8::1::2", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:", "1:2:3:4:5:6:7:8:9", "12345::", "g::1",
            "1:2:3:4:5:6:7:8::", "::1.2.3", "1.2.3.4::", "::1.2.3.256", "fe80::1%eth0", "::/", "",
        ])
    func refused(_ text: String) {
        #expect(NetworkAddress(text) == nil)
        #expect(Self.libcIPv6(text) == nil || text.contains("%"), "glibc refuses \(text) too")
        if text.contains("%") {
            #expect(NetworkAddress.refusal(text).contains("zone ids"))
        }
    }

    @Test("Random addresses (with runs of zero groups) print as glibc prints them and parse back", arguments: 0..<4)
    func randomRoundTrip(seed: UInt64) {
        var rng = SeededGenerator(state: 0x1D6 &+ seed)
        for _ in 0..<2000 {
            var groups = (0..<8).map { _ in UInt16.random(in: 0...UInt16.max, using: &rng) }
            for i in groups.indices where Int.random(in: 0..<3, using: &rng) == 0 { groups[i] = 0 }
            if Bool.random(using: &rng) { groups[0] = 0x2001 }
            let value = groups.reduce(UInt128(0)) { $0 << 16 | UInt128($1) }
            let address = NetworkAddress(value)
            let expected = Self.libcText(Self.bytes(value))
            if address.isIPv4 {
                // glibc writes ::ffff:a.b.c.d; the engine writes the IPv4 address it stands for.
                #expect(expected == "::ffff:" + address.description)
                continue
            }
            #expect(NetworkAddress(expected) == address)
            // glibc also writes the deprecated IPv4-compatible ::a.b.c.d in dotted form, where
            // RFC 5952 §5 keeps that for prefixes known to embed IPv4: compare the rest.
            if value >> 32 == 0 && (value >> 16) & 0xFFFF != 0 { continue }
            #expect(address.description == expected)
            #expect(Self.libcIPv6(address.description) == Self.bytes(value))
        }
    }

    @Test("Prefixes keep to their family: ::/0 holds no IPv4 address, 0.0.0.0/0 no IPv6 one")
    func prefixFamilies() throws {
        let any6 = try #require(NetworkPrefix("::/0"))
        let any4 = try #require(NetworkPrefix("0.0.0.0/0"))
        #expect(!any6.contains(NetworkAddress("10.0.0.1")!))
        #expect(any6.contains(NetworkAddress("2001:db8::1")!))
        #expect(!any4.contains(NetworkAddress("2001:db8::1")!))
        let set6 = IntervalSet(prefixes: [any6])
        #expect(!set6.contains(NetworkAddress("10.0.0.1")!.value))
        #expect(set6.ipv4Count == 0)
        #expect(IntervalSet(prefixes: [any4]).ipv4Count == 1 << 32)
        // Host bits are cleared; lengths beyond the family's are refused.
        #expect(NetworkPrefix("2001:db8::1/32")?.description == "2001:db8::/32")
        #expect(NetworkPrefix("2001:db8::/129") == nil)
        #expect(NetworkPrefix("10.0.0.0/33") == nil)
        // Covering a range across ::ffff:0:0/96's edge gives each family's own prefixes.
        let v4 = NetworkAddress.ipv4Range
        #expect(
            NetworkPrefix.covering(v4.lowerBound - 2, v4.lowerBound + 1).map(\.description) == [
                "::fffe:ffff:fffe/127", "0.0.0.0/31",
            ])
        // ::/0 less the IPv4 space, written back as prefixes, is IPv6 prefixes only and the same set.
        let blocks = set6.intervals.flatMap { NetworkPrefix.covering($0.lower, $0.upper) }
        #expect(blocks.allSatisfy { !$0.isIPv4 })
        #expect(IntervalSet(prefixes: blocks) == set6)
        #expect(blocks.first?.description == "::/81")
    }

    /// DESIGN.md examples V6-A and V6-B, worked by hand from Azure's rule semantics.
    static func exampleTopology(withB: Bool) -> HandBuiltTopology {
        var t = HandBuiltTopology()
        t.network.virtualNetworks.append(
            VirtualNetwork(
                id: HandBuiltTopology.id("vnet", "vnet"), name: "vnet",
                addressSpace: [NetworkPrefix("10.0.0.0/16")!, NetworkPrefix("fd00:db8::/48")!]))
        var rules = [
            auditRule("ssh6", 100, from: "::/0", ports: "22"),
            auditRule("no-rdp4", 110, .deny, from: "0.0.0.0/0", ports: "3389"),
            auditRule("rdp", 120, from: "*", ports: "3389"),
        ]
        if withB {
            rules += [
                auditRule("no-8080", 130, .deny, from: "Internet", ports: "8080"),
                auditRule("vnet-8080", 140, from: "VirtualNetwork", ports: "8080"),
            ]
        }
        t.nsg("subnet-nsg", rules)
        t.subnet("vnet", "web", "10.0.1.0/24", nsg: "subnet-nsg")
        t.network.subnets[0].prefixes.append(NetworkPrefix("fd00:db8:0:1::/64")!)
        func dual(_ name: String, _ v4: String, _ v6: String, public4: String?, public6: String?) {
            t.nic(name, ip: v4, subnet: "vnet/web", publicIP: public4)
            var config = IPConfiguration(
                name: "ipconfig-v6", privateAddress: NetworkAddress(v6),
                subnet: HandBuiltTopology.id("subnet", "vnet/web"),
                publicIP: nil, applicationSecurityGroups: [])
            config.isIPv6 = true
            if let public6 {
                let id = HandBuiltTopology.id("pip", "\(name)-pip6")
                t.network.publicIPs.append(
                    PublicIPAddress(id: id, name: "\(name)-pip6", address: NetworkAddress(public6)))
                config.publicIP = id
            }
            t.network.interfaces[t.network.interfaces.count - 1].ipConfigurations.append(config)
        }
        dual("web", "10.0.1.4", "fd00:db8:0:1::4", public4: "20.50.1.20", public6: "2001:db8:ff::20")
        if withB { dual("db", "10.0.1.5", "fd00:db8:0:1::5", public4: nil, public6: nil) }
        return t
    }

    @Test("V6-A: an IPv6 prefix matches IPv6 only, an IPv4 prefix IPv4 only, * both")
    func exampleA() {
        let engine = ReachabilityEngine(network: Self.exampleTopology(withB: false).network)
        let cases: [(String, String, Int, Verdict, [String])] = [
            ("198.51.100.7", "20.50.1.20", 22, .denied, ["subnet-nsg/DenyAllInBound"]),
            ("2001:db8:99::7", "2001:db8:ff::20", 22, .allowed, ["subnet-nsg/ssh6"]),
            ("198.51.100.7", "20.50.1.20", 3389, .denied, ["subnet-nsg/no-rdp4"]),
            ("2001:db8:99::7", "2001:db8:ff::20", 3389, .allowed, ["subnet-nsg/rdp"]),
        ]
        for (s, d, port, verdict, rules) in cases {
            let v = engine.verify(flow(s, d, .tcp, port))
            #expect(v.verdict == verdict, "\(s) -> \(d):\(port)")
            #expect(v.ruleNames == rules, "\(s) -> \(d):\(port)")
        }
    }

    @Test("V6-B: VirtualNetwork holds the IPv6 space, and flows keep their family")
    func exampleB() throws {
        let t = Self.exampleTopology(withB: true)
        let engine = ReachabilityEngine(network: t.network)
        let inside = engine.verify(flow("fd00:db8:0:1::5", "fd00:db8:0:1::4", .tcp, 8080))
        #expect(inside.verdict == .allowed)
        #expect(inside.ruleNames == ["subnet-nsg/AllowVnetOutBound", "subnet-nsg/vnet-8080"])
        let outside = engine.verify(flow("2001:db8:99::7", "2001:db8:ff::20", .tcp, 8080))
        #expect(outside.verdict == .denied)
        #expect(outside.ruleNames == ["subnet-nsg/no-8080"])
        let paths = try engine.paths(from: .resource("db"), to: .resource("web"))
        #expect(paths.paths.first?.hops.count == 1)
        for hop in paths.paths.flatMap(\.hops) {
            #expect(hop.fromAddress.map { $0.isIPv4 == hop.toAddress.isIPv4 } ?? true)
        }
        // What reaches web's IPv6 address from the internet on 22 comes from IPv6 addresses only.
        let web = HandBuiltTopology.id("nic", "web")
        let ssh = engine.internetExposure(of: web).filter { $0.flows.destinationPorts.contains(UInt32(22)) }
        #expect(!ssh.isEmpty)
        for piece in ssh {
            #expect(IntervalSet.ipv6Addresses.isSuperset(of: piece.flows.sources))
            #expect(piece.flows.destinations == IntervalSet(prefixes: [NetworkPrefix("fd00:db8:0:1::4/128")!]))
        }
        // In the audit: SSH exposed over IPv6, from every IPv6 internet address.
        let report = t.audit()
        let exposed = report.findings.filter { $0.check.id == "topology.internet-exposed-port" }
        #expect(exposed.map { $0.evidence["privateIP"] }.contains(.string("fd00:db8:0:1::4")))
    }
}
