import SeededRandom
import Topology

/// Random small topologies drawn from a vocabulary chosen to hit the tricky cases: overlapping
/// prefixes, service tags, ASGs, public IPs named as destinations, port ranges that meet at their
/// ends, NSGs on subnets and NICs (sometimes the same NSG on both), peerings that are connected,
/// one-sided or disconnected.
enum RandomTopology {
    static let portChoices = ["*", "22", "80-90", "443", "1000-2000", "89-1000", "3389"]
    static let candidatePorts = [
        0, 21, 22, 23, 79, 80, 88, 89, 90, 91, 442, 443, 444, 999, 1000, 1001, 2000, 2001, 3389, 65535,
    ]

    static func make(seed: UInt64) -> (network: Network, externalAddresses: [NetworkAddress]) {
        var rng = SeededGenerator(state: seed)
        var network = Network()
        let vnetCount = 3
        for v in 0..<vnetCount {
            network.virtualNetworks.append(
                VirtualNetwork(
                    id: ResourceID("/v/\(v)"), name: "vnet\(v)", addressSpace: [NetworkPrefix("10.\(v).0.0/16")!]))
        }
        // Peerings: connected both ways, one way only, or one side disconnected.
        for (a, b) in [(0, 1), (1, 2), (0, 2)] {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                network.virtualNetworks[a].peerings.append(
                    Peering(name: "p\(a)\(b)", remoteNetwork: ResourceID("/v/\(b)")))
                network.virtualNetworks[b].peerings.append(
                    Peering(name: "p\(b)\(a)", remoteNetwork: ResourceID("/V/\(a)")))
            case 1:
                network.virtualNetworks[a].peerings.append(
                    Peering(name: "p\(a)\(b)", remoteNetwork: ResourceID("/v/\(b)")))
            case 2:
                network.virtualNetworks[a].peerings.append(
                    Peering(name: "p\(a)\(b)", remoteNetwork: ResourceID("/v/\(b)")))
                network.virtualNetworks[b].peerings.append(
                    Peering(name: "p\(b)\(a)", remoteNetwork: ResourceID("/v/\(a)"), isConnected: false))
            default: break
            }
        }
        let groupCount = 4
        let asgCount = 3
        for a in 0..<asgCount {
            network.applicationSecurityGroups.append(
                ApplicationSecurityGroup(id: ResourceID("/asg/\(a)"), name: "asg\(a)"))
        }
        func maybeGroup(_ rng: inout SeededGenerator) -> ResourceID? {
            let g = Int.random(in: 0..<(groupCount + 2), using: &rng)
            return g < groupCount ? ResourceID("/nsg/\(g)") : nil
        }
        for v in 0..<vnetCount {
            for s in 0..<2 {
                network.subnets.append(
                    Subnet(
                        id: ResourceID("/v/\(v)/s/\(s)"), name: "s\(s)", virtualNetwork: ResourceID("/v/\(v)"),
                        prefixes: [NetworkPrefix("10.\(v).\(s).0/24")!], securityGroup: maybeGroup(&rng)))
            }
        }
        var publics: [NetworkAddress] = []
        for n in 0..<10 {
            let v = Int.random(in: 0..<vnetCount, using: &rng)
            let s = Int.random(in: 0..<2, using: &rng)
            let address = NetworkAddress("10.\(v).\(s).\(4 + n)")!
            var pip: ResourceID?
            if Bool.random(using: &rng) {
                let pub = NetworkAddress("20.0.0.\(n + 1)")!
                publics.append(pub)
                pip = ResourceID("/pip/\(n)")
                network.publicIPs.append(PublicIPAddress(id: pip!, name: "pip\(n)", address: pub))
            }
            let asgs = (0..<asgCount).filter { _ in Int.random(in: 0..<3, using: &rng) == 0 }.map {
                ResourceID("/asg/\($0)")
            }
            network.interfaces.append(
                NetworkInterface(
                    id: ResourceID("/nic/\(n)"), name: "nic\(n)",
                    ipConfigurations: [
                        IPConfiguration(
                            name: "c", privateAddress: address, subnet: ResourceID("/v/\(v)/s/\(s)"), publicIP: pip,
                            applicationSecurityGroups: asgs)
                    ], securityGroup: maybeGroup(&rng)))
        }
        let externals = ["198.51.100.7", "8.8.8.8", "168.63.129.16", "203.0.113.9"].map { NetworkAddress($0)! }
        let addressChoices: [AddressMatch] =
            [
                .any, .serviceTag("VirtualNetwork"), .serviceTag("Internet"), .serviceTag("AzureLoadBalancer"),
                // A tag whose ranges are not known offline: it decides no concrete flow.
                .serviceTag("Storage"),
                .prefix(NetworkPrefix("0.0.0.0/0")!), .prefix(NetworkPrefix("10.0.0.0/8")!),
                .prefix(NetworkPrefix("10.1.0.0/16")!), .prefix(NetworkPrefix("10.0.1.0/24")!),
                .prefix(NetworkPrefix("10.2.0.0/23")!), .prefix(NetworkPrefix("198.51.100.0/24")!),
                .prefix(NetworkPrefix("20.0.0.0/24")!),
            ] + (0..<asgCount).map { .applicationSecurityGroup(ResourceID("/asg/\($0)")) }
            + network.interfaces.prefix(4).compactMap { $0.ipConfigurations[0].privateAddress }.map {
                .prefix(NetworkPrefix(network: $0, length: 32))
            } + publics.prefix(2).map { .prefix(NetworkPrefix(network: $0, length: 32)) }
        for g in 0..<groupCount {
            var rules: [SecurityRule] = []
            var used: Set<Int> = []
            for r in 0..<Int.random(in: 0...7, using: &rng) {
                var priority = Int.random(in: 100...140, using: &rng) * 10
                while used.contains(priority) { priority += 1 }
                used.insert(priority)
                let protocols: [RuleProtocol] = [.any, .tcp, .udp, .icmp, .tcp]
                func pick<T>(_ list: [T], _ count: ClosedRange<Int>, _ rng: inout SeededGenerator) -> [T] {
                    (0..<Int.random(in: count, using: &rng)).map { _ in
                        list[Int.random(in: 0..<list.count, using: &rng)]
                    }
                }
                rules.append(
                    SecurityRule(
                        name: "r\(r)", priority: priority,
                        direction: Bool.random(using: &rng) ? .inbound : .outbound,
                        access: Int.random(in: 0..<3, using: &rng) == 0 ? .deny : .allow,
                        protocol: protocols[Int.random(in: 0..<protocols.count, using: &rng)],
                        sources: pick(addressChoices, 1...2, &rng), destinations: pick(addressChoices, 1...2, &rng),
                        sourcePorts: Int.random(in: 0..<5, using: &rng) == 0 ? [PortRange(1024, 65535)] : [.any],
                        destinationPorts: pick(portChoices, 1...2, &rng).map { PortRange($0)! }))
            }
            network.securityGroups.append(SecurityGroup(id: ResourceID("/nsg/\(g)"), name: "nsg\(g)", rules: rules))
        }
        addDoors(to: &network, seed: seed)
        return (network, externals)
    }

    /// SKUs for the public IPs and a public load balancer (drawn from their own generator, so the
    /// NSGs and NICs stay what they were for each seed): a rule TCP 80 → 22 over a pool named from
    /// both sides (the pool's list and NIC configurations), an `All` HA-ports-style rule on a second
    /// frontend, and an inbound NAT rule TCP 2001 → 3389 to one NIC.
    static func addDoors(to network: inout Network, seed: UInt64) {
        var rng = SeededGenerator(state: seed &+ 0x5EED)
        let skus: [NetworkSKU?] = [nil, .basic, .standard]
        for i in network.publicIPs.indices { network.publicIPs[i].sku = skus[Int.random(in: 0..<3, using: &rng)] }
        guard Int.random(in: 0..<4, using: &rng) != 0 else { return }
        let lb = ResourceID("/lb/0")
        let pool = ResourceID("/lb/0/backendAddressPools/pool")
        let nat = ResourceID("/lb/0/inboundNatRules/rdp")
        var members: [BackendTarget] = []
        for n in network.interfaces.indices where Int.random(in: 0..<3, using: &rng) == 0 {
            if Bool.random(using: &rng) {
                network.interfaces[n].ipConfigurations[0].backendPools.append(pool)
            } else {
                members.append(.ipConfiguration(ResourceID(network.interfaces[n].id.text + "/ipConfigurations/c")))
            }
        }
        // A member naming a NIC that does not exist is ignored.
        members.append(.ipConfiguration(ResourceID("/nic/missing/ipConfigurations/c")))
        let natTarget = Int.random(in: 0..<network.interfaces.count, using: &rng)
        for (i, address) in ["20.0.1.1", "20.0.1.2"].enumerated() {
            network.publicIPs.append(
                PublicIPAddress(
                    id: ResourceID("/pip/lb\(i)"), name: "lb-pip\(i)", address: NetworkAddress(address),
                    sku: skus[Int.random(in: 0..<3, using: &rng)]))
        }
        network.loadBalancers.append(
            LoadBalancer(
                id: lb, name: "lb", sku: skus[Int.random(in: 0..<3, using: &rng)],
                frontends: [
                    .init(
                        id: ResourceID("/lb/0/frontendIPConfigurations/fe0"), name: "fe0",
                        publicIP: ResourceID("/pip/lb0")),
                    .init(
                        id: ResourceID("/lb/0/frontendIPConfigurations/fe1"), name: "fe1",
                        publicIP: ResourceID("/pip/lb1")),
                ],
                backendPools: [.init(id: pool, name: "pool", members: members)],
                rules: [
                    .init(
                        name: "web", frontend: ResourceID("/lb/0/frontendIPConfigurations/fe0"), backendPools: [pool],
                        protocol: .tcp, frontendPort: 80, backendPort: 22),
                    .init(
                        name: "all", frontend: ResourceID("/lb/0/frontendIPConfigurations/fe1"), backendPools: [pool],
                        protocol: .all, frontendPort: 0, backendPort: 0),
                ],
                natRules: [
                    .init(
                        id: nat, name: "rdp", frontend: ResourceID("/lb/0/frontendIPConfigurations/fe0"),
                        protocol: .tcp,
                        frontendPorts: 2001...2001, backendPort: 3389,
                        backend: .ipConfiguration(
                            ResourceID(network.interfaces[natTarget].id.text + "/ipConfigurations/c")))
                ]))
    }
}
