import Findings
import Foundation

/// Route tables, Azure Firewalls and firewall policies, in the shapes of an Azure resource export,
/// `az network route-table show`, `az network firewall show` (properties flattened) and ARM
/// templates (the same reader, after the template is deployed offline).
extension AzureResourceReader {
    /// A boolean field, given as a JSON boolean or as text.
    func flag(_ object: [String: Any], _ key: String) -> Bool? {
        guard let raw = JSONField.value(object, key) else { return nil }
        if let text = raw as? String {
            return text.lowercased() == "true" ? true : text.lowercased() == "false" ? false : nil
        }
        if let number = raw as? NSNumber { return number.boolValue }
        return nil
    }

    /// Strings of a list field (numbers as text).
    func strings(_ object: [String: Any], _ key: String) -> [String] {
        guard let list = JSONField.value(object, key) as? [Any] else { return [] }
        return list.compactMap {
            if let s = $0 as? String { return s }
            return ($0 as? NSNumber)?.stringValue
        }
    }

    mutating func readRouting(
        type: String, id: ResourceID, name: String, props: [String: Any], pointer: String, propsPointer: String
    ) throws {
        switch type {
        case "microsoft.network/routetables":
            var routes: [Route] = []
            if let list = JSONField.value(props, "routes") as? [Any] {
                for (i, item) in list.enumerated() {
                    let here = "\(propsPointer)/routes/\(i)"
                    guard let object = item as? [String: Any], let routeName = string(object, "name") else {
                        throw fail(here, "a route without a `name`")
                    }
                    let (rprops, rp) = properties(object)
                    if let route = try readRoute(name: routeName, props: rprops, pointer: here, propsPointer: here + rp)
                    {
                        routes.append(route)
                    }
                }
            }
            builder.add(
                RouteTable(
                    id: id, name: name, routes: routes,
                    disableBgpRoutePropagation: flag(props, "disableBgpRoutePropagation") ?? false,
                    location: location(pointer)))
            for subnet in references(props, "subnets") { builder.routeTableAttachments.append((id, subnet)) }
        case "microsoft.network/routetables/routes":
            let table = ResourceID(parentID(of: id))
            if let route = try readRoute(name: name, props: props, pointer: pointer, propsPointer: propsPointer) {
                builder.add(RouteTable(id: table, name: table.lastComponent, routes: [route]))
            }
        case "microsoft.network/azurefirewalls":
            try readFirewall(id: id, name: name, props: props, pointer: pointer, propsPointer: propsPointer)
        case "microsoft.network/firewallpolicies":
            builder.add(
                FirewallPolicy(
                    id: id, name: name, basePolicy: reference(props, "basePolicy"), location: location(pointer)))
        case "microsoft.network/firewallpolicies/rulecollectiongroups":
            let policy = ResourceID(parentID(of: id))
            let priority = try collectionPriority(props, what: "rule collection group '\(name)'", pointer: propsPointer)
            var collections: [FirewallRuleCollection] = []
            if let list = JSONField.value(props, "ruleCollections") as? [Any] {
                for (i, item) in list.enumerated() {
                    let here = "\(propsPointer)/ruleCollections/\(i)"
                    guard let object = item as? [String: Any] else {
                        throw fail(here, "expected a rule collection object")
                    }
                    let (cprops, cp) = properties(object)
                    let collectionType =
                        string(cprops, "ruleCollectionType") ?? string(object, "ruleCollectionType") ?? ""
                    let actionText = (JSONField.value(cprops, "action") as? [String: Any]).flatMap {
                        string($0, "type")
                    }
                    let isNat =
                        collectionType.lowercased().contains("nat") || actionText?.lowercased() == "dnat"
                    collections.append(
                        try readCollection(
                            object, props: cprops, kind: isNat ? .dnat : nil, pointer: here, propsPointer: here + cp))
                }
            }
            builder.add(
                FirewallPolicy(
                    id: policy, name: policy.lastComponent,
                    groups: [
                        FirewallRuleCollectionGroup(
                            id: id, name: name, priority: priority, collections: collections,
                            location: location(pointer))
                    ]))
        default:
            break
        }
    }

