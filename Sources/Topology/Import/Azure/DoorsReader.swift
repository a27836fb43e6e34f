import Findings
import Foundation

/// What the Azure reader knows about doors: the resource types it reads here and the NIC
/// configuration keys that declare backend-pool membership.
enum DoorsReader {
    static let loadBalancers = "microsoft.network/loadbalancers"
    static let applicationGateways = "microsoft.network/applicationgateways"
    static let readTypes: Set<String> = [
        loadBalancers, loadBalancers + "/inboundnatrules", loadBalancers + "/backendaddresspools",
        applicationGateways, "microsoft.network/applicationgatewaywebapplicationfirewallpolicies",
        "microsoft.network/natgateways", "microsoft.network/bastionhosts", "microsoft.network/privateendpoints",
        "microsoft.network/virtualnetworkgateways", frontDoors, frontDoorPolicies, cdnProfiles,
        cdnProfiles + "/afdendpoints", cdnProfiles + "/origingroups/origins", cdnProfiles + "/securitypolicies",
    ]
    static let frontDoors = "microsoft.network/frontdoors"
    static let frontDoorPolicies = "microsoft.network/frontdoorwebapplicationfirewallpolicies"
    static let cdnProfiles = "microsoft.cdn/profiles"
    /// Keys of a NIC IP configuration naming pools and NAT rules it belongs to.
    static let poolKeys = [
        "loadBalancerBackendAddressPools", "loadBalancerInboundNatRules", "loadBalancerInboundNatPools",
        "applicationGatewayBackendAddressPools",
    ]
}

/// Load balancers, application gateways, WAF policies, NAT gateways, bastions, private endpoints
/// and the SKU of public IPs, in the shapes of resource lists, `az network lb show`, `az network
/// application-gateway show` (settings flattened onto the resource) and ARM templates (child
/// resources such as `loadBalancers/inboundNatRules` arrive on their own).
extension AzureResourceReader {
    /// `sku.name` on the resource (or inside `properties`, as some SDKs put it).
    func sku(_ object: [String: Any], _ props: [String: Any]) -> String? {
        for holder in [object, props] {
            if let sku = JSONField.value(holder, "sku") as? [String: Any], let name = string(sku, "name") {
                return name
            }
        }
        return nil
    }

    mutating func readPublicIP(
        id: ResourceID, name: String, object: [String: Any], props: [String: Any], pointer: String
    ) {
        let text = string(props, "ipAddress").flatMap { ARMValue.isSymbolic($0) ? nil : $0 }
        let skuText = sku(object, props)
        let attached = reference(props, "ipConfiguration") ?? reference(props, "natGateway")
        let dns = (JSONField.value(props, "dnsSettings") as? [String: Any]).flatMap { string($0, "fqdn") }
        builder.add(
            PublicIPAddress(
                id: id, name: name, address: text.flatMap { IPv4Address($0) },
                sku: skuText.flatMap(NetworkSKU.init(azure:)), attachedTo: attached, location: location(pointer),
                dnsName: dns.flatMap { ARMValue.isSymbolic($0) ? nil : $0.lowercased() }))
    }

    mutating func readServiceEndpoints(subnet: ResourceID, props: [String: Any], pointer: String) {
        guard let list = JSONField.value(props, "serviceEndpoints") as? [Any] else { return }
        for (i, item) in list.enumerated() {
            guard let object = item as? [String: Any], let service = string(object, "service") else { continue }
            let access = ServiceAccess(
                kind: .serviceEndpoint, name: service, subnet: subnet,
                location: location("\(pointer)/serviceEndpoints/\(i)"))
            builder.updateNetwork { network in
                if !network.serviceAccesses.contains(where: {
                    $0.kind == .serviceEndpoint && $0.subnet == subnet && $0.name == service
                }) {
                    network.serviceAccesses.append(access)
                }
            }
        }
    }

    /// The items of a child list (`frontendIPConfigurations`, `inboundNatRules`, …), each with its
    /// name, id (given, or built under `parent`), settings and pointer.
    func children(_ props: [String: Any], _ key: String, parent: ResourceID, pointer: String)
        -> [(name: String, id: ResourceID, props: [String: Any], pointer: String)]
    {
        guard let list = JSONField.value(props, key) as? [Any] else { return [] }
        var result: [(String, ResourceID, [String: Any], String)] = []
        for (i, item) in list.enumerated() {
            guard let object = item as? [String: Any] else { continue }
            let name = string(object, "name") ?? "\(key)-\(i)"
            let id =
                string(object, "id").flatMap { $0.isEmpty ? nil : ResourceID($0) }
                ?? ResourceID("\(parent.text)/\(key)/\(name)")
            let (inner, _) = properties(object)
            result.append((name, id, inner, "\(pointer)/\(key)/\(i)"))
        }
        return result
    }

