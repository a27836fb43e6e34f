import Findings
import Foundation
import Testing

@testable import Topology

/// `topology.internet-exposed-port` is computed by the audit's own symbolic evaluation; these tests
/// hold it against the reachability engine's single-flow verdict (what `verify-flows` prints), on the
/// bundled samples and on random topologies. Two independent evaluations agreeing flow by flow is
/// the evidence that both follow Azure's order of evaluation.
@Suite("Internet exposure agrees with the engine's flow verdicts")
struct AuditEngineCrossCheckTests {
    static func names(_ decisions: [RuleDecision]) -> [String] {
        decisions.map { "\($0.securityGroupName)/\($0.rule)" }
    }

    static func names(_ evidence: JSONValue?) -> [String] {
        guard case .array(let items)? = evidence else { return [] }
        return items.compactMap { item in
            guard case .object(let o) = item, case .string(let nsg)? = o["nsg"], case .string(let rule)? = o["rule"]
            else { return nil }
            return "\(nsg)/\(rule)"
        }
    }

    static var samples: [String] {
        let folder = AuditSampleTests.root.appendingPathComponent("Topologies")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return files.filter { name in
            (name.hasSuffix(".json") || name.hasSuffix(".yaml")) && !name.contains(".justifications.")
                && !name.contains(".expected.")
        }.sorted()
    }

