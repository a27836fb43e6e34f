import Findings
import Foundation
import Yams

/// Exposure's own YAML topology format for networks that are not in Azure: segments (routing
/// domains with address spaces, peers and subnets), hosts, rule sets, groups, public IPs, tags and
/// justifications. README `## Topology` documents it; `Topologies/` has a sample.
///
/// Parsing is safe: Yams builds plain values (no types are instantiated from tags), and the walk
/// below counts every node it visits, so a document whose aliases expand beyond a bound is
/// rejected rather than allowed to exhaust memory or time.
enum YAMLTopologyImporter {
    static func importDocument(_ data: Data, file: String, into builder: inout NetworkBuilder) throws {
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: file, place: nil, reason: "not UTF-8 text")
        }
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw InputError(file: file, place: .line(1), reason: "an empty YAML document")
            }
            root = node
        } catch let error as YamlError {
            throw InputError(file: file, place: YAMLErrorPlace.line(of: error), reason: "not valid YAML")
        }
        var reader = YAMLTopologyReader(file: file, builder: builder)
        try reader.read(root)
        builder = reader.builder
    }
}

enum YAMLErrorPlace {
    static func line(of error: YamlError) -> InputPlace? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return .line(mark.line)
        default:
            return nil
        }
    }
}

/// Walks the composed YAML tree into the model, with line numbers for every resource and rule.
struct YAMLTopologyReader {
    let file: String
    var builder: NetworkBuilder
    /// Nodes visited so far; aliases make a small text a huge tree, so the walk is bounded.
    private var visited = 0
    static let nodeBudget = 2_000_000

    init(file: String, builder: NetworkBuilder) {
        self.file = file
        self.builder = builder
    }

    static func id(_ kind: String, _ name: String) -> ResourceID { ResourceID("yaml:/\(kind)/\(name)") }

    func location(_ node: Node?) -> SourceLocation {
        SourceLocation(file: file, line: node?.mark?.line)
    }

    func fail(_ node: Node?, _ reason: String) -> InputError {
        InputError(file: file, place: node?.mark.map { .line($0.line) }, reason: reason)
    }

    mutating func visit(_ node: Node?) throws {
        visited += 1
        if visited > Self.nodeBudget {
            throw fail(node, "the document expands to more than \(Self.nodeBudget) nodes (aliases?); refusing it")
        }
    }

    mutating func mapping(_ node: Node, _ what: String) throws -> Node.Mapping {
        try visit(node)
        guard let m = node.mapping else { throw fail(node, "\(what) must be a mapping") }
        return m
    }

    /// A list, or a single item standing for a list of one.
    mutating func list(_ node: Node?) throws -> [Node] {
        guard let node else { return [] }
        try visit(node)
        if let s = node.sequence { return Array(s) }
        return [node]
    }

    mutating func string(_ node: Node?, _ what: String) throws -> String? {
        guard let node else { return nil }
        try visit(node)
        guard let s = node.scalar?.string else { throw fail(node, "\(what) must be a plain value") }
        return s
    }

    mutating func required(_ m: Node.Mapping, _ key: String, in parent: Node, _ what: String) throws -> String {
        guard let value = try string(m[key], "\(what) \(key)"), !value.isEmpty else {
            throw fail(parent, "\(what) needs `\(key)`")
        }
        return value
    }

    mutating func strings(_ node: Node?, _ what: String) throws -> [String] {
        try list(node).map { item in
            guard let s = try string(item, what) else { throw fail(item, "\(what) must be a plain value") }
            return s
        }
    }

    mutating func prefixes(_ node: Node?, _ what: String) throws -> [NetworkPrefix] {
        try list(node).map { item in
            guard let text = try string(item, what), let p = NetworkPrefix(text) else {
                throw fail(item, "\(what) must be IPv4 or IPv6 prefixes such as 10.0.0.0/16 or fd00:db8::/48")
            }
            return p
        }
    }

    mutating func tags(_ node: Node?) throws -> [String: String] {
        guard let node else { return [:] }
        let m = try mapping(node, "tags")
        var result: [String: String] = [:]
        for (k, v) in m {
            guard let key = k.scalar?.string, let value = v.scalar?.string else {
                throw fail(k, "tags must map names to plain values")
            }
            result[key] = value
        }
        return result
    }

    static let knownTopKeys: Set<String> = ["segments", "hosts", "ruleSets", "groups", "publicIPs", "justifications"]