    /// One route. A next hop type Azure does not have, or an appliance route without its address,
    /// makes the route table unusable: every flow it might carry would be guessed.
    func readRoute(name: String, props: [String: Any], pointer: String, propsPointer: String) throws -> Route? {
        _ = try checkedName(name, pointer: pointer)
        guard let prefixText = string(props, "addressPrefix") else {
            throw fail(propsPointer + "/addressPrefix", "route '\(name)' has no `addressPrefix`")
        }
        guard let typeText = string(props, "nextHopType"), let type = NextHopType(azure: typeText) else {
            throw fail(
                propsPointer + "/nextHopType",
                "route '\(name)' needs `nextHopType` VirtualAppliance, VirtualNetworkGateway, Internet, None or VnetLocal"
            )
        }
        guard let prefix = NetworkPrefix(prefixText) else {
            if prefixText.contains(":") || ARMValue.isSymbolic(prefixText) { return nil }
            // Service tags as route prefixes (`AzureCloud`, …) name ranges not known offline.
            if prefixText.first?.isLetter == true { return nil }
            throw fail(
                propsPointer + "/addressPrefix",
                "route '\(name)': " + NetworkAddress.refusal(prefixText, what: "prefix"))
        }
        var hop: NetworkAddress?
        if type == .virtualAppliance {
            guard let text = string(props, "nextHopIpAddress"), let address = NetworkAddress(text) else {
                throw fail(
                    propsPointer + "/nextHopIpAddress",
                    "route '\(name)' sends traffic to a virtual appliance but gives no `nextHopIpAddress`")
            }
            hop = address
        }
        return Route(
            name: name, addressPrefix: prefix, nextHopType: type, nextHopAddress: hop, location: location(pointer))
    }

    mutating func readFirewall(
        id: ResourceID, name: String, props: [String: Any], pointer: String, propsPointer: String
    ) throws {
        var firewall = AzureFirewall(
            id: id, name: name, policy: reference(props, "firewallPolicy"), location: location(pointer))
        if let list = JSONField.value(props, "ipConfigurations") as? [Any] {
            for (i, item) in list.enumerated() {
                guard let config = item as? [String: Any] else {
                    throw fail("\(propsPointer)/ipConfigurations/\(i)", "expected an IP configuration object")
                }
                let (cprops, cp) = properties(config)
                if let text = string(cprops, "privateIPAddress"), firewall.privateAddress == nil {
                    guard let address = NetworkAddress(text) else {
                        throw fail(
                            "\(propsPointer)/ipConfigurations/\(i)\(cp)/privateIPAddress",
                            NetworkAddress.refusal(text))
                    }
                    firewall.privateAddress = address
                }
                if firewall.subnet == nil { firewall.subnet = reference(cprops, "subnet") }
                if let pip = reference(cprops, "publicIPAddress") { firewall.publicIPs.append(pip) }
            }
        }
        if firewall.privateAddress == nil, let hub = JSONField.value(props, "hubIPAddresses") as? [String: Any],
            let text = string(hub, "privateIPAddress")
        {
            firewall.privateAddress = NetworkAddress(text)
        }
        for (key, kind) in [
            ("natRuleCollections", FirewallRuleKind.dnat), ("networkRuleCollections", .network),
            ("applicationRuleCollections", .application),
        ] {
            guard let list = JSONField.value(props, key) as? [Any] else { continue }
            for (i, item) in list.enumerated() {
                let here = "\(propsPointer)/\(key)/\(i)"
                guard let object = item as? [String: Any] else { throw fail(here, "expected a rule collection object") }
                let (cprops, cp) = properties(object)
                firewall.collections.append(
                    try readCollection(object, props: cprops, kind: kind, pointer: here, propsPointer: here + cp))
            }
        }
        builder.add(firewall)
    }

    func collectionPriority(_ props: [String: Any], what: String, pointer: String) throws -> Int {
        guard let text = string(props, "priority"), let priority = Int(text) else {
            throw fail(pointer + "/priority", "\(what) has no numeric `priority`")
        }
        return priority
    }

    /// A rule collection, classic or of a policy. `kind` nil: a policy filter collection, whose
    /// rules say their type (`NetworkRule`, `ApplicationRule`); a collection mixing them is split.
    func readCollection(
        _ object: [String: Any], props: [String: Any], kind: FirewallRuleKind?, pointer: String, propsPointer: String
    ) throws -> FirewallRuleCollection {
        let name = string(object, "name") ?? string(props, "name") ?? "collection"
        _ = try checkedName(name, pointer: pointer)
        let priority = try collectionPriority(props, what: "rule collection '\(name)'", pointer: propsPointer)
        let actionText = (JSONField.value(props, "action") as? [String: Any]).flatMap { string($0, "type") } ?? ""
        let action: FirewallAction
        switch actionText.lowercased() {
        case "allow": action = .allow
        case "deny": action = .deny
        case "dnat", "snat": action = .dnat
        default:
            if kind == .dnat {
                action = .dnat
            } else {
                throw fail(propsPointer + "/action", "rule collection '\(name)' needs `action` Allow, Deny or Dnat")
            }
        }
        var rules: [FirewallRule] = []
        var resolvedKind = kind
        if let list = JSONField.value(props, "rules") as? [Any] {
            for (i, item) in list.enumerated() {
                let here = "\(propsPointer)/rules/\(i)"
                guard let rule = item as? [String: Any], let ruleName = string(rule, "name") else {
                    throw fail(here, "a firewall rule without a `name`")
                }
                let (rprops, _) = properties(rule)
                let ruleType = (string(rprops, "ruleType") ?? "").lowercased()
                let ruleKind: FirewallRuleKind =
                    kind
                    ?? (ruleType.contains("application") ? .application : ruleType.contains("nat") ? .dnat : .network)
                if resolvedKind == nil { resolvedKind = ruleKind }
                rules.append(try readFirewallRule(ruleName, rprops, kind: ruleKind, pointer: here))
            }
        }
        return FirewallRuleCollection(
            name: name, kind: resolvedKind ?? .network, priority: priority, action: action, rules: rules,
            location: location(pointer))
    }

