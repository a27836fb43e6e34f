import Foundation

/// The template functions real templates use, evaluated as Azure documents them. Anything that
/// depends on the deployment's runtime (keys, secrets, the clock, runtime properties of resources)
/// is `unknown`.
extension ARMScope {
    func evaluate(_ expression: ARMExpression) throws -> ARMValue {
        switch expression {
        case .literal(let value): return value
        case .property(let base, let name):
            let value = try evaluate(base)
            if case .unknown(let t) = value { return .unknown("\(t).\(name)") }
            guard case .object = value else {
                throw ARMEvaluationError("'.\(name)' on a \(value.typeName)")
            }
            guard let member = value[name] else { throw ARMEvaluationError("the object has no property '\(name)'") }
            return member
        case .index(let base, let indexExpression):
            let value = try evaluate(base)
            let index = try evaluate(indexExpression)
            if case .unknown(let t) = value { return .unknown("\(t)[\(index.text)]") }
            switch (value, index) {
            case (.array(let items), .int(let i)):
                guard i >= 0 && i < items.count else {
                    throw ARMEvaluationError("index \(i) is outside an array of \(items.count)")
                }
                return items[i]
            case (.object, .string(let key)):
                guard let member = value[key] else { throw ARMEvaluationError("the object has no property '\(key)'") }
                return member
            case (_, .unknown(let t)): return .unknown("[\(t)]")
            default: throw ARMEvaluationError("cannot index a \(value.typeName) with a \(index.typeName)")
            }
        case .call(let name, let arguments):
            return try call(name.lowercased(), arguments, displayName: name)
        }
    }

    private func call(_ name: String, _ arguments: [ARMExpression], displayName: String) throws -> ARMValue {
        // Functions that must not evaluate every argument.
        switch name {
        case "if":
            guard arguments.count == 3 else { throw ARMEvaluationError("if() takes 3 arguments") }
            switch try evaluate(arguments[0]) {
            case .bool(let b): return try evaluate(arguments[b ? 1 : 2])
            case .unknown(let t): return .unknown("if(\(ARMValue.symbol(t)), …)")
            case let other: throw ARMEvaluationError("if() needs a bool, not a \(other.typeName)")
            }
        case "and", "or":
            var sawUnknown = false
            for argument in arguments {
                switch try evaluate(argument) {
                case .bool(let b):
                    if name == "and" && !b { return .bool(false) }
                    if name == "or" && b { return .bool(true) }
                case .unknown: sawUnknown = true
                case let other: throw ARMEvaluationError("\(name)() needs bools, not a \(other.typeName)")
                }
            }
            return sawUnknown ? .unknown("\(name)(…)") : .bool(name == "and")
        default: break
        }
        let args = try arguments.map(evaluate)
        if args.contains(where: \.isUnknown), !Self.toleratesUnknown.contains(name) {
            return .unknown("\(displayName)(…)")
        }
        let result = try apply(name, args, displayName: displayName)
        // Values that double at each step (concat of a variable with itself, again and again) stop here.
        switch result {
        case .string(let s) where s.utf8.count > Self.maximumStringLength:
            throw ARMEvaluationError("\(displayName)() makes a string of more than \(Self.maximumStringLength) bytes")
        case .array(let items) where items.count > Self.maximumArrayLength:
            throw ARMEvaluationError("\(displayName)() makes an array of more than \(Self.maximumArrayLength) items")
        default: return result
        }
    }

    static let maximumStringLength = 1 << 20
    static let maximumArrayLength = 100_000

    /// Functions whose result is still known when an argument is not (strings built around a symbol).
    static let toleratesUnknown: Set<String> = [
        "concat", "format", "tolower", "toupper", "resourceid", "subscriptionresourceid", "tenantresourceid",
        "extensionresourceid", "string", "equals", "uniquestring", "guid", "coalesce", "empty", "createarray",
        "createobject", "json",
    ]

