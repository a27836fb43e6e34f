import Findings
import Foundation

/// Reads Azure resources one at a time into the builder. Each resource may carry its settings in
/// `properties` (resource lists, templates) or flattened onto itself (`az network … list`, the
/// JavaScript SDK); Python SDK `as_dict()` output has its snake_case keys read as the camelCase
/// ones they stand for. Resources from an ARM template arrive already deployed (`ARMTemplate`),
/// where a value that could not be known offline is a symbol in angle brackets.
struct AzureResourceReader {
    let file: String
    var builder: NetworkBuilder
    /// Whether the resources come from an ARM template (ids are built, not given).
    var fromTemplate = false
    /// Top-level resource ids seen in this file, to warn about duplicates.
    private var seenIDs: [ResourceID: String] = [:]

    /// Azure's longest names: 80 characters for network resources and rules, 64 for VMs and VNets;
    /// rule descriptions 140. Longer text is refused before it is copied anywhere.
    static let maximumNameLength = 80
    static let maximumDescriptionLength = 140

    init(file: String, builder: NetworkBuilder) {
        self.file = file
        self.builder = builder
    }

    func location(_ pointer: String) -> SourceLocation { SourceLocation(file: file, pointer: pointer) }

    func fail(_ pointer: String, _ reason: String) -> InputError {
        InputError(file: file, place: .pointer(pointer), reason: reason)
    }

    /// A top-level resource of a list or a template: snake_case keys are read as camelCase, and an id
    /// seen twice in the file is a warning (ARM refuses such a template; a list should not have one).
    mutating func readListed(_ raw: [String: Any], pointer: String) throws {
        let object = PythonSDKKeys.isSnakeCase(raw) ? PythonSDKKeys.camelCased(raw) : raw
        if let given = object["id"] as? String, !given.isEmpty,
            let type = object["type"] as? String, ARMTemplate.readTypes.contains(type.lowercased())
        {
            let id = ResourceID(given)
            if let first = seenIDs[id] {
                let what =
                    fromTemplate
                    ? "the template defines \(type) '\(id.lastComponent)' twice (also at \(first)); Azure would refuse the deployment, and the definitions are merged"
                    : "resource \(id.text) appears twice in this file (also at \(first)); the definitions are merged"
                builder.warn(what, at: location(pointer))
            } else {
                seenIDs[id] = pointer.isEmpty ? "/" : pointer
            }
        }
        try readResource(object, pointer: pointer)
    }

    /// A name checked against Azure's limit.
    func checkedName(_ name: String, pointer: String, limit: Int = maximumNameLength) throws -> String {
        if name.utf8.count > limit, name.count > limit, !ARMValue.isSymbolic(name) {
            throw fail(
                pointer + "/name",
                "a name of \(name.count) characters; Azure allows at most \(limit) (\(String(name.prefix(24)))…)")
        }
        return name
    }

    /// A string field.
    func string(_ object: [String: Any], _ key: String) -> String? {
        guard let raw = JSONField.value(object, key) else { return nil }
        if let text = raw as? String { return text }
        if let number = raw as? NSNumber { return number.stringValue }
        return nil
    }

    /// The `id` inside `{"id": ...}`, resolved and wrapped.
    func reference(_ object: [String: Any], _ key: String) -> ResourceID? {
        guard let inner = JSONField.value(object, key) as? [String: Any], let id = string(inner, "id"), !id.isEmpty
        else { return nil }
        return ResourceID(id)
    }

    func references(_ object: [String: Any], _ key: String) -> [ResourceID] {
        guard let list = JSONField.value(object, key) as? [Any] else { return [] }
        return list.compactMap { item in
            guard let inner = item as? [String: Any], let id = string(inner, "id"), !id.isEmpty else { return nil }
            return ResourceID(id)
        }
    }

