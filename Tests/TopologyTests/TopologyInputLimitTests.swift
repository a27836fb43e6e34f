import Findings
import Foundation
import Testing
import Topology

/// Sizes a topology input decides, each tried at its limit (read) and just past it (refused with
/// the file and place). The limits are the ones `docs/limitations.md` lists under "Limits on input
/// sizes"; Azure's own (140-character rule descriptions, 16 levels of nested deployments) come from
/// Azure's documentation of resource limits and template deployment.
@Suite("Limits on topology input sizes, at and just past each")
struct TopologyInputLimitTests {
    func load(_ name: String, _ text: String) throws -> LoadedTopology {
        try TopologyLoader.load(documents: [(name, Data(text.utf8))])
    }

    func error(_ name: String, _ text: String) -> InputError? {
        do {
            _ = try load(name, text)
            return nil
        } catch let e as InputError {
            return e
        } catch {
            return nil
        }
    }

    static func describedRule(_ length: Int) -> String {
        TopologyFixtures.rule("r", 100, "Inbound", "Allow", "Tcp", "*", "*", "22").replacingOccurrences(
            of: "\"priority\"", with: "\"description\": \"\(String(repeating: "d", count: length))\", \"priority\"")
    }

    @Test("a rule description of 140 characters is read whole; one of 141 is refused with its pointer")
    func descriptionLength() throws {
        let atLimit = try load("d.json", "[\(TopologyFixtures.nsg("nsg", [Self.describedRule(140)]))]")
        #expect(atLimit.network.securityGroups.first?.rules.first?.description.count == 140)
        let past = error("d.json", "[\(TopologyFixtures.nsg("nsg", [Self.describedRule(141)]))]")
        #expect(past?.file == "d.json")
        #expect(past?.place == .pointer("/0/properties/securityRules/0/properties/description"))
        #expect(past?.reason.contains("141 characters; Azure allows at most 140") == true)
    }

    /// An export whose one resource carries a property nested so that the document has `levels`
    /// levels of arrays and objects in all (the outer array is level 1).
    static func nestedExport(levels: Int) -> String {
        // Levels: the outer array (1), the resource (2), its properties (3), then arrays.
        let arrays = levels - 3
        let value = String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays)
        return """
            [{"id": "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/a",
              "name": "a", "type": "Microsoft.Network/applicationSecurityGroups", "properties": {"x": \(value)}}]
            """
    }

    @Test("JSON nested 256 levels deep is read; 257 levels exits 2 naming the file and line")
    func jsonNesting() throws {
        let atLimit = try load("deep.json", Self.nestedExport(levels: 256))
        #expect(atLimit.network.applicationSecurityGroups.map(\.name) == ["a"])
        let past = error("deep.json", Self.nestedExport(levels: 257))
        #expect(past?.file == "deep.json")
        #expect(past?.place == .line(2))
        #expect(past?.reason.contains("nesting deeper than 256 levels") == true)
    }

    static func nestedDeployments(_ depth: Int) -> String {
        var template =
            #"{"resources": [{"type": "Microsoft.Network/networkSecurityGroups", "name": "deep", "properties": {}}]}"#
        for _ in 0..<depth {
            template =
                #"{"resources": [{"type": "Microsoft.Resources/deployments", "name": "d", "properties": {"template": \#(template)}}]}"#
        }
        return template
    }

    @Test("ARM deployments nested 16 deep are deployed; 17 deep exit 2 with the pointer of the one too deep")
    func deploymentNesting() throws {
        let atLimit = try load("t.json", Self.nestedDeployments(16))
        #expect(atLimit.network.securityGroups.map(\.name) == ["deep"])
        let past = error("t.json", Self.nestedDeployments(17))
        #expect(past?.reason.contains("nested deployments go deeper than 16 levels") == true)
        let pointer = past?.place.map { "\($0)" } ?? ""
        // The 17th nested template is 17 `/resources/0/properties/template` steps down.
        #expect(pointer.components(separatedBy: "/properties/template").count - 1 == 17, "\(pointer)")
    }

    /// A template whose variable `w` is 64 copies of a 16,384-byte `padLeft` (1 MiB), plus `extra`,
    /// and an ASG named after the length of `w`.
    static func concatenatedTemplate(width: Int = 16384, extra: String = "") -> String {
        let copies = Array(repeating: "variables('v')", count: 64).joined(separator: ", ")
        return """
            {"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
             "contentVersion": "1.0.0.0",
             "variables": {"v": "[padLeft('x', \(width), 'a')]", "w": "[concat(\(copies), '\(extra)')]"},
             "resources": [{"type": "Microsoft.Network/applicationSecurityGroups",
               "name": "[concat('a', string(length(variables('w'))))]", "properties": {}}]}
            """
    }

    @Test("an ARM function may make a string of 1 MiB; one byte more is a warning and the value is unknown")
    func functionResultLength() throws {
        let atLimit = try load("t.json", Self.concatenatedTemplate())
        #expect(atLimit.network.applicationSecurityGroups.map(\.name) == ["a1048576"])
        #expect(atLimit.warnings.isEmpty, "\(atLimit.warnings)")
        let past = try load("t.json", Self.concatenatedTemplate(extra: "b"))
        #expect(past.warnings.contains { $0.contains("concat() makes a string of more than 1048576 bytes") })
        #expect(!past.network.applicationSecurityGroups.contains { $0.name == "a1048577" })
    }

    @Test("padLeft to 16,384 characters is evaluated; to 16,385 is a warning and the value is unknown")
    func padLeftWidth() throws {
        let atLimit = try load("t.json", Self.concatenatedTemplate(width: 16384))
        #expect(atLimit.warnings.isEmpty, "\(atLimit.warnings)")
        let past = try load("t.json", Self.concatenatedTemplate(width: 16385))
        #expect(past.warnings.contains { $0.contains("padLeft() to 16385 characters") })
    }

    @Test("a justification file of 4 MiB is read; one byte more exits 2 naming the file")
    func justificationFileSize() throws {
        let entry = """
            justifications:
              - rule: nsg/AllowSsh
                why: Operators reach the jump box from the office
                owner: netops
                review-by: 2027-03-31

            """
        func file(_ size: Int) throws -> String {
            let padding = size - entry.utf8.count - 2
            let text = entry + "#" + String(repeating: "x", count: padding) + "\n"
            let path = NSTemporaryDirectory() + "exposure-justifications-\(getpid())-\(size).yaml"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(text.utf8.count == size)
            return path
        }
        let atLimit = try file(4 << 20)
        defer { try? FileManager.default.removeItem(atPath: atLimit) }
        #expect(try JustificationFile.load(path: atLimit).entries.count == 1)
        let past = try file((4 << 20) + 1)
        defer { try? FileManager.default.removeItem(atPath: past) }
        #expect {
            _ = try JustificationFile.load(path: past)
        } throws: { error in
            guard let e = error as? InputError else { return false }
            return e.file == past && e.reason == "a justification file may be at most 4 MiB"
        }
    }
}