    /// A port field: a number, or text holding one. Nil (with a warning) when not known offline.
    mutating func port(_ props: [String: Any], _ key: String, what: String, pointer: String) throws -> Int? {
        guard let text = string(props, key) else { return nil }
        if ARMValue.isSymbolic(text) {
            builder.warn("\(what): `\(key)` \(text) is not known offline; this rule is left out", at: location(pointer))
            return nil
        }
        guard let value = Int(text), (0...65535).contains(value) else {
            throw fail(pointer + "/" + key, "\(what): '\(text)' is not a port number")
        }
        return value
    }

    mutating func doorProtocol(_ props: [String: Any], what: String, pointer: String) throws -> DoorProtocol {
        let text = string(props, "protocol") ?? "Tcp"
        guard let proto = DoorProtocol(azure: text) else {
            throw fail(pointer + "/protocol", "\(what): unknown protocol '\(text)' (expected Tcp, Udp or All)")
        }
        return proto
    }

    func frontends(_ props: [String: Any], parent: ResourceID, pointer: String) -> [LoadBalancer.Frontend] {
        children(props, "frontendIPConfigurations", parent: parent, pointer: pointer).map { item in
            let address = string(item.props, "privateIPAddress").flatMap(IPv4Address.init)
            return LoadBalancer.Frontend(
                id: item.id, name: item.name, publicIP: reference(item.props, "publicIPAddress"),
                privateAddress: address, subnet: reference(item.props, "subnet"), location: location(item.pointer))
        }
    }

    /// A backend pool's members: NIC IP configurations (`backendIPConfigurations`) and addresses
    /// (`loadBalancerBackendAddresses`, an application gateway's `backendAddresses`).
    mutating func poolMembers(_ props: [String: Any], what: String, pointer: String) -> [BackendTarget] {
        var members = references(props, "backendIPConfigurations").map { BackendTarget.ipConfiguration($0) }
        for key in ["loadBalancerBackendAddresses", "backendAddresses"] {
            guard let list = JSONField.value(props, key) as? [Any] else { continue }
            for (i, item) in list.enumerated() {
                guard let object = item as? [String: Any] else { continue }
                let (inner, _) = properties(object)
                if let config = reference(inner, "networkInterfaceIPConfiguration") {
                    members.append(.ipConfiguration(config))
                } else if let text = string(inner, "ipAddress"), let address = IPv4Address(text) {
                    members.append(.address(address))
                } else if let fqdn = string(inner, "fqdn") {
                    builder.warn(
                        "\(what) names backend \(fqdn) by DNS name; names are not resolved offline, so it is not analysed",
                        at: location("\(pointer)/\(key)/\(i)"))
                }
            }
        }
        return members
    }