    func tags(_ object: [String: Any]) -> [String: String] {
        guard let raw = JSONField.value(object, "tags") as? [String: Any] else { return [:] }
        var result: [String: String] = [:]
        for (k, v) in raw {
            if let s = v as? String {
                result[k] = s
            } else if let n = v as? NSNumber {
                result[k] = n.stringValue
            }
        }
        return result
    }

    /// `properties` if present, else the object itself (flattened `az` output).
    func properties(_ object: [String: Any]) -> (value: [String: Any], pointer: String) {
        if let props = JSONField.value(object, "properties") as? [String: Any] { return (props, "/properties") }
        return (object, "")
    }

    mutating func readResource(
        _ object: [String: Any], pointer: String, parentType: String? = nil, parentName: String? = nil
    ) throws {
        guard var type = string(object, "type") else {
            // Nested children in `az` output have no type; callers that expect them read them directly.
            throw fail(pointer, "a resource without a `type`")
        }
        guard var name = string(object, "name") else { throw fail(pointer, "a resource without a `name`") }
        // Template child resources give a relative type and name.
        if let parentType, let parentName,
            !type.utf8.contains(UInt8(ascii: "/")) || !type.lowercased().hasPrefix("microsoft.")
        {
            type = parentType + "/" + type
            name = parentName + "/" + name
        }
        let id: ResourceID
        if let given = string(object, "id"), !given.isEmpty {
            id = ResourceID(given)
        } else if fromTemplate {
            id = ResourceID(
                ARMScope.resourceID(
                    scope: ARMScope.resourceGroupID, type: type, names: name.split(separator: "/").map(String.init)))
        } else {
            throw fail(pointer, "a resource without an `id`")
        }
        let shortName = try checkedName(String(name.split(separator: "/").last ?? Substring(name)), pointer: pointer)
        let (props, propsPointer) = properties(object)
        let p = pointer + propsPointer
        switch type.lowercased() {
        case "microsoft.network/virtualnetworks":
            try readVirtualNetwork(id: id, name: shortName, props: props, pointer: pointer, propsPointer: p)
        case "microsoft.network/virtualnetworks/subnets":
            let vnet = ResourceID(parentID(of: id))
            try readSubnet(id: id, name: shortName, vnet: vnet, props: props, pointer: pointer, propsPointer: p)
        case "microsoft.network/virtualnetworks/virtualnetworkpeerings":
            let vnet = ResourceID(parentID(of: id))
            if let peering = readPeering(name: shortName, props: props, pointer: pointer) {
                builder.add(VirtualNetwork(id: vnet, name: vnet.lastComponent, addressSpace: [], peerings: [peering]))
            }
        case "microsoft.network/networksecuritygroups":
            try readSecurityGroup(id: id, name: shortName, props: props, pointer: pointer, propsPointer: p)
        case "microsoft.network/networksecuritygroups/securityrules":
            let nsg = ResourceID(parentID(of: id))
            let rule = try readRule(name: shortName, props: props, pointer: pointer, propsPointer: p)
            if let rule { builder.append(rule, to: nsg) }
        case "microsoft.network/networkinterfaces":
            try readInterface(id: id, name: shortName, object: object, props: props, pointer: pointer, propsPointer: p)
        case "microsoft.network/publicipaddresses":
            readPublicIP(id: id, name: shortName, object: object, props: props, pointer: pointer)
        case let door where DoorsReader.readTypes.contains(door):
            try readDoor(
                type: door, id: id, name: shortName, object: object, props: props, pointer: pointer, propsPointer: p)
        case "microsoft.network/applicationsecuritygroups":
            builder.add(ApplicationSecurityGroup(id: id, name: shortName, location: location(pointer)))
        case "microsoft.network/routetables", "microsoft.network/routetables/routes",
            "microsoft.network/azurefirewalls",
            "microsoft.network/firewallpolicies", "microsoft.network/firewallpolicies/rulecollectiongroups":
            try readRouting(
                type: type.lowercased(), id: id, name: shortName, props: props, pointer: pointer, propsPointer: p)
        case "microsoft.compute/virtualmachines":
            var nics: [ResourceID] = []
            if let profile = JSONField.value(props, "networkProfile") as? [String: Any] {
                nics = references(profile, "networkInterfaces")
            }
            builder.add(
                VirtualMachine(
                    id: id, name: shortName, tags: tags(object), interfaces: nics, location: location(pointer)))
        default:
            break
        }
    }

