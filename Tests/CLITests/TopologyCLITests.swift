import Foundation
import Testing

/// `exposure topology verify-flows` and `paths` on the bundled samples, as a user runs them.
/// The verdicts are the ones worked out by hand for `Topologies/azure-hub-and-spoke.json`
/// (see `Topologies/make-samples.py` and `Sources/Topology/Reachability/DESIGN.md`).
@Suite("exposure topology verify-flows and paths")
struct TopologyCLITests {
    static let hub = "Topologies/azure-hub-and-spoke.json"
    static let expected = ExposureBinary.packageRoot.appendingPathComponent("Tests/TopologyTests/Expected")

    func expectedText(_ name: String) throws -> String {
        try String(contentsOf: Self.expected.appendingPathComponent(name), encoding: .utf8)
    }

    @Test("verify-flows gives the hand-worked verdict and deciding rules for every sample flow")
    func verifyFlowsJSON() throws {
        let run = try ExposureBinary.run([
            "topology", "verify-flows", Self.hub, "--flows", "Topologies/flows/azure-hub-and-spoke.csv", "--format",
            "json",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let flows = try #require(object?["flows"] as? [[String: Any]])
        let verdicts = flows.map { $0["verdict"] as? String ?? "" }
        // Worked out by hand: internet SSH to the jump host is allowed; SSH to the web server is
        // allowed by its subnet NSG but denied by its NIC NSG; HTTPS passes both; HTTP dies at the NIC's
        // DenyAllInBound; the rule naming the public IP never matches; a private address is unroutable
        // from the internet; ASG app→db SQL is allowed; web→db SQL hits DenyVnetInBound; hub→spoke SSH
        // passes AllowSSHFromHub (also for the web subnet: DenySSHFromWeb is shadowed); the isolated
        // VNet is unroutable; DNS out uses AllowInternetOutBound; ICMP inside the VNet uses defaults.
        #expect(
            verdicts == [
                "allowed", "denied", "allowed", "denied", "denied", "unroutable", "allowed", "denied", "allowed",
                "allowed", "unroutable", "allowed", "allowed",
            ])
        let second = try #require(flows[1]["decidedBy"] as? [[String: Any]])
        #expect(
            second.map { "\($0["nsg"]!)/\($0["rule"]!)/\($0["direction"]!)" } == [
                "nsg-web/AllowSSHFromInternet/inbound", "nsg-web-nic/DenySSHFromInternet/inbound",
            ])
        #expect(run.stdout == (try expectedText("azure-hub-and-spoke.verify-flows.json")))
    }

