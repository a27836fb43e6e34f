import Topology

/// Where the topology places an address: lookups over the `Network` model that correlation needs
/// (which NIC holds an address, which VNet and subnet contain it). It decides no rule; verdicts come
/// from the reachability engine.
struct Estate {
    struct NICAddress {
        var interface: Int
        var privateAddress: NetworkAddress
        var publicAddress: NetworkAddress?
        var virtualNetwork: ResourceID?
    }

    let network: Network
    private(set) var byPrivate: [NetworkAddress: NICAddress] = [:]
    private(set) var byPublic: [NetworkAddress: NICAddress] = [:]
    /// Pairs of VNets whose address spaces overlap, with one overlapping prefix each.
    private(set) var overlaps: [(VirtualNetwork, VirtualNetwork, NetworkPrefix)] = []

    init(network: Network) {
        self.network = network
        var publicAddress: [ResourceID: NetworkAddress] = [:]
        for pip in network.publicIPs { if let a = pip.address { publicAddress[pip.id] = a } }
        var subnetVNet: [ResourceID: ResourceID] = [:]
        for s in network.subnets { subnetVNet[s.id] = s.virtualNetwork }
        for (n, nic) in network.interfaces.enumerated() {
            for config in nic.ipConfigurations {
                guard let address = config.privateAddress else { continue }
                let entry = NICAddress(
                    interface: n, privateAddress: address, publicAddress: config.publicIP.flatMap { publicAddress[$0] },
                    virtualNetwork: config.subnet.flatMap { subnetVNet[$0] })
                if byPrivate[address] == nil { byPrivate[address] = entry }
                if let pub = entry.publicAddress, byPublic[pub] == nil { byPublic[pub] = entry }
            }
        }
        let vnets = network.virtualNetworks
        for i in vnets.indices {
            for j in vnets.indices where j > i {
                if let p = Self.overlap(vnets[i].addressSpace, vnets[j].addressSpace) {
                    overlaps.append((vnets[i], vnets[j], p))
                }
            }
        }
    }

    private static func overlap(_ a: [NetworkPrefix], _ b: [NetworkPrefix]) -> NetworkPrefix? {
        for p in a {
            for q in b where p.first <= q.last && q.first <= p.last { return p.length >= q.length ? p : q }
        }
        return nil
    }

    func interface(_ entry: NICAddress) -> NetworkInterface { network.interfaces[entry.interface] }

    /// The NIC an address belongs to, by its private IP or its public IP.
    func nic(at address: NetworkAddress) -> NICAddress? { byPrivate[address] ?? byPublic[address] }

    /// The first VNet whose address space contains `address`.
    func virtualNetwork(containing address: NetworkAddress) -> VirtualNetwork? {
        network.virtualNetworks.first { $0.addressSpace.contains { $0.contains(address) } }
    }

    /// The subnet of `vnet` that contains `address`, if any.
    func subnet(containing address: NetworkAddress, in vnet: VirtualNetwork) -> Subnet? {
        network.subnets.first { $0.virtualNetwork == vnet.id && $0.prefixes.contains { $0.contains(address) } }
    }

    /// Azure keeps five addresses of every subnet for itself: the network address, the default
    /// gateway (.1), two for Azure DNS (.2, .3) and the broadcast address.
    static func isReservedInSubnet(_ address: NetworkAddress, _ subnet: Subnet) -> Bool {
        subnet.prefixes.contains { p in
            p.contains(address) && p.length <= 29
                && (address.value - p.first < 4 || address.value == p.last)
        }
    }

    /// Whether the address is on the internet as the topology sees it: in no VNet, and no NIC's public IP.
    func isInternet(_ address: NetworkAddress) -> Bool {
        byPublic[address] == nil && virtualNetwork(containing: address) == nil
    }

    /// NSGs that filter a NIC (its own, and its subnets').
    func securityGroups(of nic: NetworkInterface) -> [ResourceID] {
        var result: [ResourceID] = []
        if let g = nic.securityGroup { result.append(g) }
        for s in nic.subnetIDs {
            if let g = network.subnet(s)?.securityGroup, !result.contains(g) { result.append(g) }
        }
        return result
    }
}