    mutating func readDoor(
        type: String, id: ResourceID, name: String, object: [String: Any], props: [String: Any], pointer: String,
        propsPointer: String
    ) throws {
        switch type {
        case DoorsReader.loadBalancers:
            try readLoadBalancer(id: id, name: name, object: object, props: props, pointer: pointer, p: propsPointer)
        case DoorsReader.loadBalancers + "/inboundnatrules":
            let lb = ResourceID(parentID(of: id))
            let rules = try natRules(
                ["inboundNatRules": [["name": name, "id": id.text, "properties": props]]], parent: lb,
                lbName: lb.lastComponent, pointer: pointer, listPointer: nil)
            builder.mergeLoadBalancer(LoadBalancer(id: lb, name: lb.lastComponent, natRules: rules))
        case DoorsReader.loadBalancers + "/backendaddresspools":
            let lb = ResourceID(parentID(of: id))
            let members = poolMembers(props, what: "backend pool '\(name)' of '\(lb.lastComponent)'", pointer: pointer)
            builder.mergeLoadBalancer(
                LoadBalancer(
                    id: lb, name: lb.lastComponent,
                    backendPools: [.init(id: id, name: name, members: members, location: location(pointer))]))
        case DoorsReader.applicationGateways:
            try readApplicationGateway(
                id: id, name: name, object: object, props: props, pointer: pointer, p: propsPointer)
        case "microsoft.network/applicationgatewaywebapplicationfirewallpolicies":
            let settings = JSONField.value(props, "policySettings") as? [String: Any] ?? [:]
            let enabled = string(settings, "state").map { $0.lowercased() != "disabled" } ?? true
            let mode = string(settings, "mode").flatMap(WAFMode.init(azure:)) ?? .detection
            let policy = WAFPolicy(id: id, name: name, mode: enabled ? mode : nil, location: location(pointer))
            builder.updateNetwork { $0.wafPolicies.append(policy) }
        case DoorsReader.frontDoors:
            readClassicFrontDoor(id: id, name: name, props: props, pointer: pointer, p: propsPointer)
        case DoorsReader.frontDoorPolicies:
            // Front Door WAF policies say `enabledState` where gateway policies say `state`.
            let settings = JSONField.value(props, "policySettings") as? [String: Any] ?? [:]
            let state = string(settings, "enabledState") ?? string(settings, "state")
            let enabled = state.map { $0.lowercased() != "disabled" } ?? true
            let mode = string(settings, "mode").flatMap(WAFMode.init(azure:)) ?? .detection
            let policy = WAFPolicy(id: id, name: name, mode: enabled ? mode : nil, location: location(pointer))
            builder.updateNetwork { $0.wafPolicies.append(policy) }
        case DoorsReader.cdnProfiles:
            // Only Front Door profiles (Standard/Premium); a classic CDN profile is no door here.
            guard let skuName = sku(object, props), skuName.lowercased().contains("frontdoor") else { break }
            builder.mergeFrontDoor(FrontDoor(id: id, name: name, skuName: skuName, location: location(pointer)))
        case DoorsReader.cdnProfiles + "/afdendpoints":
            let profile = ResourceID(parentID(of: id))
            builder.mergeFrontDoor(
                FrontDoor(id: profile, name: profile.lastComponent, endpoints: [.init(id: id, name: name)]))
        case DoorsReader.cdnProfiles + "/origingroups/origins":
            let profile = ResourceID(parentID(of: ResourceID(parentID(of: id))))
            let origin = try frontDoorOrigin(
                id: id, name: name, props: props, hostKey: "hostName",
                what: "origin '\(name)' of '\(profile.lastComponent)'",
                pointer: propsPointer)
            builder.mergeFrontDoor(FrontDoor(id: profile, name: profile.lastComponent, origins: [origin]))
        case DoorsReader.cdnProfiles + "/securitypolicies":
            let profile = ResourceID(parentID(of: id))
            let parameters = JSONField.value(props, "parameters") as? [String: Any] ?? [:]
            guard (string(parameters, "type") ?? "WebApplicationFirewall").lowercased() == "webapplicationfirewall",
                let policy = reference(parameters, "wafPolicy")
            else { break }
            var endpoints: [FrontDoor.Endpoint] = []
            for association in JSONField.value(parameters, "associations") as? [Any] ?? [] {
                guard let association = association as? [String: Any] else { continue }
                for domain in references(association, "domains") {
                    endpoints.append(.init(id: domain, name: domain.lastComponent, wafPolicy: policy))
                }
            }
            builder.mergeFrontDoor(FrontDoor(id: profile, name: profile.lastComponent, endpoints: endpoints))
        case "microsoft.network/natgateways":
            let door = OutboundOnlyDoor(
                id: id, name: name, kind: .natGateway, publicIPs: references(props, "publicIpAddresses"),
                subnets: references(props, "subnets"), location: location(pointer))
            builder.updateNetwork { $0.outboundOnlyDoors.append(door) }
        case "microsoft.network/bastionhosts":
            let configs = children(props, "ipConfigurations", parent: id, pointer: propsPointer)
            let door = OutboundOnlyDoor(
                id: id, name: name, kind: .bastion,
                publicIPs: configs.compactMap { reference($0.props, "publicIPAddress") },
                subnets: configs.compactMap { reference($0.props, "subnet") }, location: location(pointer))
            builder.updateNetwork { $0.outboundOnlyDoors.append(door) }
        case "microsoft.network/virtualnetworkgateways":
            // A VPN or ExpressRoute gateway: its public IPs are in use (tunnels end there).
            for config in children(props, "ipConfigurations", parent: id, pointer: propsPointer) {
                guard let pip = reference(config.props, "publicIPAddress") else { continue }
                builder.add(PublicIPAddress(id: pip, name: pip.lastComponent, address: nil, attachedTo: id))
            }
        case "microsoft.network/privateendpoints":
            let service =
                (JSONField.value(props, "privateLinkServiceConnections") as? [Any])?.first
                .flatMap { $0 as? [String: Any] }
                .flatMap { string(properties($0).value, "privateLinkServiceId") }.map(ResourceID.init)
            let access = ServiceAccess(
                kind: .privateEndpoint, name: name, subnet: reference(props, "subnet"), service: service,
                location: location(pointer))
            builder.updateNetwork { $0.serviceAccesses.append(access) }
        default:
            break
        }
    }

