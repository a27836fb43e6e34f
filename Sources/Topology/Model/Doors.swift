import Findings

/// Doors into an estate other than a public IP on a NIC, and the resources that look like doors but
/// are not: load balancers, application gateways (with their WAF), NAT gateways (outbound only),
/// Azure Bastion hosts (management from their own subnet), private and service endpoints.
///
/// Only what decides reachability is kept: which public address and port a door listens on, what
/// it forwards to (NIC IP configurations or bare addresses) on which port, and its SKU.

/// A SKU as Azure names it for public IPs and load balancers. `nil` where a resource holds one
/// means the input did not say, which the engine reads as Basic (open), with a note.
public enum NetworkSKU: String, Sendable, Hashable, AzureSpelledEnum {
    /// Open to inbound traffic unless an NSG on the path denies it.
    case basic = "Basic"
    /// Closed to inbound traffic unless an NSG on the path allows it (secure by default).
    case standard = "Standard"
}

/// Where a load balancer or gateway sends traffic: a NIC IP configuration, or a bare address.
public enum BackendTarget: Sendable, Hashable {
    /// A NIC IP configuration, by the id Azure gives it (`…/networkInterfaces/NIC/ipConfigurations/NAME`).
    case ipConfiguration(ResourceID)
    /// An address given directly (`loadBalancerBackendAddresses`, an application gateway's `backendAddresses`).
    case address(IPv4Address)

    /// The NIC an IP-configuration id belongs to: `…/networkInterfaces/NIC/ipConfigurations/X` → `…/networkInterfaces/NIC`.
    public var interface: ResourceID? {
        guard case .ipConfiguration(let id) = self else { return nil }
        var parts = id.text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[parts.count - 2].lowercased() == "ipconfigurations" else { return nil }
        parts.removeLast(2)
        return ResourceID(parts.joined(separator: "/"))
    }

    /// The IP configuration's own name (`X` above).
    public var configurationName: String? {
        guard case .ipConfiguration(let id) = self else { return nil }
        return id.lastComponent
    }
}

/// The transport a load-balancing or NAT rule forwards: `Tcp`, `Udp` or `All`.
public enum DoorProtocol: String, Sendable, Hashable {
    case tcp = "Tcp"
    case udp = "Udp"
    case all = "All"

    public init?(azure text: String) {
        switch text.lowercased() {
        case "tcp": self = .tcp
        case "udp": self = .udp
        case "all", "*": self = .all
        default: return nil
        }
    }
}

