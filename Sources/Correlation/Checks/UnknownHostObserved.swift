import Findings
import Topology

/// `correlation.unknown-host-observed`: an address inside a VNet's address space that sends or
/// receives traffic in the captures but belongs to no NIC of the export: an inventory gap (a host
/// the export leaves out, or a stale export). Azure's five reserved addresses of each subnet
/// (network, gateway, two DNS, broadcast) are not hosts and are not reported.
enum UnknownHostObserved: CorrelationCheck {
    static let check = Check(
        id: "correlation.unknown-host-observed",
        title: "Traffic from a host missing from the export",
        rationale:
            "A host that talks on the network but is missing from the inventory is reviewed by nobody; its "
            + "rules, patches and exposure are unknown. Keeping an inventory of every asset is the first control.",
        remediation:
            "Find the host (by address, in the VNet's connected devices) and add it to the export, or remove it.",
        defaultSeverity: .medium
    )

    static func findings(_ context: CorrelationContext) -> [Finding] {
        var findings: [Finding] = []
        for (address, packets) in context.traffic.packetsByAddress where context.estate.byPrivate[address] == nil {
            guard let vnet = context.estate.virtualNetwork(containing: address) else { continue }
            let subnet = context.estate.subnet(containing: address, in: vnet)
            if let subnet, Estate.isReservedInSubnet(address, subnet) { continue }
            let place = subnet.map { "subnet \(vnet.name)/\($0.name)" } ?? "VNet \(vnet.name) (in no subnet)"
            findings.append(
                Finding(
                    check: check, subject: address.description,
                    message:
                        "\(address) sent or received \(packets) packet\(packets == 1 ? "" : "s") in \(place), but no "
                        + "network interface of the export has that address.",
                    evidence: [
                        "address": .string(address.description),
                        "subnet": .optional(subnet.map { "\(vnet.name)/\($0.name)" }),
                        "virtualNetwork": .string(vnet.name), "packets": .int(packets),
                    ],
                    location: subnet?.location ?? vnet.location))
        }
        return findings
    }
}