    /// `/…/virtualNetworks/v/subnets/s` → `/…/virtualNetworks/v`.
    func parentID(of id: ResourceID) -> String {
        var parts = id.text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 2 { parts.removeLast(2) }
        return parts.joined(separator: "/")
    }

    mutating func prefixes(_ object: [String: Any], single: String, plural: String, pointer: String) throws
        -> [NetworkPrefix]
    {
        var texts: [String] = []
        if let one = string(object, single), !one.isEmpty { texts.append(one) }
        if let many = JSONField.value(object, plural) as? [Any] {
            texts += many.compactMap { $0 as? String }
        }
        var result: [NetworkPrefix] = []
        for text in texts {
            if let prefix = NetworkPrefix(text) {
                result.append(prefix)
            } else if ARMValue.isSymbolic(text) {
                builder.warn(
                    "address prefix \(text) is not known offline (give it in a --parameters file); it is left out",
                    at: location(pointer))
            } else {
                throw fail(pointer, NetworkAddress.refusal(text, what: "prefix"))
            }
        }
        return result
    }

    mutating func readVirtualNetwork(
        id: ResourceID, name: String, props: [String: Any], pointer: String, propsPointer: String
    ) throws {
        var space: [NetworkPrefix] = []
        if let addressSpace = JSONField.value(props, "addressSpace") as? [String: Any] {
            space = try prefixes(
                addressSpace, single: "addressPrefix", plural: "addressPrefixes",
                pointer: propsPointer + "/addressSpace/addressPrefixes")
        }
        var peerings: [Peering] = []
        if let list = JSONField.value(props, "virtualNetworkPeerings") as? [Any] {
            for (i, item) in list.enumerated() {
                guard let object = item as? [String: Any] else { continue }
                let here = "\(propsPointer)/virtualNetworkPeerings/\(i)"
                let (pprops, _) = properties(object)
                if let peering = readPeering(
                    name: string(object, "name") ?? "peering-\(i)", props: pprops, pointer: here)
                {
                    peerings.append(peering)
                }
            }
        }
        builder.add(
            VirtualNetwork(id: id, name: name, addressSpace: space, peerings: peerings, location: location(pointer)))
        if let list = JSONField.value(props, "subnets") as? [Any] {
            for (i, item) in list.enumerated() {
                let here = "\(propsPointer)/subnets/\(i)"
                guard let object = item as? [String: Any], let subnetName = string(object, "name") else {
                    throw fail(here, "a subnet without a `name`")
                }
                _ = try checkedName(subnetName, pointer: here)
                let subnetID =
                    string(object, "id").map(ResourceID.init) ?? ResourceID(id.text + "/subnets/" + subnetName)
                let (sprops, sp) = properties(object)
                try readSubnet(
                    id: subnetID, name: subnetName, vnet: id, props: sprops, pointer: here, propsPointer: here + sp)
            }
        }
    }

    func readPeering(name: String, props: [String: Any], pointer: String) -> Peering? {
        guard let remote = reference(props, "remoteVirtualNetwork") else { return nil }
        let state = string(props, "peeringState")
        let connected = state.map { $0.lowercased() == "connected" } ?? true
        var peering = Peering(name: name, remoteNetwork: remote, isConnected: connected, location: location(pointer))
        peering.allowForwardedTraffic = flag(props, "allowForwardedTraffic")
        peering.allowGatewayTransit = flag(props, "allowGatewayTransit")
        peering.useRemoteGateways = flag(props, "useRemoteGateways")
        return peering
    }

