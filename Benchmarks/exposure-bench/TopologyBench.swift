import Findings
import Foundation
import SeededRandom
import Topology

/// The topology benchmark: `swift run -c release exposure-bench topology [--scale N] [--flows N]
/// [--firewalls N] [--internal-load-balancers N] [--combined] [--write DIR]`.
///
/// Generates, in process, an Azure resource export of hub-and-spoke VNets — at scale 1: 20 VNets,
/// 1,000 subnets, 500 NSGs with 25,000 rules, 20,000 NICs — loads it through the real importer,
/// then times all-pairs reachability between behaviour classes, internet exposure, paths from the
/// internet to crown jewels, the full audit, and `verify-flows` on random flows. Prints CPU seconds and
/// peak memory. `--firewalls N` adds N Azure Firewalls to the hub and a route table to every spoke
/// subnet sending 0.0.0.0/0 and 10.0.0.0/8 through one of them (issue 13's goal is measured with
/// `--firewalls 20`). `--internal-load-balancers N` gives N VNets an internal Standard load
/// balancer (TCP 1433 to four NICs, and an HA-ports rule on a second frontend), so flows and paths
/// through private frontends are measured; `--combined` is issue 13's estate in one:
/// `--firewalls 20 --internal-load-balancers 20` beside the 200 public load balancers. `--write DIR` also writes the export (`DIR/export.json`) and the flows
/// (`DIR/flows.csv`), so the CLI can be timed on them; `--write-only DIR` writes the export and
/// measures nothing.
enum TopologyBench {
    static func run(_ args: [String]) throws {
        var scale = 1
        var flowCount = 1_000_000
        var writeDirectory: String?
        var writeOnly = false
        var firewalls = 0
        var internalLoadBalancers = 0
        var goalsOnly = false
        var i = 0
        while i < args.count {
            switch args[i] {
            case "--scale":
                scale = Int(args[i + 1]) ?? 1
                i += 2
            case "--flows":
                flowCount = Int(args[i + 1]) ?? flowCount
                i += 2
            case "--firewalls" where i + 1 < args.count:
                firewalls = Int(args[i + 1]) ?? 0
                i += 2
            case "--internal-load-balancers" where i + 1 < args.count:
                internalLoadBalancers = Int(args[i + 1]) ?? 0
                i += 2
            case "--goals-only":
                // Only what the goals name: audit + paths as the CLI runs them, and verify-flows.
                goalsOnly = true
                i += 1
            case "--combined":
                firewalls = 20
                internalLoadBalancers = 20
                i += 1
            case "--write" where i + 1 < args.count:
                writeDirectory = args[i + 1]
                i += 2
            case "--write-only" where i + 1 < args.count:
                writeDirectory = args[i + 1]
                writeOnly = true
                i += 2
            default:
                throw BenchmarkUsage(
                    message:
                        "usage: exposure-bench topology [--scale N] [--flows N] [--firewalls N] [--internal-load-balancers N] [--combined] [--goals-only] [--write DIR | --write-only DIR]"
                )
            }
        }
        var generator = ExportGenerator(spokes: 20 * scale - 1)
        generator.firewalls = firewalls
        generator.internalLoadBalancers = internalLoadBalancers
        let data = generator.export()
        print(
            "generated: \(generator.vnetCount) VNets, \(generator.subnetCount) subnets, \(generator.nsgCount) NSGs, "
                + "\(generator.ruleCount) rules, \(generator.nicCount) NICs, \(generator.loadBalancerCount) load balancers, "
                + "\(generator.internalLoadBalancerCount) internal load balancers, "
                + "\(generator.firewalls) firewalls, \(generator.routedSubnets) subnets with a route table, "
                + "\(data.count / 1_048_576) MiB of JSON")

        if writeOnly, let writeDirectory {
            try FileManager.default.createDirectory(atPath: writeDirectory, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: writeDirectory + "/export.json"))
            print("wrote \(writeDirectory)/export.json")
            return
        }
        let start = cpuSeconds()
        var mark = start
        func lap(_ label: String) {
            let now = cpuSeconds()
            print(
                "  " + label.padding(toLength: 40, withPad: " ", startingAt: 0)
                    + String(format: "%7.2f s CPU", now - mark))
            mark = now
        }
        let loaded = try TopologyLoader.load(documents: [("generated.json", data)])
        lap("load (JSON parse + model)")
        let engine = ReachabilityEngine(network: loaded.network)
        lap("engine (compile, behaviour classes)")
        let loadAndEngineSeconds = cpuSeconds() - start
        if !goalsOnly {
            let pairs = engine.reachableClassPairs()
            lap("all-pairs class reachability")
            let exposed = engine.internetExposedClassCount()
            lap("internet exposure")
            let paths = try engine.paths(from: .internet, to: .crownJewels)
            lap("paths internet -> tier=crown-jewel")
            let total = cpuSeconds() - start
            print(
                "  classes: \(engine.behaviourClassCount), reachable class pairs: \(pairs), exposed classes: \(exposed), "
                    + "paths: \(paths.paths.count), unreachable targets: \(paths.unreachable.count)")
            if let longest = paths.paths.max(by: { $0.hops.count < $1.hops.count }) {
                print("  longest path: \(longest.hops.count) hops to \(longest.target)")
            }
            print(String(format: "analysis total: %.2f s CPU (goal < 10 s at scale 1)", total))

            // The audit (`exposure topology audit`) on the same export, reusing the engine built above. What
            // the audit command costs is load + engine + audit; all-pairs reachability is not part of it.
            let auditStart = cpuSeconds()
            let audit = TopologyAnalyzer.analyze(loaded, engine: engine)
            let auditSeconds = cpuSeconds() - auditStart
            print(
                String(
                    format: "audit (every topology check): %.2f s CPU, %d findings; as `topology audit` runs it "
                        + "(load + engine + audit): %.2f s CPU (goal < 10 s at scale 1)",
                    auditSeconds, audit.findings.count, loadAndEngineSeconds + auditSeconds))
        }