    /// A classic Front Door: frontend endpoints with their WAF policy link, backends of every pool.
    mutating func readClassicFrontDoor(id: ResourceID, name: String, props: [String: Any], pointer: String, p: String) {
        var door = FrontDoor(id: id, name: name, skuName: "classic", location: location(pointer))
        for item in children(props, "frontendEndpoints", parent: id, pointer: p) {
            door.endpoints.append(
                .init(
                    id: item.id, name: item.name, wafPolicy: reference(item.props, "webApplicationFirewallPolicyLink")))
        }
        for pool in children(props, "backendPools", parent: id, pointer: p) {
            guard let list = JSONField.value(pool.props, "backends") as? [Any] else { continue }
            for (i, item) in list.enumerated() {
                guard let object = item as? [String: Any] else { continue }
                let (inner, _) = properties(object)
                let here = "\(pool.pointer)/backends/\(i)"
                let host = string(inner, "address")
                let originName = "\(pool.name)/\(host ?? "backend-\(i)")"
                if let origin = try? frontDoorOrigin(
                    id: ResourceID("\(pool.id.text)/backends/\(i)"), name: originName, props: inner, hostKey: "address",
                    what: "backend \(i) of pool '\(pool.name)' of '\(name)'", pointer: here)
                {
                    door.origins.append(origin)
                }
            }
        }
        builder.mergeFrontDoor(door)
    }

    /// A Front Door origin or backend: host (an address or DNS name), `azureOrigin`, ports, state.
    mutating func frontDoorOrigin(
        id: ResourceID, name: String, props: [String: Any], hostKey: String, what: String, pointer: String
    ) throws -> FrontDoor.Origin {
        let host = string(props, hostKey).flatMap { ARMValue.isSymbolic($0) ? nil : $0.lowercased() }
        let enabled = (string(props, "enabledState") ?? "Enabled").lowercased() != "disabled"
        return FrontDoor.Origin(
            id: id, name: name, host: host, resource: reference(props, "azureOrigin"),
            httpPort: try port(props, "httpPort", what: what, pointer: pointer) ?? 80,
            httpsPort: try port(props, "httpsPort", what: what, pointer: pointer) ?? 443, enabled: enabled,
            location: location(pointer))
    }

    mutating func natRules(
        _ props: [String: Any], parent: ResourceID, lbName: String, pointer: String, listPointer: String?
    ) throws -> [LoadBalancer.NATRule] {
        var result: [LoadBalancer.NATRule] = []
        for item in children(props, "inboundNatRules", parent: parent, pointer: listPointer ?? "") {
            let here = listPointer == nil ? pointer : item.pointer
            let what = "inbound NAT rule '\(item.name)' of '\(lbName)'"
            let proto = try doorProtocol(item.props, what: what, pointer: here)
            guard let backendPort = try port(item.props, "backendPort", what: what, pointer: here) else { continue }
            let ports: ClosedRange<Int>
            if let single = try port(item.props, "frontendPort", what: what, pointer: here), single > 0 {
                ports = single...single
            } else if let start = try port(item.props, "frontendPortRangeStart", what: what, pointer: here),
                let end = try port(item.props, "frontendPortRangeEnd", what: what, pointer: here), start <= end
            {
                ports = start...end
            } else {
                builder.warn("\(what) gives no frontend port; it is left out", at: location(here))
                continue
            }
            result.append(
                LoadBalancer.NATRule(
                    id: item.id, name: item.name, frontend: reference(item.props, "frontendIPConfiguration"),
                    protocol: proto, frontendPorts: ports, backendPort: backendPort,
                    backend: reference(item.props, "backendIPConfiguration").map { .ipConfiguration($0) },
                    backendPool: reference(item.props, "backendAddressPool"), location: location(here)))
        }
        return result
    }

