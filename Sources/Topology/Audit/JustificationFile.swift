import Findings
import Foundation
import Yams

/// A calendar day (no time, no zone), the unit review dates are written in.
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`; nil for anything else, including impossible days like `2026-02-30`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day `date` falls on in UTC.
    public init(_ date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1)
    }

    public static func < (a: CalendarDay, b: CalendarDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public var description: String {
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(year)-\(m)-\(d)"
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// Names the rules one justification covers: `NSG/RULE`, either part `*` for any, compared
/// case-insensitively as Azure compares names; or a full rule resource id.
public struct RuleSelector: Sendable, Hashable, CustomStringConvertible {
    public var nsg: String
    public var rule: String

    /// Parses `NSG/RULE` or a resource id `/subscriptions/…/networkSecurityGroups/NSG/securityRules/RULE`.
    public init?(_ text: String) {
        let trimmed = text.trimmingSpaces()
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if trimmed.hasPrefix("/") {
            guard let groupIndex = parts.firstIndex(where: { $0.lowercased() == "networksecuritygroups" }),
                groupIndex + 4 == parts.count, parts[groupIndex + 2].lowercased() == "securityrules"
            else { return nil }
            nsg = parts[groupIndex + 1]
            rule = parts[groupIndex + 3]
            return
        }
        guard parts.count == 2, !trimmed.hasSuffix("/") else { return nil }
        nsg = parts[0]
        rule = parts[1]
    }

    public func matches(nsg nsgName: String, rule ruleName: String) -> Bool {
        Self.part(nsg, matches: nsgName) && Self.part(rule, matches: ruleName)
    }

    private static func part(_ pattern: String, matches name: String) -> Bool {
        pattern == "*" || pattern.lowercased() == name.lowercased()
    }

    public var description: String { "\(nsg)/\(rule)" }
}

/// One entry of a justification file: which rules, why they exist, who owns them, when to look again.
public struct Justification: Sendable, Hashable {
    public var rules: [RuleSelector]
    public var why: String
    public var owner: String
    public var reviewBy: CalendarDay
    /// Where the entry starts, for messages that send the reader to it.
    public var location: SourceLocation

    public init(rules: [RuleSelector], why: String, owner: String, reviewBy: CalendarDay, location: SourceLocation) {
        self.rules = rules
        self.why = why
        self.owner = owner
        self.reviewBy = reviewBy
        self.location = location
    }

    public func covers(nsg: String, rule: String) -> Bool {
        rules.contains { $0.matches(nsg: nsg, rule: rule) }
    }
}

/// The justification file given with `--justifications FILE`: a YAML document whose top-level key
/// `justifications` holds a list of entries:
///
/// ```yaml
/// justifications:
///   - rule: jump-nsg/AllowSshFromOffice     # or `rules:` with a list; NSG/RULE, `*` for any part
///     why: Operators reach the jump box from the office range only
///     owner: netops@example.com
///     review-by: 2027-03-31
/// ```
///
/// Every field is required, so a justification always says why, who and until when. The top-level
/// key is also how `exposure scan` tells a justification file from a YAML topology.
public struct JustificationFile: Sendable {
    public var entries: [Justification]

    public init(entries: [Justification]) { self.entries = entries }

    /// Files larger than this are refused rather than parsed: a justification file is a short list.
    static let maximumBytes = 4 << 20

    public static func load(path: String) throws -> JustificationFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, reason: "cannot read the justification file")
        }
        guard data.count <= maximumBytes else {
            throw InputError(file: path, reason: "a justification file may be at most 4 MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: path, line: nil, reason: "the file is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    /// Whether `text` is a justification file rather than a topology: a YAML mapping whose keys
    /// include `justifications` and nothing that a YAML topology uses.
    public static func looksLikeJustificationFile(_ text: String) -> Bool {
        guard let node = try? Yams.compose(yaml: text), let mapping = node.mapping,
            mapping["justifications"]?.sequence != nil
        else { return false }
        let keys = Set(mapping.keys.compactMap(\.string))
        return keys.isSubset(of: ["justifications", "version", "description"])
    }

    public static func parse(_ text: String, file: String? = nil) throws -> JustificationFile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw InputError(file: file, line: Self.line(of: error), reason: "not valid YAML (\(error))")
        } catch {
            throw InputError(file: file, reason: "not valid YAML (\(error))")
        }
        func fail(_ node: Node?, _ reason: String) -> InputError {
            InputError(file: file, line: node?.mark.map { $0.line }, reason: reason)
        }
        guard let root, let mapping = root.mapping else {
            throw fail(root, "a justification file is a mapping with a 'justifications' list")
        }
        guard let listNode = mapping["justifications"] else {
            throw fail(root, "the top-level key 'justifications' is missing")
        }
        guard let list = listNode.sequence else {
            throw fail(listNode, "'justifications' must be a list of entries")
        }
        var entries: [Justification] = []
        for item in list {
            guard let entry = item.mapping else {
                throw fail(item, "each justification is a mapping with rule(s), why, owner and review-by")
            }
            func text(_ key: String) throws -> String {
                guard let value = entry[key] else { throw fail(item, "the entry has no '\(key)'") }
                guard let string = value.scalar?.string, !string.trimmingSpaces().isEmpty else {
                    throw fail(value, "'\(key)' must be non-empty text")
                }
                return string.trimmingSpaces()
            }
            var selectorNodes: [Node] = []
            if let one = entry["rule"] { selectorNodes.append(one) }
            if let many = entry["rules"] {
                guard let sequence = many.sequence else { throw fail(many, "'rules' must be a list of NSG/RULE names") }
                selectorNodes += Array(sequence)
            }
            if selectorNodes.isEmpty { throw fail(item, "the entry names no rule: add 'rule: NSG/RULE' or 'rules:'") }
            var selectors: [RuleSelector] = []
            for node in selectorNodes {
                guard let string = node.scalar?.string, let selector = RuleSelector(string) else {
                    throw fail(node, "a rule is named NSG/RULE (either part may be *) or by its resource id")
                }
                selectors.append(selector)
            }
            let why = try text("why")
            let owner = try text("owner")
            let reviewText = try text("review-by")
            guard let reviewBy = CalendarDay(reviewText) else {
                throw fail(entry["review-by"], "'review-by' must be a date written YYYY-MM-DD, got '\(reviewText)'")
            }
            for key in entry.keys.compactMap(\.string)
            where !["rule", "rules", "why", "owner", "review-by"].contains(key) {
                throw fail(item, "unknown key '\(key)' (expected rule, rules, why, owner, review-by)")
            }
            let location = SourceLocation(file: file, line: item.mark.map { $0.line })
            entries.append(
                Justification(rules: selectors, why: why, owner: owner, reviewBy: reviewBy, location: location))
        }
        return JustificationFile(entries: entries)
    }

    /// The justification for a rule: of all entries naming it, the one reviewed latest, so renewing
    /// a justification by adding an entry works without deleting the old one.
    public func justification(nsg: String, rule: String) -> Justification? {
        entries.filter { $0.covers(nsg: nsg, rule: rule) }.max { $0.reviewBy < $1.reviewBy }
    }

    private static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            return mark.line
        default:
            return nil
        }
    }
}
