import Foundation
import SeededRandom
import Testing
import Topology

/// Property tests: random valid networks are written as Exposure YAML (the format `docs/topology.md`
/// documents) and as an `az resource list` JSON export, read back with `TopologyLoader`, and the
/// model must say exactly what was written. The expected model is the generated one, not the
/// loader's output, so a parser that drops, reorders or rewrites a field fails.
@Suite("Round trips of random topologies through the YAML and Azure JSON readers")
struct RoundTripPropertyTests {
    static let seeds: [UInt64] = Array(1...40)

    @Test("A random network written as Exposure YAML reads back as the same model", arguments: seeds)
    func yamlRoundTrip(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed &* 7919)
        let spec = TopologySpec.random(&rng)
        let text = spec.yaml(&rng)
        let loaded = try TopologyLoader.load(documents: [("random-\(seed).yaml", Data(text.utf8))])
        #expect(Canonical(loaded.network) == spec.canonical, "seed \(seed):\n\(text)")
    }

    @Test("A random network written as an az resource list export reads back as the same model", arguments: seeds)
    func azureRoundTrip(seed: UInt64) throws {
        var rng = SeededGenerator(state: seed &* 104_729)
        let spec = TopologySpec.random(&rng)
        let data = try spec.azureJSON()
        let loaded = try TopologyLoader.load(documents: [("random-\(seed).json", data)])
        #expect(
            Canonical(loaded.network) == spec.canonical, "seed \(seed):\n\(String(decoding: data, as: UTF8.self))")
    }
}

/// The parts of a network both formats can say, keyed by name, with lists in a fixed order.
struct Canonical: Equatable, CustomStringConvertible {
    var segments: [String: Set<String>] = [:]  // "space" entries and "peer:NAME"
    var subnets: [String: String] = [:]  // "segment/subnet" -> "prefixes|ruleSet"
    var hosts: [String: String] = [:]
    var ruleSets: [String: [String]] = [:]
    var groups: Set<String> = []
    var publicIPs: [String: String] = [:]

    init() {}

    init(_ network: Network) {
        for v in network.virtualNetworks {
            var entries = Set(v.addressSpace.map { "space:\($0)" })
            for p in v.peerings where p.isConnected { entries.insert("peer:" + p.remoteNetwork.lastComponent) }
            segments[v.name, default: []].formUnion(entries)
        }
        for s in network.subnets {
            let vnet = network.virtualNetwork(s.virtualNetwork)?.name ?? "?"
            subnets["\(vnet)/\(s.name)"] =
                s.prefixes.map(\.description).joined(separator: ",") + "|" + (s.securityGroup?.lastComponent ?? "-")
        }
        for n in network.interfaces {
            let c = n.ipConfigurations[0]
            let pip = c.publicIP.flatMap { network.publicIP($0) }
            let asgs = c.applicationSecurityGroups.map(\.lastComponent).sorted().joined(separator: ",")
            let tags = n.tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";")
            hosts[n.name] = [
                c.privateAddress?.description ?? "-",
                c.subnet?.text.split(separator: "/").suffix(3).joined(separator: "/") ?? "-",
                pip.map { "\($0.name)@\($0.address?.description ?? "-")" } ?? "-",
                n.securityGroup?.lastComponent ?? "-", asgs, tags, n.machineName ?? "-",
            ].joined(separator: "|")
        }
        for g in network.securityGroups {
            ruleSets[g.name] = g.rules.map(Self.rule)
        }
        groups = Set(network.applicationSecurityGroups.map(\.name))
        for p in network.publicIPs { publicIPs[p.name] = p.address?.description ?? "-" }
    }

    static func address(_ a: AddressMatch) -> String {
        switch a {
        case .any: "*"
        case .prefix(let p): p.network.description + "/\(p.length)"
        case .serviceTag(let t): "tag:" + t
        case .applicationSecurityGroup(let id): "group:" + id.lastComponent
        case .unsupported(let s): "unsupported:" + s
        }
    }

    static func rule(_ r: SecurityRule) -> String {
        [
            r.name, "\(r.priority)", r.direction.rawValue, r.access.rawValue, r.protocol.rawValue,
            r.sources.map(address).sorted().joined(separator: ","),
            r.destinations.map(address).sorted().joined(separator: ","),
            r.sourcePorts.map { "\($0.lower)-\($0.upper)" }.joined(separator: ","),
            r.destinationPorts.map { "\($0.lower)-\($0.upper)" }.joined(separator: ","), r.description,
        ].joined(separator: "|")
    }

    var description: String {
        "segments \(segments)\nsubnets \(subnets)\nhosts \(hosts)\nruleSets \(ruleSets)\ngroups \(groups)\npublicIPs \(publicIPs)"
    }
}