/// A load balancer: Basic or Standard, with public frontends (a public IP) or internal ones (a
/// private address in a subnet).
public struct LoadBalancer: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var sku: NetworkSKU?
    public var frontends: [Frontend]
    public var backendPools: [BackendPool]
    public var rules: [Rule]
    public var natRules: [NATRule]
    public var natPools: [NATPool]
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, sku: NetworkSKU? = nil, frontends: [Frontend] = [],
        backendPools: [BackendPool] = [], rules: [Rule] = [], natRules: [NATRule] = [], natPools: [NATPool] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.sku = sku
        self.frontends = frontends
        self.backendPools = backendPools
        self.rules = rules
        self.natRules = natRules
        self.natPools = natPools
        self.location = location
    }

    /// A frontend IP configuration: public (names a public IP) or internal (a private address).
    public struct Frontend: Sendable, Hashable {
        public var id: ResourceID
        public var name: String
        public var publicIP: ResourceID?
        public var privateAddress: IPv4Address?
        public var subnet: ResourceID?
        public var location: SourceLocation?

        public init(
            id: ResourceID, name: String, publicIP: ResourceID? = nil, privateAddress: IPv4Address? = nil,
            subnet: ResourceID? = nil, location: SourceLocation? = nil
        ) {
            self.id = id
            self.name = name
            self.publicIP = publicIP
            self.privateAddress = privateAddress
            self.subnet = subnet
            self.location = location
        }
    }

    /// A backend address pool. Members come from the pool itself (`backendIPConfigurations`,
    /// `loadBalancerBackendAddresses`) and from NIC IP configurations naming the pool; the loader
    /// merges both.
    public struct BackendPool: Sendable, Hashable {
        public var id: ResourceID
        public var name: String
        public var members: [BackendTarget]
        public var location: SourceLocation?

        public init(id: ResourceID, name: String, members: [BackendTarget] = [], location: SourceLocation? = nil) {
            self.id = id
            self.name = name
            self.members = members
            self.location = location
        }
    }

    /// A load-balancing rule: frontend address and port → every pool member on the backend port.
    /// A frontend port of 0 with protocol `All` is an HA-ports rule: every port, untranslated.
    public struct Rule: Sendable, Hashable {
        public var name: String
        public var frontend: ResourceID?
        public var backendPools: [ResourceID]
        public var `protocol`: DoorProtocol
        public var frontendPort: Int
        public var backendPort: Int
        public var location: SourceLocation?

        public init(
            name: String, frontend: ResourceID?, backendPools: [ResourceID], protocol: DoorProtocol, frontendPort: Int,
            backendPort: Int, location: SourceLocation? = nil
        ) {
            self.name = name
            self.frontend = frontend
            self.backendPools = backendPools
            self.protocol = `protocol`
            self.frontendPort = frontendPort
            self.backendPort = backendPort
            self.location = location
        }
    }

    /// An inbound NAT rule: one frontend port (or, in the newer form, a port range spread over a
    /// backend pool) → the backend port of one NIC IP configuration.
    public struct NATRule: Sendable, Hashable {
        public var id: ResourceID
        public var name: String
        public var frontend: ResourceID?
        public var `protocol`: DoorProtocol
        public var frontendPorts: ClosedRange<Int>
        public var backendPort: Int
        /// The IP configuration it forwards to (the classic form); NICs may also name the rule.
        public var backend: BackendTarget?
        /// The newer form: the pool whose members share `frontendPorts`, one port each.
        public var backendPool: ResourceID?
        public var location: SourceLocation?

        public init(
            id: ResourceID, name: String, frontend: ResourceID?, protocol: DoorProtocol,
            frontendPorts: ClosedRange<Int>,
            backendPort: Int, backend: BackendTarget? = nil, backendPool: ResourceID? = nil,
            location: SourceLocation? = nil
        ) {
            self.id = id
            self.name = name
            self.frontend = frontend
            self.protocol = `protocol`
            self.frontendPorts = frontendPorts
            self.backendPort = backendPort
            self.backend = backend
            self.backendPool = backendPool
            self.location = location
        }
    }

    /// An inbound NAT pool (VM scale sets): a frontend port range → the backend port of each
    /// instance's IP configuration that names the pool.
    public struct NATPool: Sendable, Hashable {
        public var id: ResourceID
        public var name: String
        public var frontend: ResourceID?
        public var `protocol`: DoorProtocol
        public var frontendPorts: ClosedRange<Int>
        public var backendPort: Int
        public var location: SourceLocation?

        public init(
            id: ResourceID, name: String, frontend: ResourceID?, protocol: DoorProtocol,
            frontendPorts: ClosedRange<Int>,
            backendPort: Int, location: SourceLocation? = nil
        ) {
            self.id = id
            self.name = name
            self.frontend = frontend
            self.protocol = `protocol`
            self.frontendPorts = frontendPorts
            self.backendPort = backendPort
            self.location = location
        }
    }
}

/// Web application firewall mode: Detection logs attacks, Prevention blocks them.
public enum WAFMode: String, Sendable, Hashable, AzureSpelledEnum {
    case detection = "Detection"
    case prevention = "Prevention"
}