    mutating func readLoadBalancer(
        id: ResourceID, name: String, object: [String: Any], props: [String: Any], pointer: String, p: String
    ) throws {
        var lb = LoadBalancer(
            id: id, name: name, sku: sku(object, props).flatMap(NetworkSKU.init(azure:)),
            frontends: frontends(props, parent: id, pointer: p), location: location(pointer))
        for item in children(props, "backendAddressPools", parent: id, pointer: p) {
            let members = poolMembers(
                item.props, what: "backend pool '\(item.name)' of '\(name)'", pointer: item.pointer)
            lb.backendPools.append(
                .init(id: item.id, name: item.name, members: members, location: location(item.pointer)))
        }
        for item in children(props, "loadBalancingRules", parent: id, pointer: p) {
            let what = "load-balancing rule '\(item.name)' of '\(name)'"
            let proto = try doorProtocol(item.props, what: what, pointer: item.pointer)
            guard let frontendPort = try port(item.props, "frontendPort", what: what, pointer: item.pointer),
                let backendPort = try port(item.props, "backendPort", what: what, pointer: item.pointer)
            else { continue }
            var pools = references(item.props, "backendAddressPools")
            if let one = reference(item.props, "backendAddressPool"), !pools.contains(one) { pools.insert(one, at: 0) }
            lb.rules.append(
                LoadBalancer.Rule(
                    name: item.name, frontend: reference(item.props, "frontendIPConfiguration"), backendPools: pools,
                    protocol: proto, frontendPort: frontendPort, backendPort: backendPort,
                    location: location(item.pointer)))
        }
        lb.natRules = try natRules(props, parent: id, lbName: name, pointer: pointer, listPointer: p)
        for item in children(props, "inboundNatPools", parent: id, pointer: p) {
            let what = "inbound NAT pool '\(item.name)' of '\(name)'"
            let proto = try doorProtocol(item.props, what: what, pointer: item.pointer)
            guard let start = try port(item.props, "frontendPortRangeStart", what: what, pointer: item.pointer),
                let end = try port(item.props, "frontendPortRangeEnd", what: what, pointer: item.pointer),
                let backendPort = try port(item.props, "backendPort", what: what, pointer: item.pointer)
            else { continue }
            guard start <= end else {
                throw fail(item.pointer + "/frontendPortRangeEnd", "\(what): the range ends before it starts")
            }
            lb.natPools.append(
                LoadBalancer.NATPool(
                    id: item.id, name: item.name, frontend: reference(item.props, "frontendIPConfiguration"),
                    protocol: proto, frontendPorts: start...end, backendPort: backendPort,
                    location: location(item.pointer)))
        }
        builder.mergeLoadBalancer(lb)
    }