        // What `exposure topology audit` and `exposure topology paths --from internet --to
        // tag:tier=crown-jewel` each do, from the JSON text to the answer, with an engine of their
        // own (the goal is both together within 5 s; rendering is not included).
        let cliAuditStart = cpuSeconds()
        let cliAudit = TopologyAnalyzer.analyze(try TopologyLoader.load(documents: [("generated.json", data)]))
        let cliAuditSeconds = cpuSeconds() - cliAuditStart
        let cliPathsStart = cpuSeconds()
        let cliPaths = try ReachabilityEngine(
            network: try TopologyLoader.load(documents: [("generated.json", data)]).network
        ).paths(from: .internet, to: .crownJewels)
        let cliPathsSeconds = cpuSeconds() - cliPathsStart
        print(
            String(
                format: "as the CLI runs them, each from the JSON: audit %.2f s CPU (%d findings) + paths %.2f s CPU "
                    + "(%d paths) = %.2f s (goal <= 5 s at scale 1)",
                cliAuditSeconds, cliAudit.findings.count, cliPathsSeconds, cliPaths.paths.count,
                cliAuditSeconds + cliPathsSeconds))

        // verify-flows: random flows between NICs, from the internet to public IPs, and out.
        var rng = SeededGenerator(state: 42)
        let addresses = loaded.network.interfaces.flatMap(\.privateAddresses)
        let publics = loaded.network.publicIPs.compactMap(\.address)
        // Internal frontends (with --internal-load-balancers): a tenth of the flows go to one.
        let frontends = loaded.network.loadBalancers.flatMap(\.frontends).filter { $0.publicIP == nil }
            .compactMap(\.privateAddress)
        var flows: [Flow] = []
        flows.reserveCapacity(flowCount)
        for _ in 0..<flowCount {
            let kind = rng.next() % 10
            let ports = [22, 80, 443, 1433, 3389, 8080, 53]
            let port = ports[Int(rng.next() % UInt64(ports.count))]
            let source: IPv4Address
            var destination: IPv4Address
            if kind == 0 && !publics.isEmpty {
                source = NetworkAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()) | 0x0100_0000 & 0xBFFF_FFFF)
                destination = publics[Int(rng.next() % UInt64(publics.count))]
            } else {
                source = addresses[Int(rng.next() % UInt64(addresses.count))]
                destination =
                    kind == 1 ? IPv4Address("8.8.8.8")! : addresses[Int(rng.next() % UInt64(addresses.count))]
                if kind == 3 && !frontends.isEmpty {
                    destination = frontends[Int(rng.next() % UInt64(frontends.count))]
                }
            }
            flows.append(
                Flow(source: source, destination: destination, protocol: kind == 2 ? .udp : .tcp, destinationPort: port)
            )
        }
        if let writeDirectory {
            try FileManager.default.createDirectory(atPath: writeDirectory, withIntermediateDirectories: true)
            try data.write(to: URL(fileURLWithPath: writeDirectory + "/export.json"))
            var csv = "source,destination,protocol,port\n"
            for flow in flows {
                csv += "\(flow.source),\(flow.destination),\(flow.protocol.rawValue),\(flow.destinationPort)\n"
            }
            try Data(csv.utf8).write(to: URL(fileURLWithPath: writeDirectory + "/flows.csv"))
            print("wrote \(writeDirectory)/export.json and \(writeDirectory)/flows.csv")
        }
        let verifyStart = cpuSeconds()
        var verdicts = [0, 0, 0]
        for flow in flows {
            switch engine.verify(flow).verdict {
            case .allowed: verdicts[0] += 1
            case .denied: verdicts[1] += 1
            case .unroutable: verdicts[2] += 1
            }
        }
        let verifySeconds = cpuSeconds() - verifyStart
        print(
            String(
                format:
                    "verify-flows: %d flows in %.2f s CPU = %.0f flows/s (goal > 200,000); %d allowed, %d denied, %d unroutable",
                flowCount, verifySeconds, Double(flowCount) / verifySeconds, verdicts[0], verdicts[1], verdicts[2]))
        print(String(format: "peak memory: %.0f MiB (goal < 1024 MiB)", peakMemoryMiB()))
        try serviceTagLoad(loaded)
    }

    /// `--service-tags FILE` at the size Azure publishes (about 3,000 tags and 50,000 prefixes, a
    /// third of them IPv6): the cost of reading the file, and of an engine whose rules name tags.
    static func serviceTagLoad(_ loaded: LoadedTopology) throws {
        var rng = SeededGenerator(state: 99)
        var values: [String] = []
        var prefixCount = 0
        for t in 0..<3_000 {
            var prefixes: [String] = []
            for _ in 0..<(2 + Int(rng.next() % 30)) {
                let a = 4 + Int(rng.next() % 200)
                if rng.next() % 3 == 0 {
                    prefixes.append("\"2603:10\(a % 10):\(String(rng.next() % 65536, radix: 16))::/48\"")
                } else {
                    prefixes.append("\"\(a).\(rng.next() % 256).\(rng.next() % 256).0/\(20 + Int(rng.next() % 9))\"")
                }
            }
            prefixCount += prefixes.count
            let name =
                t < 8
                ? [
                    "Storage", "Sql", "AzureCloud", "EventHub", "AzureMonitor", "KeyVault", "AppService",
                    "AzureCosmosDB",
                ][t] : "Tag\(t).region\(t % 60)"
            values.append(
                "{\"name\":\"\(name)\",\"id\":\"\(name)\",\"properties\":{\"changeNumber\":1,\"region\":\"\",\"platform\":\"Azure\",\"systemService\":\"\",\"addressPrefixes\":[\(prefixes.joined(separator: ","))],\"networkFeatures\":[\"NSG\"]}}"
            )
        }
        let file = Data(
            "{\"changeNumber\":1,\"cloud\":\"Public\",\"values\":[\(values.joined(separator: ",\n"))]}".utf8)
        let start = cpuSeconds()
        let tags = try ServiceTags.parse(file, file: "generated-service-tags.json")
        let parseSeconds = cpuSeconds() - start
        // The benchmark's rules name no other tag: name Storage and Sql in one rule per NSG.
        var network = loaded.network
        for g in network.securityGroups.indices where !network.securityGroups[g].rules.isEmpty {
            network.securityGroups[g].rules[0].sources = [.serviceTag(g % 2 == 0 ? "Storage" : "Sql")]
        }
        let plainStart = cpuSeconds()
        _ = ReachabilityEngine(network: network)
        let plainSeconds = cpuSeconds() - plainStart
        network.serviceTags = tags
        let engineStart = cpuSeconds()
        let engine = ReachabilityEngine(network: network)
        let engineSeconds = cpuSeconds() - engineStart
        print(
            String(
                format: "service tags: %d tags, %d prefixes (%d IPv6), %.1f MiB: read %.2f s CPU; "
                    + "engine with Storage/Sql resolved %.2f s CPU (%.2f s with them as tokens), %d warnings",
                tags.tagCount, prefixCount,
                tags.prefixes.values.reduce(0) { total, list in total + list.count { !$0.isIPv4 } },
                Double(file.count) / 1_048_576, parseSeconds,
                engineSeconds, plainSeconds, engine.warnings.count))
    }
}

