import Foundation

/// Resolves the simple ARM template expressions network templates use: `resourceId()`,
/// `parameters()` (default values), `variables()`, `concat()`, `format()`, `toLower()`, `toUpper()`
/// and string literals. Anything else is left as written, and a reference built from it then names
/// nothing, which the loader reports as a warning.
struct ARMTemplateContext {
    let parameters: [String: Any]
    let variables: [String: Any]
    let file: String

    /// Resource groups and subscriptions are unknown in a template; ids use fixed placeholders so
    /// that `resourceId()` calls and `id` fields built the same way agree.
    static let idPrefix = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/template/providers/"

    init(template: [String: Any], file: String) {
        var defaults: [String: Any] = [:]
        if let params = template["parameters"] as? [String: Any] {
            for (name, spec) in params {
                if let spec = spec as? [String: Any], let value = spec["defaultValue"] {
                    defaults[name.lowercased()] = value
                }
            }
        }
        var vars: [String: Any] = [:]
        for (name, value) in template["variables"] as? [String: Any] ?? [:] { vars[name.lowercased()] = value }
        self.parameters = defaults
        self.variables = vars
        self.file = file
    }

    /// The id a resource of `type` named `names` gets: `Microsoft.Network/virtualNetworks/subnets`,
    /// `[vnet, web]` → `…/providers/Microsoft.Network/virtualNetworks/vnet/subnets/web`.
    func resourceID(type: String, names: [String]) -> String {
        let parts = type.split(separator: "/").map(String.init)
        guard let provider = parts.first else { return type }
        var path = provider
        for (i, segment) in parts.dropFirst().enumerated() {
            path += "/" + segment
            if i < names.count { path += "/" + names[i] }
        }
        return Self.idPrefix + path
    }

    /// `[expression]` evaluated to text; other strings unchanged; nil when it cannot be resolved.
    func resolve(_ text: String) -> String? {
        guard text.hasPrefix("["), text.hasSuffix("]"), !text.hasPrefix("[[") else {
            return text.hasPrefix("[[") ? String(text.dropFirst()) : text
        }
        var parser = ARMExpressionParser(text: String(text.dropFirst().dropLast()), context: self, depth: 0)
        guard let value = parser.parseExpression(), parser.atEnd else { return nil }
        return Self.text(value)
    }

    static func text(_ value: Any) -> String? {
        if let s = value as? String { return s }
        if let n = value as? NSNumber { return n.stringValue }
        return nil
    }
}

/// A recursive-descent reader for the expression subset above. Depth is bounded so a variable that
/// refers to itself cannot loop.
struct ARMExpressionParser {
    let chars: [Character]
    var index = 0
    let context: ARMTemplateContext
    let depth: Int

    init(text: String, context: ARMTemplateContext, depth: Int) {
        self.chars = Array(text)
        self.context = context
        self.depth = depth
    }

    var atEnd: Bool {
        var i = index
        while i < chars.count, chars[i] == " " { i += 1 }
        return i == chars.count
    }

    mutating func skipSpaces() { while index < chars.count, chars[index] == " " { index += 1 } }

    mutating func parseExpression() -> Any? {
        guard depth < 16 else { return nil }
        skipSpaces()
        guard index < chars.count else { return nil }
        if chars[index] == "'" {
            index += 1
            var s = ""
            while index < chars.count {
                if chars[index] == "'" {
                    if index + 1 < chars.count, chars[index + 1] == "'" {
                        s.append("'")
                        index += 2
                        continue
                    }
                    index += 1
                    return s
                }
                s.append(chars[index])
                index += 1
            }
            return nil
        }
        if chars[index].isNumber {
            var s = ""
            while index < chars.count, chars[index].isNumber {
                s.append(chars[index])
                index += 1
            }
            return Int(s).map { NSNumber(value: $0) }
        }
        var name = ""
        while index < chars.count, chars[index].isLetter || chars[index].isNumber {
            name.append(chars[index])
            index += 1
        }
        skipSpaces()
        guard !name.isEmpty, index < chars.count, chars[index] == "(" else { return nil }
        index += 1
        var args: [Any] = []
        skipSpaces()
        if index < chars.count, chars[index] == ")" {
            index += 1
        } else {
            while true {
                guard let arg = parseExpression() else { return nil }
                args.append(arg)
                skipSpaces()
                guard index < chars.count else { return nil }
                if chars[index] == "," {
                    index += 1
                } else if chars[index] == ")" {
                    index += 1
                    break
                } else {
                    return nil
                }
            }
        }
        return call(name.lowercased(), args)
    }

    func call(_ name: String, _ args: [Any]) -> Any? {
        let texts = args.compactMap(ARMTemplateContext.text)
        switch name {
        case "parameters", "variables":
            guard let key = texts.first?.lowercased() else { return nil }
            guard let value = (name == "parameters" ? context.parameters : context.variables)[key] else { return nil }
            if let s = value as? String, s.hasPrefix("["), s.hasSuffix("]"), !s.hasPrefix("[[") {
                var inner = ARMExpressionParser(
                    text: String(s.dropFirst().dropLast()), context: context, depth: depth + 1)
                return inner.parseExpression()
            }
            return value
        case "concat":
            guard texts.count == args.count else { return nil }
            return texts.joined()
        case "format":
            guard texts.count == args.count, var result = texts.first else { return nil }
            for (i, value) in texts.dropFirst().enumerated() {
                result = result.replacingOccurrences(of: "{\(i)}", with: value)
            }
            return result
        case "tolower": return texts.first?.lowercased()
        case "toupper": return texts.first?.uppercased()
        case "string": return texts.first
        case "resourceid":
            guard texts.count == args.count, let typeIndex = texts.firstIndex(where: { $0.contains("/") }) else {
                return nil
            }
            return context.resourceID(type: texts[typeIndex], names: Array(texts[(typeIndex + 1)...]))
        default: return nil
        }
    }
}