    mutating func readSubnet(
        id: ResourceID, name: String, vnet: ResourceID, props: [String: Any], pointer: String, propsPointer: String
    ) throws {
        let space = try prefixes(
            props, single: "addressPrefix", plural: "addressPrefixes", pointer: propsPointer + "/addressPrefix")
        builder.add(
            Subnet(
                id: id, name: name, virtualNetwork: vnet, prefixes: space,
                securityGroup: reference(props, "networkSecurityGroup"), routeTable: reference(props, "routeTable"),
                location: location(pointer)))
        readServiceEndpoints(subnet: id, props: props, pointer: propsPointer)
    }

    mutating func readSecurityGroup(
        id: ResourceID, name: String, props: [String: Any], pointer: String, propsPointer: String
    ) throws {
        var rules: [SecurityRule] = []
        var defaults: [SecurityRule] = []
        for (key, isDefault) in [("securityRules", false), ("defaultSecurityRules", true)] {
            guard let list = JSONField.value(props, key) as? [Any] else { continue }
            for (i, item) in list.enumerated() {
                let here = "\(propsPointer)/\(key)/\(i)"
                guard let object = item as? [String: Any], let ruleName = string(object, "name") else {
                    throw fail(here, "a security rule without a `name`")
                }
                let (rprops, rp) = properties(object)
                if var rule = try readRule(name: ruleName, props: rprops, pointer: here, propsPointer: here + rp) {
                    rule.isDefault = isDefault
                    if isDefault { defaults.append(rule) } else { rules.append(rule) }
                }
            }
        }
        builder.add(
            SecurityGroup(id: id, name: name, rules: rules, listedDefaultRules: defaults, location: location(pointer)))
        for target in references(props, "subnets") + references(props, "networkInterfaces") {
            builder.attach(nsg: id, to: target)
        }
    }

    /// Address texts of one side of a rule: `…AddressPrefix` and `…AddressPrefixes`.
    func addressTexts(_ props: [String: Any], side: String) -> [String] {
        var texts: [String] = []
        if let one = string(props, "\(side)AddressPrefix"), !one.isEmpty { texts.append(one) }
        if let many = JSONField.value(props, "\(side)AddressPrefixes") as? [Any] {
            texts += many.compactMap { $0 as? String }
        }
        return texts
    }

    func portTexts(_ props: [String: Any], side: String) -> [String] {
        var texts: [String] = []
        if let one = string(props, "\(side)PortRange"), !one.isEmpty { texts.append(one) }
        if let many = JSONField.value(props, "\(side)PortRanges") as? [Any] {
            texts += many.compactMap {
                if let s = $0 as? String { return s }
                return ($0 as? NSNumber)?.stringValue
            }
        }
        return texts
    }