struct BenchmarkUsage: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// Writes a hub-and-spoke Azure resource list as JSON text. Each VNet has 50 /24 subnets with 20
/// NICs each and 5 ASGs; every two subnets share an NSG of 50 rules (prefix, ASG, service-tag and
/// port-range rules mixed); one NIC in ten has its own NSG too, one in three is in an ASG of its
/// VNet; 2% have a public IP; 0.5% are crown jewels. Each VNet also has 10 Standard public load
/// balancers (HTTPS over four NICs of one subnet, an RDP NAT rule to a fifth): 200 at scale 1.
struct ExportGenerator {
    let spokes: Int
    var vnetCount: Int { spokes + 1 }
    var subnetCount = 0
    var nsgCount = 0
    var ruleCount = 0
    var nicCount = 0
    var loadBalancerCount = 0
    /// Azure Firewalls in the hub (at 10.0.F.250, F = 0…), and spoke subnets routed through them.
    var firewalls = 0
    var routedSubnets = 0
    /// VNets (from the first) with an internal load balancer, and how many were written.
    var internalLoadBalancers = 0
    var internalLoadBalancerCount = 0
    var rng = SeededGenerator(state: 7)
    static let loadBalancersPerVNet = 10
    static let subnetsPerVNet = 50
    static let nicsPerSubnet = 20
    static let rulesPerNSG = 50
    static let asgsPerVNet = 5
    let sub = "/subscriptions/0000/resourceGroups/rg-bench/providers/Microsoft.Network"

