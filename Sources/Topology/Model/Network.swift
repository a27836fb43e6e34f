import Findings

/// One topology, source-neutral: the Azure and YAML importers both produce it, and the reachability
/// engine and the audit checks read only this. Several input files merge into one `Network`.
///
/// Resources refer to each other by `ResourceID`; a reference that names nothing in the network is
/// reported by the loader as a warning and treated as absent (an NSG that does not exist filters
/// nothing, which is what a reader of the export would otherwise miss).
public struct Network: Sendable {
    public var virtualNetworks: [VirtualNetwork] = []
    public var subnets: [Subnet] = []
    public var interfaces: [NetworkInterface] = []
    public var securityGroups: [SecurityGroup] = []
    public var applicationSecurityGroups: [ApplicationSecurityGroup] = []
    public var publicIPs: [PublicIPAddress] = []
    public var machines: [VirtualMachine] = []
    /// Doors other than NIC public IPs, and look-alikes that are not doors (`Doors.swift`).
    public var loadBalancers: [LoadBalancer] = []
    public var applicationGateways: [ApplicationGateway] = []
    public var wafPolicies: [WAFPolicy] = []
    /// Azure Front Doors (classic and Standard/Premium): layer-7 doors on Microsoft's edge.
    public var frontDoors: [FrontDoor] = []
    public var outboundOnlyDoors: [OutboundOnlyDoor] = []
    public var serviceAccesses: [ServiceAccess] = []
    /// Route tables, Azure Firewalls and firewall policies (`Routing.swift`).
    public var routeTables: [RouteTable] = []
    public var firewalls: [AzureFirewall] = []
    public var firewallPolicies: [FirewallPolicy] = []
    /// Azure's published service tags (`--service-tags FILE`), when given: rules naming a tag the
    /// file lists match its real IPv4 prefixes.
    public var serviceTags: ServiceTags?

    public init() {}

    /// Lookups by id. The loader leaves every list sorted by id, so these are binary searches;
    /// a list built by hand in another order still works, by a linear scan.
    public func virtualNetwork(_ id: ResourceID) -> VirtualNetwork? { Self.find(id, in: virtualNetworks, \.id) }
    public func subnet(_ id: ResourceID) -> Subnet? { Self.find(id, in: subnets, \.id) }
    public func securityGroup(_ id: ResourceID) -> SecurityGroup? { Self.find(id, in: securityGroups, \.id) }
    public func publicIP(_ id: ResourceID) -> PublicIPAddress? { Self.find(id, in: publicIPs, \.id) }
    public func interface(_ id: ResourceID) -> NetworkInterface? { Self.find(id, in: interfaces, \.id) }

    private static func find<T>(_ id: ResourceID, in list: [T], _ key: KeyPath<T, ResourceID>) -> T? {
        var lo = 0
        var hi = list.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if list[mid][keyPath: key] < id { lo = mid + 1 } else { hi = mid }
        }
        if lo < list.count, list[lo][keyPath: key] == id { return list[lo] }
        return list.first { $0[keyPath: key] == id }
    }
}

/// A routing domain with its own address space: an Azure virtual network, a YAML segment.
public struct VirtualNetwork: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var addressSpace: [IPv4Prefix]
    /// Peerings as this VNet declares them. Traffic flows only when the peering is connected
    /// (both sides exist); peering is not transitive.
    public var peerings: [Peering]
    public var location: SourceLocation?
    /// Not in the input: made up by the loader for NICs or subnets that name it, with only the
    /// addresses known to be in it. Checks about the VNet itself skip it.
    public var isInferred = false

    public init(
        id: ResourceID, name: String, addressSpace: [IPv4Prefix], peerings: [Peering] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.addressSpace = addressSpace
        self.peerings = peerings
        self.location = location
    }
}

/// One side of a VNet peering.
public struct Peering: Sendable, Hashable {
    public var name: String
    public var remoteNetwork: ResourceID
    /// Azure's `peeringState`; `Connected` (or absent, as in templates and YAML) means traffic flows.
    public var isConnected: Bool
    /// Whether this VNet accepts traffic an appliance in the remote VNet forwards (traffic that did
    /// not start there); nil when the input does not say, read as allowed (the conservative reading).
    public var allowForwardedTraffic: Bool?
    /// Whether the remote VNet may use this VNet's gateway, and whether this VNet uses the remote
    /// one's (recorded; gateways lead out of the estate).
    public var allowGatewayTransit: Bool?
    public var useRemoteGateways: Bool?
    public var location: SourceLocation?

    public init(name: String, remoteNetwork: ResourceID, isConnected: Bool = true, location: SourceLocation? = nil) {
        self.name = name
        self.remoteNetwork = remoteNetwork
        self.isConnected = isConnected
        self.location = location
    }
}

/// An address range inside a VNet, optionally filtered by one NSG.
public struct Subnet: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var virtualNetwork: ResourceID
    public var prefixes: [IPv4Prefix]
    public var securityGroup: ResourceID?
    /// The route table attached to the subnet, if any.
    public var routeTable: ResourceID?
    public var location: SourceLocation?
    /// Not in the input: made up by the loader for NICs that name it, with only their addresses and
    /// no NSG (its real NSG is unknown). Checks about the subnet itself skip it.
    public var isInferred = false

    public init(
        id: ResourceID, name: String, virtualNetwork: ResourceID, prefixes: [IPv4Prefix],
        securityGroup: ResourceID? = nil, routeTable: ResourceID? = nil, location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.virtualNetwork = virtualNetwork
        self.prefixes = prefixes
        self.securityGroup = securityGroup
        self.routeTable = routeTable
        self.location = location
    }
}