    /// One rule. Missing priority, direction or access make the NSG unusable: guessing would change
    /// every verdict after it. A source, destination, port or protocol not known offline (a symbolic
    /// template value) is read conservatively: an allow rule allows any, so an unknown source could
    /// be the internet; a deny rule is left out, since it might not match.
    mutating func readRule(name: String, props: [String: Any], pointer: String, propsPointer: String) throws
        -> SecurityRule?
    {
        _ = try checkedName(name, pointer: pointer)
        guard let priorityText = string(props, "priority"), let priority = Int(priorityText) else {
            let known = string(props, "priority").map { ARMValue.isSymbolic($0) } ?? false
            throw fail(
                propsPointer + "/priority",
                "security rule '\(name)' has no numeric `priority`"
                    + (known ? " (it is not known offline: give its parameter in a --parameters file)" : ""))
        }
        guard let directionText = string(props, "direction"),
            let direction = Direction.allCases.first(where: { $0.rawValue.lowercased() == directionText.lowercased() })
        else {
            throw fail(propsPointer + "/direction", "security rule '\(name)' needs `direction` Inbound or Outbound")
        }
        guard let accessText = string(props, "access"),
            let access = [Access.allow, .deny].first(where: { $0.rawValue.lowercased() == accessText.lowercased() })
        else {
            throw fail(propsPointer + "/access", "security rule '\(name)' needs `access` Allow or Deny")
        }
        let description = string(props, "description") ?? ""
        if description.count > Self.maximumDescriptionLength {
            throw fail(
                propsPointer + "/description",
                "security rule '\(name)' has a description of \(description.count) characters; Azure allows at most \(Self.maximumDescriptionLength)"
            )
        }
        var unknown: [String] = []
        var protocolText = string(props, "protocol") ?? "*"
        if ARMValue.isSymbolic(protocolText) {
            unknown.append("protocol \(protocolText)")
            protocolText = "*"
        }
        guard let proto = RuleProtocol(azure: protocolText) else {
            throw fail(propsPointer + "/protocol", "security rule '\(name)' has unknown protocol '\(protocolText)'")
        }
        func addresses(_ side: String) -> [AddressMatch] {
            var result: [AddressMatch] = []
            for text in addressTexts(props, side: side) {
                if ARMValue.isSymbolic(text) {
                    unknown.append("\(side) \(text)")
                    result.append(.any)
                } else {
                    result.append(AddressMatch.parse(text))
                }
            }
            return result + references(props, "\(side)ApplicationSecurityGroups").map { .applicationSecurityGroup($0) }
        }
        func ports(_ side: String) throws -> [PortRange] {
            try portTexts(props, side: side).map { text in
                if ARMValue.isSymbolic(text) {
                    unknown.append("\(side) port \(text)")
                    return .any
                }
                guard let range = PortRange(text) else {
                    throw fail(propsPointer + "/\(side)PortRange", "'\(text)' is not a port, port range or *")
                }
                return range
            }
        }
        var sources = addresses("source")
        var destinations = addresses("destination")
        var sourcePorts = try ports("source")
        var destinationPorts = try ports("destination")
        if !unknown.isEmpty {
            let what = unknown.joined(separator: ", ")
            if access == .deny {
                builder.warn(
                    "deny rule '\(name)' uses values not known offline (\(what)); it is left out, since it might not match (the conservative reading)",
                    at: location(pointer))
                return nil
            }
            builder.warn(
                "allow rule '\(name)' uses values not known offline (\(what)); each is read as any (an unknown source could be the internet: the conservative reading)",
                at: location(pointer))
        }
        // Azure requires these; an export that leaves them out means "any".
        if sources.isEmpty { sources = [.any] }
        if destinations.isEmpty { destinations = [.any] }
        if sourcePorts.isEmpty { sourcePorts = [.any] }
        if destinationPorts.isEmpty { destinationPorts = [.any] }
        return SecurityRule(
            name: name, priority: priority, direction: direction, access: access, protocol: proto, sources: sources,
            destinations: destinations, sourcePorts: sourcePorts, destinationPorts: destinationPorts,
            description: description, location: location(pointer))
    }

