/// Interfaces that every rule treats alike, grouped so that work grows with distinct behaviours and
/// not with host count.
///
/// Two NIC addresses are in one class when they share VNet, subnet NSG, NIC NSG, ASG memberships,
/// whether they have a public IP, the doors from the internet that lead to them, and the *address atom*: the stretch between consecutive
/// boundaries of every prefix any rule or VNet names. Within an atom no rule can tell addresses
/// apart, so one representative stands for all members — exactly, not approximately.
struct BehaviourClass {
    struct Key: Hashable {
        var vnet: Int
        var subnetSecurityGroup: Int?
        var interfaceSecurityGroup: Int?
        var applicationSecurityGroups: [Int]
        var hasPublicIP: Bool
        /// What the doors from the internet whose backends include the address do (`EntryPoints.swift`),
        /// as a set: members may be reached through different doors that behave alike.
        var doors: Set<EntryPoint.Behaviour>
        var atom: Int
        /// The subnet's route table: routes decide where its traffic goes.
        var routeTable: Int? = nil
        /// The internal doors (private frontends) whose backends include the address: a hop through
        /// one reaches every member of the class.
        var internalDoors: [Int] = []
    }

    var key: Key
    var members: [Int]
    var representative: Int { members[0] }
}

struct BehaviourClasses {
    var classes: [BehaviourClass] = []
    var classOfEndpoint: [Int?] = []
    var classesByVNet: [[Int]] = []

    init(_ compiled: CompiledNetwork) {
        var boundaries: Set<UInt64> = []
        func add(_ p: IPv4Prefix) {
            boundaries.insert(UInt64(p.first))
            boundaries.insert(UInt64(p.last) + 1)
        }
        for group in compiled.network.securityGroups {
            for rule in group.rules {
                for case .prefix(let p) in rule.sources + rule.destinations { add(p) }
            }
        }
        for vnet in compiled.network.virtualNetworks { vnet.addressSpace.forEach(add) }
        // Routes and firewall rules tell destinations apart; a DNAT target is an address of its own.
        for table in compiled.network.routeTables { table.routes.map(\.addressPrefix).forEach(add) }
        let routing = compiled.routing
        for rules in routing.filterRules {
            for rule in rules {
                for (lo, hi) in rule.box.sources.intervals + rule.box.destinations.intervals {
                    boundaries.insert(UInt64(lo))
                    boundaries.insert(UInt64(hi) + 1)
                }
            }
        }
        for target in routing.dnatTargets.keys { add(IPv4Prefix(network: IPv4Address(target), length: 32)) }
        // Service tags resolved from `--service-tags` name prefixes too (usually public ranges,
        // but a VNet may use public space).
        for set in compiled.resolvedTags.values {
            for (lo, hi) in set.intervals {
                boundaries.insert(UInt64(lo))
                boundaries.insert(UInt64(hi) + 1)
            }
        }
        add(CompiledNetwork.azureLoadBalancer)
        let sorted = boundaries.sorted()
        func atom(_ address: UInt32) -> Int {
            var lo = 0
            var hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if sorted[mid] <= UInt64(address) { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        var index: [BehaviourClass.Key: Int] = [:]
        classOfEndpoint = Array(repeating: nil, count: compiled.endpoints.count)
        classesByVNet = Array(repeating: [], count: compiled.network.virtualNetworks.count)
        for (e, endpoint) in compiled.endpoints.enumerated() {
            guard let vnet = endpoint.virtualNetwork else { continue }
            let key = BehaviourClass.Key(
                vnet: vnet, subnetSecurityGroup: endpoint.subnetSecurityGroup,
                interfaceSecurityGroup: endpoint.interfaceSecurityGroup,
                applicationSecurityGroups: endpoint.applicationSecurityGroups, hasPublicIP: endpoint.hasPublicIP,
                doors: Set(compiled.entryPointsOfEndpoint[e].map { compiled.entryPoints[$0].behaviour }),
                atom: atom(endpoint.address), routeTable: endpoint.subnet.flatMap { routing.tableOfSubnet[$0] },
                internalDoors: compiled.internalDoorsOfEndpoint[e].sorted())
            if let c = index[key] {
                classes[c].members.append(e)
                classOfEndpoint[e] = c
            } else {
                index[key] = classes.count
                classOfEndpoint[e] = classes.count
                classesByVNet[vnet].append(classes.count)
                classes.append(BehaviourClass(key: key, members: [e]))
            }
        }
    }
}
