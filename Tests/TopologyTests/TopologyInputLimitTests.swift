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
}