    mutating func read(_ root: Node) throws {
        let top = try mapping(root, "a topology document")
        for (key, _) in top {
            if let k = key.scalar?.string, !Self.knownTopKeys.contains(k) {
                builder.warn("unknown key `\(k)` is ignored", at: location(key))
            }
        }
        var justifications: [String: String] = [:]
        if let node = top["justifications"] {
            for (k, v) in try mapping(node, "justifications") {
                guard let key = k.scalar?.string, let value = v.scalar?.string else {
                    throw fail(k, "justifications map RULESET/RULE to a sentence")
                }
                justifications[key.lowercased()] = value
            }
        }
        for node in try list(top["groups"]) {
            let name: String
            if let s = node.scalar?.string {
                name = s
            } else {
                name = try required(try mapping(node, "a group"), "name", in: node, "a group")
            }
            builder.add(ApplicationSecurityGroup(id: Self.id("groups", name), name: name, location: location(node)))
        }
        for node in try list(top["publicIPs"]) {
            let m = try mapping(node, "a public IP")
            let name = try required(m, "name", in: node, "a public IP")
            let text = try string(m["address"], "address")
            var address: NetworkAddress?
            if let text {
                guard let a = NetworkAddress(text) else { throw fail(m["address"], NetworkAddress.refusal(text)) }
                address = a
            }
            builder.add(
                PublicIPAddress(id: Self.id("publicIPs", name), name: name, address: address, location: location(node)))
        }
        for node in try list(top["segments"]) { try readSegment(node) }
        for node in try list(top["ruleSets"]) { try readRuleSet(node, justifications: justifications) }
        for node in try list(top["hosts"]) { try readHost(node) }
    }

    mutating func readSegment(_ node: Node) throws {
        let m = try mapping(node, "a segment")
        let name = try required(m, "name", in: node, "a segment")
        let id = Self.id("segments", name)
        let space = try prefixes(m["addressSpace"], "addressSpace")
        let peers = try strings(m["peers"], "peers").map { peer in
            Peering(
                name: "\(name)-to-\(peer)", remoteNetwork: Self.id("segments", peer), location: location(m["peers"]))
        }
        builder.add(VirtualNetwork(id: id, name: name, addressSpace: space, peerings: peers, location: location(node)))
        // Peering in YAML is declared once and holds both ways.
        for peer in peers {
            builder.add(
                VirtualNetwork(
                    id: peer.remoteNetwork, name: peer.remoteNetwork.lastComponent, addressSpace: [],
                    peerings: [
                        Peering(
                            name: "\(peer.remoteNetwork.lastComponent)-to-\(name)", remoteNetwork: id,
                            location: peer.location)
                    ]))
        }
        for subnetNode in try list(m["subnets"]) {
            let s = try mapping(subnetNode, "a subnet")
            let subnetName = try required(s, "name", in: subnetNode, "a subnet")
            let subnetPrefixes = try prefixes(s["prefix"], "prefix") + prefixes(s["prefixes"], "prefixes")
            if subnetPrefixes.isEmpty { throw fail(subnetNode, "subnet '\(subnetName)' needs `prefix`") }
            let ruleSet = try string(s["ruleSet"], "ruleSet").map { Self.id("ruleSets", $0) }
            builder.add(
                Subnet(
                    id: ResourceID(id.text + "/subnets/" + subnetName), name: subnetName, virtualNetwork: id,
                    prefixes: subnetPrefixes, securityGroup: ruleSet, location: location(subnetNode)))
        }
    }

    mutating func readRuleSet(_ node: Node, justifications: [String: String]) throws {
        let m = try mapping(node, "a rule set")
        let name = try required(m, "name", in: node, "a rule set")
        var rules: [SecurityRule] = []
        for ruleNode in try list(m["rules"]) {
            rules.append(try readRule(ruleNode, ruleSet: name, justifications: justifications))
        }
        builder.add(SecurityGroup(id: Self.id("ruleSets", name), name: name, rules: rules, location: location(node)))
    }

    mutating func readRule(_ node: Node, ruleSet: String, justifications: [String: String]) throws -> SecurityRule {
        let m = try mapping(node, "a rule")
        let name = try required(m, "name", in: node, "a rule")
        let priorityText = try required(m, "priority", in: node, "rule '\(name)'")
        guard let priority = Int(priorityText), priority >= 0 else {
            throw fail(m["priority"], "rule '\(name)': priority must be a whole number")
        }
        let directionText = try required(m, "direction", in: node, "rule '\(name)'")
        guard
            let direction = Direction.allCases.first(where: { $0.rawValue.lowercased() == directionText.lowercased() })
        else { throw fail(m["direction"], "rule '\(name)': direction must be inbound or outbound") }
        let accessText = try required(m, "access", in: node, "rule '\(name)'")
        guard let access = [Access.allow, .deny].first(where: { $0.rawValue.lowercased() == accessText.lowercased() })
        else { throw fail(m["access"], "rule '\(name)': access must be allow or deny") }
        let protocolText = try string(m["protocol"], "protocol") ?? "any"
        guard let proto = RuleProtocol(azure: protocolText) else {
            throw fail(m["protocol"], "rule '\(name)': protocol must be tcp, udp, icmp, esp, ah or any")
        }
        let sources = try addresses(m["source"], rule: name)
        let destinations = try addresses(m["destination"], rule: name)
        let ports = try portRanges(m["ports"], rule: name)
        let sourcePorts = try portRanges(m["sourcePorts"], rule: name)
        var description =
            try string(m["justification"], "justification") ?? string(m["description"], "description") ?? ""
        if description.isEmpty, let j = justifications["\(ruleSet)/\(name)".lowercased()] { description = j }
        return SecurityRule(
            name: name, priority: priority, direction: direction, access: access, protocol: proto,
            sources: sources.isEmpty ? [.any] : sources, destinations: destinations.isEmpty ? [.any] : destinations,
            sourcePorts: sourcePorts.isEmpty ? [.any] : sourcePorts,
            destinationPorts: ports.isEmpty ? [.any] : ports, description: description, location: location(node))
    }