/// A random network in the vocabulary of the YAML format, renderable in both formats.
struct TopologySpec {
    struct Rule {
        var name: String
        var priority: Int
        var direction: Direction
        var access: Access
        var proto: RuleProtocol
        var sources: [String]  // "*", "internet", "virtualnetwork", "group:NAME", "a.b.c.d[/n]"
        var destinations: [String]
        var ports: [String]
        var sourcePorts: [String]
        var justification: String
    }
    struct Subnet {
        var name: String
        var prefix: String
        var ruleSet: String?
    }
    struct Segment {
        var name: String
        var space: String
        var peers: [String]
        var subnets: [Subnet]
    }
    struct Host {
        var name: String
        var segment: String
        var subnet: String
        var address: String
        var publicIP: String?  // a publicIPs name
        var publicAddress: String?  // an address written in place (creates NAME-public)
        var ruleSet: String?
        var machine: String?
        var groups: [String]
        var tags: [(String, String)]
    }

    var segments: [Segment] = []
    var ruleSets: [(String, [Rule])] = []
    var groups: [String] = []
    var publicIPs: [(String, String)] = []
    var hosts: [Host] = []

    /// Names Azure accepts (letters, digits, `_.-`, up to 80), including ones YAML would read as
    /// something else unless quoted.
    static func name(_ prefix: String, _ index: Int, _ rng: inout SeededGenerator, longest: Int = 80) -> String {
        let tricky = ["yes", "null", "true", "1e3", "0x1F", "-dash", "a.b", "under_score", "007", "on", "~x"]
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: return tricky[Int.random(in: 0..<tricky.count, using: &rng)] + "-\(prefix)\(index)"
        case 1:
            let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
            let body = String(
                (0..<Int.random(in: 0...60, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
            return String(("\(prefix)\(index)" + body).prefix(longest))
        case 2: return String("\(prefix)\(index)-".padding(toLength: longest, withPad: "x", startingAt: 0))
        default: return "\(prefix)\(index)"
        }
    }

    static func text(_ rng: inout SeededGenerator, max: Int) -> String {
        let pieces = [
            "a", "Z", " ", ":", "#", "\"", "'", "\\", "é", "→", "- ", "{", "}", "[", ",", "&", "*", "!", "%", "|", ">",
        ]
        var s = ""
        for _ in 0..<Int.random(in: 0...max, using: &rng) { s += pieces.randomElement(using: &rng)! }
        return s.trimmingCharacters(in: .whitespaces)
    }

    static func random(_ rng: inout SeededGenerator) -> TopologySpec {
        var spec = TopologySpec()
        let groupCount = Int.random(in: 0...3, using: &rng)
        spec.groups = (0..<groupCount).map { name("g", $0, &rng) }
        let ruleSetNames = (0..<Int.random(in: 0...3, using: &rng)).map { name("rs", $0, &rng) }
        func maybeRuleSet(_ rng: inout SeededGenerator) -> String? {
            ruleSetNames.isEmpty || Bool.random(using: &rng) ? nil : ruleSetNames.randomElement(using: &rng)
        }
        let segmentCount = Int.random(in: 1...3, using: &rng)
        let segmentNames = (0..<segmentCount).map { name("seg", $0, &rng) }
        for (i, seg) in segmentNames.enumerated() {
            let peers = segmentNames[(i + 1)...].filter { _ in Bool.random(using: &rng) }
            let subnets = (0..<Int.random(in: 1...3, using: &rng)).map { s in
                Subnet(
                    name: name("sn", s, &rng), prefix: "10.\(i).\(s * 4).0/\(Int.random(in: 22...28, using: &rng))",
                    ruleSet: maybeRuleSet(&rng))
            }
            spec.segments.append(Segment(name: seg, space: "10.\(i).0.0/16", peers: Array(peers), subnets: subnets))
        }
        for p in 0..<Int.random(in: 0...2, using: &rng) {
            spec.publicIPs.append((name("pip", p, &rng), "203.0.113.\(p + 1)"))
        }
        var hostIndex = 0
        for (i, seg) in spec.segments.enumerated() {
            for (s, sub) in seg.subnets.enumerated() where Bool.random(using: &rng) {
                for _ in 0..<Int.random(in: 1...2, using: &rng) {
                    let n = hostIndex
                    hostIndex += 1
                    var host = Host(
                        // 73 characters at most, so the public IP NAME-public made for it is within Azure's 80.
                        name: name("h", n, &rng, longest: 73), segment: seg.name, subnet: sub.name,
                        address: "10.\(i).\(s * 4).\(4 + n % 10)",
                        ruleSet: maybeRuleSet(&rng), groups: spec.groups.filter { _ in Bool.random(using: &rng) },
                        tags: [])
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0 where !spec.publicIPs.isEmpty: host.publicIP = spec.publicIPs.randomElement(using: &rng)!.0
                    case 1: host.publicAddress = "198.51.100.\(n + 1)"
                    default: break
                    }
                    if Int.random(in: 0..<3, using: &rng) == 0 { host.machine = "vm-\(n / 2)" }
                    for t in 0..<Int.random(in: 0...3, using: &rng) {
                        host.tags.append(("k\(t)" + text(&rng, max: 5), text(&rng, max: 12)))
                    }
                    spec.hosts.append(host)
                }
            }
        }
        let addressChoices =
            ["*", "internet", "virtualnetwork", "0.0.0.0/0", "10.0.0.0/8", "192.168.4.0/22", "198.51.100.7"]
            + spec.groups.map { "group:" + $0 }
        let portChoices = ["*", "22", "0", "65535", "80-90", "1000-2000"]
        for rs in ruleSetNames {
            var used: Set<Int> = []
            var rules: [Rule] = []
            for r in 0..<Int.random(in: 0...5, using: &rng) {
                var priority = [100, 4096, Int.random(in: 100...4096, using: &rng)].randomElement(using: &rng)!
                while used.contains(priority) { priority = Int.random(in: 100...4096, using: &rng) }
                used.insert(priority)
                func some(_ list: [String], _ rng: inout SeededGenerator) -> [String] {
                    (0..<Int.random(in: 1...3, using: &rng)).map { _ in list.randomElement(using: &rng)! }
                }
                rules.append(
                    Rule(
                        name: name("r", r, &rng), priority: priority,
                        direction: Bool.random(using: &rng) ? .inbound : .outbound,
                        access: Bool.random(using: &rng) ? .allow : .deny,
                        proto: RuleProtocol.allCases.randomElement(using: &rng)!,
                        sources: some(addressChoices, &rng), destinations: some(addressChoices, &rng),
                        ports: some(portChoices, &rng), sourcePorts: Bool.random(using: &rng) ? ["*"] : ["1024-65535"],
                        justification: text(&rng, max: 30)))
            }
            spec.ruleSets.append((rs, rules))
        }
        return spec
    }

    // MARK: What the model must say

    var canonical: Canonical {
        var c = Canonical()
        for seg in segments {
            c.segments[seg.name, default: []].insert("space:\(seg.space)")
            for peer in seg.peers {
                c.segments[seg.name, default: []].insert("peer:" + peer)
                c.segments[peer, default: []].insert("peer:" + seg.name)
            }
            for sub in seg.subnets {
                c.subnets["\(seg.name)/\(sub.name)"] = sub.prefix + "|" + (sub.ruleSet ?? "-")
            }
        }
        c.groups = Set(groups)
        for (n, a) in publicIPs { c.publicIPs[n] = a }
        for h in hosts {
            var pip = "-"
            if let p = h.publicIP { pip = "\(p)@" + publicIPs.first { $0.0 == p }!.1 }
            if let a = h.publicAddress {
                pip = "\(h.name)-public@\(a)"
                c.publicIPs["\(h.name)-public"] = a
            }
            let tags = Dictionary(h.tags, uniquingKeysWith: { _, last in last })
            c.hosts[h.name] = [
                h.address, "\(h.segment)/subnets/\(h.subnet)", pip, h.ruleSet ?? "-",
                h.groups.sorted().joined(separator: ","),
                tags.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ";"),
                h.machine ?? "-",
            ].joined(separator: "|")
        }
        for (name, rules) in ruleSets {
            c.ruleSets[name] = rules.map { r in
                Canonical.rule(
                    SecurityRule(
                        name: r.name, priority: r.priority, direction: r.direction, access: r.access, protocol: r.proto,
                        sources: r.sources.map(Self.match), destinations: r.destinations.map(Self.match),
                        sourcePorts: r.sourcePorts.map { PortRange($0)! },
                        destinationPorts: r.ports.map { PortRange($0)! },
                        description: r.justification))
            }
        }
        return c
    }