    init(spokes: Int) { self.spokes = spokes }

    mutating func pick(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }

    /// A classic-rules firewall in hub subnet `f`: 20 network rules between random spokes (a quarter
    /// of them deny), then 5 application rules.
    mutating func firewall(_ f: Int) -> String {
        var rules: [String] = []
        for r in 0..<20 {
            let from = 1 + pick(max(1, spokes))
            let to = 1 + pick(max(1, spokes))
            let port = ["22", "443", "1433", "3389", "8000-8100", "*"][pick(6)]
            rules.append(
                "{\"name\":\"n\(r)\",\"protocols\":[\"TCP\"],\"sourceAddresses\":[\"10.\(from).0.0/16\"],\"destinationAddresses\":[\"10.\(to).\(pick(Self.subnetsPerVNet)).0/24\"],\"destinationPorts\":[\"\(port)\"]}"
            )
        }
        let deny = rules.prefix(5).joined(separator: ",")
        let allow = rules.dropFirst(5).joined(separator: ",")
        let apps = (0..<5).map {
            "{\"name\":\"a\($0)\",\"sourceAddresses\":[\"10.\(1 + pick(max(1, spokes))).0.0/16\"],\"protocols\":[{\"protocolType\":\"Https\",\"port\":443}],\"targetFqdns\":[\"*.example.com\"]}"
        }.joined(separator: ",")
        return
            "{\"id\":\"\(sub)/azureFirewalls/fw\(f)\",\"name\":\"fw\(f)\",\"type\":\"Microsoft.Network/azureFirewalls\",\"properties\":{\"ipConfigurations\":[{\"name\":\"c\",\"properties\":{\"privateIPAddress\":\"10.0.\(f).250\",\"subnet\":{\"id\":\"\(sub)/virtualNetworks/vnet0/subnets/s\(f)\"}}}],\"networkRuleCollections\":[{\"name\":\"deny\",\"properties\":{\"priority\":100,\"action\":{\"type\":\"Deny\"},\"rules\":[\(deny)]}},{\"name\":\"allow\",\"properties\":{\"priority\":200,\"action\":{\"type\":\"Allow\"},\"rules\":[\(allow)]}}],\"applicationRuleCollections\":[{\"name\":\"web\",\"properties\":{\"priority\":300,\"action\":{\"type\":\"Allow\"},\"rules\":[\(apps)]}}]}}"
    }