    func readFirewallRule(_ name: String, _ props: [String: Any], kind: FirewallRuleKind, pointer: String) throws
        -> FirewallRule
    {
        _ = try checkedName(name, pointer: pointer)
        var unresolved: [String] = []
        func addresses(_ key: String) -> [AddressMatch] {
            var result: [AddressMatch] = []
            for text in strings(props, key) {
                if let dash = text.firstIndex(of: "-"), let lo = NetworkAddress(text[..<dash]),
                    let hi = NetworkAddress(text[text.index(after: dash)...]), lo <= hi, lo.isIPv4 == hi.isIPv4
                {
                    result += Self.prefixes(from: lo.value, to: hi.value).map { .prefix($0) }
                } else if ARMValue.isSymbolic(text) {
                    unresolved.append(text)
                } else {
                    result.append(AddressMatch.parse(text))
                }
            }
            return result
        }
        var sources = addresses("sourceAddresses")
        var destinations = addresses("destinationAddresses")
        for key in ["sourceIpGroups"] where !strings(props, key).isEmpty {
            unresolved += strings(props, key).map { "IP group \(ResourceID($0).lastComponent)" }
            sources.append(.any)
        }
        for key in [
            "destinationIpGroups", "destinationFqdns", "targetFqdns", "fqdnTags", "webCategories", "targetUrls",
        ]
        where !strings(props, key).isEmpty {
            unresolved += strings(props, key)
            destinations.append(.any)
        }
        if sources.isEmpty { sources = [.any] }
        if destinations.isEmpty { destinations = kind == .application ? [.any] : [] }
        var protocols: [RuleProtocol] = []
        var ports: [PortRange] = []
        switch kind {
        case .application:
            protocols = [.tcp]
            if let list = JSONField.value(props, "protocols") as? [Any] {
                for item in list {
                    guard let p = item as? [String: Any] else { continue }
                    if let text = string(p, "port"), let port = Int(text) {
                        ports.append(PortRange(port, port))
                    } else {
                        let type = (string(p, "protocolType") ?? "").lowercased()
                        let port = type == "http" ? 80 : type == "mssql" ? 1433 : 443
                        ports.append(PortRange(port, port))
                    }
                }
            }
            if ports.isEmpty { ports = [PortRange(80, 80), PortRange(443, 443)] }
        case .network, .dnat:
            for text in strings(props, "protocols") + strings(props, "ipProtocols") {
                guard let p = RuleProtocol(azure: text) else {
                    throw fail(pointer, "firewall rule '\(name)' has unknown protocol '\(text)'")
                }
                protocols.append(p)
            }
            if protocols.isEmpty { protocols = [.any] }
            for text in strings(props, "destinationPorts") {
                guard let range = PortRange(text) else {
                    throw fail(
                        pointer + "/destinationPorts",
                        "firewall rule '\(name)': '\(text)' is not a port, port range or *")
                }
                ports.append(range)
            }
            if ports.isEmpty { ports = [.any] }
        }
        var translated: NetworkAddress?
        var translatedPort: Int?
        if kind == .dnat {
            if let text = string(props, "translatedAddress") {
                guard let address = NetworkAddress(text) else {
                    throw fail(pointer + "/translatedAddress", "DNAT rule '\(name)': " + NetworkAddress.refusal(text))
                }
                translated = address
            } else if let fqdn = string(props, "translatedFqdn") {
                unresolved.append(fqdn)
            }
            if let text = string(props, "translatedPort") {
                guard let port = Int(text), (0...65535).contains(port) else {
                    throw fail(pointer + "/translatedPort", "DNAT rule '\(name)': '\(text)' is not a port")
                }
                translatedPort = port
            }
        }
        return FirewallRule(
            name: name, protocols: protocols, sources: sources, destinations: destinations, destinationPorts: ports,
            translatedAddress: translated, translatedPort: translatedPort, unresolved: unresolved,
            location: location(pointer))
    }