    static func match(_ text: String) -> AddressMatch {
        switch text {
        case "*": .any
        case "internet": .serviceTag("Internet")
        case "virtualnetwork": .serviceTag("VirtualNetwork")
        case let g where g.hasPrefix("group:"): .applicationSecurityGroup(ResourceID("x/" + g.dropFirst(6)))
        default: .prefix(NetworkPrefix(text)!)
        }
    }

    // MARK: Exposure YAML

    /// A scalar in one of YAML's spellings: plain when that is safe, else single or double quoted.
    static func scalar(_ s: String, _ rng: inout SeededGenerator) -> String {
        let plainSafe =
            !s.isEmpty && s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
            && s.first!.isLetter
            && !["yes", "no", "on", "off", "true", "false", "null", "y", "n"].contains(s.lowercased())
            && s.contains(where: \.isLetter)
        switch Int.random(in: 0..<3, using: &rng) {
        case 0 where plainSafe: return s
        case 1: return "'" + s.replacingOccurrences(of: "'", with: "''") + "'"
        default:
            var out = "\""
            for u in s.unicodeScalars {
                switch u {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "é": out += "\\u00e9"
                default: out.unicodeScalars.append(u)
                }
            }
            return out + "\""
        }
    }

    static func list(_ items: [String], _ rng: inout SeededGenerator) -> String {
        if items.count == 1 && Bool.random(using: &rng) { return scalar(items[0], &rng) }
        return "[" + items.map { scalar($0, &rng) }.joined(separator: ", ") + "]"
    }

