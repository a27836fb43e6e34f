import Findings

extension LoadedTopology {
    /// What was read from each of `files`: network resources, NICs and security rules, by the file
    /// their source location names. A file that held no network resource (an export of storage
    /// accounts only, a Kubernetes manifest, an empty list) gets zero counts, and the command reports
    /// that it had nothing to analyse.
    public func coverage(of files: [String]) -> [InputCoverage] {
        var resources: [String: Int] = [:]
        var nics: [String: Int] = [:]
        var rules: [String: Int] = [:]
        func count(_ location: SourceLocation?, in table: inout [String: Int]) {
            guard let file = location?.file else { return }
            table[file, default: 0] += 1
        }
        for v in network.virtualNetworks { count(v.location, in: &resources) }
        for s in network.subnets { count(s.location, in: &resources) }
        for n in network.interfaces {
            count(n.location, in: &resources)
            count(n.location, in: &nics)
        }
        for g in network.securityGroups {
            count(g.location, in: &resources)
            for r in g.rules { count(r.location ?? g.location, in: &rules) }
        }
        for a in network.applicationSecurityGroups { count(a.location, in: &resources) }
        for p in network.publicIPs { count(p.location, in: &resources) }
        for m in network.machines { count(m.location, in: &resources) }
        for d in network.loadBalancers { count(d.location, in: &resources) }
        for d in network.applicationGateways { count(d.location, in: &resources) }
        for d in network.wafPolicies { count(d.location, in: &resources) }
        for d in network.outboundOnlyDoors { count(d.location, in: &resources) }
        // A topology read from one file: elements without a location belong to it.
        if files.count == 1, resources[files[0]] == nil, !network.isEmptyOfResources {
            resources[files[0]] = network.resourceCount
            nics[files[0]] = network.interfaces.count
            rules[files[0]] = network.securityGroups.reduce(0) { $0 + $1.rules.count }
        }
        return files.map { file in
            InputCoverage(
                path: file, kind: .topology,
                analysed: ["resources": resources[file] ?? 0, "nics": nics[file] ?? 0, "rules": rules[file] ?? 0])
        }
    }
}

extension Network {
    /// Virtual networks, subnets, NICs, NSGs, ASGs, public IPs, VMs, load balancers, application
    /// gateways, WAF policies, NAT gateways and bastions.
    var resourceCount: Int {
        virtualNetworks.count + subnets.count + interfaces.count + securityGroups.count
            + applicationSecurityGroups.count + publicIPs.count + machines.count + loadBalancers.count
            + applicationGateways.count + wafPolicies.count + outboundOnlyDoors.count
    }

    var isEmptyOfResources: Bool { resourceCount == 0 }
}