    mutating func readApplicationGateway(
        id: ResourceID, name: String, object: [String: Any], props: [String: Any], pointer: String, p: String
    ) throws {
        var gateway = ApplicationGateway(
            id: id, name: name, skuName: sku(object, props), frontends: frontends(props, parent: id, pointer: p),
            location: location(pointer))
        for item in children(props, "gatewayIPConfigurations", parent: id, pointer: p) where gateway.subnet == nil {
            gateway.subnet = reference(item.props, "subnet")
        }
        var portByID: [ResourceID: Int] = [:]
        for item in children(props, "frontendPorts", parent: id, pointer: p) {
            if let value = try port(
                item.props, "port", what: "frontend port '\(item.name)' of '\(name)'", pointer: item.pointer)
            {
                portByID[item.id] = value
            }
        }
        var settingsPort: [ResourceID: Int] = [:]
        for item in children(props, "backendHttpSettingsCollection", parent: id, pointer: p) {
            let what = "HTTP settings '\(item.name)' of '\(name)'"
            if let value = try port(item.props, "port", what: what, pointer: item.pointer) {
                settingsPort[item.id] = value
            }
        }
        for item in children(props, "httpListeners", parent: id, pointer: p) {
            guard let portRef = reference(item.props, "frontendPort"),
                let value = Self.gatewayChild(portByID, portRef)
            else {
                builder.warn(
                    "listener '\(item.name)' of '\(name)' names a frontend port the gateway does not define; it is left out",
                    at: location(item.pointer))
                continue
            }
            let https = (string(item.props, "protocol") ?? "Http").lowercased() == "https"
            gateway.listeners.append(
                .init(
                    id: item.id, name: item.name, frontend: reference(item.props, "frontendIPConfiguration"),
                    port: value,
                    isHTTPS: https, location: location(item.pointer)))
        }
        for item in children(props, "backendAddressPools", parent: id, pointer: p) {
            let members = poolMembers(
                item.props, what: "backend pool '\(item.name)' of '\(name)'", pointer: item.pointer)
            gateway.backendPools.append(
                .init(id: item.id, name: item.name, members: members, location: location(item.pointer)))
        }
        // Path maps: the default pool and each path rule's pool, with their HTTP settings.
        var pathMaps: [ResourceID: [(name: String, pool: ResourceID?, settings: ResourceID?, pointer: String)]] = [:]
        for item in children(props, "urlPathMaps", parent: id, pointer: p) {
            var targets: [(name: String, pool: ResourceID?, settings: ResourceID?, pointer: String)] = []
            if let pool = reference(item.props, "defaultBackendAddressPool") {
                targets.append(("default", pool, reference(item.props, "defaultBackendHttpSettings"), item.pointer))
            }
            for rule in children(item.props, "pathRules", parent: item.id, pointer: item.pointer) {
                // A path rule that redirects sends the client elsewhere: no backend is reached.
                guard let pool = reference(rule.props, "backendAddressPool") else { continue }
                targets.append((rule.name, pool, reference(rule.props, "backendHttpSettings"), rule.pointer))
            }
            pathMaps[item.id] = targets
        }
        for item in children(props, "requestRoutingRules", parent: id, pointer: p) {
            if let mapID = reference(item.props, "urlPathMap") {
                guard let targets = Self.gatewayChild(pathMaps, mapID) else {
                    builder.warn(
                        "routing rule '\(item.name)' of '\(name)' names path map \(mapID.lastComponent), which the gateway does not define; the rule is left out",
                        at: location(item.pointer))
                    continue
                }
                for target in targets {
                    guard let settings = target.settings, let backendPort = Self.gatewayChild(settingsPort, settings)
                    else {
                        builder.warn(
                            "path rule '\(target.name)' of routing rule '\(item.name)' of '\(name)' names no HTTP settings the gateway defines; it is left out",
                            at: location(target.pointer))
                        continue
                    }
                    gateway.routes.append(
                        .init(
                            name: "\(item.name)/\(target.name)", listener: reference(item.props, "httpListener"),
                            backendPool: target.pool, backendPort: backendPort, location: location(target.pointer)))
                }
                continue
            }
            guard let settings = reference(item.props, "backendHttpSettings"),
                let backendPort = Self.gatewayChild(settingsPort, settings)
            else {
                builder.warn(
                    "routing rule '\(item.name)' of '\(name)' names no HTTP settings the gateway defines; it is left out",
                    at: location(item.pointer))
                continue
            }
            gateway.routes.append(
                .init(
                    name: item.name, listener: reference(item.props, "httpListener"),
                    backendPool: reference(item.props, "backendAddressPool"), backendPort: backendPort,
                    location: location(item.pointer)))
        }
        if let waf = JSONField.value(props, "webApplicationFirewallConfiguration") as? [String: Any] {
            let enabled = (JSONField.value(waf, "enabled") as? Bool) ?? (string(waf, "enabled") == "true")
            if enabled { gateway.wafMode = string(waf, "firewallMode").flatMap(WAFMode.init(azure:)) ?? .detection }
        }
        gateway.wafPolicy = reference(props, "firewallPolicy")
        builder.updateNetwork { $0.applicationGateways.append(gateway) }
    }

    /// A gateway's child (frontend port, HTTP settings) by the id a reference gives, or else by its
    /// last name: `az` output and templates spell the gateway's part of the id differently.
    static func gatewayChild<Value>(_ table: [ResourceID: Value], _ reference: ResourceID) -> Value? {
        table[reference] ?? table.first(where: { $0.key.lastComponent == reference.lastComponent })?.value
    }
}