    func yaml(_ rng: inout SeededGenerator) -> String {
        var out = "# random topology\n"
        let q = { (s: String, rng: inout SeededGenerator) in Self.scalar(s, &rng) }
        out += "segments:\n"
        for seg in segments {
            out += "  - name: \(q(seg.name, &rng))\n    addressSpace: \(Self.list([seg.space], &rng))\n"
            if !seg.peers.isEmpty { out += "    peers: \(Self.list(seg.peers, &rng))\n" }
            out += "    subnets:\n"
            for sub in seg.subnets {
                out += "      - name: \(q(sub.name, &rng))\n"
                out +=
                    Bool.random(using: &rng) ? "        prefix: \(sub.prefix)\n" : "        prefixes: [\(sub.prefix)]\n"
                if let r = sub.ruleSet { out += "        ruleSet: \(q(r, &rng))\n" }
            }
        }
        if !groups.isEmpty {
            out += "groups:\n"
            for g in groups { out += Bool.random(using: &rng) ? "  - \(q(g, &rng))\n" : "  - {name: \(q(g, &rng))}\n" }
        }
        if !publicIPs.isEmpty {
            out += "publicIPs:\n"
            for (n, a) in publicIPs { out += "  - name: \(q(n, &rng))\n    address: \(a)\n" }
        }
        if !hosts.isEmpty { out += "hosts:\n" }
        for h in hosts {
            out +=
                "  - name: \(q(h.name, &rng))\n    segment: \(q(h.segment, &rng))\n    subnet: \(q(h.subnet, &rng))\n"
            out += "    address: \(h.address)\n"
            if let p = h.publicIP { out += "    publicIP: \(q(p, &rng))\n" }
            if let a = h.publicAddress { out += "    publicIP: \(a)\n" }
            if let r = h.ruleSet { out += "    ruleSet: \(q(r, &rng))\n" }
            if let m = h.machine { out += "    machine: \(q(m, &rng))\n" }
            if !h.groups.isEmpty { out += "    groups: [\(h.groups.map { q($0, &rng) }.joined(separator: ", "))]\n" }
            if !h.tags.isEmpty {
                out += "    tags:\n"
                for (k, v) in h.tags { out += "      \(q(k, &rng)): \(q(v, &rng))\n" }
            }
        }
        if !ruleSets.isEmpty { out += "ruleSets:\n" }
        for (name, rules) in ruleSets {
            out += "  - name: \(q(name, &rng))\n" + (rules.isEmpty ? "" : "    rules:\n")
            for r in rules {
                out += "      - name: \(q(r.name, &rng))\n        priority: \(r.priority)\n"
                out +=
                    "        direction: \(r.direction.rawValue.lowercased())\n        access: \(r.access.rawValue.lowercased())\n"
                out += "        protocol: \(r.proto == .any ? q("*", &rng) : r.proto.rawValue.lowercased())\n"
                out +=
                    "        source: \(Self.list(r.sources, &rng))\n        destination: \(Self.list(r.destinations, &rng))\n"
                out +=
                    "        ports: \(Self.list(r.ports, &rng))\n        sourcePorts: \(Self.list(r.sourcePorts, &rng))\n"
                if !r.justification.isEmpty { out += "        justification: \(q(r.justification, &rng))\n" }
            }
        }
        return out
    }

