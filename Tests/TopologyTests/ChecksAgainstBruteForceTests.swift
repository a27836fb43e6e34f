import Findings
import Foundation
import SeededRandom
import Testing

@testable import Topology

/// The audit's checks ask the one reachability engine; these tests hold what they report to the
/// brute-force evaluator (`BruteForceEvaluator`, written from Azure's documentation without the
/// engine's boxes, classes or caches), flow by flow, on the bundled samples and on random
/// topologies.
@Suite("Audit checks against the brute-force evaluator")
struct ChecksAgainstBruteForceTests {
    static func names(_ evidence: JSONValue?) -> [String] {
        guard case .array(let items)? = evidence else { return [] }
        return items.compactMap { item in
            guard case .object(let o) = item else { return nil }
            // NSG rules name their NSG; routes their route table; firewall rules their firewall.
            let owner = o["nsg"] ?? o["routeTable"] ?? o["firewall"]
            guard case .string(let name)? = owner, case .string(let rule)? = o["rule"] ?? o["route"] else { return nil }
            return "\(name)/\(rule)"
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

    static func load(_ name: String) throws -> LoadedTopology {
        let relative = "Topologies/\(name)"
        let data = try Data(contentsOf: AuditSampleTests.root.appendingPathComponent(relative))
        return try TopologyLoader.load(documents: [(relative, data)])
    }

    @Test("every exposed port of every sample is allowed by brute force with the same deciding rules")
    func sampleExposuresAreAllowed() throws {
        var checked = 0
        for name in Self.samples {
            let topology = try Self.load(name)
            let report = TopologyAnalyzer.analyze(topology, options: AuditOptions(today: AuditSampleTests.today))
            let brute = BruteForceEvaluator(network: topology.network)
            for finding in report.findings where finding.check == InternetExposedPort.check {
                // A public IP an ARM template declares has no address until Azure allocates it at
                // deployment; the evidence names it, and there is no address to send a flow to.
                if case .string(let publicText)? = finding.evidence["publicIP"], IPv4Address(publicText) == nil,
                    topology.network.publicIPs.contains(where: { $0.name == publicText && $0.address == nil })
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
                        // Through a firewall's DNAT rule the flow goes to the firewall's port.
                        var listen = port
                        if case .int(let p)? = finding.evidence["publicPort"] { listen = p }
                        let (verdict, rules) = brute.verifyRouted(
                            Flow(source: source, destination: publicIP, protocol: proto, destinationPort: listen))
                        #expect(verdict == .allowed, "\(name): \(source) → \(publicIP) \(proto)/\(port) is \(verdict)")
                        #expect(rules == Self.names(finding.evidence["decidedBy"]), "\(name): \(source) → \(port)")
                        checked += 1
                    }
                }
            }
        }
        #expect(checked > 20)
    }