    mutating func readInterface(
        id: ResourceID, name: String, object: [String: Any], props: [String: Any], pointer: String, propsPointer: String
    ) throws {
        var configs: [IPConfiguration] = []
        if let list = JSONField.value(props, "ipConfigurations") as? [Any] {
            for (i, item) in list.enumerated() {
                let here = "\(propsPointer)/ipConfigurations/\(i)"
                guard let config = item as? [String: Any] else {
                    throw fail(here, "expected an IP configuration object")
                }
                let (cprops, cp) = properties(config)
                var address: NetworkAddress?
                if let text = string(cprops, "privateIPAddress"), !text.isEmpty {
                    if ARMValue.isSymbolic(text) {
                        builder.warn(
                            "the private address \(text) is not known offline; it is allocated as a dynamic one",
                            at: location(here))
                    } else {
                        guard let parsed = NetworkAddress(text) else {
                            throw fail(here + cp + "/privateIPAddress", NetworkAddress.refusal(text))
                        }
                        address = parsed
                    }
                }
                var configuration = IPConfiguration(
                    name: string(config, "name") ?? "ipconfig\(i + 1)", privateAddress: address,
                    subnet: reference(cprops, "subnet"), publicIP: reference(cprops, "publicIPAddress"),
                    applicationSecurityGroups: references(cprops, "applicationSecurityGroups"),
                    backendPools: DoorsReader.poolKeys.flatMap { references(cprops, $0) }, location: location(here))
                // A dual-stack NIC's IPv6 configuration (`privateIPAddressVersion: IPv6`).
                configuration.isIPv6 =
                    address.map { !$0.isIPv4 }
                    ?? (string(cprops, "privateIPAddressVersion")?.lowercased() == "ipv6")
                configs.append(configuration)
            }
        }
        builder.add(
            NetworkInterface(
                id: id, name: name, ipConfigurations: configs, securityGroup: reference(props, "networkSecurityGroup"),
                tags: tags(object), machine: reference(props, "virtualMachine"), location: location(pointer)))
    }
}

extension AddressMatch {
    /// `*`, an IPv4 or IPv6 prefix or address, a service tag; ranges and other text that looks
    /// like an address but is none are `unsupported`.
    static func parse(_ text: String) -> AddressMatch {
        let t = text.trimmingSpaces()
        if t == "*" || t.lowercased() == "any" { return .any }
        if let prefix = NetworkPrefix(t) { return .prefix(prefix) }
        if t.utf8.contains(UInt8(ascii: ":")) || t.utf8.contains(UInt8(ascii: "/")) || t.first?.isNumber == true {
            return .unsupported(t)
        }
        return .serviceTag(t)
    }
}

/// Field lookup that tolerates case differences in keys, as hand-edited exports have them.
enum JSONField {
    static func value(_ object: [String: Any], _ key: String) -> Any? {
        if let v = object[key] { return v }
        for (k, v) in object where sameIgnoringASCIICase(k, key) { return v }
        return nil
    }

    /// Compares without allocating: this runs for every absent optional field of every resource.
    private static func sameIgnoringASCIICase(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        for (x, y) in zip(a.utf8, b.utf8) where x != y {
            let lx = x >= 65 && x <= 90 ? x + 32 : x
            let ly = y >= 65 && y <= 90 ? y + 32 : y
            if lx != ly { return false }
        }
        return true
    }
}

/// Python SDK `as_dict()` output: the REST API's camelCase keys written in snake_case
/// (`security_rules`, `network_security_group`, `address_prefix`, `private_ip_address`). Field
/// lookup ignores case, so `private_ip_address` → `privateIpAddress` finds `privateIPAddress`.
enum PythonSDKKeys {
    /// Whether a resource uses snake_case keys (Azure's own JSON never has an underscore inside a key).
    static func isSnakeCase(_ object: [String: Any]) -> Bool {
        func snake(_ key: String) -> Bool {
            key.utf8.contains(UInt8(ascii: "_")) && !key.hasPrefix("_") && !key.hasPrefix("$")
                && key.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        }
        if object.keys.contains(where: snake) { return true }
        if let props = object["properties"] as? [String: Any] { return props.keys.contains(where: snake) }
        return false
    }

    static func camelCased(_ object: [String: Any]) -> [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in object {
            let camel = camelCase(key)
            // Tag names are the user's own: kept as written.
            result[camel] = camel == "tags" ? value : convert(value)
        }
        return result
    }

    private static func convert(_ value: Any) -> Any {
        if let dict = value as? [String: Any] { return camelCased(dict) }
        if let list = value as? [Any] { return list.map(convert) }
        return value
    }

    static func camelCase(_ key: String) -> String {
        guard key.contains("_"), !key.hasPrefix("_") else { return key }
        let parts = key.split(separator: "_")
        guard let first = parts.first else { return key }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