    /// The fewest prefixes covering `lo…hi` exactly (firewall rules accept address ranges).
    static func prefixes(from lo: UInt128, to hi: UInt128) -> [NetworkPrefix] { NetworkPrefix.covering(lo, hi) }
}

extension NetworkBuilder {
    mutating func add(_ table: RouteTable) {
        if let i = network.routeTables.firstIndex(where: { $0.id == table.id }) {
            if network.routeTables[i].location == nil {
                network.routeTables[i].location = table.location
                network.routeTables[i].disableBgpRoutePropagation = table.disableBgpRoutePropagation
            }
            for route in table.routes where !network.routeTables[i].routes.contains(where: { $0.name == route.name }) {
                network.routeTables[i].routes.append(route)
            }
        } else {
            network.routeTables.append(table)
        }
    }

    mutating func add(_ firewall: AzureFirewall) {
        if let i = network.firewalls.firstIndex(where: { $0.id == firewall.id }) {
            var merged = network.firewalls[i]
            if merged.privateAddress == nil { merged.privateAddress = firewall.privateAddress }
            if merged.subnet == nil { merged.subnet = firewall.subnet }
            if merged.policy == nil { merged.policy = firewall.policy }
            if merged.collections.isEmpty { merged.collections = firewall.collections }
            for p in firewall.publicIPs where !merged.publicIPs.contains(p) { merged.publicIPs.append(p) }
            network.firewalls[i] = merged
        } else {
            network.firewalls.append(firewall)
        }
    }

    mutating func add(_ policy: FirewallPolicy) {
        if let i = network.firewallPolicies.firstIndex(where: { $0.id == policy.id }) {
            if network.firewallPolicies[i].location == nil {
                network.firewallPolicies[i].location = policy.location
                network.firewallPolicies[i].basePolicy = policy.basePolicy
            }
            for group in policy.groups where !network.firewallPolicies[i].groups.contains(where: { $0.id == group.id })
            {
                network.firewallPolicies[i].groups.append(group)
            }
        } else {
            network.firewallPolicies.append(policy)
        }
    }

    /// Route table back-references, and references that name nothing, as warnings.
    mutating func linkRouting() {
        for (table, subnetID) in routeTableAttachments {
            if let i = network.subnets.firstIndex(where: { $0.id == subnetID }), network.subnets[i].routeTable == nil {
                network.subnets[i].routeTable = table
            }
        }
        let tables = Set(network.routeTables.map(\.id))
        for subnet in network.subnets {
            if let table = subnet.routeTable, !tables.contains(table) {
                warn(
                    "subnet '\(subnet.name)' names route table \(table.text), which is not in the input; the subnet is taken to use the system routes",
                    at: subnet.location)
            }
        }
        var known = Set<UInt128>()
        for nic in network.interfaces { for a in nic.privateAddresses { known.insert(a.value) } }
        for fw in network.firewalls { if let a = fw.privateAddress { known.insert(a.value) } }
        for table in network.routeTables {
            for route in table.routes {
                if let hop = route.nextHopAddress, !known.contains(hop.value) {
                    warn(
                        "route '\(route.name)' of route table '\(table.name)' sends \(route.addressPrefix) to \(hop), which is no firewall or network interface in the input; the appliance is taken to forward anything (the conservative reading)",
                        at: route.location ?? table.location)
                }
            }
        }
        for fw in network.firewalls {
            if fw.privateAddress == nil {
                warn(
                    "Azure Firewall '\(fw.name)' has no private address in the input; routes cannot name it, and its rules decide no flow",
                    at: fw.location)
            }
            if let policy = fw.policy {
                let (_, missing) = network.orderedRules(of: fw)
                for id in missing {
                    let what = id == policy ? "firewall policy" : "parent policy"
                    warn(
                        "Azure Firewall '\(fw.name)' uses \(what) \(id.text), which is not in the input; its rules are unknown and come first, so the firewall is taken to let anything through (the conservative reading)",
                        at: fw.location)
                }
            }
            for pip in fw.publicIPs where network.publicIP(pip) == nil {
                warn(
                    "Azure Firewall '\(fw.name)' names public IP \(pip.text), which is not in the input; its DNAT rules listen on the addresses they name",
                    at: fw.location)
            }
        }
        network.routeTables.sort { $0.id < $1.id }
        network.firewalls.sort { $0.id < $1.id }
        network.firewallPolicies.sort { $0.id < $1.id }
    }
}
