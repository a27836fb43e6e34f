import Findings

/// Collects resources from every input file, merges resources seen twice (a subnet nested in its
/// VNet and listed on its own, an NSG in a resource list and in `az network nsg list`), and at the
/// end links VMs to NICs and turns references that name nothing into warnings.
struct NetworkBuilder {
    /// Settable inside the module so that `RoutingReader.swift` can add routing resources.
    var network = Network()
    private(set) var warnings: [String] = []
    private var vnetIndex: [ResourceID: Int] = [:]
    private var subnetIndex: [ResourceID: Int] = [:]
    private var nicIndex: [ResourceID: Int] = [:]
    private var nsgIndex: [ResourceID: Int] = [:]
    private var asgIndex: [ResourceID: Int] = [:]
    private var publicIPIndex: [ResourceID: Int] = [:]
    private var machineIndex: [ResourceID: Int] = [:]
    /// NSG back-references (`properties.subnets`, `properties.networkInterfaces`) to apply at the end.
    private var nsgAttachments: [(nsg: ResourceID, target: ResourceID)] = []
    /// Route table back-references (`properties.subnets`), applied at the end (`linkRouting`).
    var routeTableAttachments: [(table: ResourceID, subnet: ResourceID)] = []

    mutating func warn(_ message: String, at location: SourceLocation?) {
        var parts: [String] = []
        if let file = location?.file { parts.append(file) }
        if let line = location?.line { parts.append("line \(line)") }
        if let pointer = location?.pointer { parts.append("at \(pointer.isEmpty ? "/" : pointer)") }
        parts.append(message)
        warnings.append(parts.joined(separator: ": "))
    }

    mutating func add(_ vnet: VirtualNetwork) {
        if let i = vnetIndex[vnet.id] {
            var merged = network.virtualNetworks[i]
            if merged.addressSpace.isEmpty { merged.addressSpace = vnet.addressSpace }
            for peering in vnet.peerings where !merged.peerings.contains(where: { $0.name == peering.name }) {
                merged.peerings.append(peering)
            }
            network.virtualNetworks[i] = merged
        } else {
            vnetIndex[vnet.id] = network.virtualNetworks.count
            network.virtualNetworks.append(vnet)
        }
    }

    mutating func add(_ subnet: Subnet) {
        if let i = subnetIndex[subnet.id] {
            var merged = network.subnets[i]
            if merged.prefixes.isEmpty { merged.prefixes = subnet.prefixes }
            if merged.securityGroup == nil { merged.securityGroup = subnet.securityGroup }
            if merged.routeTable == nil { merged.routeTable = subnet.routeTable }
            network.subnets[i] = merged
        } else {
            subnetIndex[subnet.id] = network.subnets.count
            network.subnets.append(subnet)
        }
    }

    mutating func add(_ nic: NetworkInterface) {
        if let i = nicIndex[nic.id] {
            var merged = network.interfaces[i]
            if merged.ipConfigurations.isEmpty { merged.ipConfigurations = nic.ipConfigurations }
            if merged.securityGroup == nil { merged.securityGroup = nic.securityGroup }
            if merged.machine == nil { merged.machine = nic.machine }
            merged.tags.merge(nic.tags) { old, _ in old }
            network.interfaces[i] = merged
        } else {
            nicIndex[nic.id] = network.interfaces.count
            network.interfaces.append(nic)
        }
    }

    mutating func add(_ nsg: SecurityGroup) {
        if let i = nsgIndex[nsg.id] {
            var merged = network.securityGroups[i]
            if merged.rules.isEmpty { merged.rules = nsg.rules }
            if merged.listedDefaultRules.isEmpty { merged.listedDefaultRules = nsg.listedDefaultRules }
            network.securityGroups[i] = merged
        } else {
            nsgIndex[nsg.id] = network.securityGroups.count
            network.securityGroups.append(nsg)
        }
    }

    /// A rule given as its own resource (a template child or `…/securityRules` in a resource list).
    mutating func append(_ rule: SecurityRule, to nsg: ResourceID) {
        if nsgIndex[nsg] == nil { add(SecurityGroup(id: nsg, name: nsg.lastComponent, rules: [])) }
        if let i = nsgIndex[nsg], !network.securityGroups[i].rules.contains(where: { $0.name == rule.name }) {
            network.securityGroups[i].rules.append(rule)
        }
    }

    mutating func add(_ asg: ApplicationSecurityGroup) {
        guard asgIndex[asg.id] == nil else { return }
        asgIndex[asg.id] = network.applicationSecurityGroups.count
        network.applicationSecurityGroups.append(asg)
    }

    mutating func add(_ publicIP: PublicIPAddress) {
        if let i = publicIPIndex[publicIP.id] {
            if network.publicIPs[i].address == nil { network.publicIPs[i].address = publicIP.address }
            if network.publicIPs[i].sku == nil { network.publicIPs[i].sku = publicIP.sku }
            if network.publicIPs[i].attachedTo == nil { network.publicIPs[i].attachedTo = publicIP.attachedTo }
            if network.publicIPs[i].dnsName == nil { network.publicIPs[i].dnsName = publicIP.dnsName }
        } else {
            publicIPIndex[publicIP.id] = network.publicIPs.count
            network.publicIPs.append(publicIP)
        }
    }