    private func count(_ args: [ARMValue], _ range: ClosedRange<Int>, _ name: String) throws {
        guard range.contains(args.count) else {
            let wanted =
                range.lowerBound == range.upperBound ? "\(range.lowerBound)" : "\(range.lowerBound)–\(range.upperBound)"
            throw ARMEvaluationError("\(name)() takes \(wanted) arguments, not \(args.count)")
        }
    }

    private func int(_ v: ARMValue, _ name: String) throws -> Int {
        if case .int(let i) = v { return i }
        if case .string(let s) = v, let i = Int(s) { return i }
        throw ARMEvaluationError("\(name)() needs an integer, not a \(v.typeName)")
    }

    private func str(_ v: ARMValue, _ name: String) throws -> String {
        switch v {
        case .string(let s): return s
        case .unknown(let t): return ARMValue.symbol(t)
        default: throw ARMEvaluationError("\(name)() needs a string, not a \(v.typeName)")
        }
    }

    private func apply(_ name: String, _ args: [ARMValue], displayName: String) throws -> ARMValue {
        switch name {
        // Template values.
        case "parameters":
            try count(args, 1...1, name)
            return try parameter(try str(args[0], name))
        case "variables":
            try count(args, 1...1, name)
            return try variable(try str(args[0], name))
        case "copyindex":
            var loop = ""
            var offset = 0
            for arg in args {
                if case .string(let s) = arg { loop = s.lowercased() } else { offset = try int(arg, name) }
            }
            guard let index = copyIndices[loop] else {
                throw ARMEvaluationError(
                    loop.isEmpty ? "copyIndex() outside a copy loop" : "copyIndex('\(loop)') outside that loop")
            }
            return .int(index + offset)

        // Deployment.
        case "resourcegroup":
            return .object([
                ("id", .string(Self.resourceGroupID)), ("name", .string(Self.resourceGroupName)),
                ("location", .string("resourcegrouplocation")), ("type", .string("Microsoft.Resources/resourceGroups")),
                ("properties", .object([("provisioningState", .string("Succeeded"))])), ("tags", .object([])),
            ])
        case "subscription":
            return .object([
                ("id", .string("/subscriptions/\(Self.subscriptionID)")),
                ("subscriptionId", .string(Self.subscriptionID)),
                ("tenantId", .string(Self.subscriptionID)), ("displayName", .string("subscription")),
            ])
        case "tenant":
            return .object([("tenantId", .string(Self.subscriptionID)), ("displayName", .string("tenant"))])
        case "deployment":
            return .object([
                ("name", .string("deployment")),
                (
                    "properties",
                    .object([("templateLink", .object([("uri", .unknown("deployment().properties.templateLink.uri"))]))]
                    )
                ),
                ("location", .string("resourcegrouplocation")),
            ])
        case "environment":
            return .object([
                ("name", .string("AzureCloud")),
                (
                    "suffixes",
                    .object([("storage", .string("core.windows.net")), ("keyvaultDns", .string(".vault.azure.net"))])
                ),
                ("resourceManager", .string("https://management.azure.com/")),
                ("authentication", .object([("loginEndpoint", .string("https://login.microsoftonline.com/"))])),
            ])
        case "resourceid", "subscriptionresourceid", "tenantresourceid", "extensionresourceid":
            return .string(try resourceID(name, args))
        case "reference":
            try count(args, 1...3, name)
            let full = args.count >= 3 && (try? str(args[2], name))?.lowercased() == "full"
            guard let resolver = referenceResolver else {
                throw ARMEvaluationError("reference() is not available here")
            }
            return try resolver(try str(args[0], name), full)
        case "list", "listkeys", "listsecrets", "listaccountsas", "listservicesas", "newguid", "utcnow", "pickzones",
            "managementgroup", "managementgroupresourceid", "providers":
            return .unknown("\(displayName)(…)")

        // Logical and comparison.
        case "equals":
            try count(args, 2...2, name)
            return .bool(args[0] == args[1])
        case "not":
            try count(args, 1...1, name)
            guard case .bool(let b) = args[0] else { throw ARMEvaluationError("not() needs a bool") }
            return .bool(!b)
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "null": return .null
        case "less", "lessorequals", "greater", "greaterorequals":
            try count(args, 2...2, name)
            let order: Int
            switch (args[0], args[1]) {
            case (.int(let a), .int(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
            case (.string(let a), .string(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
            default: throw ARMEvaluationError("\(displayName)() compares two integers or two strings")
            }
            switch name {
            case "less": return .bool(order < 0)
            case "lessorequals": return .bool(order <= 0)
            case "greater": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "coalesce":
            return args.first { if case .null = $0 { return false } else { return true } } ?? .null

        // Numbers.
        case "add", "sub", "mul", "div", "mod":
            try count(args, 2...2, name)
            let a = try int(args[0], name)
            let b = try int(args[1], name)
            switch name {
            case "add": return .int(a &+ b)
            case "sub": return .int(a &- b)
            case "mul": return .int(a.multipliedReportingOverflow(by: b).partialValue)
            default:
                guard b != 0 else { throw ARMEvaluationError("\(name)() by zero") }
                return .int(name == "div" ? a / b : a % b)
            }
        case "min", "max":
            var values: [Int] = []
            for a in args {
                if case .array(let items) = a {
                    values += try items.map { try int($0, name) }
                } else {
                    values.append(try int(a, name))
                }
            }
            guard let result = name == "min" ? values.min() : values.max() else {
                throw ARMEvaluationError("\(name)() of nothing")
            }
            return .int(result)
        case "int":
            try count(args, 1...1, name)
            return .int(try int(args[0], name))
        case "range":
            try count(args, 2...2, name)
            let start = try int(args[0], name)
            let n = try int(args[1], name)
            guard n >= 0 && n <= 10000 else { throw ARMEvaluationError("range() of \(n) items") }
            return .array((0..<n).map { .int(start + $0) })

        // Conversions.
        case "string":
            try count(args, 1...1, name)
            return .string(args[0].text)
        case "bool":
            try count(args, 1...1, name)
            switch args[0] {
            case .bool: return args[0]
            case .int(let i): return .bool(i != 0)
            case .string(let s) where ["true", "false"].contains(s.lowercased()): return .bool(s.lowercased() == "true")
            default: throw ARMEvaluationError("bool() of a \(args[0].typeName)")
            }
        case "json":
            try count(args, 1...1, name)
            let text = try str(args[0], name)
            guard let data = text.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            else { throw ARMEvaluationError("json() of text that is not JSON") }
            return ARMValue(object)
        case "array":
            try count(args, 1...1, name)
            if case .array = args[0] { return args[0] }
            return .array([args[0]])
        case "createarray": return .array(args)
        case "createobject":
            guard args.count % 2 == 0 else { throw ARMEvaluationError("createObject() takes key-value pairs") }
            var pairs: [(key: String, value: ARMValue)] = []
            for i in stride(from: 0, to: args.count, by: 2) { pairs.append((args[i].text, args[i + 1])) }
            return .object(pairs)
        case "base64":
            try count(args, 1...1, name)
            return .string(Data(try str(args[0], name).utf8).base64EncodedString())
        case "uri":
            try count(args, 2...2, name)
            var base = try str(args[0], name)
            if let slash = base.lastIndex(of: "/") { base = String(base[...slash]) }
            return .string(base + (try str(args[1], name)))

        // Strings and collections.
        case "concat":
            if args.contains(where: { if case .array = $0 { return true } else { return false } }) {
                var items: [ARMValue] = []
                for a in args {
                    guard case .array(let list) = a else {
                        throw ARMEvaluationError("concat() of arrays and a \(a.typeName)")
                    }
                    items += list
                }
                return .array(items)
            }
            return .string(args.map(\.text).joined())
        case "format":
            guard let first = args.first else { throw ARMEvaluationError("format() without a format string") }
            return .string(try Self.format(try str(first, name), Array(args.dropFirst())))
        case "tolower":
            try count(args, 1...1, name)
            return .string(args[0].text.lowercased())
        case "toupper":
            try count(args, 1...1, name)
            return .string(args[0].text.uppercased())
        case "trim":
            try count(args, 1...1, name)
            return .string(try str(args[0], name).trimmingSpaces())
        case "replace":
            try count(args, 3...3, name)
            let old = try str(args[1], name)
            guard !old.isEmpty else { return args[0] }
            return .string(try str(args[0], name).replacingOccurrences(of: old, with: try str(args[2], name)))
        case "split":
            try count(args, 2...2, name)
            let text = try str(args[0], name)
            var delimiters: [String] = []
            if case .array(let list) = args[1] {
                delimiters = try list.map { try str($0, name) }
            } else {
                delimiters = [try str(args[1], name)]
            }
            var parts = [text]
            for d in delimiters where !d.isEmpty { parts = parts.flatMap { $0.components(separatedBy: d) } }
            return .array(parts.map { .string($0) })
        case "substring" where ARMValue.isSymbolic(args.first?.text ?? ""),
            "take" where ARMValue.isSymbolic(args.first?.text ?? ""),
            "skip" where ARMValue.isSymbolic(args.first?.text ?? ""):
            // Cutting a symbol would break it: the result is a symbol of its own, the same each time.
            return .string(ARMValue.symbol("\(displayName)(\(args.map(\.text).joined(separator: ", ")))"))
        case "substring":
            try count(args, 2...3, name)
            let chars = Array(try str(args[0], name))
            let start = try int(args[1], name)
            let length = args.count == 3 ? try int(args[2], name) : chars.count - start
            guard start >= 0, length >= 0, start + length <= chars.count else {
                throw ARMEvaluationError(
                    "substring(…, \(start), \(length)) of a string of \(chars.count) characters is out of range")
            }
            return .string(String(chars[start..<(start + length)]))
        case "padleft":
            try count(args, 2...3, name)
            let text = args[0].text
            let width = try int(args[1], name)
            guard width <= 16384 else { throw ARMEvaluationError("padLeft() to \(width) characters") }
            let pad = args.count == 3 ? try str(args[2], name) : " "
            guard text.count < width, let p = pad.first else { return .string(text) }
            return .string(String(repeating: p, count: width - text.count) + text)
        case "startswith", "endswith":
            try count(args, 2...2, name)
            let a = try str(args[0], name).lowercased()
            let b = try str(args[1], name).lowercased()
            return .bool(name == "startswith" ? a.hasPrefix(b) : a.hasSuffix(b))
        case "indexof", "lastindexof":
            try count(args, 2...2, name)
            let a = try str(args[0], name).lowercased()
            let b = try str(args[1], name).lowercased()
            guard let range = name == "indexof" ? a.range(of: b) : a.range(of: b, options: .backwards) else {
                return .int(-1)
            }
            return .int(a.distance(from: a.startIndex, to: range.lowerBound))
        case "length":
            try count(args, 1...1, name)
            switch args[0] {
            case .string(let s): return .int(s.count)
            case .array(let l): return .int(l.count)
            case .object(let o): return .int(o.count)
            default: throw ARMEvaluationError("length() of a \(args[0].typeName)")
            }
        case "empty":
            try count(args, 1...1, name)
            switch args[0] {
            case .string(let s): return .bool(s.isEmpty)
            case .array(let l): return .bool(l.isEmpty)
            case .object(let o): return .bool(o.isEmpty)
            case .null: return .bool(true)
            case .unknown: return .unknown("empty(…)")
            default: return .bool(false)
            }
        case "contains":
            try count(args, 2...2, name)
            switch args[0] {
            case .string(let s): return .bool(s.contains(args[1].text))
            case .array(let l): return .bool(l.contains(args[1]))
            case .object: return .bool(args[0][args[1].text] != nil)
            default: throw ARMEvaluationError("contains() in a \(args[0].typeName)")
            }
        case "first", "last":
            try count(args, 1...1, name)
            switch args[0] {
            case .string(let s):
                guard let c = name == "first" ? s.first : s.last else { return .string("") }
                return .string(String(c))
            case .array(let l):
                guard let v = name == "first" ? l.first : l.last else { return .null }
                return v
            default: throw ARMEvaluationError("\(name)() of a \(args[0].typeName)")
            }
        case "take", "skip":
            try count(args, 2...2, name)
            let n = max(0, try int(args[1], name))
            switch args[0] {
            case .string(let s): return .string(String(name == "take" ? s.prefix(n) : s.dropFirst(n)))
            case .array(let l): return .array(Array(name == "take" ? l.prefix(n) : l.dropFirst(n)))
            default: throw ARMEvaluationError("\(name)() of a \(args[0].typeName)")
            }
        case "union", "intersection":
            guard let first = args.first else { return .array([]) }
            if case .array = first {
                var result: [ARMValue] = []
                if name == "union" {
                    for a in args {
                        if case .array(let l) = a { for v in l where !result.contains(v) { result.append(v) } }
                    }
                } else if case .array(let l) = first {
                    result = l.filter { v in
                        args.dropFirst().allSatisfy { if case .array(let o) = $0 { o.contains(v) } else { false } }
                    }
                }
                return .array(result)
            }
            var pairs: [(key: String, value: ARMValue)] = []
            for a in args {
                guard case .object(let o) = a else {
                    throw ARMEvaluationError("\(name)() of objects and a \(a.typeName)")
                }
                for (k, v) in o {
                    if let i = pairs.firstIndex(where: { $0.key.lowercased() == k.lowercased() }) {
                        if name == "union" { pairs[i].value = v }
                    } else if name == "union" {
                        pairs.append((k, v))
                    }
                }
            }
            if name == "intersection", case .object(let o) = first {
                pairs = o.filter { pair in args.dropFirst().allSatisfy { $0[pair.key] == pair.value } }
            }
            return .object(pairs)
        case "uniquestring":
            return .string(Self.uniqueString(args.map(\.text)))
        case "guid":
            return .string(Self.guid(args.map(\.text)))
        case "cidrsubnet":
            try count(args, 3...3, name)
            guard let base = NetworkPrefix(try str(args[0], name)) else {
                throw ARMEvaluationError("cidrSubnet() of something that is not an IPv4 or IPv6 prefix")
            }
            let length = try int(args[1], name)
            let index = try int(args[2], name)
            guard length >= base.length, length <= base.familyBits, index >= 0,
                length - base.length >= 63 || index < (1 << (length - base.length))
            else {
                throw ARMEvaluationError("cidrSubnet(…, \(length), \(index)) is out of range")
            }
            let address = base.network.value &+ UInt128(index) << UInt128(base.familyBits - length)
            return .string("\(NetworkAddress(address))/\(length)")
        case "cidrhost":
            try count(args, 2...2, name)
            guard let base = NetworkPrefix(try str(args[0], name)) else {
                throw ARMEvaluationError("cidrHost() of something that is not an IPv4 or IPv6 prefix")
            }
            let index = try int(args[1], name)
            // Azure's cidrHost skips the network address: host 0 is the first usable one.
            return .string(NetworkAddress(base.network.value &+ UInt128(max(0, index) + 1)).description)
        default:
            throw ARMEvaluationError("the function \(displayName)() is not supported")
        }
    }

    /// `format('{0}-{1}', a, b)`; `{{` and `}}` are literal braces; a format specifier after `:` is ignored.
    static func format(_ pattern: String, _ values: [ARMValue]) throws -> String {
        var result = ""
        var chars = Array(pattern)[...]
        while let c = chars.first {
            chars = chars.dropFirst()
            if c == "{", chars.first == "{" {
                result.append("{")
                chars = chars.dropFirst()
            } else if c == "}", chars.first == "}" {
                result.append("}")
                chars = chars.dropFirst()
            } else if c == "{" {
                guard let close = chars.firstIndex(of: "}") else {
                    throw ARMEvaluationError("format() with an unclosed '{'")
                }
                let spec = String(chars[chars.startIndex..<close])
                let indexText = spec.split(separator: ":").first.map(String.init) ?? spec
                guard let i = Int(indexText.trimmingSpaces()), i >= 0, i < values.count else {
                    throw ARMEvaluationError("format() names {\(spec)} but has \(values.count) values")
                }
                result += values[i].text
                chars = chars[chars.index(after: close)...]
            } else {
                result.append(c)
            }
        }
        return result
    }

    /// A deterministic 13-character base-32 string from the arguments, like Azure's `uniqueString`
    /// (not Azure's hash: the same inputs always give the same name, which is all a topology needs).
    static func uniqueString(_ parts: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in parts.joined(separator: "\u{1}").utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567")
        var text = ""
        for i in 0..<13 { text.append(alphabet[Int((hash >> UInt64((i * 5) % 60)) & 31)]) }
        return text
    }

    /// A deterministic GUID from the arguments (see `uniqueString`).
    static func guid(_ parts: [String]) -> String {
        let a = uniqueString(parts + ["a"]).utf8.reduce(UInt64(0)) { $0 &* 31 &+ UInt64($1) }
        let b = uniqueString(parts + ["b"]).utf8.reduce(UInt64(0)) { $0 &* 37 &+ UInt64($1) }
        let hex = String(format: "%016llx%016llx", a, b)
        let c = Array(hex)
        return
            "\(String(c[0..<8]))-\(String(c[8..<12]))-\(String(c[12..<16]))-\(String(c[16..<20]))-\(String(c[20..<32]))"
    }

    /// `resourceId([subscriptionId], [resourceGroupName], type, name1, name2…)` and its siblings.
    private func resourceID(_ function: String, _ args: [ARMValue]) throws -> String {
        let texts = args.map(\.text)
        var rest = texts[...]
        var scope: String
        if function == "extensionresourceid" {
            guard let first = rest.first else { throw ARMEvaluationError("extensionResourceId() without a scope") }
            scope = first
            rest = rest.dropFirst()
        } else {
            guard let typeIndex = rest.firstIndex(where: { $0.contains("/") && !$0.hasPrefix("/") }) else {
                throw ARMEvaluationError("\(function)() without a resource type")
            }
            let before = Array(rest[rest.startIndex..<typeIndex])
            rest = rest[typeIndex...]
            var subscription = Self.subscriptionID
            var group = Self.resourceGroupName
            switch function {
            case "resourceid":
                if before.count == 2 {
                    subscription = before[0]
                    group = before[1]
                } else if before.count == 1 {
                    group = before[0]
                }
                scope = "/subscriptions/\(subscription)/resourceGroups/\(group)"
            case "subscriptionresourceid":
                if let s = before.first { subscription = s }
                scope = "/subscriptions/\(subscription)"
            default:
                scope = ""
            }
        }
        guard let type = rest.first else { throw ARMEvaluationError("\(function)() without a resource type") }
        return Self.resourceID(scope: scope, type: type, names: Array(rest.dropFirst()))
    }

    /// `…/providers/Microsoft.Network/virtualNetworks/vnet/subnets/web` from a type and its names.
    static func resourceID(scope: String, type: String, names: [String]) -> String {
        let names = names.flatMap { $0.split(separator: "/").map(String.init) }
        let parts = type.split(separator: "/").map(String.init)
        guard let provider = parts.first else { return scope }
        var path = "\(scope)/providers/\(provider)"
        for (i, segment) in parts.dropFirst().enumerated() {
            path += "/" + segment
            if i < names.count { path += "/" + names[i] }
        }
        return path
    }
}