    @Test("every exposed port of every sample is allowed by verify-flows with the same deciding rules")
    func samplesAgree() throws {
        var checked = 0
        for name in Self.samples {
            let relative = "Topologies/\(name)"
            let data = try Data(contentsOf: AuditSampleTests.root.appendingPathComponent(relative))
            let topology = try TopologyLoader.load(documents: [(relative, data)])
            let report = NetworkAudit.audit(topology, options: AuditOptions(today: AuditSampleTests.today))
            let engine = ReachabilityEngine(network: topology.network)
            for finding in report.findings where finding.check == InternetExposedPort.check {
                // A template's public IP has no address until Azure allocates one: no flow can name it.
                if case .string(let named)? = finding.evidence["publicIP"], IPv4Address(named) == nil,
                    topology.network.publicIPs.contains(where: { $0.name == named && $0.address == nil })
                {
                    continue
                }
                guard case .string(let publicText)? = finding.evidence["publicIP"],
                    let publicIP = IPv4Address(publicText),
                    case .string(let protoText)? = finding.evidence["protocol"],
                    let proto = TransportProtocol(protoText), case .array(let ports)? = finding.evidence["ports"],
                    case .array(let sources)? = finding.evidence["sources"]
                else {
                    Issue.record("\(name): incomplete evidence in \(finding)")
                    continue
                }
                let witnesses: [IPv4Address] = [sources.first, sources.last].compactMap { value in
                    guard case .string(let text)? = value else { return nil }
                    return IPv4Prefix(text)?.network
                }
                #expect(!witnesses.isEmpty)
                for case .int(let port) in ports {
                    for source in witnesses {
                        let verdict = engine.verify(
                            Flow(source: source, destination: publicIP, protocol: proto, destinationPort: port))
                        #expect(
                            verdict.verdict == .allowed,
                            "\(name): \(source) → \(publicIP) \(proto)/\(port) is \(verdict.verdict) for the engine")
                        #expect(
                            Self.names(verdict.decidedBy) == Self.names(finding.evidence["decidedBy"]),
                            "\(name): \(source) → \(publicIP) \(proto)/\(port)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 20)
    }

    @Test("a sensitive port the engine lets in from a public address is reported for every sample")
    func nothingMissedOnSamples() throws {
        let probes = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "203.0.113.200"].compactMap { IPv4Address($0) }
        for name in Self.samples {
            let relative = "Topologies/\(name)"
            let data = try Data(contentsOf: AuditSampleTests.root.appendingPathComponent(relative))
            let topology = try TopologyLoader.load(documents: [(relative, data)])
            let context = AuditContext(network: topology.network, options: AuditOptions(today: AuditSampleTests.today))
            let exposures = InternetExposedPort.exposures(context)
            let engine = ReachabilityEngine(network: topology.network)
            for nic in topology.network.interfaces {
                for pipID in nic.publicIPIDs {
                    guard let publicIP = topology.network.publicIP(pipID)?.address else { continue }
                    for port in SensitivePorts.standard {
                        for source in probes {
                            let verdict = engine.verify(
                                Flow(
                                    source: source, destination: publicIP, protocol: port.transport,
                                    destinationPort: port.port))
                            let mine = exposures.first {
                                $0.nic.id == nic.id && $0.port == port && $0.sources.contains(UInt64(source.value))
                            }
                            #expect(
                                (verdict.verdict == .allowed) == (mine != nil),
                                "\(name): \(source) → \(nic.name) \(port.transport)/\(port.port): engine \(verdict.verdict)"
                            )
                        }
                    }
                }
            }
        }
    }

    static func randomRules(_ rng: inout SeededGenerator, publicIPs: [String]) -> [SecurityRule] {
        var priorities = Set<Int>()
        while priorities.count < Int.random(in: 1...6, using: &rng) {
            priorities.insert(Int.random(in: 100...400, using: &rng))
        }
        return priorities.sorted().map { priority in
            let prefixLength = Int.random(in: 1...24, using: &rng)
            let randomPrefix = "\(IPv4Address(UInt32.random(in: 0...UInt32.max, using: &rng)))/\(prefixLength)"
            let source = ["*", "Internet", "VirtualNetwork", randomPrefix, randomPrefix, "10.0.1.0/24", "0.0.0.0/0"]
                .randomElement(using: &rng)!
            let destination = (["*", "*", "10.0.1.4", "10.0.2.0/24", "VirtualNetwork", "10.0.0.0/16"] + publicIPs)
                .randomElement(using: &rng)!
            let ports = ["22", "3389", "1433", "20-25", "1000-4000", "*", "161", "445", "22,3389"].randomElement(
                using: &rng)!
            let proto: RuleProtocol = [.tcp, .udp, .any, .tcp].randomElement(using: &rng)!
            let access: Access = Bool.random(using: &rng) ? .allow : .deny
            return auditRule(
                "r\(priority)", priority, access, proto, from: source, to: destination, ports: ports, description: "d")
        }
    }

    @Test("on random topologies the audit's exposure and the engine agree flow by flow", arguments: 0..<8)
    func randomTopologiesAgree(_ batch: Int) throws {
        var rng = SeededGenerator(state: UInt64(batch) &* 1_000_003)
        for trial in 0..<25 {
            var t = HandBuiltTopology()
            t.vnet("vnet", "10.0.0.0/16")
            let useA = Bool.random(using: &rng)
            let useB = Bool.random(using: &rng)
            let useC = Bool.random(using: &rng)
            t.subnet("vnet", "s1", "10.0.1.0/24", nsg: useA ? "a" : nil)
            t.subnet("vnet", "s2", "10.0.2.0/24", nsg: useB ? "b" : nil)
            let publicIPs = ["20.0.0.1", "20.0.0.2"]
            if useA { t.nsg("a", Self.randomRules(&rng, publicIPs: publicIPs)) }
            if useB { t.nsg("b", Self.randomRules(&rng, publicIPs: publicIPs)) }
            if useC { t.nsg("c", Self.randomRules(&rng, publicIPs: publicIPs)) }
            t.nic("n1", ip: "10.0.1.4", subnet: "vnet/s1", publicIP: "20.0.0.1", nsg: useC ? "c" : nil)
            t.nic(
                "n2", ip: "10.0.2.4", subnet: "vnet/s2", publicIP: "20.0.0.2",
                nsg: Bool.random(using: &rng) && useC ? "c" : nil)
            let context = AuditContext(network: t.network, options: AuditOptions(today: AuditSampleTests.today))
            let exposures = InternetExposedPort.exposures(context)
            let engine = ReachabilityEngine(network: t.network)
            // Sources: random public addresses, plus the edges of every prefix the rules name.
            var sources: [UInt32] = []
            while sources.count < 12 {
                let s = UInt32.random(in: 0...UInt32.max, using: &rng)
                if context.publicInternet.contains(UInt64(s)) { sources.append(s) }
            }
            for group in t.network.securityGroups {
                for rule in group.rules {
                    for case .prefix(let p) in rule.sources {
                        for edge in [p.first, p.last, p.first &- 1, p.last &+ 1]
                        where context.publicInternet.contains(UInt64(edge)) {
                            sources.append(edge)
                        }
                    }
                }
            }
            let ports = SensitivePorts.standard.filter { [22, 23, 161, 445, 1433, 3389].contains($0.port) }
            for nic in t.network.interfaces {
                let publicIP = IPv4Address(nic.name == "n1" ? "20.0.0.1" : "20.0.0.2")!
                for port in ports {
                    for s in sources {
                        let source = IPv4Address(s)
                        let verdict = engine.verify(
                            Flow(
                                source: source, destination: publicIP, protocol: port.transport,
                                destinationPort: port.port))
                        let mine = exposures.first {
                            $0.nic.id == nic.id && $0.port == port && $0.sources.contains(UInt64(s))
                        }
                        let place =
                            "batch \(batch) trial \(trial): \(source) → \(nic.name) \(port.transport)/\(port.port)"
                        #expect((verdict.verdict == .allowed) == (mine != nil), "\(place): engine \(verdict.verdict)")
                        if let mine, verdict.verdict == .allowed {
                            #expect(
                                mine.decidedBy.map { "\($0.group.name)/\($0.rule.name)" }
                                    == Self.names(verdict.decidedBy),
                                "\(place)")
                        }
                    }
                }
            }
        }
    }
}