    // MARK: az resource list

    static let sub = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network"

    func azureJSON() throws -> Data {
        let sub = Self.sub
        var resources: [[String: Any]] = []
        func ref(_ path: String) -> [String: Any] { ["id": "\(sub)/\(path)"] }
        for seg in segments {
            var peers = seg.peers
            peers += segments.filter { $0.peers.contains(seg.name) }.map(\.name)
            resources.append([
                "id": "\(sub)/virtualNetworks/\(seg.name)", "name": seg.name,
                "type": "Microsoft.Network/virtualNetworks",
                "properties": [
                    "addressSpace": ["addressPrefixes": [seg.space]],
                    "subnets": seg.subnets.map { s -> [String: Any] in
                        var props: [String: Any] = ["addressPrefix": s.prefix]
                        if let r = s.ruleSet { props["networkSecurityGroup"] = ref("networkSecurityGroups/\(r)") }
                        return [
                            "id": "\(sub)/virtualNetworks/\(seg.name)/subnets/\(s.name)", "name": s.name,
                            "properties": props,
                        ]
                    },
                    "virtualNetworkPeerings": peers.map { p -> [String: Any] in
                        [
                            "name": "\(seg.name)-\(p)",
                            "properties": [
                                "remoteVirtualNetwork": ref("virtualNetworks/\(p)"), "peeringState": "Connected",
                            ],
                        ]
                    },
                ],
            ])
        }
        for g in groups {
            resources.append([
                "id": "\(sub)/applicationSecurityGroups/\(g)", "name": g,
                "type": "Microsoft.Network/applicationSecurityGroups", "properties": [String: Any](),
            ])
        }
        var pips = publicIPs
        for h in hosts { if let a = h.publicAddress { pips.append(("\(h.name)-public", a)) } }
        for (n, a) in pips {
            resources.append([
                "id": "\(sub)/publicIPAddresses/\(n)", "name": n, "type": "Microsoft.Network/publicIPAddresses",
                "properties": ["ipAddress": a],
            ])
        }
        for (name, rules) in ruleSets {
            resources.append([
                "id": "\(sub)/networkSecurityGroups/\(name)", "name": name,
                "type": "Microsoft.Network/networkSecurityGroups",
                "properties": ["securityRules": rules.map(Self.azureRule)],
            ])
        }
        var machines: [String: [String]] = [:]
        for h in hosts {
            var config: [String: Any] = [
                "privateIPAddress": h.address, "subnet": ref("virtualNetworks/\(h.segment)/subnets/\(h.subnet)"),
                "applicationSecurityGroups": h.groups.map { ref("applicationSecurityGroups/\($0)") },
            ]
            if let p = h.publicIP { config["publicIPAddress"] = ref("publicIPAddresses/\(p)") }
            if h.publicAddress != nil { config["publicIPAddress"] = ref("publicIPAddresses/\(h.name)-public") }
            var props: [String: Any] = ["ipConfigurations": [["name": "primary", "properties": config]]]
            if let r = h.ruleSet { props["networkSecurityGroup"] = ref("networkSecurityGroups/\(r)") }
            var resource: [String: Any] = [
                "id": "\(sub)/networkInterfaces/\(h.name)", "name": h.name,
                "type": "Microsoft.Network/networkInterfaces",
                "properties": props,
            ]
            if !h.tags.isEmpty { resource["tags"] = Dictionary(h.tags, uniquingKeysWith: { _, last in last }) }
            resources.append(resource)
            if let m = h.machine { machines[m, default: []].append(h.name) }
        }
        for (m, nics) in machines.sorted(by: { $0.key < $1.key }) {
            resources.append([
                "id": "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/\(m)",
                "name": m,
                "type": "Microsoft.Compute/virtualMachines",
                "properties": ["networkProfile": ["networkInterfaces": nics.map { ref("networkInterfaces/\($0)") }]],
            ])
        }
        return try JSONSerialization.data(withJSONObject: resources, options: [.prettyPrinted, .sortedKeys])
    }