    @Test("verify-flows text names each verdict and the rules in evaluation order")
    func verifyFlowsText() throws {
        let run = try ExposureBinary.run([
            "topology", "verify-flows", Self.hub, "--flows", "Topologies/flows/azure-hub-and-spoke.csv",
        ])
        #expect(run.status == 0)
        #expect(
            run.stdout.contains(
                "198.51.100.7 -> 20.50.1.20 tcp/22: DENIED\n    nsg-web/AllowSSHFromInternet (inbound allow, 110)\n    nsg-web-nic/DenySSHFromInternet (inbound deny, 100)"
            ))
        #expect(
            run.stdout.contains(
                "10.0.1.4 -> 10.2.1.4 tcp/23: UNROUTABLE\n    (vnet-hub and vnet-isolated are not peered)"))
        #expect(run.stdout.hasSuffix("13 flows: 7 allowed, 4 denied, 2 unroutable\n"))
    }

    @Test("paths from the internet reach the crown-jewel database in two hops; the isolated one is unreachable")
    func pathsFromInternet() throws {
        let json = try ExposureBinary.run(["topology", "paths", Self.hub, "--from", "internet", "--format", "json"])
        #expect(json.status == 0)
        #expect(json.stdout == (try expectedText("azure-hub-and-spoke.paths.json")))
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["unreachable"] as? [String] == ["vm-legacy"])
        let paths = try #require(object?["paths"] as? [[String: Any]])
        let hops = try #require(paths.first?["hops"] as? [[String: Any]])
        #expect(
            hops.map { "\($0["from"]!)->\($0["to"]!):\($0["port"]!)" } == [
                "internet->vm-jump:22", "vm-jump->vm-db1:22",
            ])
        let text = try ExposureBinary.run(["topology", "paths", Self.hub, "--from", "internet"])
        #expect(text.stdout.contains("vm-db1: 2 hops"))
        #expect(text.stdout.contains("Unreachable: vm-legacy"))
        let dot = try ExposureBinary.run(["topology", "paths", Self.hub, "--from", "internet", "--format", "dot"])
        #expect(dot.stdout == (try expectedText("azure-hub-and-spoke.paths.dot")))
    }

    @Test("paths honour --port: SQL from the web server reaches the database only through the app server")
    func pathsWithPort() throws {
        let run = try ExposureBinary.run([
            "topology", "paths", Self.hub, "--from", "vm-web1", "--to", "vm-db1", "--port", "1433", "--format", "json",
        ])
        #expect(run.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let paths = try #require(object?["paths"] as? [[String: Any]])
        let hops = try #require(paths.first?["hops"] as? [[String: Any]])
        #expect(hops.map { "\($0["from"]!)->\($0["to"]!)" } == ["vm-web1->vm-app1", "vm-app1->vm-db1"])
        let subnet = try ExposureBinary.run([
            "topology", "paths", Self.hub, "--from", "subnet:vnet-hub/snet-jump", "--to", "tag:role=database",
        ])
        #expect(subnet.stdout.contains("vm-db1: 1 hop"))
    }

    @Test("the YAML sample works the same way")
    func yamlSample() throws {
        let run = try ExposureBinary.run([
            "topology", "verify-flows", "Topologies/yaml-office-and-datacenter.yaml", "--flows",
            "Topologies/flows/yaml-office-and-datacenter.csv",
        ])
        #expect(run.status == 0)
        #expect(run.stdout.hasSuffix("6 flows: 4 allowed, 1 denied, 1 unroutable\n"))
        let paths = try ExposureBinary.run([
            "topology", "paths", "Topologies/yaml-office-and-datacenter.yaml", "--from", "internet",
        ])
        #expect(paths.stdout.contains("file-server: 3 hops"))
        #expect(paths.stdout.contains("Unreachable: build-box"))
    }

    @Test("unusable topology, flows or endpoints exit 2 naming the file and the place")
    func unusableInput() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("exposure-topology-cli-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let badTopology = dir.appendingPathComponent("bad.json")
        try """
        [{"id": "/x/nsg", "name": "nsg", "type": "Microsoft.Network/networkSecurityGroups",
          "properties": {"securityRules": [{"name": "r", "properties": {"priority": 100, "direction": "Sideways", "access": "Allow"}}]}}]
        """.write(to: badTopology, atomically: true, encoding: .utf8)
        let flows = dir.appendingPathComponent("flows.csv")
        try "source,destination,protocol,port\n10.0.0.1,10.0.0.2,tcp,99999\n".write(
            to: flows, atomically: true, encoding: .utf8)
        let topology = try ExposureBinary.run(["topology", "verify-flows", badTopology.path, "--flows", flows.path])
        #expect(topology.status == 2)
        #expect(
            topology.stderr.contains(
                "bad.json: at /0/properties/securityRules/0/properties/direction: security rule 'r' needs `direction`"))
        let csv = try ExposureBinary.run(["topology", "verify-flows", Self.hub, "--flows", flows.path])
        #expect(csv.status == 2)
        #expect(csv.stderr.contains("flows.csv: line 2: port '99999' is not 0-65535"))
        let endpoint = try ExposureBinary.run(["topology", "paths", Self.hub, "--from", "vm-nowhere"])
        #expect(endpoint.status == 2)
        #expect(endpoint.stderr.contains("no VM or network interface is named 'vm-nowhere'"))
    }
}