    mutating func add(_ machine: VirtualMachine) {
        if let i = machineIndex[machine.id] {
            network.machines[i].tags.merge(machine.tags) { old, _ in old }
            for nic in machine.interfaces where !network.machines[i].interfaces.contains(nic) {
                network.machines[i].interfaces.append(nic)
            }
        } else {
            machineIndex[machine.id] = network.machines.count
            network.machines.append(machine)
        }
    }

    /// Load balancers, gateways and the other doors are merged by the rules in `DoorsReader.swift`.
    mutating func updateNetwork(_ body: (inout Network) -> Void) { body(&network) }

    /// Records that an NSG lists `target` (a subnet or NIC) as attached to it.
    mutating func attach(nsg: ResourceID, to target: ResourceID) {
        nsgAttachments.append((nsg, target))
    }

    /// Links and checks references; returns the finished topology.
    func finish() -> LoadedTopology {
        var result = self
        result.link()
        return LoadedTopology(network: result.network, warnings: result.warnings)
    }

    private mutating func link() {
        // NSG back-references fill attachments the subnet or NIC did not state.
        for (nsg, target) in nsgAttachments {
            if let i = subnetIndex[target], network.subnets[i].securityGroup == nil {
                network.subnets[i].securityGroup = nsg
            } else if let i = nicIndex[target], network.interfaces[i].securityGroup == nil {
                network.interfaces[i].securityGroup = nsg
            }
        }
        // VMs name their NICs; NICs may name their VM. Either way the NIC gets the VM's name and tags.
        for machine in network.machines {
            for nicID in machine.interfaces {
                guard let i = nicIndex[nicID] else {
                    warn(
                        "VM '\(machine.name)' names network interface \(nicID.text), which is not in the input",
                        at: machine.location)
                    continue
                }
                network.interfaces[i].machine = machine.id
            }
        }
        for i in network.interfaces.indices {
            guard let machineID = network.interfaces[i].machine else { continue }
            if let m = machineIndex[machineID] {
                network.interfaces[i].machineName = network.machines[m].name
                network.interfaces[i].machineTags = network.machines[m].tags
            } else if network.interfaces[i].machineName == nil {
                network.interfaces[i].machineName = machineID.lastComponent
            }
        }
        inferMissingNetworks()
        allocateDynamicAddresses()
        checkReferences()
        linkDoors()
        linkFrontDoors()
        linkRouting()
        // Deterministic order whatever the input order.
        network.virtualNetworks.sort { $0.id < $1.id }
        network.subnets.sort { $0.id < $1.id }
        network.interfaces.sort { $0.id < $1.id }
        network.securityGroups.sort { $0.id < $1.id }
        network.applicationSecurityGroups.sort { $0.id < $1.id }
        network.publicIPs.sort { $0.id < $1.id }
        network.machines.sort { $0.id < $1.id }
    }

    /// NICs whose subnet (or VNet) is not in the input are still analysed with what is known: the
    /// subnet is made up with the NIC addresses it is known to hold and no NSG (its real one is
    /// unknown, and treated as absent), the VNet likewise; a warning says so.
    private mutating func inferMissingNetworks() {
        for n in network.interfaces.indices {
            let nic = network.interfaces[n]
            for config in nic.ipConfigurations {
                guard let subnetID = config.subnet else { continue }
                let host = config.privateAddress.map { IPv4Prefix(network: $0, length: 32) }
                let known = subnetIndex[subnetID]
                if let i = known, !network.subnets[i].isInferred { continue }
                let vnetID = ResourceID(Self.parentID(of: subnetID))
                warn(
                    "network interface '\(nic.name)' names subnet \(subnetID.text), which is not in the input; the interface is analysed with what is known (its own NSG and public IP), the subnet's NSG treated as absent",
                    at: config.location ?? nic.location)
                if let i = known {
                    if let host, !network.subnets[i].prefixes.contains(host) {
                        network.subnets[i].prefixes.append(host)
                    }
                    continue
                }
                var subnet = Subnet(
                    id: subnetID, name: subnetID.lastComponent, virtualNetwork: vnetID,
                    prefixes: host.map { [$0] } ?? [])
                subnet.isInferred = true
                subnetIndex[subnetID] = network.subnets.count
                network.subnets.append(subnet)
            }
        }
        for subnet in network.subnets {
            if let i = vnetIndex[subnet.virtualNetwork] {
                guard network.virtualNetworks[i].isInferred else { continue }
                for p in subnet.prefixes where !network.virtualNetworks[i].addressSpace.contains(p) {
                    network.virtualNetworks[i].addressSpace.append(p)
                }
                continue
            }
            if !subnet.isInferred {
                warn(
                    "subnet '\(subnet.name)' belongs to VNet \(subnet.virtualNetwork.text), which is not in the input; the VNet is taken to hold just this subnet's addresses",
                    at: subnet.location)
            }
            var vnet = VirtualNetwork(
                id: subnet.virtualNetwork, name: subnet.virtualNetwork.lastComponent, addressSpace: subnet.prefixes)
            vnet.isInferred = true
            vnetIndex[vnet.id] = network.virtualNetworks.count
            network.virtualNetworks.append(vnet)
        }
    }