/// An Application Gateway (layer 7): listeners on frontend ports, routing rules that send each
/// listener's requests to a backend pool on the port of their HTTP settings, optionally a WAF.
public struct ApplicationGateway: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    /// `sku.tier` or `sku.name` as given (`Standard_v2`, `WAF_v2`, …).
    public var skuName: String?
    /// The subnet its instances run in: the backend sees requests coming from there.
    public var subnet: ResourceID?
    public var frontends: [LoadBalancer.Frontend]
    public var listeners: [Listener]
    public var backendPools: [LoadBalancer.BackendPool]
    public var routes: [Route]
    /// The WAF as configured inline (`webApplicationFirewallConfiguration`), nil if absent or off.
    public var wafMode: WAFMode?
    /// A WAF policy (`firewallPolicy`), whose mode the loader fills in from the policy resource.
    public var wafPolicy: ResourceID?
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, skuName: String? = nil, subnet: ResourceID? = nil,
        frontends: [LoadBalancer.Frontend] = [], listeners: [Listener] = [],
        backendPools: [LoadBalancer.BackendPool] = [],
        routes: [Route] = [], wafMode: WAFMode? = nil, wafPolicy: ResourceID? = nil, location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.skuName = skuName
        self.subnet = subnet
        self.frontends = frontends
        self.listeners = listeners
        self.backendPools = backendPools
        self.routes = routes
        self.wafMode = wafMode
        self.wafPolicy = wafPolicy
        self.location = location
    }

    /// An HTTP or HTTPS listener on one frontend and port.
    public struct Listener: Sendable, Hashable {
        public var id: ResourceID
        public var name: String
        public var frontend: ResourceID?
        public var port: Int
        public var isHTTPS: Bool
        public var location: SourceLocation?

        public init(
            id: ResourceID, name: String, frontend: ResourceID?, port: Int, isHTTPS: Bool,
            location: SourceLocation? = nil
        ) {
            self.id = id
            self.name = name
            self.frontend = frontend
            self.port = port
            self.isHTTPS = isHTTPS
            self.location = location
        }
    }

    /// A request routing rule, with its HTTP settings resolved to the backend port.
    public struct Route: Sendable, Hashable {
        public var name: String
        public var listener: ResourceID?
        public var backendPool: ResourceID?
        public var backendPort: Int
        public var location: SourceLocation?

        public init(
            name: String, listener: ResourceID?, backendPool: ResourceID?, backendPort: Int,
            location: SourceLocation? = nil
        ) {
            self.name = name
            self.listener = listener
            self.backendPool = backendPool
            self.backendPort = backendPort
            self.location = location
        }
    }
}

/// A WAF policy (`ApplicationGatewayWebApplicationFirewallPolicies`, Front Door WAF policies).
public struct WAFPolicy: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    /// nil when the policy is disabled.
    public var mode: WAFMode?
    public var location: SourceLocation?

    public init(id: ResourceID, name: String, mode: WAFMode?, location: SourceLocation? = nil) {
        self.id = id
        self.name = name
        self.mode = mode
        self.location = location
    }
}

/// A resource that holds public IPs but admits no inbound connection through them: a NAT gateway
/// (outbound only) or an Azure Bastion host (it reaches VMs on 22/3389 from its own subnet, the
/// recommended management path). Recorded so their public IPs count as in use.
public struct OutboundOnlyDoor: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case natGateway = "NAT gateway"
        case bastion = "Azure Bastion"
    }

    public var id: ResourceID
    public var name: String
    public var kind: Kind
    public var publicIPs: [ResourceID]
    /// The NAT gateway's subnets, the bastion's own subnet.
    public var subnets: [ResourceID]
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, kind: Kind, publicIPs: [ResourceID], subnets: [ResourceID],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.kind = kind
        self.publicIPs = publicIPs
        self.subnets = subnets
        self.location = location
    }
}

/// A private endpoint (a PaaS service given an address in a subnet) or a subnet's service
/// endpoint (a route to a PaaS service over the backbone). Recorded, not routed.
public struct ServiceAccess: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable {
        case privateEndpoint = "private endpoint"
        case serviceEndpoint = "service endpoint"
    }

    public var kind: Kind
    /// The private endpoint's name, or the service a service endpoint reaches (`Microsoft.Storage`).
    public var name: String
    public var subnet: ResourceID?
    /// What a private endpoint connects to (`privateLinkServiceId`).
    public var service: ResourceID?
    public var location: SourceLocation?

    public init(
        kind: Kind, name: String, subnet: ResourceID?, service: ResourceID? = nil, location: SourceLocation? = nil
    ) {
        self.kind = kind
        self.name = name
        self.subnet = subnet
        self.service = service
        self.location = location
    }
}

