import Foundation
import Testing

/// `--service-tags FILE` on `topology audit`, `verify-flows`, `paths`, `scan` and `correlate`, as a user runs them, with
/// the test fixture `Tests/TopologyTests/ServiceTags/ServiceTags_Sample.json` (invented prefixes in
/// Azure's shape: Storage is 40.20.0.0/17 and 40.21.8.0/21). Expected verdicts are DESIGN.md's
/// example V, worked by hand.
@Suite("exposure topology --service-tags")
struct ServiceTagsCLITests {
    static let tags = "Tests/TopologyTests/ServiceTags/ServiceTags_Sample.json"
    static let sub = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network"

    /// One VNet, one subnet whose NSG allows HTTPS from Storage, web 10.0.1.4 with public IP 20.0.0.4.
    static let export = """
        [
          {"id": "\(sub)/virtualNetworks/vnet", "name": "vnet", "type": "Microsoft.Network/virtualNetworks",
           "properties": {"addressSpace": {"addressPrefixes": ["10.0.0.0/16"]},
             "subnets": [{"id": "\(sub)/virtualNetworks/vnet/subnets/s", "name": "s",
               "properties": {"addressPrefix": "10.0.1.0/24", "networkSecurityGroup": {"id": "\(sub)/networkSecurityGroups/nsg"}}}]}},
          {"id": "\(sub)/networkSecurityGroups/nsg", "name": "nsg", "type": "Microsoft.Network/networkSecurityGroups",
           "properties": {"securityRules": [{"name": "AllowStorage", "properties": {"priority": 100, "direction": "Inbound",
             "access": "Allow", "protocol": "Tcp", "sourceAddressPrefix": "Storage", "sourcePortRange": "*",
             "destinationAddressPrefix": "*", "destinationPortRange": "443", "description": "backups"}}]}},
          {"id": "\(sub)/publicIPAddresses/web-pip", "name": "web-pip", "type": "Microsoft.Network/publicIPAddresses",
           "properties": {"ipAddress": "20.0.0.4"}},
          {"id": "\(sub)/networkInterfaces/web", "name": "web", "type": "Microsoft.Network/networkInterfaces",
           "properties": {"ipConfigurations": [{"name": "ipconfig1", "properties": {"privateIPAddress": "10.0.1.4",
             "subnet": {"id": "\(sub)/virtualNetworks/vnet/subnets/s"}, "publicIPAddress": {"id": "\(sub)/publicIPAddresses/web-pip"}}}]}}
        ]
        """

