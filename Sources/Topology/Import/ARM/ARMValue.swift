import Foundation

/// A value an ARM template expression produces. `unknown` stands for what cannot be known offline
/// (a parameter with no value, a runtime property, an expression this version cannot evaluate); it
/// carries the text it stands for. Object keys compare case-insensitively, as ARM's do.
enum ARMValue: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case array([ARMValue])
    case object([(key: String, value: ARMValue)])
    case null
    case unknown(String)

    static func == (a: ARMValue, b: ARMValue) -> Bool {
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.array(let x), .array(let y)): return x == y
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { pair in b[pair.key] == pair.value }
        case (.null, .null): return true
        case (.unknown(let x), .unknown(let y)): return x == y
        default: return false
        }
    }

    /// A member of an object, found without regard to case.
    subscript(key: String) -> ARMValue? {
        guard case .object(let pairs) = self else { return nil }
        if let exact = pairs.first(where: { $0.key == key }) { return exact.value }
        let lower = key.lowercased()
        return pairs.first { $0.key.lowercased() == lower }?.value
    }

    var isUnknown: Bool {
        if case .unknown = self { return true }
        return false
    }

    /// The text a symbolic or unknown value takes where a string is needed: angle brackets, which no
    /// Azure name or address may contain, so it equals only itself.
    static func symbol(_ text: String) -> String { "<\(text)>" }

    /// Whether a string holds a symbolic part.
    static func isSymbolic(_ text: String) -> Bool {
        text.utf8.contains(UInt8(ascii: "<")) && text.utf8.contains(UInt8(ascii: ">"))
    }

    /// The value as text, where ARM converts it (concat, format, names).
    var text: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "True" : "False"
        case .null: return ""
        case .unknown(let t): return Self.symbol(t)
        case .array, .object: return Self.json(self)
        }
    }

    static func json(_ value: ARMValue) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value.foundation, options: [.sortedKeys]),
            let s = String(data: data, encoding: .utf8)
        else { return "" }
        return s
    }

    /// From the Foundation values the JSON reader produces.
    init(_ any: Any) {
        switch any {
        case let s as String: self = .string(s)
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" {
                self = .bool(n.boolValue)
            } else if n.doubleValue == Double(n.intValue) {
                self = .int(n.intValue)
            } else {
                self = .string(n.stringValue)
            }
        case let list as [Any]: self = .array(list.map(ARMValue.init))
        case let dict as [String: Any]:
            self = .object(dict.keys.sorted().map { ($0, ARMValue(dict[$0]!)) })
        default: self = .null
        }
    }

    /// Back to Foundation values for the resource reader; unknowns become their symbol text.
    var foundation: Any {
        switch self {
        case .string(let s): return s
        case .int(let i): return NSNumber(value: i)
        case .bool(let b): return NSNumber(value: b)
        case .array(let list): return list.map(\.foundation)
        case .object(let pairs):
            var dict: [String: Any] = [:]
            for (k, v) in pairs { dict[k] = v.foundation }
            return dict
        case .null: return NSNull()
        case .unknown(let t): return Self.symbol(t)
        }
    }

    var typeName: String {
        switch self {
        case .string: "string"
        case .int: "int"
        case .bool: "bool"
        case .array: "array"
        case .object: "object"
        case .null: "null"
        case .unknown: "unknown"
        }
    }
}