extension NetworkBuilder {
    /// A load balancer read whole or in parts (template child resources): parts of one id merge.
    mutating func mergeLoadBalancer(_ lb: LoadBalancer) {
        updateNetwork { network in
            guard let i = network.loadBalancers.firstIndex(where: { $0.id == lb.id }) else {
                network.loadBalancers.append(lb)
                return
            }
            var merged = network.loadBalancers[i]
            if merged.sku == nil { merged.sku = lb.sku }
            if merged.location == nil { merged.location = lb.location }
            for f in lb.frontends where !merged.frontends.contains(where: { $0.id == f.id }) {
                merged.frontends.append(f)
            }
            for pool in lb.backendPools {
                if let j = merged.backendPools.firstIndex(where: { $0.id == pool.id }) {
                    for m in pool.members where !merged.backendPools[j].members.contains(m) {
                        merged.backendPools[j].members.append(m)
                    }
                } else {
                    merged.backendPools.append(pool)
                }
            }
            for r in lb.rules where !merged.rules.contains(where: { $0.name == r.name }) { merged.rules.append(r) }
            for r in lb.natRules where !merged.natRules.contains(where: { $0.id == r.id }) { merged.natRules.append(r) }
            for r in lb.natPools where !merged.natPools.contains(where: { $0.id == r.id }) { merged.natPools.append(r) }
            network.loadBalancers[i] = merged
        }
    }

    /// A Front Door read whole or in parts (profile, endpoints, origins, security policies).
    mutating func mergeFrontDoor(_ door: FrontDoor) {
        updateNetwork { network in
            guard let i = network.frontDoors.firstIndex(where: { $0.id == door.id }) else {
                network.frontDoors.append(door)
                return
            }
            var merged = network.frontDoors[i]
            if merged.skuName == nil { merged.skuName = door.skuName }
            if merged.location == nil { merged.location = door.location }
            for origin in door.origins where !merged.origins.contains(where: { $0.id == origin.id }) {
                merged.origins.append(origin)
            }
            for endpoint in door.endpoints {
                if let j = merged.endpoints.firstIndex(where: { $0.id == endpoint.id }) {
                    if merged.endpoints[j].wafPolicy == nil { merged.endpoints[j].wafPolicy = endpoint.wafPolicy }
                } else {
                    merged.endpoints.append(endpoint)
                }
            }
            network.frontDoors[i] = merged
        }
    }

    /// Front Doors after every file is read: the WAF mode every endpoint's policy gives (Prevention
    /// only when each endpoint has a policy in Prevention), and a warning for an origin that names
    /// nothing in the input (no public IP, load balancer or application gateway by id, address or
    /// DNS name) and for a policy the input lacks.
    mutating func linkFrontDoors() {
        let network = self.network
        var warnings: [(String, SourceLocation?)] = []
        var doors = network.frontDoors
        for f in doors.indices {
            let door = doors[f]
            var modes: [WAFMode?] = []
            for endpoint in door.endpoints {
                guard let policyID = endpoint.wafPolicy else {
                    modes.append(nil)
                    continue
                }
                guard let policy = network.wafPolicies.first(where: { $0.id == policyID }) else {
                    warnings.append(
                        (
                            "Front Door '\(door.name)' names WAF policy \(policyID.text) for endpoint '\(endpoint.name)', which is not in the input; its mode is unknown, so the Front Door is not counted as a WAF in prevention mode",
                            door.location
                        ))
                    modes.append(nil)
                    continue
                }
                modes.append(policy.mode)
            }
            doors[f].wafMode =
                modes.isEmpty || modes.contains(where: { $0 == nil })
                ? nil : (modes.allSatisfy { $0 == .prevention } ? .prevention : .detection)
            for origin in door.origins where origin.enabled && network.frontDoorTargets(origin).isEmpty {
                let named = origin.resource?.text ?? origin.host ?? "no host"
                warnings.append(
                    (
                        "origin '\(origin.name)' of Front Door '\(door.name)' names \(named), which matches no public IP, load balancer or application gateway in the input; what it reaches is not analysed",
                        origin.location ?? door.location
                    ))
            }
        }
        for (message, place) in warnings { warn(message, at: place) }
        updateNetwork { $0.frontDoors = doors.sorted { $0.id < $1.id } }
    }