    @Test("a sensitive port brute force lets in from a public address is an exposure on every sample")
    func nothingMissedOnSamples() throws {
        let probes = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "203.0.113.200"].compactMap { IPv4Address($0) }
        for name in Self.samples {
            let topology = try Self.load(name)
            let context = AuditContext(network: topology.network, options: AuditOptions(today: AuditSampleTests.today))
            let exposures = InternetExposedPort.exposures(context)
            let brute = BruteForceEvaluator(network: topology.network)
            for nic in topology.network.interfaces {
                for pipID in nic.publicIPIDs {
                    guard let publicIP = topology.network.publicIP(pipID)?.address else { continue }
                    for port in SensitivePorts.standard {
                        for source in probes {
                            let (verdict, _) = brute.verify(
                                Flow(
                                    source: source, destination: publicIP, protocol: port.transport,
                                    destinationPort: port.port))
                            let mine = exposures.first {
                                $0.nic.id == nic.id && $0.port == port && $0.sources.contains(source.value)
                            }
                            #expect(
                                (verdict == .allowed) == (mine != nil),
                                "\(name): \(source) → \(nic.name) \(port.transport)/\(port.port): brute force \(verdict)"
                            )
                        }
                    }
                }
            }
        }
    }

    @Test(
        "on random topologies exposure and brute force agree flow by flow, deciding rules included", arguments: 0..<30)
    func randomExposureAgrees(seed: Int) throws {
        let (network, externals) = RandomTopology.make(seed: UInt64(seed) &+ 5000)
        let context = AuditContext(network: network, options: AuditOptions(today: AuditSampleTests.today))
        let exposures = InternetExposedPort.exposures(context)
        let brute = BruteForceEvaluator(network: network)
        let sources =
            externals.filter { context.publicInternet.contains($0.value) } + [
                IPv4Address("20.0.0.77")!, IPv4Address("11.0.0.1")!, IPv4Address("198.51.101.1")!,
            ]
        let ports = SensitivePorts.standard.filter { [22, 23, 161, 445, 1433, 3389].contains($0.port) }
        // Every public address of the topology, on the sensitive port itself and on the frontend
        // ports the generator's load balancer translates (80 → 22, 2001 → 3389, `All` untranslated).
        let frontends = network.publicIPs.compactMap(\.address)
        for nic in network.interfaces {
            guard let address = nic.privateAddresses.first else { continue }
            for port in ports {
                for source in sources {
                    var chains: Set<[String]> = []
                    for frontend in frontends {
                        for frontendPort in Set([port.port, 80, 2001]) {
                            let flow = Flow(
                                source: source, destination: frontend, protocol: port.transport,
                                destinationPort: frontendPort)
                            for door in brute.doors(flow) ?? [] where door.backend == address && door.port == port.port
                            {
                                let (verdict, rules) = brute.verify(flow, through: door)
                                if verdict == .allowed { chains.insert(rules) }
                            }
                        }
                    }
                    let mine = exposures.filter {
                        $0.nic.id == nic.id && $0.port == port && $0.sources.contains(source.value)
                    }
                    let place = "seed \(seed): \(source) → \(nic.name) \(port.transport)/\(port.port)"
                    #expect(!chains.isEmpty == !mine.isEmpty, "\(place): brute force \(chains)")
                    for exposure in mine where !chains.isEmpty {
                        #expect(
                            chains.contains(exposure.decidedBy.map { "\($0.group.name)/\($0.rule.name)" }), "\(place)")
                    }
                }
            }
        }
    }

    /// A concrete flow inside a box, avoiding the token addresses of unknown service tags (no real
    /// flow has them); nil when the box holds only such addresses or only protocols no flow has.
    static func witness(_ box: FlowBox) -> Flow? {
        let real = IntervalSet(0, CompiledNetwork.firstTagToken - 1)
        guard let proto = box.protocols.members.first, let source = box.sources.intersection(real).first,
            let destination = box.destinations.intersection(real).first
        else { return nil }
        return Flow(
            source: IPv4Address(source), destination: IPv4Address(destination), protocol: proto,
            sourcePort: proto.hasPorts ? Int(box.sourcePorts.first ?? 0) : Flow.defaultSourcePort,
            destinationPort: proto.hasPorts ? Int(box.destinationPorts.first ?? 0) : 0)
    }

    @Test(
        "on random topologies each rule decides exactly the flows the audit says it decides, so shadowed rules decide none",
        arguments: 0..<40)
    func decidedRegionsAgree(seed: Int) throws {
        let (network, externals) = RandomTopology.make(seed: UInt64(seed) &+ 9000)
        let report = TopologyAnalyzer.analyze(
            LoadedTopology(network: network, warnings: []), options: AuditOptions(today: AuditSampleTests.today))
        let context = AuditContext(network: network, options: AuditOptions(today: AuditSampleTests.today))
        let brute = BruteForceEvaluator(network: network)
        let shadowed = Set(report.subjects(ShadowedRule.check))
        var rng = SeededGenerator(state: UInt64(seed) &* 31)
        let anywhere = network.interfaces.flatMap(\.privateAddresses) + externals
        for group in network.securityGroups {
            for view in context.ruleViews[group.id] ?? [] where !view.rule.isDefault && !view.approximate {
                let vnet = view.virtualNetwork.flatMap { network.virtualNetwork($0) }
                let place = "seed \(seed) \(group.name)/\(view.rule.name) in \(vnet?.name ?? "no VNet")"
                // Every flow drawn from what the audit says the rule decides is decided by it.
                for box in view.decided.boxes.prefix(4) {
                    guard let flow = Self.witness(box) else { continue }
                    let decider = brute.decide(
                        group, view.rule.direction, flow, context: vnet,
                        routes: view.routeTable.flatMap { network.routeTable($0) })
                    #expect(
                        decider.name == view.rule.name && decider.priority == view.rule.priority, "\(place) \(flow)")
                }
                if shadowed.contains(view.displayName) { #expect(view.decided.isEmpty, "\(place)") }
            }
            // Every random flow the NSG can see lies in the decided region of the rule brute force
            // names, so a rule reported shadowed is never the one that decides.
            for vnetID in context.attachmentNetworks(of: group.id) {
                guard let vnet = network.virtualNetwork(vnetID) else { continue }
                let protected = context.protectedAddresses(of: group.id, in: vnetID)
                let local = network.interfaces.flatMap(\.privateAddresses).filter { protected.contains($0.value) }
                guard !local.isEmpty else { continue }
                for direction in Direction.allCases {
                    let views = (context.ruleViews[group.id] ?? []).filter {
                        $0.virtualNetwork == vnetID && $0.routeTable == nil && $0.rule.direction == direction
                    }
                    for _ in 0..<60 {
                        let here = local[Int.random(in: 0..<local.count, using: &rng)]
                        let there = anywhere[Int.random(in: 0..<anywhere.count, using: &rng)]
                        let proto: TransportProtocol = [.tcp, .udp, .icmp][Int.random(in: 0..<3, using: &rng)]
                        let port = RandomTopology.candidatePorts[
                            Int.random(in: 0..<RandomTopology.candidatePorts.count, using: &rng)]
                        let flow = Flow(
                            source: direction == .inbound ? there : here,
                            destination: direction == .inbound ? here : there,
                            protocol: proto, sourcePort: Bool.random(using: &rng) ? 80 : 50000,
                            destinationPort: proto.hasPorts ? port : 0)
                        let decider = brute.decide(group, direction, flow, context: vnet)
                        guard !decider.isDefault else { continue }
                        let view = views.first { $0.rule.name == decider.name && $0.rule.priority == decider.priority }
                        #expect(
                            view?.decided.boxes.contains { $0.contains(flow) } == true,
                            "seed \(seed) \(group.name)/\(decider.name) \(direction) \(flow)")
                        #expect(!shadowed.contains("\(group.name)/\(decider.name)"), "seed \(seed) \(flow)")
                    }
                }
            }
        }
    }
}