    mutating func addresses(_ node: Node?, rule: String) throws -> [AddressMatch] {
        try strings(node, "rule '\(rule)' addresses").map { text in
            let lower = text.lowercased()
            if lower.hasPrefix("group:") {
                return .applicationSecurityGroup(Self.id("groups", String(text.dropFirst("group:".count))))
            }
            if lower == "internet" { return .serviceTag("Internet") }
            if lower == "virtualnetwork" || lower == "segment" { return .serviceTag("VirtualNetwork") }
            let match = AddressMatch.parse(text)
            if case .unsupported = match {
                throw fail(node, "rule '\(rule)': '\(text)' is not an address, prefix, tag or group:NAME")
            }
            return match
        }
    }

    mutating func portRanges(_ node: Node?, rule: String) throws -> [PortRange] {
        try strings(node, "rule '\(rule)' ports").map { text in
            guard let range = PortRange(text) else {
                throw fail(node, "rule '\(rule)': '\(text)' is not a port, a range like 1000-2000, or *")
            }
            return range
        }
    }

    mutating func readHost(_ node: Node) throws {
        let m = try mapping(node, "a host")
        let name = try required(m, "name", in: node, "a host")
        let segment = try required(m, "segment", in: node, "host '\(name)'")
        let subnet = try required(m, "subnet", in: node, "host '\(name)'")
        let addressText = try required(m, "address", in: node, "host '\(name)'")
        guard let address = NetworkAddress(addressText) else {
            throw fail(m["address"], "host '\(name)': " + NetworkAddress.refusal(addressText))
        }
        // A dual-stack host: `ipv6Address` is a second configuration of the same NIC.
        var ipv6Address: NetworkAddress?
        if let text = try string(m["ipv6Address"], "ipv6Address") {
            guard let a = NetworkAddress(text), !a.isIPv4, address.isIPv4 else {
                throw fail(
                    m["ipv6Address"],
                    "host '\(name)': "
                        + (NetworkAddress(text) == nil
                            ? NetworkAddress.refusal(text)
                            : "ipv6Address '\(text)' must be an IPv6 address beside an IPv4 `address`"))
            }
            ipv6Address = a
        }
        var publicIP: ResourceID?
        if let text = try string(m["publicIP"], "publicIP") {
            if let a = NetworkAddress(text) {
                let id = Self.id("publicIPs", "\(name)-public")
                builder.add(
                    PublicIPAddress(id: id, name: "\(name)-public", address: a, location: location(m["publicIP"])))
                publicIP = id
            } else {
                publicIP = Self.id("publicIPs", text)
            }
        }
        let groups = try strings(m["groups"], "groups").map { Self.id("groups", $0) }
        let subnetID = ResourceID(Self.id("segments", segment).text + "/subnets/" + subnet)
        let config = IPConfiguration(
            name: "primary", privateAddress: address, subnet: subnetID, publicIP: publicIP,
            applicationSecurityGroups: groups, location: location(node))
        var configs = [config]
        if let ipv6Address {
            var v6 = IPConfiguration(
                name: "ipv6", privateAddress: ipv6Address, subnet: subnetID, publicIP: nil,
                applicationSecurityGroups: groups, location: location(m["ipv6Address"]))
            v6.isIPv6 = true
            configs.append(v6)
        }
        // Hosts naming the same machine are NICs of one VM: reaching one gives the others.
        if let machine = try string(m["machine"], "machine") {
            builder.add(
                VirtualMachine(
                    id: Self.id("machines", machine), name: machine, interfaces: [Self.id("hosts", name)],
                    location: location(m["machine"])))
        }
        builder.add(
            NetworkInterface(
                id: Self.id("hosts", name), name: name, ipConfigurations: configs,
                securityGroup: try string(m["ruleSet"], "ruleSet").map { Self.id("ruleSets", $0) },
                tags: try tags(m["tags"]), location: location(node)))
    }
}