    /// After every file is read: pool members and NIC-side memberships that name nothing become
    /// warnings (and are ignored), WAF policies lend their mode to their gateways, lists are sorted.
    mutating func linkDoors() {
        let network = self.network
        var configs: Set<String> = []
        for nic in network.interfaces {
            for config in nic.ipConfigurations {
                configs.insert(ResourceID(nic.id.text + "/ipConfigurations/" + config.name).key)
            }
        }
        let nics = Set(network.interfaces.map(\.id))
        var pools: Set<ResourceID> = []
        var warnings: [(String, SourceLocation?)] = []
        var loadBalancers = network.loadBalancers
        for l in loadBalancers.indices {
            let lb = loadBalancers[l]
            pools.formUnion(lb.backendPools.map(\.id))
            pools.formUnion(lb.natRules.map(\.id))
            pools.formUnion(lb.natPools.map(\.id))
            for p in lb.backendPools.indices {
                let pool = lb.backendPools[p]
                loadBalancers[l].backendPools[p].members = pool.members.filter { member in
                    guard case .ipConfiguration(let config) = member else { return true }
                    if configs.contains(config.key) { return true }
                    let nic = member.interface
                    let what =
                        nic.map {
                            nics.contains($0)
                                ? "an IP configuration '\(config.lastComponent)' that network interface '\($0.lastComponent)' does not have"
                                : "network interface \($0.text), which is not in the input"
                        }
                        ?? "\(config.text), which is not a network interface IP configuration"
                    warnings.append(
                        (
                            "backend pool '\(pool.name)' of load balancer '\(lb.name)' names \(what); that member is ignored",
                            pool.location ?? lb.location
                        ))
                    return false
                }
            }
            for r in lb.natRules.indices {
                guard case .ipConfiguration(let config) = lb.natRules[r].backend, !configs.contains(config.key) else {
                    continue
                }
                warnings.append(
                    (
                        "inbound NAT rule '\(lb.natRules[r].name)' of load balancer '\(lb.name)' forwards to \(config.text), which is not in the input; the rule is ignored",
                        lb.natRules[r].location ?? lb.location
                    ))
                loadBalancers[l].natRules[r].backend = nil
            }
        }
        var gateways = network.applicationGateways
        for g in gateways.indices {
            pools.formUnion(gateways[g].backendPools.map(\.id))
            for p in gateways[g].backendPools.indices {
                let pool = gateways[g].backendPools[p]
                gateways[g].backendPools[p].members = pool.members.filter { member in
                    guard case .ipConfiguration(let config) = member, !configs.contains(config.key) else { return true }
                    warnings.append(
                        (
                            "backend pool '\(pool.name)' of application gateway '\(gateways[g].name)' names \(config.text), which is not in the input; that member is ignored",
                            pool.location ?? gateways[g].location
                        ))
                    return false
                }
            }
            if let policyID = gateways[g].wafPolicy {
                if let policy = network.wafPolicies.first(where: { $0.id == policyID }) {
                    gateways[g].wafMode = policy.mode
                } else if gateways[g].wafMode == nil {
                    warnings.append(
                        (
                            "application gateway '\(gateways[g].name)' names WAF policy \(policyID.text), which is not in the input; its mode is unknown, so the gateway is not counted as a WAF in prevention mode",
                            gateways[g].location
                        ))
                }
            }
        }
        for nic in network.interfaces {
            for config in nic.ipConfigurations {
                for pool in config.backendPools where !pools.contains(pool) {
                    warnings.append(
                        (
                            "network interface '\(nic.name)' (\(config.name)) names backend pool or NAT rule \(pool.text), which is not in the input; that membership is ignored",
                            config.location ?? nic.location
                        ))
                }
            }
        }
        // Some templates name a public IP by its bare name (`"id": "[variables('pipName')]"`), which
        // Azure resolves in the resource group: so do we, when exactly one public IP has that name.
        var byName: [String: [ResourceID]] = [:]
        for pip in network.publicIPs { byName[pip.name.lowercased(), default: []].append(pip.id) }
        func resolve(_ id: ResourceID?) -> ResourceID? {
            guard let id, !id.text.contains("/"), let found = byName[id.key], found.count == 1 else { return id }
            return found[0]
        }
        for l in loadBalancers.indices {
            for f in loadBalancers[l].frontends.indices {
                loadBalancers[l].frontends[f].publicIP = resolve(loadBalancers[l].frontends[f].publicIP)
            }
        }
        for g in gateways.indices {
            for f in gateways[g].frontends.indices {
                gateways[g].frontends[f].publicIP = resolve(gateways[g].frontends[f].publicIP)
            }
        }
        var outbound = network.outboundOnlyDoors
        for d in outbound.indices { outbound[d].publicIPs = outbound[d].publicIPs.compactMap(resolve) }
        for (message, place) in warnings { warn(message, at: place) }
        updateNetwork { network in
            network.outboundOnlyDoors = outbound
            network.loadBalancers = loadBalancers.sorted { $0.id < $1.id }
            network.applicationGateways = gateways.sorted { $0.id < $1.id }
            network.wafPolicies.sort { $0.id < $1.id }
            network.outboundOnlyDoors.sort { $0.id < $1.id }
        }
    }
}
