import Findings

/// `topology.virtualnetwork-tag-widened-by-route`: an inbound allow rule naming `VirtualNetwork`
/// that admits public internet addresses because a route table widens the tag.
///
/// Azure's `VirtualNetwork` service tag holds the VNet's address space, its peers' and "address
/// prefixes used on user-defined routes" (Azure, *Virtual network service tags*): for an NSG
/// filtering a subnet whose route table has a 0.0.0.0/0 route to a firewall, the tag is the whole
/// address space, and the default rule `AllowVnetInBound` (65000) admits every internet address
/// before `DenyAllInBound` can refuse it. Forced tunnelling is the usual cause; rules written as
/// "only from inside the network" no longer mean that. The engine resolves the tag this way for
/// every verdict; this check names the rule, the route table and the prefixes that did it.
public enum VirtualNetworkTagWidenedByRoute {
    public static let check = Check(
        id: "topology.virtualnetwork-tag-widened-by-route",
        title: "VirtualNetwork tag widened to internet addresses by a route",
        rationale:
            "Azure adds the prefixes of a subnet's user-defined routes to the VirtualNetwork service tag, so a "
            + "0.0.0.0/0 route makes AllowVnetInBound and every rule naming VirtualNetwork admit the whole internet.",
        remediation:
            "Deny Internet above the rule (for example `4000 Deny * Internet -> *` before AllowVnetInBound), or name "
            + "the private prefixes the rule means instead of VirtualNetwork.",
        defaultSeverity: .medium
    )
}

extension VirtualNetworkTagWidenedByRoute {
    static func findings(_ context: AuditContext) -> [Finding] {
        let compiled = context.compiled
        let network = context.network
        var findings: [Finding] = []
        var addressesBySubnet: [ResourceID: [IPv4Address]] = [:]
        for nic in network.interfaces {
            for config in nic.ipConfigurations {
                if let s = config.subnet, let a = config.privateAddress { addressesBySubnet[s, default: []].append(a) }
            }
        }
        // The subnets of each tag context, once: a finding names those its NSG guards.
        var subnetsOfContext: [Int: [Int]] = [:]
        for s in network.subnets.indices {
            if let c = compiled.subnetTagContext[s] { subnetsOfContext[c, default: []].append(s) }
        }
        for group in network.securityGroups where context.isAttached(group.id) {
            for c in context.attachmentContexts(of: group.id) {
                guard let t = compiled.tagContextTable[c] else { continue }
                let v = compiled.tagContextVNet[c]
                let widenedPublic = compiled.tagSpace[c].subtracting(compiled.virtualNetworkTag[v])
                    .intersection(context.publicInternet)
                let protected = context.protectedAddresses(of: group.id, inTagContext: c)
                guard !widenedPublic.isEmpty, !protected.isEmpty else { continue }
                let probe = FlowRegion(FlowBox(sources: widenedPublic, destinations: protected))
                for (view, flows) in context.walk(probe, through: group.id, .inbound, tagContext: c)
                where view.rule.access == .allow && namesVirtualNetwork(view.rule) {
                    let sources = flows.boxes.reduce(IntervalSet()) { $0.union($1.sources) }
                    guard !sources.isEmpty else { continue }
                    findings.append(
                        finding(
                            context, group: group, rule: view.rule, table: network.routeTables[t], vnet: v,
                            sources: sources, flows: flows, inTagContext: c,
                            subnetsOfContext: subnetsOfContext[c] ?? [],
                            addressesBySubnet: addressesBySubnet))
                }
            }
        }
        return findings
    }

    static func namesVirtualNetwork(_ rule: SecurityRule) -> Bool {
        rule.sources.contains {
            if case .serviceTag(let tag) = $0 { return tag.lowercased() == "virtualnetwork" }
            return false
        }
    }

    private static func finding(
        _ context: AuditContext, group: SecurityGroup, rule: SecurityRule, table: RouteTable, vnet v: Int,
        sources: IntervalSet, flows: FlowRegion, inTagContext c: Int, subnetsOfContext: [Int],
        addressesBySubnet: [ResourceID: [IPv4Address]]
    ) -> Finding {
        let routes = table.routes.filter { r in
            !IntervalSet(prefixes: [r.addressPrefix]).intersection(sources).isEmpty
        }
        let inContext = subnetsOfContext.map { context.network.subnets[$0] }.filter { subnet in
            subnet.securityGroup == group.id
                || (context.attachedInterfaces[group.id] ?? []).contains { $0.subnetIDs.contains(subnet.id) }
        }
        let subnets = inContext.map { context.segmentName($0) }
        // High when the internet can really open a connection that way: a door forwards a port the
        // rule admits to a host it protects, and the answers are not dropped on the way back.
        var reachable = false
        for subnet in inContext where !reachable {
            for address in addressesBySubnet[subnet.id] ?? [] where !reachable {
                let boxes = flows.boxes.filter { $0.destinations.contains(address.value) }
                guard !boxes.isEmpty else { continue }
                let answered = context.engine.answerDroppedSources(to: address)
                for door in context.engine.entryPoints(to: address) where door.sourceSeenAs == nil {
                    let ports = door.backendPorts(forFrontend: .allPorts)
                    if boxes.contains(where: {
                        !$0.protocols.intersection(door.protocols).isEmpty
                            && !$0.destinationPorts.intersection(ports).isEmpty
                            && !$0.sources.subtracting(answered).isEmpty
                    }) {
                        reachable = true
                    }
                }
            }
        }
        let routeText = routes.map { r in
            "\(r.name) (\(r.addressPrefix) -> \(r.nextHopType.rawValue)\(r.nextHopAddress.map { " \($0)" } ?? ""))"
        }
        let sourceText =
            sources == context.publicInternet
            ? "every internet address" : "\(AuditText.count(sources.breadth)) internet addresses"
        var evidence = AuditText.ruleEvidence(rule, group)
        evidence["routeTable"] = .string(table.name)
        evidence["routes"] = .array(
            routes.map { .object(["route": .string($0.name), "prefix": .string($0.addressPrefix.description)]) })
        evidence["subnets"] = .array(subnets.map { .string($0) })
        evidence["sourceAddresses"] = .int(Int(sources.count))
        evidence["sources"] = .array(AuditText.prefixes(sources).prefix(16).map { .string($0) })
        evidence["reachableThroughDoor"] = .bool(reachable)
        let doorText =
            reachable
            ? " A door from the internet forwards such traffic to a host behind it."
            : " No door from the internet forwards it today (or the answers are dropped on the way back), so nothing connects yet."
        return Finding(
            check: check, severity: reachable ? .high : .medium, subject: "\(group.name)/\(rule.name)",
            message:
                "\(group.name)/\(rule.name) admits \(sourceText) as VirtualNetwork in \(AuditText.list(subnets)): route table \(table.name) adds \(AuditText.list(routeText)) to the tag, as Azure does for user-defined routes.\(doorText)",
            evidence: evidence,
            remediation:
                "Add a rule denying Internet above \(group.name)/\(rule.name) (priority below \(rule.priority)), or replace VirtualNetwork in it with the private prefixes it is meant for.",
            location: SourceLocation.of(rule, in: group))
    }
}