/// An Azure Front Door: a global layer-7 reverse proxy on Microsoft's edge, classic
/// (`Microsoft.Network/frontDoors`) or Standard/Premium (`Microsoft.Cdn/profiles` with AFD
/// endpoints). Clients connect to its endpoint, which is no address of the estate; Front Door
/// opens its own connection to an origin, from the `AzureFrontDoor.Backend` service tag's ranges,
/// on the origin's HTTP or HTTPS port. Its WAF policies (`FrontDoorWebApplicationFirewallPolicies`)
/// block attacks when in Prevention mode.
public struct FrontDoor: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    /// `classic` or the profile's SKU (`Standard_AzureFrontDoor`, `Premium_AzureFrontDoor`).
    public var skuName: String?
    public var origins: [Origin]
    /// Frontend endpoints (classic) or AFD endpoints (Standard/Premium), each with the WAF policy
    /// linked to it (nil: none).
    public var endpoints: [Endpoint]
    /// The mode every endpoint's WAF policy is in, once the loader linked the policies: Prevention
    /// only when every endpoint has a policy in Prevention; nil when some endpoint has none or a
    /// policy is disabled, not in the input, or detecting only.
    public var wafMode: WAFMode?
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, skuName: String? = nil, origins: [Origin] = [], endpoints: [Endpoint] = [],
        wafMode: WAFMode? = nil, location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.skuName = skuName
        self.origins = origins
        self.endpoints = endpoints
        self.wafMode = wafMode
        self.location = location
    }

    /// A backend (classic) or origin (Standard/Premium): a host name or address, or an Azure
    /// resource (`azureOrigin`), on an HTTP and an HTTPS port.
    public struct Origin: Sendable, Hashable {
        public var id: ResourceID
        public var name: String
        /// `address` (classic) or `hostName`: an IP address or a DNS name.
        public var host: String?
        /// `azureOrigin` (Standard/Premium): the resource behind the origin.
        public var resource: ResourceID?
        public var httpPort: Int
        public var httpsPort: Int
        public var enabled: Bool
        public var location: SourceLocation?

        public init(
            id: ResourceID, name: String, host: String?, resource: ResourceID? = nil, httpPort: Int = 80,
            httpsPort: Int = 443, enabled: Bool = true, location: SourceLocation? = nil
        ) {
            self.id = id
            self.name = name
            self.host = host
            self.resource = resource
            self.httpPort = httpPort
            self.httpsPort = httpsPort
            self.enabled = enabled
            self.location = location
        }
    }

    /// Where clients connect, with the WAF policy linked to it.
    public struct Endpoint: Sendable, Hashable {
        public var id: ResourceID
        public var name: String
        public var wafPolicy: ResourceID?

        public init(id: ResourceID, name: String, wafPolicy: ResourceID? = nil) {
            self.id = id
            self.name = name
            self.wafPolicy = wafPolicy
        }
    }
}

extension Network {
    /// The public IPs a Front Door origin leads to: the one its `azureOrigin` names, or the public
    /// frontends of the load balancer or application gateway it names; else the public IP whose
    /// address or DNS name (`dnsSettings.fqdn`) is its host. Empty when it names nothing in the input.
    public func frontDoorTargets(_ origin: FrontDoor.Origin) -> [ResourceID] {
        if let id = origin.resource {
            if publicIP(id) != nil { return [id] }
            if let lb = loadBalancers.first(where: { $0.id == id }) { return lb.frontends.compactMap(\.publicIP) }
            if let gateway = applicationGateways.first(where: { $0.id == id }) {
                return gateway.frontends.compactMap(\.publicIP)
            }
        }
        guard let host = origin.host else { return [] }
        if let address = IPv4Address(host) { return publicIPs.filter { $0.address == address }.map(\.id) }
        return publicIPs.filter { $0.dnsName == host }.map(\.id)
    }
}