/// A network interface (a host in YAML). Its NSG applies to every IP configuration.
public struct NetworkInterface: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var ipConfigurations: [IPConfiguration]
    public var securityGroup: ResourceID?
    public var tags: [String: String]
    /// The VM this NIC is attached to, with the VM's tags (which count for the NIC too).
    public var machine: ResourceID?
    public var machineName: String?
    public var machineTags: [String: String]
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, ipConfigurations: [IPConfiguration], securityGroup: ResourceID? = nil,
        tags: [String: String] = [:], machine: ResourceID? = nil, machineName: String? = nil,
        machineTags: [String: String] = [:], location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.ipConfigurations = ipConfigurations
        self.securityGroup = securityGroup
        self.tags = tags
        self.machine = machine
        self.machineName = machineName
        self.machineTags = machineTags
        self.location = location
    }

    /// NIC tags overlaid with VM tags: both count when an endpoint names `tag:KEY=VALUE`.
    public var effectiveTags: [String: String] { tags.merging(machineTags) { nicValue, _ in nicValue } }

    /// Whether the NIC or its VM carries `key=value` (keys compare case-insensitively, as in Azure).
    public func hasTag(_ key: String, _ value: String) -> Bool {
        for dict in [tags, machineTags] {
            for (k, v) in dict where k.lowercased() == key.lowercased() && v == value { return true }
        }
        return false
    }

    /// The VM name if attached, else the NIC's own name: what a person calls this host.
    public var hostName: String { machineName ?? name }

    /// Subnets and addresses, first configuration first.
    public var subnetIDs: [ResourceID] { ipConfigurations.compactMap(\.subnet) }
    public var privateAddresses: [IPv4Address] { ipConfigurations.compactMap(\.privateAddress) }
    public var publicIPIDs: [ResourceID] { ipConfigurations.compactMap(\.publicIP) }
}

/// One address of a NIC: private IP in a subnet, optionally a public IP, and the ASGs it belongs to.
public struct IPConfiguration: Sendable, Hashable {
    public var name: String
    public var privateAddress: IPv4Address?
    public var subnet: ResourceID?
    public var publicIP: ResourceID?
    public var applicationSecurityGroups: [ResourceID]
    /// Load balancer backend pools, inbound NAT rules and NAT pools, and application gateway
    /// backend pools this configuration names (templates declare membership on the NIC side).
    public var backendPools: [ResourceID] = []
    public var location: SourceLocation?

    public init(
        name: String, privateAddress: IPv4Address?, subnet: ResourceID?, publicIP: ResourceID? = nil,
        applicationSecurityGroups: [ResourceID] = [], backendPools: [ResourceID] = [], location: SourceLocation? = nil
    ) {
        self.name = name
        self.privateAddress = privateAddress
        self.subnet = subnet
        self.publicIP = publicIP
        self.applicationSecurityGroups = applicationSecurityGroups
        self.backendPools = backendPools
        self.location = location
    }
}

/// A public IP resource. Traffic to its address is translated to the private IP of the NIC
/// configuration that holds it before any inbound rule is evaluated.
public struct PublicIPAddress: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    /// Absent for dynamic addresses not yet allocated (common in templates).
    public var address: IPv4Address?
    /// `sku.name`; nil when the input does not say (read as Basic, open, with a note).
    public var sku: NetworkSKU?
    /// What Azure says it is attached to (`properties.ipConfiguration`, `natGateway`), which may be
    /// a resource the input does not hold (a VPN gateway, a firewall).
    public var attachedTo: ResourceID?
    public var location: SourceLocation?
    /// `dnsSettings.fqdn` (`web.westeurope.cloudapp.azure.com`): a Front Door origin may name it.
    public var dnsName: String?

    public init(
        id: ResourceID, name: String, address: IPv4Address?, sku: NetworkSKU? = nil, attachedTo: ResourceID? = nil,
        location: SourceLocation? = nil, dnsName: String? = nil
    ) {
        self.id = id
        self.name = name
        self.address = address
        self.sku = sku
        self.attachedTo = attachedTo
        self.location = location
        self.dnsName = dnsName
    }
}

/// A named group of NIC configurations that rules can use as source or destination.
public struct ApplicationSecurityGroup: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var location: SourceLocation?

    public init(id: ResourceID, name: String, location: SourceLocation? = nil) {
        self.id = id
        self.name = name
        self.location = location
    }
}

/// A virtual machine: a name and tags for its NICs.
public struct VirtualMachine: Sendable, Hashable {
    public var id: ResourceID
    public var name: String
    public var tags: [String: String]
    public var interfaces: [ResourceID]
    public var location: SourceLocation?

    public init(
        id: ResourceID, name: String, tags: [String: String] = [:], interfaces: [ResourceID] = [],
        location: SourceLocation? = nil
    ) {
        self.id = id
        self.name = name
        self.tags = tags
        self.interfaces = interfaces
        self.location = location
    }
}
