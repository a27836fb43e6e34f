import Findings
import Testing

@testable import Topology

@Suite("Justification files")
struct AuditJustificationFileTests {
    static let sample = """
        # Rules the network team has reviewed.
        justifications:
          - rule: jump-nsg/AllowSshFromOffice
            why: Operators reach the jump box from the office range only
            owner: netops@example.com
            review-by: 2027-03-31
          - rules:
              - "*/AllowHttpsInbound"
              - /subscriptions/0000/resourceGroups/RG-Shop/providers/Microsoft.Network/networkSecurityGroups/shop-nsg/securityRules/AllowSqlFromApp
            why: The shop's public site and its database tier
            owner: shop-team
            review-by: 2026-01-15
        """

    @Test("entries give their rules, why, owner, review date and the line they start on")
    func parsesEntries() throws {
        let file = try JustificationFile.parse(Self.sample, file: "j.yaml")
        #expect(file.entries.count == 2)
        let first = file.entries[0]
        #expect(first.rules.map(\.description) == ["jump-nsg/AllowSshFromOffice"])
        #expect(first.why == "Operators reach the jump box from the office range only")
        #expect(first.owner == "netops@example.com")
        #expect(first.reviewBy == CalendarDay(year: 2027, month: 3, day: 31))
        #expect(first.location == SourceLocation(file: "j.yaml", line: 3))
        #expect(file.entries[1].rules.map(\.description) == ["*/AllowHttpsInbound", "shop-nsg/AllowSqlFromApp"])
        #expect(file.entries[1].location.line == 7)
    }

    @Test("rule names compare case-insensitively and * stands for any NSG")
    func matching() throws {
        let file = try JustificationFile.parse(Self.sample)
        #expect(file.justification(nsg: "JUMP-NSG", rule: "allowsshfromoffice")?.owner == "netops@example.com")
        #expect(file.justification(nsg: "web-nsg", rule: "AllowHttpsInbound")?.owner == "shop-team")
        #expect(file.justification(nsg: "shop-nsg", rule: "AllowSqlFromApp")?.owner == "shop-team")
        #expect(file.justification(nsg: "jump-nsg", rule: "AllowRdp") == nil)
        #expect(file.justification(nsg: "other-nsg", rule: "AllowSshFromOffice") == nil)
    }

    @Test("of several entries for one rule the one reviewed latest counts")
    func latestReviewWins() throws {
        let text = """
            justifications:
              - {rule: a/b, why: old, owner: x, review-by: 2025-01-01}
              - {rule: a/b, why: renewed, owner: x, review-by: 2027-01-01}
              - {rule: a/b, why: older, owner: x, review-by: 2024-01-01}
            """
        let file = try JustificationFile.parse(text)
        #expect(file.justification(nsg: "a", rule: "b")?.why == "renewed")
    }

    @Test(
        "a broken entry is an error naming the line and what is wrong",
        arguments: [
            ("justifications:\n  - rule: a/b\n    owner: x\n    review-by: 2027-01-01\n", 2, "no 'why'"),
            ("justifications:\n  - rule: a/b\n    why: y\n    review-by: 2027-01-01\n", 2, "no 'owner'"),
            ("justifications:\n  - rule: a/b\n    why: y\n    owner: x\n", 2, "no 'review-by'"),
            ("justifications:\n  - rule: a/b\n    why: y\n    owner: x\n    review-by: 31/12/2027\n", 5, "YYYY-MM-DD"),
            ("justifications:\n  - rule: a/b\n    why: y\n    owner: x\n    review-by: 2027-02-30\n", 5, "YYYY-MM-DD"),
            (
                "justifications:\n  - rule: just-a-rule\n    why: y\n    owner: x\n    review-by: 2027-01-01\n", 2,
                "NSG/RULE"
            ),
            ("justifications:\n  - why: y\n    owner: x\n    review-by: 2027-01-01\n", 2, "names no rule"),
            ("justifications:\n  - rule: a/b\n    why: ''\n    owner: x\n    review-by: 2027-01-01\n", 3, "non-empty"),
            (
                "justifications:\n  - rule: a/b\n    why: y\n    owner: x\n    review-by: 2027-01-01\n    expires: 1\n",
                2,
                "unknown key 'expires'"
            ),
            ("justifications: yes\n", 1, "must be a list"),
            ("rules: []\n", 1, "'justifications' is missing"),
            ("justifications:\n  - rule: [a/b\n", 3, "not valid YAML"),
        ] as [(String, Int, String)]
    )
    func brokenEntry(_ text: String, _ line: Int, _ reason: String) {
        do {
            _ = try JustificationFile.parse(text, file: "j.yaml")
            Issue.record("accepted a broken justification file")
        } catch let error as InputError {
            #expect(error.file == "j.yaml")
            #expect(error.line == line, "\(error)")
            #expect(error.reason.contains(reason), "\(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("calendar days parse strictly and compare in order")
    func calendarDays() {
        #expect(CalendarDay("2024-02-29") != nil)
        #expect(CalendarDay("2023-02-29") == nil)
        #expect(CalendarDay("2100-02-29") == nil)
        #expect(CalendarDay("2027-1-01") == nil)
        #expect(CalendarDay("2026-11-30")! < CalendarDay("2026-12-01")!)
        #expect(CalendarDay("2026-12-01")?.description == "2026-12-01")
    }

    @Test("scan can tell a justification file from a YAML topology")
    func recognisesJustificationFiles() {
        #expect(JustificationFile.looksLikeJustificationFile(Self.sample))
        #expect(!JustificationFile.looksLikeJustificationFile("segments:\n  - name: lan\n"))
        #expect(!JustificationFile.looksLikeJustificationFile("justifications: []\nsegments: []\n"))
        #expect(!JustificationFile.looksLikeJustificationFile("[1, 2]"))
        // A YAML topology's own `justifications:` is a map of RULESET/RULE to a sentence.
        #expect(!JustificationFile.looksLikeJustificationFile("justifications:\n  web/ssh: admins\n"))
    }

    @Test("an alias bomb is refused quickly instead of being expanded")
    func aliasBomb() throws {
        var text = "l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*l\(level - 1)", count: 10).joined(separator: ", ")
            text += "l\(level): &l\(level) [\(refs)]\n"
        }
        for bomb in [
            "justifications: *l9\n", "justifications:\n  - {rules: *l9, why: w, owner: o, review-by: 2027-01-01}\n",
        ] {
            let start = ContinuousClock.now
            #expect(throws: InputError.self) { _ = try JustificationFile.parse(text + bomb) }
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(!JustificationFile.looksLikeJustificationFile(text + bomb))
        }
    }
}