    /// A NIC configuration without an address (`privateIPAllocationMethod: Dynamic` in a template)
    /// gets the one Azure would give it: the lowest free address of its subnet from the fifth up
    /// (Azure keeps the first four and the last), NICs taken in id order so the result is stable.
    private mutating func allocateDynamicAddresses() {
        var used: [ResourceID: Set<UInt32>] = [:]
        for nic in network.interfaces {
            for config in nic.ipConfigurations {
                if let subnet = config.subnet, let a = config.privateAddress {
                    used[subnet, default: []].insert(a.value)
                }
            }
        }
        for n in network.interfaces.indices.sorted(by: { network.interfaces[$0].id < network.interfaces[$1].id }) {
            for c in network.interfaces[n].ipConfigurations.indices {
                let config = network.interfaces[n].ipConfigurations[c]
                guard config.privateAddress == nil, let subnetID = config.subnet, let s = subnetIndex[subnetID] else {
                    continue
                }
                let subnet = network.subnets[s]
                var chosen: UInt32?
                for prefix in subnet.prefixes where prefix.length <= 29 {
                    var candidate = prefix.first &+ 4
                    while candidate < prefix.last, used[subnetID, default: []].contains(candidate) { candidate &+= 1 }
                    if candidate < prefix.last {
                        chosen = candidate
                        break
                    }
                }
                let nic = network.interfaces[n]
                guard let chosen else { continue }
                used[subnetID, default: []].insert(chosen)
                network.interfaces[n].ipConfigurations[c].privateAddress = IPv4Address(chosen)
                warn(
                    "network interface '\(nic.name)' (\(config.name)) has a dynamic private address; it is taken to be \(IPv4Address(chosen)), the first free address of subnet '\(subnet.name)' from the fifth up, as Azure allocates",
                    at: config.location ?? nic.location)
            }
        }
    }

    /// `/…/virtualNetworks/v/subnets/s` → `/…/virtualNetworks/v`.
    static func parentID(of id: ResourceID) -> String {
        var parts = id.text.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count >= 2 { parts.removeLast(2) }
        return parts.joined(separator: "/")
    }

    /// Every reference that names nothing becomes a warning at the referring resource.
    private mutating func checkReferences() {
        for vnet in network.virtualNetworks where vnet.location == nil && vnet.addressSpace.isEmpty && !vnet.isInferred
        {
            let side = vnet.peerings.first?.location
            warn("VNet or segment '\(vnet.name)' is named as a peer but not defined; it carries no traffic", at: side)
        }
        for vnet in network.virtualNetworks {
            for peering in vnet.peerings where vnetIndex[peering.remoteNetwork] == nil {
                warn(
                    "peering '\(peering.name)' of VNet '\(vnet.name)' names \(peering.remoteNetwork.text), which is not in the input; it carries no traffic",
                    at: peering.location ?? vnet.location)
            }
        }
        for subnet in network.subnets {
            if let nsg = subnet.securityGroup, nsgIndex[nsg] == nil {
                warn(
                    "subnet '\(subnet.name)' names network security group \(nsg.text), which is not in the input; the subnet is treated as unfiltered",
                    at: subnet.location)
            }
        }
        for nic in network.interfaces {
            if let nsg = nic.securityGroup, nsgIndex[nsg] == nil {
                warn(
                    "network interface '\(nic.name)' names network security group \(nsg.text), which is not in the input; the interface is treated as unfiltered",
                    at: nic.location)
            }
            for config in nic.ipConfigurations {
                let place = config.location ?? nic.location
                if let pip = config.publicIP, publicIPIndex[pip] == nil {
                    warn(
                        "network interface '\(nic.name)' names public IP \(pip.text), which is not in the input; the interface is still treated as internet-facing",
                        at: place)
                }
                if config.privateAddress == nil {
                    warn(
                        "network interface '\(nic.name)' has an IP configuration without a private address, and none can be allocated (its subnet's prefix is not known, or it has no free address); that configuration is not analysed",
                        at: place)
                }
            }
        }
        for nsg in network.securityGroups {
            for rule in nsg.rules {
                for match in rule.sources + rule.destinations {
                    switch match {
                    case .applicationSecurityGroup(let id) where asgIndex[id] == nil:
                        warn(
                            "rule '\(rule.name)' of '\(nsg.name)' names application security group \(id.text), which is not in the input",
                            at: rule.location ?? nsg.location)
                    case .unsupported(let text):
                        warn(
                            "rule '\(rule.name)' of '\(nsg.name)' names '\(text)', which this version cannot evaluate (IPv4 only); it matches no flow",
                            at: rule.location ?? nsg.location)
                    default: break
                    }
                }
            }
        }
    }
}
