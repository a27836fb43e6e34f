import Findings
import Foundation
import Testing

/// The parts of SARIF 2.1.0 (OASIS, sections 3.13–3.27) that consumers such as GitHub code scanning
/// require, checked on the parsed document rather than on text.
@Suite("SARIF 2.1.0 structure")
struct SARIFStructureTests {
    static func parsed() throws -> [String: Any] {
        let data = Data(SARIFRenderer().render(Fixtures.report).utf8)
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("the log names version 2.1.0 and the schema")
    func versionAndSchema() throws {
        let log = try Self.parsed()
        #expect(log["version"] as? String == "2.1.0")
        #expect((log["$schema"] as? String)?.hasSuffix("sarif-2.1.0.json") == true)
    }

    @Test("one run whose driver has a name and one rule per check used, each with help text")
    func driverAndRules() throws {
        let run = try #require((try Self.parsed()["runs"] as? [[String: Any]])?.first)
        let driver = try #require((run["tool"] as? [String: Any])?["driver"] as? [String: Any])
        #expect(driver["name"] as? String == "exposure")
        let rules = try #require(driver["rules"] as? [[String: Any]])
        let ids = rules.compactMap { $0["id"] as? String }
        #expect(ids == ["capture.legacy-protocol", "dns.dnssec-signature-expiring", "topology.internet-exposed-port"])
        for rule in rules {
            #expect((rule["help"] as? [String: Any])?["text"] is String)
            #expect((rule["shortDescription"] as? [String: Any])?["text"] is String)
        }
    }

    @Test("every result has ruleId, a ruleIndex pointing at that rule, a level, a message and a location")
    func resultsAreComplete() throws {
        let run = try #require((try Self.parsed()["runs"] as? [[String: Any]])?.first)
        let rules = try #require(
            ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        let results = try #require(run["results"] as? [[String: Any]])
        #expect(results.count == 4)
        for result in results {
            let ruleId = try #require(result["ruleId"] as? String)
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == ruleId)
            #expect(["error", "warning", "note", "none"].contains(result["level"] as? String ?? ""))
            #expect((result["message"] as? [String: Any])?["text"] is String)
            let locations = try #require(result["locations"] as? [[String: Any]])
            #expect(!locations.isEmpty)
        }
    }

    @Test("a file and line become a physicalLocation; a JSON pointer a logicalLocation")
    func locations() throws {
        let run = try #require((try Self.parsed()["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        let zone = try #require(results.first { $0["ruleId"] as? String == "dns.dnssec-signature-expiring" })
        let physical = try #require(
            (zone["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((physical["artifactLocation"] as? [String: Any])?["uri"] as? String == "Zones/example.com.zone")
        #expect((physical["region"] as? [String: Any])?["startLine"] as? Int == 12)
        let nsg = try #require(results.first { $0["ruleId"] as? String == "topology.internet-exposed-port" })
        let logical = try #require(
            (nsg["locations"] as? [[String: Any]])?.first?["logicalLocations"] as? [[String: Any]])
        #expect(logical.contains { $0["fullyQualifiedName"] as? String == "/resources/3/properties/securityRules/0" })
    }

    @Test("severities map to SARIF levels: critical and high error, medium warning, low and info note")
    func levels() throws {
        let run = try #require((try Self.parsed()["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        let levels = results.compactMap { $0["level"] as? String }
        #expect(levels == ["error", "error", "warning", "note"])
    }

    @Test("warnings travel as tool execution notifications")
    func warningsAsNotifications() throws {
        let run = try #require((try Self.parsed()["runs"] as? [[String: Any]])?.first)
        let invocation = try #require((run["invocations"] as? [[String: Any]])?.first)
        let notes = try #require(invocation["toolExecutionNotifications"] as? [[String: Any]])
        #expect(notes.count == 1)
    }
}