    static func files() throws -> (export: String, flows: String, directory: URL) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "exposure-service-tags-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let export = directory.appendingPathComponent("export.json")
        try Data(Self.export.utf8).write(to: export)
        let flows = directory.appendingPathComponent("flows.csv")
        try Data("source,destination,protocol,port\n40.20.1.2,20.0.0.4,tcp,443\n40.20.128.0,20.0.0.4,tcp,443\n".utf8)
            .write(to: flows)
        return (export.path, flows.path, directory)
    }

    static func verdicts(_ stdout: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        let flows = try #require(object?["flows"] as? [[String: Any]])
        return flows.map { $0["verdict"] as? String ?? "" }
    }

    @Test("verify-flows: Storage's addresses are let in only once the file gives its prefixes")
    func verifyFlows() throws {
        let (export, flows, _) = try Self.files()
        let without = try ExposureBinary.run(["topology", "verify-flows", export, "--flows", flows, "--format", "json"])
        #expect(without.status == 0, "\(without.stderr)")
        #expect(try Self.verdicts(without.stdout) == ["denied", "denied"])
        #expect(without.stderr.contains("service tag 'Storage'"))
        #expect(without.stderr.contains("--service-tags FILE"))
        let with = try ExposureBinary.run([
            "topology", "verify-flows", export, "--flows", flows, "--format", "json", "--service-tags", Self.tags,
        ])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(try Self.verdicts(with.stdout) == ["allowed", "denied"])
        #expect(!with.stderr.contains("service tag 'Storage'"))
        #expect(with.stderr.contains("5 IPv6 prefixes of the service tags skipped"))
    }

    @Test("audit and paths take the file too: the tag warning goes, the path from the internet appears")
    func auditAndPaths() throws {
        let (export, _, _) = try Self.files()
        let audit = try ExposureBinary.run([
            "topology", "audit", export, "--service-tags", Self.tags, "--format", "json",
        ])
        #expect(audit.status != 2, "\(audit.stderr)")
        #expect(!audit.stderr.contains("service tag 'Storage'"))
        let without = try ExposureBinary.run(["topology", "paths", export, "--from", "internet", "--to", "web"])
        #expect(without.stdout.contains("Unreachable: web"))
        let with = try ExposureBinary.run([
            "topology", "paths", export, "--from", "internet", "--to", "web", "--service-tags", Self.tags,
        ])
        #expect(with.status == 0, "\(with.stderr)")
        #expect(with.stdout.contains("web: 1 hop"), "\(with.stdout)")
    }

    @Test("A service tag file of the wrong shape exits 2 naming the file and the JSON pointer")
    func badFile() throws {
        let (export, flows, directory) = try Self.files()
        let bad = directory.appendingPathComponent("tags.json")
        try Data(#"{"values": [{"name": "Sql", "properties": {"addressPrefixes": ["1.2.3.0/24", "nonsense"]}}]}"#.utf8)
            .write(to: bad)
        for command in [
            ["audit", export], ["verify-flows", export, "--flows", flows], ["paths", export, "--from", "internet"],
        ] {
            let run = try ExposureBinary.run(["topology"] + command + ["--service-tags", bad.path])
            #expect(run.status == 2, "\(command[0]): \(run.stderr)")
            #expect(
                run.stderr.contains(
                    "tags.json: at /values/0/properties/addressPrefixes/1: 'nonsense' in service tag 'Sql' is not an IPv4 or IPv6 prefix"
                ), "\(command[0]): \(run.stderr)")
        }
    }

    static func warnings(_ stdout: String) throws -> [String] {
        let object = try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any]
        return try #require(object?["warnings"] as? [String])
    }

    @Test("scan hands --service-tags and --parameters to every topology it finds")
    func scan() throws {
        let (_, _, directory) = try Self.files()
        let folder = directory.appendingPathComponent("scan")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(Self.export.utf8).write(to: folder.appendingPathComponent("export.json"))
        let without = try ExposureBinary.run(["scan", folder.path, "--format", "json"])
        #expect(without.status != 2, "\(without.stderr)")
        #expect(try Self.warnings(without.stdout).contains { $0.contains("service tag 'Storage'") })
        let with = try ExposureBinary.run(["scan", folder.path, "--format", "json", "--service-tags", Self.tags])
        #expect(with.status != 2, "\(with.stderr)")
        let warnings = try Self.warnings(with.stdout)
        #expect(!warnings.contains { $0.contains("service tag 'Storage'") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("5 IPv6 prefixes of the service tags skipped") }, "\(warnings)")
        let missing = try ExposureBinary.run([
            "scan", folder.path, "--parameters", directory.appendingPathComponent("no-such.json").path,
        ])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect((missing.stderr + missing.stdout).contains("no-such.json"))
    }

    @Test("correlate reads --service-tags like the topology commands; a bad file exits 2 with its pointer")
    func correlate() throws {
        let (_, _, directory) = try Self.files()
        let sample = [
            "correlate", "--topology", "Topologies/correlation-every-check.json", "--capture",
            "Captures/correlation-every-check.pcap",
        ]
        let with = try ExposureBinary.run(sample + ["--service-tags", Self.tags, "--format", "json"])
        #expect(with.status == 1, "\(with.stderr)")
        #expect(
            try Self.warnings(with.stdout).contains { $0.contains("5 IPv6 prefixes of the service tags skipped") },
            "\(with.stdout)")
        let bad = directory.appendingPathComponent("tags-correlate.json")
        try Data(#"{"values": [{"name": "Sql", "properties": {"addressPrefixes": ["nonsense"]}}]}"#.utf8).write(to: bad)
        let refused = try ExposureBinary.run(sample + ["--service-tags", bad.path])
        #expect(refused.status == 2)
        #expect(
            refused.stderr.contains(
                "tags-correlate.json: at /values/0/properties/addressPrefixes/0: 'nonsense' in service tag 'Sql' is not an IPv4 or IPv6 prefix"
            ), "\(refused.stderr)")
        let help = try ExposureBinary.run(["correlate", "--help"])
        #expect(help.stdout.contains("--service-tags") && help.stdout.contains("--parameters"))
    }
}