    mutating func export() -> Data {
        var out = "["
        var first = true
        func emit(_ s: String) {
            if !first { out += ",\n" }
            first = false
            out += s
        }
        let portChoices = ["22", "443", "80", "1433", "3389", "8000-8100", "5985-5986", "*"]
        for v in 0...spokes {
            // Azure keeps every NIC of an ASG in one VNet, so each VNet has its own ASGs.
            for a in 0..<Self.asgsPerVNet {
                emit(
                    "{\"id\":\"\(sub)/applicationSecurityGroups/asg\(v)-\(a)\",\"name\":\"asg\(v)-\(a)\",\"type\":\"Microsoft.Network/applicationSecurityGroups\",\"properties\":{}}"
                )
            }
            // VNet with its subnets and peering (spokes to the hub, the hub to every spoke).
            var subnets: [String] = []
            for s in 0..<Self.subnetsPerVNet {
                let nsg = (v * Self.subnetsPerVNet + s) / 2
                let route =
                    firewalls > 0 && v > 0 ? ",\"routeTable\":{\"id\":\"\(sub)/routeTables/rt\(v)\"}" : ""
                if !route.isEmpty { routedSubnets += 1 }
                subnets.append(
                    "{\"id\":\"\(sub)/virtualNetworks/vnet\(v)/subnets/s\(s)\",\"name\":\"s\(s)\",\"properties\":{\"addressPrefix\":\"10.\(v).\(s).0/24\",\"networkSecurityGroup\":{\"id\":\"\(sub)/networkSecurityGroups/nsg\(nsg)\"}\(route)}}"
                )
                subnetCount += 1
            }
            let peers = v == 0 ? Array(1...max(1, spokes)).filter { $0 <= spokes } : [0]
            let peerings = peers.map {
                "{\"name\":\"p\(v)-\($0)\",\"properties\":{\"remoteVirtualNetwork\":{\"id\":\"\(sub)/virtualNetworks/vnet\($0)\"},\"peeringState\":\"Connected\",\"allowForwardedTraffic\":true}}"
            }
            if firewalls > 0 && v > 0 {
                // Every spoke subnet sends everything through one of the hub's firewalls.
                let hop = "10.0.\((v - 1) % firewalls).250"
                emit(
                    "{\"id\":\"\(sub)/routeTables/rt\(v)\",\"name\":\"rt\(v)\",\"type\":\"Microsoft.Network/routeTables\",\"properties\":{\"routes\":[{\"name\":\"default\",\"properties\":{\"addressPrefix\":\"0.0.0.0/0\",\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"\(hop)\"}},{\"name\":\"private\",\"properties\":{\"addressPrefix\":\"10.0.0.0/8\",\"nextHopType\":\"VirtualAppliance\",\"nextHopIpAddress\":\"\(hop)\"}}]}}"
                )
            }
            if firewalls > 0 && v == 0 {
                for f in 0..<firewalls { emit(firewall(f)) }
            }
            emit(
                "{\"id\":\"\(sub)/virtualNetworks/vnet\(v)\",\"name\":\"vnet\(v)\",\"type\":\"Microsoft.Network/virtualNetworks\",\"properties\":{\"addressSpace\":{\"addressPrefixes\":[\"10.\(v).0.0/16\"]},\"subnets\":[\(subnets.joined(separator: ","))],\"virtualNetworkPeerings\":[\(peerings.joined(separator: ","))]}}"
            )
            // The NSGs of this VNet's subnets.
            for nsgInVNet in 0..<(Self.subnetsPerVNet / 2) {
                let nsg = v * Self.subnetsPerVNet / 2 + nsgInVNet
                var rules: [String] = []
                for r in 0..<Self.rulesPerNSG {
                    let priority = 100 + r * 10
                    let direction = r % 5 == 4 ? "Outbound" : "Inbound"
                    let access = pick(4) == 0 ? "Deny" : "Allow"
                    let proto = ["Tcp", "Tcp", "Udp", "*"][pick(4)]
                    let port = portChoices[pick(portChoices.count)]
                    var source: String
                    switch pick(6) {
                    case 0: source = "\"sourceAddressPrefix\":\"Internet\""
                    case 1:
                        source =
                            "\"sourceApplicationSecurityGroups\":[{\"id\":\"\(sub)/applicationSecurityGroups/asg\(v)-\(pick(Self.asgsPerVNet))\"}]"
                    case 2: source = "\"sourceAddressPrefix\":\"VirtualNetwork\""
                    default:
                        let pv = pick(3) == 0 ? 0 : v
                        source = "\"sourceAddressPrefix\":\"10.\(pv).\(pick(Self.subnetsPerVNet)).0/24\""
                    }
                    let destination =
                        pick(4) == 0
                        ? "\"destinationApplicationSecurityGroups\":[{\"id\":\"\(sub)/applicationSecurityGroups/asg\(v)-\(pick(Self.asgsPerVNet))\"}]"
                        : "\"destinationAddressPrefix\":\"*\""
                    rules.append(
                        "{\"name\":\"r\(r)\",\"properties\":{\"priority\":\(priority),\"direction\":\"\(direction)\",\"access\":\"\(access)\",\"protocol\":\"\(proto)\",\(source),\"sourcePortRange\":\"*\",\(destination),\"destinationPortRange\":\"\(port)\",\"description\":\"generated\"}}"
                    )
                    ruleCount += 1
                }
                emit(
                    "{\"id\":\"\(sub)/networkSecurityGroups/nsg\(nsg)\",\"name\":\"nsg\(nsg)\",\"type\":\"Microsoft.Network/networkSecurityGroups\",\"properties\":{\"securityRules\":[\(rules.joined(separator: ","))]}}"
                )
                nsgCount += 1
            }
            // NICs.
            for s in 0..<Self.subnetsPerVNet {
                for k in 0..<Self.nicsPerSubnet {
                    let name = "nic-\(v)-\(s)-\(k)"
                    var config =
                        "\"privateIPAddress\":\"10.\(v).\(s).\(4 + k)\",\"subnet\":{\"id\":\"\(sub)/virtualNetworks/vnet\(v)/subnets/s\(s)\"}"
                    if pick(50) == 0 {
                        config +=
                            ",\"publicIPAddress\":{\"id\":\"\(sub)/publicIPAddresses/pip-\(name)\"}"
                        let address = "20.\(v).\(s).\(4 + k)"
                        emit(
                            "{\"id\":\"\(sub)/publicIPAddresses/pip-\(name)\",\"name\":\"pip-\(name)\",\"type\":\"Microsoft.Network/publicIPAddresses\",\"properties\":{\"ipAddress\":\"\(address)\"}}"
                        )
                    }
                    if pick(3) == 0 {
                        config +=
                            ",\"applicationSecurityGroups\":[{\"id\":\"\(sub)/applicationSecurityGroups/asg\(v)-\(pick(Self.asgsPerVNet))\"}]"
                    }
                    var props = "\"ipConfigurations\":[{\"name\":\"ipconfig1\",\"properties\":{\(config)}}]"
                    if pick(10) == 0 {
                        let own = v * Self.subnetsPerVNet / 2 + pick(Self.subnetsPerVNet / 2)
                        props += ",\"networkSecurityGroup\":{\"id\":\"\(sub)/networkSecurityGroups/nsg\(own)\"}"
                    }
                    let tags = pick(200) == 0 ? ",\"tags\":{\"tier\":\"crown-jewel\"}" : ""
                    emit(
                        "{\"id\":\"\(sub)/networkInterfaces/\(name)\",\"name\":\"\(name)\",\"type\":\"Microsoft.Network/networkInterfaces\"\(tags),\"properties\":{\(props)}}"
                    )
                    nicCount += 1
                }
            }
            // Load balancers: Standard, public, each balancing HTTPS over four NICs of one subnet
            // (pool listed on the load balancer) with an RDP NAT rule to a fifth. No random draws,
            // so the rest of the estate is the same with or without them.
            for l in 0..<Self.loadBalancersPerVNet {
                let s = l * (Self.subnetsPerVNet / Self.loadBalancersPerVNet)
                let lb = "\(sub)/loadBalancers/lb\(v)-\(l)"
                let pip = "\(sub)/publicIPAddresses/pip-lb\(v)-\(l)"
                let members = (0..<4).map {
                    "{\"id\":\"\(sub)/networkInterfaces/nic-\(v)-\(s)-\($0)/ipConfigurations/ipconfig1\"}"
                }
                emit(
                    "{\"id\":\"\(pip)\",\"name\":\"pip-lb\(v)-\(l)\",\"type\":\"Microsoft.Network/publicIPAddresses\",\"sku\":{\"name\":\"Standard\"},\"properties\":{\"ipAddress\":\"21.\(v).\(l).10\"}}"
                )
                emit(
                    "{\"id\":\"\(lb)\",\"name\":\"lb\(v)-\(l)\",\"type\":\"Microsoft.Network/loadBalancers\",\"sku\":{\"name\":\"Standard\"},\"properties\":{"
                        + "\"frontendIPConfigurations\":[{\"id\":\"\(lb)/frontendIPConfigurations/fe\",\"name\":\"fe\",\"properties\":{\"publicIPAddress\":{\"id\":\"\(pip)\"}}}],"
                        + "\"backendAddressPools\":[{\"id\":\"\(lb)/backendAddressPools/pool\",\"name\":\"pool\",\"properties\":{\"backendIPConfigurations\":[\(members.joined(separator: ","))]}}],"
                        + "\"loadBalancingRules\":[{\"name\":\"https\",\"properties\":{\"frontendIPConfiguration\":{\"id\":\"\(lb)/frontendIPConfigurations/fe\"},\"backendAddressPool\":{\"id\":\"\(lb)/backendAddressPools/pool\"},\"protocol\":\"Tcp\",\"frontendPort\":443,\"backendPort\":443}}],"
                        + "\"inboundNatRules\":[{\"id\":\"\(lb)/inboundNatRules/rdp\",\"name\":\"rdp\",\"properties\":{\"frontendIPConfiguration\":{\"id\":\"\(lb)/frontendIPConfigurations/fe\"},\"protocol\":\"Tcp\",\"frontendPort\":50001,\"backendPort\":3389,\"backendIPConfiguration\":{\"id\":\"\(sub)/networkInterfaces/nic-\(v)-\(s)-4/ipConfigurations/ipconfig1\"}}}]"
                        + "}}")
                loadBalancerCount += 1
            }
            if v < internalLoadBalancers {
                // An internal Standard load balancer in subnet 1: TCP 1433 on 10.v.1.200 to four NICs of
                // the subnet, and HA ports on 10.v.1.201 to the same pool.
                let lb = "\(sub)/loadBalancers/ilb\(v)"
                let subnet = "\(sub)/virtualNetworks/vnet\(v)/subnets/s1"
                let members = (0..<4).map {
                    "{\"id\":\"\(sub)/networkInterfaces/nic-\(v)-1-\($0)/ipConfigurations/ipconfig1\"}"
                }
                emit(
                    "{\"id\":\"\(lb)\",\"name\":\"ilb\(v)\",\"type\":\"Microsoft.Network/loadBalancers\",\"sku\":{\"name\":\"Standard\"},\"properties\":{"
                        + "\"frontendIPConfigurations\":[{\"id\":\"\(lb)/frontendIPConfigurations/fe\",\"name\":\"fe\",\"properties\":{\"privateIPAddress\":\"10.\(v).1.200\",\"subnet\":{\"id\":\"\(subnet)\"}}},"
                        + "{\"id\":\"\(lb)/frontendIPConfigurations/ha\",\"name\":\"ha\",\"properties\":{\"privateIPAddress\":\"10.\(v).1.201\",\"subnet\":{\"id\":\"\(subnet)\"}}}],"
                        + "\"backendAddressPools\":[{\"id\":\"\(lb)/backendAddressPools/pool\",\"name\":\"pool\",\"properties\":{\"backendIPConfigurations\":[\(members.joined(separator: ","))]}}],"
                        + "\"loadBalancingRules\":[{\"name\":\"sql\",\"properties\":{\"frontendIPConfiguration\":{\"id\":\"\(lb)/frontendIPConfigurations/fe\"},\"backendAddressPool\":{\"id\":\"\(lb)/backendAddressPools/pool\"},\"protocol\":\"Tcp\",\"frontendPort\":1433,\"backendPort\":1433}},"
                        + "{\"name\":\"ha\",\"properties\":{\"frontendIPConfiguration\":{\"id\":\"\(lb)/frontendIPConfigurations/ha\"},\"backendAddressPool\":{\"id\":\"\(lb)/backendAddressPools/pool\"},\"protocol\":\"All\",\"frontendPort\":0,\"backendPort\":0}}]"
                        + "}}")
                internalLoadBalancerCount += 1
            }
        }
        out += "]"
        return Data(out.utf8)
    }
}