    static func azureRule(_ r: Rule) -> [String: Any] {
        var props: [String: Any] = [
            "priority": r.priority, "direction": r.direction.rawValue, "access": r.access.rawValue,
            "protocol": r.proto.rawValue, "description": r.justification,
        ]
        for (side, texts) in [("source", r.sources), ("destination", r.destinations)] {
            let asgs = texts.filter { $0.hasPrefix("group:") }.map {
                ["id": "\(sub)/applicationSecurityGroups/\($0.dropFirst(6))"]
            }
            let prefixes = texts.filter { !$0.hasPrefix("group:") }.map { t -> String in
                switch t {
                case "internet": "Internet"
                case "virtualnetwork": "VirtualNetwork"
                default: t
                }
            }
            if prefixes.count == 1 {
                props["\(side)AddressPrefix"] = prefixes[0]
            } else if !prefixes.isEmpty {
                props["\(side)AddressPrefixes"] = prefixes
            }
            if !asgs.isEmpty { props["\(side)ApplicationSecurityGroups"] = asgs }
        }
        for (side, ports) in [("destination", r.ports), ("source", r.sourcePorts)] {
            if ports.count == 1 { props["\(side)PortRange"] = ports[0] } else { props["\(side)PortRanges"] = ports }
        }
        return ["name": r.name, "properties": props]
    }
}
